/// Observations in, derived state out. Pure and deterministic: the same observations always give
/// the same state, so live, replayed and test runs agree.
public struct ConsoleModel: Sendable {
    public struct Configuration: Sendable {
        /// High-watermark samples kept per partition (changes only; older ones thinned, see
        /// ``HighWatermarkHistory``).
        public var highWatermarkHistory = 64
        /// Readings per group kept for trends and rates (about two minutes at the default refresh).
        public var groupHistory = 64
        /// Readings in the status window (docs/status.md: 10).
        public var statusWindow = StatusRules.windowSize
        /// Consecutive readings a status change must hold before it shows.
        public var alertConfirmations = 2
        /// False to report PENDING as OK (`sluice lag`, whose one-reading report documents
        /// that only OK, STOP, REWIND and ERR can be told from a single reading).
        public var reportsPending = true
        /// Rates are measured over at most this many seconds.
        public var rateWindowSeconds: Double = 30
        /// Replication slots' rules (docs/slots.md).
        public var slots = SlotState.Configuration()
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
    /// Flink jobs, their vertices and checkpoints.
    public private(set) var flink = FlinkState()
    /// Postgres replication slots and the engine's captures.
    public private(set) var postgres: SlotState
    /// Cluster-wide total lag per reading, oldest first.
    public private(set) var totalLagHistory: RingBuffer<Int64>

    struct GroupReading: Sendable { var time: Double; var committedSum: Int64; var totalLag: Int64? }

    /// High-watermark histories by topic, then by partition number (partitions are numbered
    /// densely from 0): one string hash per topic rather than per partition.
    var highWatermarks: [String: [HighWatermarkHistory?]] = [:]
    /// The last reading's topics with the rates and summaries made from them.
    var topicCache: [String: TopicCacheEntry] = [:]
    struct TopicCacheEntry: Sendable { var topic: KafkaSnapshot.Topic; var rates: [Double?]; var summary: TopicSummary }
    /// Per group: its readings and its partitions' recent positions.
    var groupHistories: [String: GroupHistory] = [:]

    /// What the model remembers of one group between readings.
    struct GroupHistory: Sendable {
        var readings: RingBuffer<GroupReading>
        /// The partitions of the last reading, sorted, and each one's recent positions (same order).
        var refs: [PartitionRef] = []
        var positions: [RingBuffer<StatusRules.Sample>] = []
        var seenAt = 0
    }

    /// The history of `partition` of the topic whose histories are `topic`.
    static func history(_ topic: [HighWatermarkHistory?]?, _ partition: Int32) -> HighWatermarkHistory? {
        guard let topic, partition >= 0, Int(partition) < topic.count else { return nil }
        return topic[Int(partition)]
    }

    var debouncer: StatusDebouncer

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        self.totalLagHistory = RingBuffer(capacity: configuration.groupHistory)
        self.debouncer = StatusDebouncer(confirmations: configuration.alertConfirmations)
        self.postgres = SlotState(configuration: configuration.slots)
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
        case let .flink(snapshot):
            flink.apply(snapshot)
            rebuildAlerts(now: snapshot.time)
        case let .flinkError(time, message):
            flink.fail(time: time, message: message)
            rebuildAlerts(now: time)
        case let .postgres(snapshot):
            postgres.apply(snapshot)
            rebuildAlerts(now: snapshot.time)
        case let .postgresError(time, message):
            postgres.fail(time: time, message: message)
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
        for t in s.topics {
            var topicRates: [Double?] = []
            topicRates.reserveCapacity(t.partitions.count)
            // Out of the dictionary and back: modifying in place, no copy of any sample array.
            var histories = highWatermarks.removeValue(forKey: t.name) ?? []
            let top = t.partitions.lazy.map { Int($0.partition) }.filter { $0 < Self.maxPartitionNumber }.max() ?? -1
            // Partition numbers beyond this reading's (topic recreated smaller) are forgotten.
            if histories.count > top + 1 { histories.removeLast(histories.count - top - 1) }
            if histories.count < top + 1 {
                histories.append(contentsOf: repeatElement(nil, count: top + 1 - histories.count))
            }
            for p in t.partitions {
                let i = Int(p.partition)
                guard i >= 0, i < histories.count else { topicRates.append(nil); continue }
                if let hw = p.highWatermark {
                    if histories[i] == nil { histories[i] = HighWatermarkHistory(capacity: capacity) }
                    topicRates.append(histories[i]!.record(hw, at: s.time, rateWindow: window))
                } else {
                    topicRates.append(histories[i]?.rate(now: s.time, window: window))
                }
            }
            highWatermarks[t.name] = histories
            rates.append(topicRates)
        }
        if highWatermarks.count > s.topics.count {
            let live = Set(s.topics.map(\.name))
            highWatermarks = highWatermarks.filter { live.contains($0.key) }
        }
        return rates
    }

