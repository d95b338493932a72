import Foundation

// Typed views of Flink's REST answers (Flink 2.x). Every field Flink may leave out is optional,
// unknown fields are ignored, and enum-like strings stay open (an unknown state is kept, not an error).

/// A job state as Flink names it (RUNNING, FINISHED, …); unknown names are kept as they are.
public struct JobState: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(from decoder: Decoder) throws { rawValue = try decoder.singleValueContainer().decode(String.self) }
    public func encode(to encoder: Encoder) throws { var c = encoder.singleValueContainer(); try c.encode(rawValue) }
    public var description: String { rawValue }

    public static let initializing = JobState("INITIALIZING"), created = JobState("CREATED"), running = JobState("RUNNING")
    public static let failing = JobState("FAILING"), failed = JobState("FAILED"), cancelling = JobState("CANCELLING")
    public static let canceled = JobState("CANCELED"), finished = JobState("FINISHED"), restarting = JobState("RESTARTING")
    public static let suspended = JobState("SUSPENDED"), reconciling = JobState("RECONCILING")

    /// FINISHED, CANCELED, FAILED (and SUSPENDED): the job will not run again by itself.
    public var isTerminal: Bool { [.finished, .canceled, .failed, .suspended].contains(self) }
}

/// `GET /overview`.
public struct ClusterOverview: Decodable, Sendable, Equatable {
    public var taskManagers: Int
    public var slotsTotal: Int
    public var slotsAvailable: Int
    public var jobsRunning: Int
    public var jobsFinished: Int
    public var jobsCancelled: Int
    public var jobsFailed: Int
    public var flinkVersion: String?
    enum CodingKeys: String, CodingKey {
        case taskManagers = "taskmanagers", slotsTotal = "slots-total", slotsAvailable = "slots-available"
        case jobsRunning = "jobs-running", jobsFinished = "jobs-finished", jobsCancelled = "jobs-cancelled", jobsFailed = "jobs-failed"
        case flinkVersion = "flink-version"
    }
}

/// One entry of `GET /jobs/overview`.
public struct JobOverview: Decodable, Sendable, Equatable {
    public var jid: String
    public var name: String
    public var state: JobState
    public var startTime: Int64?
    public var endTime: Int64?
    public var duration: Int64?
    public var lastModification: Int64?
    /// Task counts by task state (running, finished, failed, …).
    public var tasks: [String: Int]?
    enum CodingKeys: String, CodingKey {
        case jid, name, state, duration, tasks
        case startTime = "start-time", endTime = "end-time", lastModification = "last-modification"
    }
}

struct JobsOverviewResponse: Decodable { var jobs: [JobOverview] }

extension KeyedDecodingContainer {
    /// A finite number sent as a JSON number or as a numeric string; `nil` for "NaN", absent or anything else.
    func lenientNumber(_ key: Key) -> Double? {
        if let d = try? decodeIfPresent(Double.self, forKey: key), d.isFinite { return d }
        if let s = try? decodeIfPresent(String.self, forKey: key), let d = Double(s), d.isFinite { return d }
        return nil
    }
}

/// `GET /jobs/:jid`.
public struct JobDetail: Decodable, Sendable, Equatable {
    public var jid: String
    public var name: String
    public var state: JobState
    public var startTime: Int64?
    public var endTime: Int64?
    public var duration: Int64?
    /// The JobManager's clock when it answered (ms).
    public var now: Int64?
    public var vertices: [Vertex]
    public var plan: Plan?

    public struct Vertex: Decodable, Sendable, Equatable {
        public var id: String
        public var name: String
        public var parallelism: Int
        public var maxParallelism: Int?
        public var status: String
        public var startTime: Int64?
        public var duration: Int64?
        public var tasks: [String: Int]?
        public var metrics: Metrics?
        enum CodingKeys: String, CodingKey { case id, name, parallelism, maxParallelism, status, duration, tasks, metrics; case startTime = "start-time" }
    }

