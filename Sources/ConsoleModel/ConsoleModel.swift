/// Observations in, derived state out. Pure and deterministic: the same observations always give
/// the same state, so live, replayed and test runs agree.
public struct ConsoleModel: Sendable {
    public struct Configuration: Sendable {
        /// High-watermark samples kept per partition (changes only; older ones thinned, see
        /// ``HighWatermarkHistory``).
        public var highWatermarkHistory = 64
        /// Readings per group kept for trends and rates (about two minutes at the default refresh).
        public var groupHistory = 64
        /// Samples in the status window (DESIGN §3: 10).
        public var statusWindow = StatusRules.windowSize
        /// Consecutive readings a status change must hold before it shows.
        public var alertConfirmations = 2
        /// Rates are measured over at most this many seconds.
        public var rateWindowSeconds: Double = 30
        public init() {}
    }

    public let configuration: Configuration
    /// Bumped on every applied observation; views redraw when it changes.
    public private(set) var version = 0
    public private(set) var latest: KafkaSnapshot?
    public private(set) var health = ConnectionHealth()
    public private(set) var groups: [GroupSummary] = []
    public private(set) var topics: [TopicSummary] = []
    public private(set) var rebalances = RebalanceDetector()
    public private(set) var alerts: [Alert] = []
    /// Cluster-wide total lag per reading, oldest first.
    public private(set) var totalLagHistory: RingBuffer<Int64>

    struct GroupReading: Sendable { var time: Double; var committedSum: Int64; var totalLag: Int64? }
    struct PositionKey: Hashable, Sendable { var group: String; var partition: PartitionRef }

    var highWatermarks: [PartitionRef: HighWatermarkHistory] = [:]
    var positions: [PositionKey: PositionHistory] = [:]

    /// A group's recent positions on one partition, stamped with the model version that last saw it.
    struct PositionHistory: Sendable {
        var samples: RingBuffer<StatusRules.Sample>
        var seenAt = 0

        mutating func record(_ s: StatusRules.Sample, at version: Int, evaluate: (RingBuffer<StatusRules.Sample>) -> LagStatus) -> LagStatus {
            samples.append(s)
            seenAt = version
            return evaluate(samples)
        }
    }
    var groupReadings: [String: RingBuffer<GroupReading>] = [:]
    var debouncer: StatusDebouncer

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        self.totalLagHistory = RingBuffer(capacity: configuration.groupHistory)
        self.debouncer = StatusDebouncer(confirmations: configuration.alertConfirmations)
    }

    public mutating func apply(_ observation: Observation) {
        version += 1
        switch observation {
        case let .kafka(snapshot):
            applySnapshot(snapshot)
        case let .kafkaError(time, message):
            if health.connected || health.disconnectedSince == nil { health.disconnectedSince = time }
            health.connected = false
            health.lastError = message
            rebuildAlerts(now: time)
        }
    }

    private mutating func applySnapshot(_ s: KafkaSnapshot) {
        latest = s
        health.connected = true
        health.disconnectedSince = nil
        health.lastError = s.errors.first
        health.lastReading = s.time
        health.brokerCount = s.brokers.count
        health.clusterId = s.clusterId
        let rates = recordHighWatermarks(s)
        rebalances.observe(s)
        topics = deriveTopics(s, rates: rates)
        groups = deriveGroups(s)
        if let total = groups.compactMap(\.totalLag).reduce(nil, { ($0 ?? 0) + $1 }) as Int64? { totalLagHistory.append(total) }
        rebuildAlerts(now: s.time)
    }

    /// Records every partition's high watermark and returns its produce rate, per topic in the
    /// snapshot's order: one dictionary access per partition serves both.
    private mutating func recordHighWatermarks(_ s: KafkaSnapshot) -> [[Double?]] {
        let window = configuration.rateWindowSeconds
        let capacity = configuration.highWatermarkHistory
        var rates: [[Double?]] = []
        rates.reserveCapacity(s.topics.count)
        var total = 0
        for t in s.topics {
            var topicRates: [Double?] = []
            topicRates.reserveCapacity(t.partitions.count)
            total += t.partitions.count
            for p in t.partitions {
                let ref = PartitionRef(t.name, p.partition)
                if let hw = p.highWatermark {
                    // In place: a copy out and back would copy every sample array (copy-on-write).
                    topicRates.append(highWatermarks[ref, default: HighWatermarkHistory(capacity: capacity)].record(hw, at: s.time, rateWindow: window))
                } else {
                    topicRates.append(highWatermarks[ref]?.rate(now: s.time, window: window))
                }
            }
            rates.append(topicRates)
        }
        if highWatermarks.count > total {
            var seen = Set<PartitionRef>()
            for t in s.topics { for p in t.partitions { seen.insert(PartitionRef(t.name, p.partition)) } }
            highWatermarks = highWatermarks.filter { seen.contains($0.key) }
        }
        return rates
    }

    private mutating func rebuildAlerts(now: Double) {
        var out: [Alert] = []
        if !health.connected, let since = health.disconnectedSince {
            out.append(Alert(key: "kafka", severity: .critical, message: "Kafka disconnected: \(health.lastError ?? "no answer")", since: since))
        }
        for g in groups where g.status != .ok {
            let severity: Alert.Severity = g.status == .warn ? .warning : .critical
            out.append(Alert(key: "group:\(g.groupId)", severity: severity, message: Self.alertMessage(g), since: g.statusSince))
        }
        alerts = out
    }

    static func alertMessage(_ g: GroupSummary) -> String {
        let lag = g.totalLag.map { "lag \(groupedDigits($0))" } ?? "lag unknown"
        switch g.status {
        case .warn: return "\(g.groupId) \(lag) and growing over the last \(StatusRules.windowSize) samples"
        case .stall: return "\(g.groupId) stalled: members present, offsets not moving, \(lag)"
        case .stop: return "\(g.groupId) stopped: \(g.members.isEmpty ? "no members" : "no commits"), \(lag)"
        case .rewind: return "\(g.groupId) committed offset went backwards"
        case .err: return "\(g.groupId) could not be read: \(g.error ?? "unknown error")"
        case .ok: return "\(g.groupId) OK"
        }
    }
}
