import StreamLog

/// How the engine's Kafka broker behaves: where it listens, how it flushes, topic and group
/// defaults. Names follow the broker settings Kafka users know (`num.partitions`,
/// `group.initial.rebalance.delay.ms`, …) where there is one.
public struct BrokerConfiguration: Sendable {
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

    public var host: String = "127.0.0.1"
    public var port: Int = 9092
    /// Host and port clients are told to connect to (Metadata, FindCoordinator); defaults to the listener.
    public var advertisedHost: String?
    public var advertisedPort: Int?
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
    /// `socket.request.max.bytes`.
    public var maxRequestBytes = 100 * 1024 * 1024
    /// `transaction.max.timeout.ms`.
    public var maxTransactionTimeoutMs: Int32 = 900_000
    /// SASL/PLAIN users (name → password). Empty: no authentication, which only a loopback
    /// listener may use.
    public var plainUsers: [String: String] = [:]
    /// How often retention runs.
    public var retentionCheckIntervalMs: Int64 = 60_000
    /// Test hook: the broker closes a connection instead of answering its n-th Produce request
    /// (after appending), so a client must retry over a new one. 0 disables.
    public var dropConnectionAfterProduce: Int = 0

    public init() {}

    public var advertised: (host: String, port: Int) {
        (advertisedHost ?? (host == "0.0.0.0" || host == "::" ? "127.0.0.1" : host), advertisedPort ?? port)
    }

    /// True for addresses only this machine can reach.
    public static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}