    /// Totals since the vertex started (records, bytes, and accumulated busy/backpressured/idle ms).
    public struct Metrics: Decodable, Sendable, Equatable {
        public var readRecords: Int64?
        public var writeRecords: Int64?
        public var readBytes: Int64?
        public var writeBytes: Int64?
        public var accumulatedBackpressuredTime: Double?
        public var accumulatedIdleTime: Double?
        public var accumulatedBusyTime: Double?
        enum CodingKeys: String, CodingKey {
            case readRecords = "read-records", writeRecords = "write-records", readBytes = "read-bytes", writeBytes = "write-bytes"
            case accumulatedBackpressuredTime = "accumulated-backpressured-time", accumulatedIdleTime = "accumulated-idle-time"
            case accumulatedBusyTime = "accumulated-busy-time"
        }
        // Flink writes a metric it cannot compute yet as the string "NaN": read numbers leniently.
        public init(from d: Decoder) throws {
            let c = try d.container(keyedBy: CodingKeys.self)
            readRecords = c.lenientNumber(.readRecords).map { Int64($0) }
            writeRecords = c.lenientNumber(.writeRecords).map { Int64($0) }
            readBytes = c.lenientNumber(.readBytes).map { Int64($0) }
            writeBytes = c.lenientNumber(.writeBytes).map { Int64($0) }
            accumulatedBackpressuredTime = c.lenientNumber(.accumulatedBackpressuredTime)
            accumulatedIdleTime = c.lenientNumber(.accumulatedIdleTime)
            accumulatedBusyTime = c.lenientNumber(.accumulatedBusyTime)
        }
    }

    public struct Plan: Decodable, Sendable, Equatable {
        public var nodes: [Node]
        public struct Node: Decodable, Sendable, Equatable {
            public var id: String
            public var parallelism: Int?
            public var description: String?
            public var inputs: [Input]?
        }
        public struct Input: Decodable, Sendable, Equatable {
            public var id: String
            public var num: Int?
            public var shipStrategy: String?
            public var exchange: String?
            enum CodingKeys: String, CodingKey { case id, num, exchange; case shipStrategy = "ship_strategy" }
        }
    }

    enum CodingKeys: String, CodingKey { case jid, name, state, duration, now, vertices, plan; case startTime = "start-time", endTime = "end-time" }
}

/// Flink's backpressure level of a vertex or subtask.
public enum BackpressureLevel: String, Sendable, Codable, Comparable {
    case ok, low, high
    public static func < (a: Self, b: Self) -> Bool {
        let order: [Self] = [.ok, .low, .high]
        return order.firstIndex(of: a)! < order.firstIndex(of: b)!
    }
}

/// `GET /jobs/:jid/vertices/:vid/backpressure`. `status` "deprecated" means not sampled (yet).
public struct VertexBackpressure: Decodable, Sendable, Equatable {
    public var status: String
    public var level: BackpressureLevel?
    public var endTimestamp: Int64?
    public var subtasks: [Subtask]?
    public var isSampled: Bool { status == "ok" && level != nil }

    public struct Subtask: Decodable, Sendable, Equatable {
        public var subtask: Int
        public var level: BackpressureLevel?
        public var ratio: Double?
        public var idleRatio: Double?
        public var busyRatio: Double?
        enum CodingKeys: String, CodingKey { case subtask, ratio, idleRatio, busyRatio; case level = "backpressureLevel" }
        public init(from d: Decoder) throws {
            let c = try d.container(keyedBy: CodingKeys.self)
            subtask = try c.decode(Int.self, forKey: .subtask)
            level = try? c.decodeIfPresent(BackpressureLevel.self, forKey: .level)
            ratio = c.lenientNumber(.ratio)
            idleRatio = c.lenientNumber(.idleRatio)
            busyRatio = c.lenientNumber(.busyRatio)
        }
    }
    enum CodingKeys: String, CodingKey { case status, subtasks; case level = "backpressureLevel", endTimestamp = "end-timestamp" }
    public init(from d: Decoder) throws {
        let c = try d.container(keyedBy: CodingKeys.self)
        status = try c.decodeIfPresent(String.self, forKey: .status) ?? "unknown"
        // An unknown level (a future Flink) reads as unsampled rather than failing the call.
        level = try? c.decodeIfPresent(BackpressureLevel.self, forKey: .level)
        endTimestamp = try c.decodeIfPresent(Int64.self, forKey: .endTimestamp)
        subtasks = try c.decodeIfPresent([Subtask].self, forKey: .subtasks)
    }
}

