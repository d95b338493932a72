import ConsoleModel
import Display

/// What a table view is: its columns, its rows from the model, and where Enter leads.
public struct TableSpec: Sendable {
    public var columns: [Column]
    public var defaultSort: (column: Int, ascending: Bool)
    public var rows: @Sendable (ConsoleModel) -> [TableRow]
    public var open: @Sendable (String) -> Route?
    /// Lines shown above the table (group summary, member list).
    public var preamble: @Sendable (ConsoleModel) -> [String]
    /// A selection on the first row moves to whatever row is first next time (a history that
    /// follows the newest entry unless the user has moved down into it).
    public var followsTop = false

    public init(columns: [Column], defaultSort: (column: Int, ascending: Bool) = (0, true),
                rows: @escaping @Sendable (ConsoleModel) -> [TableRow], open: @escaping @Sendable (String) -> Route? = { _ in nil },
                preamble: @escaping @Sendable (ConsoleModel) -> [String] = { _ in [] }) {
        self.columns = columns; self.defaultSort = defaultSort; self.rows = rows; self.open = open; self.preamble = preamble
    }

    /// The table behind a route, or `nil` for panel views (Overview, Help, Actions).
    public static func forRoute(_ route: Route) -> TableSpec? { ViewRegistry.entry(route.kind).table?(route) }
}

func statusRole(_ s: LagStatus) -> Role {
    switch s {
    case .ok: .statusOK
    case .pending: .dim
    case .warn: .statusWarn
    case .stall, .stop, .rewind, .err: .statusErr
    }
}

func num(_ v: Int64?) -> SortValue { v.map { .number(Double($0)) } ?? .none }
func num(_ v: Double?) -> SortValue { v.map { .number($0) } ?? .none }
