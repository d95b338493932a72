/// A job as its author wrote it, checked: a source, steps, a sink. The YAML spec
/// (docs/jobs-engine.md) and the Swift API both produce one; ``JobGraph`` turns it into tasks.
public struct JobDefinition: Sendable {
    public var name: String
    public var parallelism: Int
    public var source: Source
    public var steps: [Step]
    public var sink: Sink
    /// Where records a step cannot use go (not JSON, no key, no time); `<name>-dead-letter`
    /// unless the spec names one.
    public var deadLetterTopic: String
    /// The source's operator name (Flink's `fromSource(…, name)`); nil: the topic's name.
    public var sourceName: String?
    /// Periodic checkpoints (docs/checkpoints.md); nil: none, as Flink without
    /// `execution.checkpointing.interval`.
    public var checkpoints: CheckpointSpec?
    /// What a failing task does to the job; nil: Flink's default (exponential delay with
    /// checkpoints, none without).
    public var restart: RestartStrategy?

    public init(name: String, parallelism: Int = 1, source: Source, steps: [Step], sink: Sink, deadLetterTopic: String? = nil,
                sourceName: String? = nil, checkpoints: CheckpointSpec? = nil, restart: RestartStrategy? = nil) {
        self.sourceName = sourceName
        self.checkpoints = checkpoints
        self.restart = restart
        self.name = name
        self.parallelism = parallelism
        self.source = source
        self.steps = steps
        self.sink = sink
        self.deadLetterTopic = deadLetterTopic ?? "\(name)-dead-letter"
    }

    public enum Format: String, Sendable, CaseIterable {
        /// A JSON object per record value.
        case json
        /// Values as text: the record is `{"key": …, "value": …}`.
        case text
    }

    public enum StartPosition: String, Sendable { case earliest, latest }

    /// Flink's restart strategies (times in ms): a failed task restarts the whole job from its
    /// latest checkpoint after a delay, up to a number of attempts; past it the job fails.
    public enum RestartStrategy: Sendable, Equatable {
        case none
        case fixedDelay(attempts: Int, delay: Int64)
        /// The delay grows by `multiplier` per restart up to `maxDelay`, and starts again from
        /// `initialDelay` once the job has run `resetAfter` without failing.
        case exponentialDelay(initialDelay: Int64, maxDelay: Int64, multiplier: Double, resetAfter: Int64, attempts: Int)

        /// Flink's default with checkpointing: exponential, 1 s to 1 min, ×1.5, reset after 1 h, no limit.
        public static let flinkDefault = RestartStrategy.exponentialDelay(initialDelay: 1000, maxDelay: 60_000, multiplier: 1.5,
                                                                          resetAfter: 3_600_000, attempts: .max)

        /// The delay before restart number `attempt` (1 for the first), or nil when none is left.
        public func delay(beforeAttempt attempt: Int) -> Int64? {
            switch self {
            case .none: return nil
            case .fixedDelay(let attempts, let delay): return attempt <= attempts ? delay : nil
            case .exponentialDelay(let initial, let maxDelay, let multiplier, _, let attempts):
                guard attempt <= attempts else { return nil }
                var grown = Double(initial)
                for _ in 1..<max(1, attempt) where grown < Double(maxDelay) { grown *= multiplier }
                return grown < Double(maxDelay) ? Int64(grown) : maxDelay
            }
        }
    }

    /// Flink's checkpointing options, with its defaults (times in ms).
    public struct CheckpointSpec: Sendable, Equatable {
        /// Between the starts of two checkpoints.
        public var interval: Int64
        /// A checkpoint not complete by then fails.
        public var timeout: Int64 = 600_000
        /// At least this long from one checkpoint's end to the next one's start.
        public var minPause: Int64 = 0
        /// Failed checkpoints in a row the job tolerates; one more fails the job.
        public var tolerableFailures: Int = 0
        /// Completed checkpoints kept on disk (`state.checkpoints.num-retained`).
        public var retained: Int = 1
        public init(interval: Int64, timeout: Int64 = 600_000, minPause: Int64 = 0, tolerableFailures: Int = 0, retained: Int = 1) {
            self.interval = interval; self.timeout = timeout; self.minPause = minPause
            self.tolerableFailures = tolerableFailures; self.retained = retained
        }
    }

    public struct WatermarkSpec: Sendable, Equatable {
        public var outOfOrderness: Int64
        public var idleAfter: Int64?
        public init(outOfOrderness: Int64 = 0, idleAfter: Int64? = nil) { self.outOfOrderness = outOfOrderness; self.idleAfter = idleAfter }
    }

    public struct TopicSource: Sendable {
        public var topic: String
        public var format: Format
        /// Event time from this field (ms since the epoch, or ISO-8601 text); nil: the record's timestamp.
        public var timestampField: [String]?
        public var watermark: WatermarkSpec
        /// Partitions to read; nil: all.
        public var partitions: [Int32]?
        public var startFrom: StartPosition
        public init(topic: String, format: Format = .json, timestampField: [String]? = nil, watermark: WatermarkSpec = .init(),
                    partitions: [Int32]? = nil, startFrom: StartPosition = .earliest) {
            self.topic = topic; self.format = format; self.timestampField = timestampField; self.watermark = watermark
            self.partitions = partitions; self.startFrom = startFrom
        }
    }