/// One metric aggregated over a vertex's subtasks (`/subtasks/metrics?get=…`).
public struct AggregatedMetric: Decodable, Sendable, Equatable {
    public var id: String
    public var min: Double?
    public var max: Double?
    public var avg: Double?
    public var sum: Double?
    enum CodingKeys: String, CodingKey { case id, min, max, avg, sum }
    public init(from d: Decoder) throws {
        let c = try d.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        min = c.lenientNumber(.min); max = c.lenientNumber(.max); avg = c.lenientNumber(.avg); sum = c.lenientNumber(.sum)
    }
}

/// One job-level metric (`/jobs/:jid/metrics?get=…`); Flink sends values as strings.
public struct JobMetric: Decodable, Sendable, Equatable {
    public var id: String
    public var value: String
    public var number: Double? { Double(value.trimmingCharacters(in: .whitespaces)) }
}

/// One watermark metric of a vertex (`/watermarks`). Flink sends the value as a string; a vertex
/// that has seen no watermark yet reports Long.MIN_VALUE.
public struct WatermarkMetric: Decodable, Sendable, Equatable {
    public var id: String
    public var value: String
    /// The watermark in epoch ms, `nil` when none has arrived or the value is not a number.
    public var milliseconds: Int64? {
        guard let v = Int64(value.trimmingCharacters(in: .whitespaces)), v != Int64.min else { return nil }
        return v
    }
}

/// `GET /jobs/:jid/checkpoints`.
public struct CheckpointStatistics: Decodable, Sendable, Equatable {
    public var counts: Counts
    public var latest: Latest
    /// Newest first.
    public var history: [Checkpoint]

    public struct Counts: Decodable, Sendable, Equatable {
        public var restored: Int
        public var total: Int
        public var inProgress: Int
        public var completed: Int
        public var failed: Int
        enum CodingKeys: String, CodingKey { case restored, total, completed, failed; case inProgress = "in_progress" }
    }

    public struct Latest: Decodable, Sendable, Equatable {
        public var completed: Checkpoint?
        public var savepoint: Checkpoint?
        public var failed: Checkpoint?
        public var restored: Restored?
    }

    public struct Checkpoint: Decodable, Sendable, Equatable {
        public var id: Int64
        public var status: String
        public var isSavepoint: Bool?
        public var triggerTimestamp: Int64?
        public var latestAckTimestamp: Int64?
        public var failureTimestamp: Int64?
        public var failureMessage: String?
        public var endToEndDuration: Int64?
        public var stateSize: Int64?
        public var checkpointedSize: Int64?
        public var numSubtasks: Int?
        public var numAcknowledgedSubtasks: Int?
        public var externalPath: String?
        public var checkpointType: String?
        enum CodingKeys: String, CodingKey {
            case id, status
            case isSavepoint = "is_savepoint", triggerTimestamp = "trigger_timestamp", latestAckTimestamp = "latest_ack_timestamp"
            case failureTimestamp = "failure_timestamp", failureMessage = "failure_message", endToEndDuration = "end_to_end_duration"
            case stateSize = "state_size", checkpointedSize = "checkpointed_size", numSubtasks = "num_subtasks"
            case numAcknowledgedSubtasks = "num_acknowledged_subtasks", externalPath = "external_path", checkpointType = "checkpoint_type"
        }
    }

    public struct Restored: Decodable, Sendable, Equatable {
        public var id: Int64
        public var restoreTimestamp: Int64?
        public var isSavepoint: Bool?
        public var externalPath: String?
        enum CodingKeys: String, CodingKey {
            case id; case restoreTimestamp = "restore_timestamp", isSavepoint = "is_savepoint", externalPath = "external_path"
        }
    }
}

