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
    case slots
    case actions
    case help

    /// The kind of place, without its argument: what the view registry is keyed by.
    public enum Kind: Sendable, Hashable, CaseIterable {
        case overview, topics, partitions, groups, groupDetail, rebalances, jobs, jobDetail, checkpoints, exceptions, slots, actions, help
    }

    public var kind: Kind {
        switch self {
        case .overview: .overview
        case .topics: .topics
        case .partitions: .partitions
        case .groups: .groups
        case .groupDetail: .groupDetail
        case .rebalances: .rebalances
        case .jobs: .jobs
        case .jobDetail: .jobDetail
        case .checkpoints: .checkpoints
        case .exceptions: .exceptions
        case .slots: .slots
        case .actions: .actions
        case .help: .help
        }
    }

    /// The topic, group or job the place is about.
    public var argument: String? {
        switch self {
        case let .partitions(topic): topic
        case let .groupDetail(group): group
        case let .jobDetail(jid), let .checkpoints(jid), let .exceptions(jid): jid
        default: nil
        }
    }

    public var title: String { ViewRegistry.entry(kind).title(self) }

    /// Parses a `:` command's view name.
    public init?(command: String) {
        guard let r = ViewRegistry.route(command: command) else { return nil }
        self = r
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
