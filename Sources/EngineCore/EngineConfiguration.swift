import StreamLog

/// How the engine keeps its data: flushing, topic and group defaults, transactions. Names follow
/// the broker settings Kafka users know (`num.partitions`, `group.initial.rebalance.delay.ms`, …)
/// where there is one. Listener settings belong to the Kafka front (`BrokerConfiguration`).
public struct EngineConfiguration: Sendable {
    /// When an append counts as durable.
    public enum FlushPolicy: String, Sendable, CaseIterable {
        /// fsync each append before anything else happens (slowest, simplest).
        case everyAppend = "every-append"
        /// Appends go to the page cache at once; one fsync covers every append made while the
        /// previous one ran. `acks=all` is answered, and the high watermark moves, after it.
        case group
        /// Never fsync: the OS writes back when it likes (Kafka's default without replicas).
        case none
    }

    public var nodeId: Int32 = 1
    public var clusterId: String = "sluice-engine"
    public var flush: FlushPolicy = .group
    /// `num.partitions`: partitions of a topic created without a count (auto-created topics).
    public var defaultPartitions: Int32 = 1
    /// `auto.create.topics.enable`: a Metadata request or a produce to an unknown topic creates it.
    public var autoCreateTopics = true
    public var topicDefaults = TopicConfig()
    /// `group.initial.rebalance.delay.ms`: how long a new group waits for more members before its
    /// first rebalance completes.
    public var initialRebalanceDelayMs: Int64 = 0
    public var minSessionTimeoutMs: Int32 = 1_000
    public var maxSessionTimeoutMs: Int32 = 300_000
    /// `transaction.max.timeout.ms`.
    public var maxTransactionTimeoutMs: Int32 = 900_000
    /// How often retention runs.
    public var retentionCheckIntervalMs: Int64 = 60_000
    /// Kafka's ACL authorizer, or nil for none: every client may do everything and the ACL APIs
    /// answer SECURITY_DISABLED (docs/security.md).
    public var authorization: Authorization?

    /// `super.users` and `allow.everyone.if.no.acl.found`, as Kafka's StandardAuthorizer takes them.
    public struct Authorization: Sendable, Equatable {
        /// Principals never checked, e.g. `User:admin`.
        public var superUsers: Set<String>
        public var allowEveryoneIfNoAclFound: Bool
        public init(superUsers: Set<String> = [], allowEveryoneIfNoAclFound: Bool = false) {
            self.superUsers = superUsers; self.allowEveryoneIfNoAclFound = allowEveryoneIfNoAclFound
        }
    }

    public init() {}
}