    /// Made-up events (Flink's DataGen): `{"key": "k17", "ts": …, "value": …, "seq": …}`.
    public struct GeneratorSource: Sendable, Equatable {
        /// Events per second over the whole source; 0: as fast as it can.
        public var rate: Double
        public var keys: Int
        /// Share of events sent after the watermark passed them (beyond `maxDelay`).
        public var lateFraction: Double
        /// Share of events sent out of order, within `maxDelay`.
        public var outOfOrderFraction: Double
        public var maxDelay: Int64
        /// Stop after this many events (a bounded source); nil: run until cancelled.
        public var count: Int64?
        public var seed: UInt64
        /// Event time of the first event; nil: the wall clock at start.
        public var startTime: Int64?
        /// Event-time step between consecutive events (ms, fractions allowed: 0.01 is 100 events
        /// a millisecond); nil: follow the wall clock.
        public var timeStep: Double?
        public init(rate: Double = 1000, keys: Int = 100, lateFraction: Double = 0, outOfOrderFraction: Double = 0, maxDelay: Int64 = 0,
                    count: Int64? = nil, seed: UInt64 = 1, startTime: Int64? = nil, timeStep: Double? = nil) {
            self.rate = rate; self.keys = keys; self.lateFraction = lateFraction; self.outOfOrderFraction = outOfOrderFraction
            self.maxDelay = maxDelay; self.count = count; self.seed = seed; self.startTime = startTime; self.timeStep = timeStep
        }
    }

    public enum Source: Sendable {
        case topic(TopicSource)
        case generator(GeneratorSource)

        public var label: String {
            switch self {
            case .topic(let t): return t.topic
            case .generator: return "generator"
            }
        }
        public var watermark: WatermarkSpec {
            switch self {
            case .topic(let t): return t.watermark
            case .generator(let g): return WatermarkSpec(outOfOrderness: g.maxDelay, idleAfter: nil)
            }
        }
    }

    public struct WindowSpec: Sendable {
        public var assigner: WindowAssigner
        public var allowedLateness: Int64
        /// Topic for records later than the lateness; nil: they are dropped (and counted).
        public var lateOutput: String?
        public var aggregation: Aggregation
        public init(assigner: WindowAssigner, allowedLateness: Int64 = 0, lateOutput: String? = nil, aggregation: Aggregation) {
            self.assigner = assigner; self.allowedLateness = allowedLateness; self.lateOutput = lateOutput; self.aggregation = aggregation
        }
    }

    public struct JoinSpec: Sendable {
        public var table: String
        public var key: CompiledExpression
        public var field: String
        public var kind: TemporalJoinOperator.Kind
        public var format: Format
        public init(table: String, key: CompiledExpression, field: String, kind: TemporalJoinOperator.Kind = .inner, format: Format = .json) {
            self.table = table; self.key = key; self.field = field; self.kind = kind; self.format = format
        }
    }

    public enum Operation: Sendable {
        case filter(CompiledExpression)
        case map([(String, CompiledExpression)])
        case keyBy(CompiledExpression)
        case window(WindowSpec)
        case dedupe(key: CompiledExpression?, ttl: Int64)
        case join(JoinSpec)
        /// Waits this long per record (a deliberately slow step, for backpressure demos);
        /// `expireCheckpoints` N > 0 also holds every Nth snapshot past the checkpoint timeout, so
        /// those checkpoints expire while the job runs on (a slow state backend, for demos).
        case delay(microseconds: Int64, expireCheckpoints: Int = 0)
        /// Adds field `as`: the running count of the record's key (keyed state; metric `maxCount`).
        case count(field: String)
        /// Swift code per record (the Swift API): the new value, or nil to drop the record. A
        /// throw fails the job, and the error shows in its exceptions.
        case function(name: String, body: @Sendable (Value) throws -> Value?)
    }

    public struct Step: Sendable {
        public var operation: Operation
        /// nil: the job's parallelism.
        public var parallelism: Int?
        /// The operator's name in the job graph (Flink's `.name(…)`); nil: named for what it does.
        public var name: String?
        /// false: this step starts a vertex of its own (Flink's `disableChaining()`).
        public var chained: Bool
        public init(_ operation: Operation, parallelism: Int? = nil, name: String? = nil, chained: Bool = true) {
            self.operation = operation; self.parallelism = parallelism; self.name = name; self.chained = chained
        }
    }

    /// A Postgres table an upsert sink writes: rows keyed by `key` (nil: the table's primary
    /// key), each record's fields into the columns of the same names.
    public struct PostgresTarget: Sendable, Equatable {
        /// `postgres://user:password@host:port/database` (a missing password: the engine's PGPASSWORD).
        public var url: String
        /// `table` or `schema.table`.
        public var table: String
        public var key: [String]?
        public init(url: String, table: String, key: [String]? = nil) { self.url = url; self.table = table; self.key = key }
    }

    public struct Sink: Sendable {
        /// The topic written; nil discards every record (Flink's DiscardingSink): for dry runs
        /// and benchmarks, with the sink's metrics as usual.
        public var topic: String?
        public var format: Format
        /// Record key; nil: the record's key after a keyBy, else none.
        public var key: CompiledExpression?
        /// At most this many records per second over the whole sink (a slow sink); nil: no limit.
        public var throttle: Double?
        public var parallelism: Int?
        /// The sink's operator name; nil: `Sink: <topic>` (`Sink: discard`).
        public var name: String?
        /// Exactly once (Flink's DeliveryGuarantee.EXACTLY_ONCE): records in transactions
        /// committed with each checkpoint; needs checkpoints. False: at least once.
        public var exactlyOnce = false
        /// Names the sink's transactional ids (`<prefix>-<subtask>-<n>`); nil: from the job's name.
        public var transactionalIdPrefix: String?
        /// A Postgres table written by upsert instead of a topic (docs/checkpoints.md, Postgres).
        public var postgres: PostgresTarget?
        public init(topic: String?, format: Format = .json, key: CompiledExpression? = nil, throttle: Double? = nil, parallelism: Int? = nil,
                    name: String? = nil) {
            self.topic = topic; self.format = format; self.key = key; self.throttle = throttle; self.parallelism = parallelism; self.name = name
        }
    }
}
