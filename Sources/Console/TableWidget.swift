import Display

/// Draws a table: header with the sort marker, visible rows only, selection highlight.
enum TableWidget {
    /// Returns "selected/total" when the rows do not all fit, for the caller to place.
    @discardableResult
    static func draw(spec: TableSpec, rows: [TableRow], state: inout TableState, grid: inout CellGrid, top: Int, bottom: Int,
                     emptyText: String) -> String? {
        let w = grid.width
        let height = max(0, bottom - top - 1)
        state.scrollToSelection(height: height)
        let first = min(state.scroll, rows.count)
        let visible = first..<min(rows.count, first + height)
        let widths = layoutColumns(spec.columns, content: contentWidths(rows, visible: visible, columns: spec.columns.count), width: w - 2)
        var x = 1
        for (i, c) in spec.columns.enumerated() {
            let marker = i == state.sortColumn ? (state.ascending ? "▲" : "▼") : ""
            let title = DisplayText.padded(c.title + marker, width: widths[i], alignRight: c.alignRight)
            grid.put(title, x: x, y: top, role: .header, maxWidth: widths[i])
            x += widths[i] + 1
        }
        if rows.isEmpty {
            grid.put(emptyText, x: 2, y: top + 2, role: .dim, maxWidth: w - 3)
            return nil
        }
        let end = min(rows.count, state.scroll + height)
        guard state.scroll < end else { return nil }
        for (line, index) in (state.scroll..<end).enumerated() {
            let row = rows[index]
            let y = top + 1 + line
            let selected = index == state.selectedIndex
            let rowRole: Role = selected ? .rowSelected : .row
            if selected { grid.fill(x: 0, y: y, width: w, role: .rowSelected) }
            var cx = 1
            for (i, c) in spec.columns.enumerated() where i < row.cells.count {
                let role = selected ? rowRole : ((i < row.cellRoles.count ? row.cellRoles[i] : nil) ?? rowRole)
                let text = c.alignRight ? DisplayText.padded(row.cells[i], width: widths[i], alignRight: true)
                                        : DisplayText.truncate(row.cells[i], toWidth: widths[i])
                grid.put(text, x: cx, y: y, role: role, maxWidth: widths[i])
                cx += widths[i] + 1
            }
        }
        return rows.count > height ? "\(state.selectedIndex + 1)/\(rows.count)" : nil
    }
}
