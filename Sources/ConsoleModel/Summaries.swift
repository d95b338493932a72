/// How long until a group catches up at current rates.
public enum CatchUpEstimate: Sendable, Equatable, Codable {
    case caughtUp
    case seconds(Double)
    /// Consuming as fast as producing, lag not growing: there is no backlog to catch up on.
    case keepingUp
    case never
    case unknown
}

/// One partition of one group, as the Group detail view and `sluice lag` show it.
public struct PartitionLag: Sendable, Equatable, Codable {
    public var topic: String
    public var partition: Int32
    public var committed: Int64?
    public var endOffset: Int64?
    public var lag: Int64?
    public var timeLag: TimeLag.Value?
    public var owner: KafkaSnapshot.Member?
    public var status: LagStatus
}

/// A consumer group with everything derived from its history.
public struct GroupSummary: Sendable, Equatable {
    public var groupId: String
    public var state: String
    public var protocolType: String
    public var assignor: String
    public var members: [KafkaSnapshot.Member]
    /// Member count before the rebalance in progress, if one is open.
    public var membersBefore: Int?
    /// Sum of known partition lags; `nil` when no partition's lag is known.
    public var totalLag: Int64?
    public var maxTimeLag: TimeLag.Value?
    /// Total lag per reading, oldest first, for the trend sparkline.
    public var lagTrend: [Int64]
    /// Messages per second the group commits past.
    public var consumeRate: Double?
    public var produceRate: Double?
    public var catchUp: CatchUpEstimate
    /// Debounced status (what the screen shows) and since when.
    public var status: LagStatus
    public var statusSince: Double
    /// Status of the latest reading alone.
    public var rawStatus: LagStatus
    /// Readings in the status window so far (PENDING lasts until it holds a full window).
    public var readings: Int
    public var partitions: [PartitionLag]
    public var error: String?
    public var isRebalancing: Bool { membersBefore != nil }
}

/// One partition of a topic, as the Partitions view shows it.
public struct PartitionSummary: Sendable, Equatable {
    public var partition: Int32
    public var leader: Int32
    public var replicas: [Int32]
    public var isr: [Int32]
    public var logStartOffset: Int64?
    public var highWatermark: Int64?
    public var produceRate: Double?
    /// Produce rate relative to the topic's mean partition rate (1.0 = even).
    public var skew: Double?
    public var error: String?
}

public struct TopicSummary: Sendable, Equatable {
    public var name: String
    public var isInternal: Bool
    public var partitions: [PartitionSummary]
    public var produceRate: Double?
    /// Messages currently retained (sum of high watermark − log start where both are known).
    public var messages: Int64?
    /// Largest partition skew; hot partitions stand out here.
    public var maxSkew: Double?
}

/// Connection health for the header and the disconnected banner.
public struct ConnectionHealth: Sendable, Equatable {
    public var connected: Bool = false
    public var disconnectedSince: Double?
    public var lastError: String?
    public var lastReading: Double?
    public var brokerCount: Int = 0
    public var clusterId: String?
}