    /// Partition numbers above this are not tracked (Kafka numbers partitions densely from 0;
    /// a broker claiming more is broken, and must not make the model allocate without bound).
    static let maxPartitionNumber = 1 << 20

    private mutating func rebuildAlerts(now: Double) {
        var out: [Alert] = []
        if !health.connected, let since = health.disconnectedSince {
            out.append(Alert(key: "kafka", severity: .critical, message: "Kafka disconnected: \(health.lastError ?? "no answer")", since: since))
        }
        if !flink.connected, let since = flink.disconnectedSince {
            out.append(Alert(key: "flink", severity: .critical, message: "Flink disconnected: \(flink.lastError ?? "no answer")", since: since))
        }
        if !postgres.connected, let since = postgres.disconnectedSince {
            out.append(Alert(key: "postgres", severity: .critical, message: "Postgres unreachable: \(postgres.lastError ?? "no answer")", since: since))
        }
        for s in postgres.slots where s.status.isAlert {
            out.append(Alert(key: "slot:\(s.slot.name)", severity: s.status == .growing ? .warning : .critical,
                             message: SlotState.alertMessage(s), since: s.statusSince))
        }
        for j in flink.jobs {
            let since = j.detailTime ?? now
            if !j.isHealthy {
                out.append(Alert(key: "job:\(j.job.jid)", severity: .critical, message: "job \(j.job.name) is \(j.job.state)", since: j.job.endTime ?? since))
            }
            switch j.checkpointHealth.status {
            case .failing:
                let h = j.checkpointHealth
                let what = h.consecutiveFailures > 0
                    ? "\(h.consecutiveFailures) checkpoints failed in a row: \(h.lastFailure ?? "no cause given")"
                    : "no checkpoint completed " + (h.latestCompletedAge.map { "for \(Int($0)) s" } ?? "yet") + " (backpressure can hold aligned checkpoints back)"
                out.append(Alert(key: "checkpoint:\(j.job.jid)", severity: .critical, message: "job \(j.job.name): \(what)", since: since))
            case .warn:
                out.append(Alert(key: "checkpoint:\(j.job.jid)", severity: .warning, message: "job \(j.job.name): checkpoint \(j.checkpointHealth.lastFailure.map { "failed: \($0)" } ?? "overdue")", since: since))
            case .ok, .none: break
            }
            if j.worstBackpressure == .high {
                out.append(Alert(key: "backpressure:\(j.job.jid)", severity: .warning,
                                 message: "job \(j.job.name): backpressure HIGH" + (j.bottleneck.map { ", bottleneck \($0)" } ?? ""), since: since))
            }
        }
        for g in groups where g.status != .ok && g.status != .pending {
            let severity: Alert.Severity = g.status == .warn ? .warning : .critical
            out.append(Alert(key: "group:\(g.groupId)", severity: severity, message: Self.alertMessage(g, window: configuration.statusWindow), since: g.statusSince))
        }
        alerts = out
    }

    static func alertMessage(_ g: GroupSummary, window: Int) -> String {
        let lag = g.totalLag.map { "lag \(groupedDigits($0))" } ?? "lag unknown"
        switch g.status {
        case .warn: return "\(g.groupId) \(lag) and growing over the last \(window) samples"
        case .stall: return "\(g.groupId) stalled: members present, offsets not moving, \(lag)"
        case .stop: return "\(g.groupId) stopped: \(g.members.isEmpty ? "no members" : "no commits"), \(lag)"
        case .rewind: return "\(g.groupId) committed offset went backwards"
        case .err: return "\(g.groupId) could not be read: \(g.error ?? "unknown error")"
        case .ok, .pending: return "\(g.groupId) \(g.status.rawValue)"
        }
    }
}
