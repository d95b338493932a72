/// A place in the console. The navigation stack is a list of these.
public enum Route: Sendable, Hashable {
    case overview
    case topics
    case partitions(topic: String)
    case groups
    case groupDetail(group: String)
    case rebalances
    case help

    public var title: String {
        switch self {
        case .overview: "Overview"
        case .topics: "Topics"
        case let .partitions(topic): "Topics ▸ \(topic)"
        case .groups: "Groups"
        case let .groupDetail(group): "Groups ▸ \(group)"
        case .rebalances: "Rebalances"
        case .help: "Help"
        }
    }

    /// Parses a `:` command's view name.
    public init?(command: String) {
        switch command.lowercased() {
        case "overview", "ovw", "o": self = .overview
        case "topics", "topic", "t": self = .topics
        case "groups", "group", "grp", "g": self = .groups
        case "rebalances", "rebalance", "reb", "r": self = .rebalances
        case "help", "h": self = .help
        default: return nil
        }
    }
}