/// `GET /jobs/:jid/checkpoints/config`.
public struct CheckpointConfig: Decodable, Sendable, Equatable {
    public var mode: String?
    /// Interval in ms; Flink reports `Long.MAX_VALUE` when periodic checkpoints are off.
    public var interval: Int64?
    public var timeout: Int64?
    public var minPause: Int64?
    public var maxConcurrent: Int?
    public var unalignedCheckpoints: Bool?
    public var tolerableFailedCheckpoints: Int?
    enum CodingKeys: String, CodingKey {
        case mode, interval, timeout
        case minPause = "min_pause", maxConcurrent = "max_concurrent", unalignedCheckpoints = "unaligned_checkpoints"
        case tolerableFailedCheckpoints = "tolerable_failed_checkpoints"
    }
}

/// `GET /jobs/:jid/exceptions`: the job's failures, newest first.
public struct ExceptionHistory: Decodable, Sendable, Equatable {
    public var entries: [Entry]
    public var truncated: Bool

    public struct Entry: Decodable, Sendable, Equatable {
        public var exceptionName: String
        public var stacktrace: String?
        public var timestamp: Int64?
        public var taskName: String?
        public var endpoint: String?
        public var concurrentExceptions: [Entry]?
    }

    enum Outer: String, CodingKey { case exceptionHistory }
    enum Inner: String, CodingKey { case entries, truncated }
    public init(from d: Decoder) throws {
        let c = try d.container(keyedBy: Outer.self).nestedContainer(keyedBy: Inner.self, forKey: .exceptionHistory)
        entries = try c.decodeIfPresent([Entry].self, forKey: .entries) ?? []
        truncated = try c.decodeIfPresent(Bool.self, forKey: .truncated) ?? false
    }
}

/// `GET /jars`.
public struct JarFile: Decodable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var uploaded: Int64?
    public var entry: [Entry]?
    public struct Entry: Decodable, Sendable, Equatable { public var name: String; public var description: String? }
}

struct JarListResponse: Decodable { var files: [JarFile] }

/// What `POST /jars/:id/run` runs: the Flink CLI's `-c`, arguments, `-p`, `-s` and `--allowNonRestoredState`.
public struct JarRun: Codable, Sendable, Equatable {
    public var entryClass: String?
    public var programArgsList: [String]?
    /// Always sent: without it Flink's REST API runs at parallelism 1, not the cluster default.
    public var parallelism: Int
    public var savepointPath: String?
    public var allowNonRestoredState: Bool?
    public init(entryClass: String? = nil, arguments: [String] = [], parallelism: Int, savepointPath: String? = nil,
                allowNonRestoredState: Bool = false) {
        self.entryClass = entryClass; self.programArgsList = arguments.isEmpty ? nil : arguments; self.parallelism = parallelism
        self.savepointPath = savepointPath; self.allowNonRestoredState = allowNonRestoredState ? true : nil
    }
}

/// Where a savepoint (or stop-with-savepoint) stands.
public enum SavepointProgress: Sendable, Equatable {
    case inProgress
    case completed(location: String)
    case failed(cause: String)
}

struct TriggerResponse: Decodable { var requestId: String; enum CodingKeys: String, CodingKey { case requestId = "request-id" } }
struct RunResponse: Decodable { var jobid: String }
struct UploadResponse: Decodable { var filename: String; var status: String }
struct ErrorResponse: Decodable { var errors: [String] }

struct SavepointStatusResponse: Decodable {
    struct Status: Decodable { var id: String }
    struct Operation: Decodable {
        var location: String?
        var failureCause: FailureCause?
        enum CodingKeys: String, CodingKey { case location; case failureCause = "failure-cause" }
    }
    struct FailureCause: Decodable {
        var className: String?
        var stackTrace: String?
        enum CodingKeys: String, CodingKey { case className = "class"; case stackTrace = "stack-trace" }
    }
    var status: Status
    var operation: Operation?
}
