/// A place in the console. The navigation stack is a list of these.
public enum Route: Sendable, Hashable {
    case overview
    case topics
    case partitions(topic: String)
    case groups
    case groupDetail(group: String)
    case rebalances
    case jobs
    case jobDetail(jid: String)
    case checkpoints(jid: String)
    case exceptions(jid: String)
    case actions
    case help

    public var title: String {
        switch self {
        case .overview: "Overview"
        case .topics: "Topics"
        case let .partitions(topic): "Topics ▸ \(topic)"
        case .groups: "Groups"
        case let .groupDetail(group): "Groups ▸ \(group)"
        case .rebalances: "Rebalances"
        case .jobs: "Jobs"
        case let .jobDetail(jid): "Jobs ▸ \(jid.prefix(8))"
        case let .checkpoints(jid): "Jobs ▸ \(jid.prefix(8)) ▸ Checkpoints"
        case let .exceptions(jid): "Jobs ▸ \(jid.prefix(8)) ▸ Exceptions"
        case .actions: "Actions"
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
        case "jobs", "job", "j": self = .jobs
        case "actions", "action", "log": self = .actions
        case "help", "h": self = .help
        default: return nil
        }
    }
}

extension Route {
    /// The Flink job this view is about, if any.
    public var jobId: String? {
        switch self {
        case let .jobDetail(jid), let .checkpoints(jid), let .exceptions(jid): jid
        default: nil
        }
    }
}
