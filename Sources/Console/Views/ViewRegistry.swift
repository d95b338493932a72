import ConsoleModel
import Display

/// One view of the console, declared once: how it is reached (key, `:` commands), its title,
/// its table (none for panel views), what it says when empty, and its line in help. Like a
/// resource row in k9s: adding a view is one new file declaring its entry plus one line in
/// ``ViewRegistry/entries`` (and a ``Route`` case when it is a new kind of place).
public struct ViewEntry: Sendable {
    public var kind: Route.Kind
    /// The place a key or a `:` command opens; `nil` for views reached by drilling down.
    public var route: Route?
    /// The key that opens it from anywhere.
    public var key: Character?
    /// `:` command names, the canonical one first.
    public var commands: [String]
    public var title: @Sendable (Route) -> String
    public var table: (@Sendable (Route) -> TableSpec)?
    /// What an empty table says once data has arrived.
    public var emptyText: String
    /// The help line of its key.
    public var help: String

    public init(kind: Route.Kind, route: Route? = nil, key: Character? = nil, commands: [String] = [], title: @escaping @Sendable (Route) -> String,
                table: (@Sendable (Route) -> TableSpec)? = nil, emptyText: String = "nothing to show", help: String = "") {
        self.kind = kind; self.route = route; self.key = key; self.commands = commands; self.title = title
        self.table = table; self.emptyText = emptyText; self.help = help
    }
}

/// Every view, in the order keys and help list them.
public enum ViewRegistry {
    public static let entries: [ViewEntry] = [
        OverviewView.entry, TopicsView.entry, PartitionsView.entry, GroupsView.entry, GroupDetailView.entry, RebalancesView.entry,
        JobsView.entry, JobDetailView.entry, CheckpointsView.entry, ExceptionsView.entry, SlotsView.entry, ActionsView.entry, HelpView.entry,
    ]

    private static let byKind: [Route.Kind: ViewEntry] = Dictionary(entries.map { ($0.kind, $0) }, uniquingKeysWith: { a, _ in a })

    public static func entry(_ kind: Route.Kind) -> ViewEntry {
        guard let e = byKind[kind] else { preconditionFailure("no view registered for \(kind)") }
        return e
    }

    /// The view a `:` command names (any of its aliases), if it can be opened directly.
    public static func route(command: String) -> Route? {
        let c = command.lowercased()
        return entries.first { $0.commands.contains(c) }?.route
    }

    /// Key bindings for the views that have a key.
    static var keyBindings: [KeyBinding] {
        entries.compactMap { e in
            guard let key = e.key, let route = e.route else { return nil }
            return KeyBinding(keys: [.character(key)], label: String(key), action: .view(route), help: e.help, inFooter: false)
        }
    }
}

/// The overview panel (Panels.swift draws it).
enum OverviewView {
    static let entry = ViewEntry(kind: .overview, route: .overview, key: "1", commands: ["overview", "ovw", "o"], title: { _ in "Overview" },
                                 help: "Overview")
}

/// The log of job actions run from this console (Panels.swift draws it).
enum ActionsView {
    static let entry = ViewEntry(kind: .actions, route: .actions, key: "L", commands: ["actions", "action", "log"], title: { _ in "Actions" },
                                 help: "log of job actions run here")
}

/// Every key binding (Panels.swift draws it from the key map).
enum HelpView {
    static let entry = ViewEntry(kind: .help, route: .help, commands: ["help", "h"], title: { _ in "Help" })
}
