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

/// A table column: title, width policy, alignment, and how much it matters on a narrow screen.
public struct Column: Sendable {
    /// What a narrow screen may do with the column.
    public enum Priority: Sendable, Equatable {
        /// The row's name (group, topic, job): shrunk, never below a readable 16 cells, never hidden.
        case identifier
        /// What on-call reads first (status, lag, state, level): never hidden.
        case essential
        /// Hidden when the screen is too narrow, lowest rank first, rightmost first among equals.
        case optional(rank: Int)
    }

    public var title: String
    public var minWidth: Int
    /// Non-zero for columns holding names or free text, which may shrink (and be truncated).
    public var flex: Int
    public var alignRight: Bool
    public var priority: Priority
    public init(_ title: String, width: Int, flex: Int = 0, right: Bool = false, priority: Priority = .essential) {
        self.title = title; self.minWidth = width; self.flex = flex; self.alignRight = right; self.priority = priority
    }

    public var isOptional: Bool { if case .optional = priority { true } else { false } }
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
    /// Wide mode: the first non-identifier column on screen (columns before it scrolled out).
    public var firstColumn = 0
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

/// Where a table's columns go on screen: a width per column, 0 for a column not shown.
public struct TableLayout: Sendable, Equatable {
    public var widths: [Int]
    /// Columns not on screen (dropped for width, or scrolled out in wide mode).
    public var hidden: Int
}

/// The identifier column is never cut below this many cells (a 30-character name shows 16).
let readableIdentifierWidth = 16

/// Column widths for the space available, sized to what they hold, as k9s does: each column is
/// as wide as its widest cell and its title with the sort marker (plus its designed minimum while
/// there is room) — no wider, so spare width stays at the right instead of padding one column.
/// When that does not fit: the padding goes first, then a very long identifier gives back what
/// it holds beyond 32 cells and long free text beyond 24, then optional columns are hidden
/// (lowest rank first, rightmost first), then free-text columns shrink to 8, then the identifier
/// to 16 cells. Essential columns are never hidden.
public func layoutColumns(_ columns: [Column], content: [Int] = [], width: Int, gap: Int = 1) -> TableLayout {
    let n = columns.count
    let natural = (0..<n).map { max(DisplayText.width(columns[$0].title) + 1, $0 < content.count ? content[$0] : 0) }
    var widths = (0..<n).map { max(columns[$0].minWidth, natural[$0]) }
    var shown = [Bool](repeating: true, count: n)
    var over: Int {
        let visible = (0..<n).filter { shown[$0] }
        return visible.reduce(0) { $0 + widths[$1] } + gap * max(0, visible.count - 1) - width
    }
    func shrink(_ eligible: (Int) -> Bool, floor: (Int) -> Int) {
        var excess = over
        while excess > 0 {
            // The widest column still above its floor gives one cell at a time.
            guard let i = (0..<n).filter({ shown[$0] && eligible($0) && widths[$0] > floor($0) }).max(by: { widths[$0] < widths[$1] }) else { return }
            widths[i] -= 1
            excess -= 1
        }
    }
    let isIdentifier = { (i: Int) in columns[i].priority == .identifier }
    shrink({ _ in true }, floor: { natural[$0] })
    shrink(isIdentifier, floor: { max(32, columns[$0].minWidth) })
    // Long free text (member ids, causes) gives back what it holds beyond 24 cells before any
    // column is hidden: a cut member id costs less than a hidden offset.
    shrink({ columns[$0].flex > 0 && !isIdentifier($0) }, floor: { max(24, columns[$0].minWidth, DisplayText.width(columns[$0].title) + 1) })
    let droppable = (0..<n).filter { columns[$0].isOptional }.sorted { a, b in
        guard case let .optional(ra) = columns[a].priority, case let .optional(rb) = columns[b].priority else { return false }
        return ra != rb ? ra < rb : a > b
    }
    for i in droppable where over > 0 { shown[i] = false }
    shrink({ columns[$0].flex > 0 && !isIdentifier($0) }, floor: { max(8, DisplayText.width(columns[$0].title) + 1) })
    shrink(isIdentifier, floor: { _ in readableIdentifierWidth })
    return TableLayout(widths: (0..<n).map { shown[$0] ? widths[$0] : 0 }, hidden: shown.filter { !$0 }.count)
}

/// Wide mode: every column at its full width, the identifier kept on the left and the others
/// scrolled so that `first` (an index among the non-identifier columns) comes right after it.
public func wideLayout(_ columns: [Column], content: [Int] = [], width: Int, first: Int, gap: Int = 1) -> TableLayout {
    let n = columns.count
    var widths = (0..<n).map { max(columns[$0].minWidth, DisplayText.width(columns[$0].title) + 1, $0 < content.count ? content[$0] : 0) }
    let others = (0..<n).filter { columns[$0].priority != .identifier }
    let start = max(0, min(first, others.count - 1))
    var hidden = 0
    for (k, i) in others.enumerated() where k < start { widths[i] = 0; hidden += 1 }
    // Columns that do not fit whole at the right count as hidden (they are cut or off screen).
    var x = 0
    for i in 0..<n where widths[i] > 0 {
        if x + widths[i] > width { hidden += 1 }
        x += widths[i] + gap
    }
    return TableLayout(widths: widths, hidden: hidden)
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
