import Display

/// Draws a table: header with the sort marker, visible rows only, selection highlight; columns
/// laid out for the screen (``layoutColumns(_:content:width:gap:)``) or, in wide mode, at full
/// width and scrolled sideways (``wideLayout(_:content:width:first:gap:)``).
enum TableWidget {
    struct Drawn {
        /// "selected/total" when the rows do not all fit, for the caller to place.
        var position: String?
        /// Columns not on screen.
        var hiddenColumns: Int
    }

    @discardableResult
    static func draw(spec: TableSpec, rows: [TableRow], state: inout TableState, grid: inout CellGrid, top: Int, bottom: Int,
                     emptyText: String, wide: Bool = false) -> Drawn {
        let w = grid.width
        let height = max(0, bottom - top - 1)
        state.scrollToSelection(height: height)
        let first = min(state.scroll, rows.count)
        let visible = first..<min(rows.count, first + height)
        let content = contentWidths(rows, visible: visible, columns: spec.columns.count)
        let layout = wide ? wideLayout(spec.columns, content: content, width: w - 2, first: state.firstColumn)
                          : layoutColumns(spec.columns, content: content, width: w - 2)
        let widths = layout.widths
        // The identifier first in wide mode (it stays while the others scroll), else in declared order.
        let order = wide ? spec.columns.indices.sorted { (spec.columns[$0].priority == .identifier ? 0 : 1, $0) < (spec.columns[$1].priority == .identifier ? 0 : 1, $1) }
                         : Array(spec.columns.indices)
        var x = 1
        for i in order where widths[i] > 0 && x < w {
            let c = spec.columns[i]
            let marker = i == state.sortColumn ? (state.ascending ? "▲" : "▼") : ""
            let title = DisplayText.padded(c.title + marker, width: widths[i], alignRight: c.alignRight)
            grid.put(title, x: x, y: top, role: .header, maxWidth: min(widths[i], w - x))
            x += widths[i] + 1
        }
        if rows.isEmpty {
            grid.put(emptyText, x: 2, y: top + 2, role: .dim, maxWidth: w - 3)
            return Drawn(position: nil, hiddenColumns: layout.hidden)
        }
        let end = min(rows.count, state.scroll + height)
        guard state.scroll < end else { return Drawn(position: nil, hiddenColumns: layout.hidden) }
        for (line, index) in (state.scroll..<end).enumerated() {
            let row = rows[index]
            let y = top + 1 + line
            let selected = index == state.selectedIndex
            let rowRole: Role = selected ? .rowSelected : .row
            if selected { grid.fill(x: 0, y: y, width: w, role: .rowSelected) }
            var cx = 1
            for i in order where i < row.cells.count && widths[i] > 0 && cx < w {
                let c = spec.columns[i]
                let role = selected ? rowRole : ((i < row.cellRoles.count ? row.cellRoles[i] : nil) ?? rowRole)
                let text = c.alignRight ? DisplayText.padded(row.cells[i], width: widths[i], alignRight: true)
                                        : DisplayText.truncate(row.cells[i], toWidth: widths[i])
                grid.put(text, x: cx, y: y, role: role, maxWidth: min(widths[i], w - cx))
                cx += widths[i] + 1
            }
        }
        return Drawn(position: rows.count > height ? "\(state.selectedIndex + 1)/\(rows.count)" : nil, hiddenColumns: layout.hidden)
    }
}
