import Display

/// A sortable value for a table cell: numbers sort numerically, unknown values last.
public enum SortValue: Comparable, Sendable {
    case number(Double)
    case text(String)
    case none

    public static func < (a: Self, b: Self) -> Bool {
        switch (a, b) {
        case let (.number(x), .number(y)): return x < y
        case let (.text(x), .text(y)): return x < y
        case (.none, _): return false
        case (_, .none): return true
        case (.number, .text): return true
        case (.text, .number): return false
        }
    }
}

/// A table column: title, width policy and alignment.
public struct Column: Sendable {
    public var title: String
    public var minWidth: Int
    /// Share of leftover width this column takes (0 = fixed).
    public var flex: Int
    public var alignRight: Bool
    public init(_ title: String, width: Int, flex: Int = 0, right: Bool = false) {
        self.title = title; self.minWidth = width; self.flex = flex; self.alignRight = right
    }
}

/// One row of a table: what to show, how to sort, how to colour, and a stable id so the
/// selection follows the same item when rows re-sort or new data arrives.
public struct TableRow: Sendable {
    public var id: String
    public var cells: [String]
    public var sortKeys: [SortValue]
    /// Role per cell; `nil` means the row's role.
    public var cellRoles: [Role?]
    /// Text the `/` filter matches against (case-insensitively; lowered only when a filter is typed).
    public var filterText: String

    public init(id: String, cells: [String], sortKeys: [SortValue], cellRoles: [Role?] = [], filterText: String? = nil) {
        self.id = id
        self.cells = cells.map(DisplayText.sanitize)
        self.sortKeys = sortKeys
        self.cellRoles = cellRoles
        self.filterText = filterText ?? id
    }
}

/// Where the user is in a table: selection, scroll and sort.
public struct TableState: Sendable, Equatable {
    public var selectedId: String?
    public var selectedIndex = 0
    public var scroll = 0
    public var sortColumn = 0
    public var ascending = true
    public init(sortColumn: Int = 0, ascending: Bool = true) { self.sortColumn = sortColumn; self.ascending = ascending }

    /// Re-finds the selected row by id after rows changed; keeps the index when it vanished.
    public mutating func reconcile(ids: [String]) {
        if let id = selectedId, let i = ids.firstIndex(of: id) { selectedIndex = i }
        selectedIndex = max(0, min(selectedIndex, ids.count - 1))
        selectedId = ids.indices.contains(selectedIndex) ? ids[selectedIndex] : nil
    }

    public mutating func move(by delta: Int, count: Int, ids: [String]) {
        guard count > 0 else { return }
        selectedIndex = max(0, min(count - 1, selectedIndex + delta))
        selectedId = ids[selectedIndex]
    }

    /// Keeps the selection inside the visible window of `height` rows.
    public mutating func scrollToSelection(height: Int) {
        guard height > 0 else { return }
        if selectedIndex < scroll { scroll = selectedIndex }
        if selectedIndex >= scroll + height { scroll = selectedIndex - height + 1 }
        scroll = max(0, scroll)
    }
}

/// Column widths for the space available, sized to what they hold, as k9s does: each column is
/// as wide as its widest cell, its title with the sort marker, and its designed minimum — no
/// wider, so spare width stays at the right instead of padding one column. Only when that does
/// not fit do columns give width back: flexible ones (names) first down to their minimum, then
/// any column down to its minimum, then flexible ones down to 4 cells; the rest is truncated.
public func layoutColumns(_ columns: [Column], content: [Int] = [], width: Int, gap: Int = 1) -> [Int] {
    var widths = columns.enumerated().map { i, c in
        max(c.minWidth, DisplayText.width(c.title) + 1, i < content.count ? content[i] : 0)
    }
    var over = widths.reduce(0, +) + gap * max(0, columns.count - 1) - width
    func shrink(_ eligible: (Int) -> Bool, floor: (Int) -> Int) {
        while over > 0 {
            // The widest column still above its floor gives one cell at a time.
            guard let i = widths.indices.filter({ eligible($0) && widths[$0] > floor($0) }).max(by: { widths[$0] < widths[$1] }) else { return }
            widths[i] -= 1
            over -= 1
        }
    }
    shrink({ columns[$0].flex > 0 }, floor: { columns[$0].minWidth })
    shrink({ _ in true }, floor: { columns[$0].minWidth })
    shrink({ columns[$0].flex > 0 }, floor: { _ in 4 })
    return widths
}

/// The widest cell of each column (display width), for ``layoutColumns(_:content:width:gap:)``:
/// over every row of a table up to `sampleLimit` rows; past that (a frame must stay cheap on a
/// 10,000-row table) over the rows on screen and an even sample of the rest.
public func contentWidths(_ rows: [TableRow], visible: Range<Int>, columns: Int, sampleLimit: Int = 1_000) -> [Int] {
    var out = [Int](repeating: 0, count: columns)
    func measure(_ r: TableRow) {
        for (i, c) in r.cells.enumerated() where i < columns { out[i] = max(out[i], DisplayText.width(c)) }
    }
    if rows.count <= sampleLimit {
        for r in rows { measure(r) }
        return out
    }
    for i in visible where rows.indices.contains(i) { measure(rows[i]) }
    for i in stride(from: 0, to: rows.count, by: max(1, rows.count / sampleLimit)) { measure(rows[i]) }
    return out
}
