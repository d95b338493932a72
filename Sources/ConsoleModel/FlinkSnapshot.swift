/// One reading of a Flink cluster (or the embedded engine's Flink-compatible REST API), taken at
/// `time`. Summaries cover every job; `details` only the jobs read in detail this time (the ones
/// on screen, plus one other running job in turn), so a reading's cost stays bounded.
public struct FlinkSnapshot: Codable, Sendable, Equatable {
    public var time: Double
    public var taskManagers: Int?
    public var slotsTotal: Int?
    public var slotsAvailable: Int?
    public var flinkVersion: String?
    public var jobs: [Job]
    public var details: [JobDetail]
    /// Partial failures (a vertex whose metrics could not be read, …).
    public var errors: [String]

    public init(time: Double, taskManagers: Int? = nil, slotsTotal: Int? = nil, slotsAvailable: Int? = nil, flinkVersion: String? = nil,
                jobs: [Job] = [], details: [JobDetail] = [], errors: [String] = []) {
        self.time = time; self.taskManagers = taskManagers; self.slotsTotal = slotsTotal; self.slotsAvailable = slotsAvailable
        self.flinkVersion = flinkVersion; self.jobs = jobs; self.details = details; self.errors = errors
    }

    /// A job as `/jobs/overview` lists it.
    public struct Job: Codable, Sendable, Equatable {
        public var jid: String
        public var name: String
        /// Flink's state name: RUNNING, FINISHED, FAILED, RESTARTING, …
        public var state: String
        /// Epoch seconds.
        public var startTime: Double?
        public var endTime: Double?
        public var durationSeconds: Double?
        public var tasksRunning: Int?
        public var tasksTotal: Int?
        public init(jid: String, name: String, state: String, startTime: Double? = nil, endTime: Double? = nil, durationSeconds: Double? = nil,
                    tasksRunning: Int? = nil, tasksTotal: Int? = nil) {
            self.jid = jid; self.name = name; self.state = state; self.startTime = startTime; self.endTime = endTime
            self.durationSeconds = durationSeconds; self.tasksRunning = tasksRunning; self.tasksTotal = tasksTotal
        }
    }

    /// What was read about one job in detail.
    public struct JobDetail: Codable, Sendable, Equatable {
        public var jid: String
        /// In the job graph's order (sources first, as Flink lists them).
        public var vertices: [Vertex]
        public var checkpoints: Checkpoints?
        /// Periodic checkpoint interval; `nil` when checkpointing is off or unknown.
        public var checkpointIntervalMs: Int64?
        public var restarts: Int?
        /// Newest first; `nil` when not read this time.
        public var exceptions: [ExceptionEntry]?
        public init(jid: String, vertices: [Vertex] = [], checkpoints: Checkpoints? = nil, checkpointIntervalMs: Int64? = nil,
                    restarts: Int? = nil, exceptions: [ExceptionEntry]? = nil) {
            self.jid = jid; self.vertices = vertices; self.checkpoints = checkpoints; self.checkpointIntervalMs = checkpointIntervalMs
            self.restarts = restarts; self.exceptions = exceptions
        }
    }

    /// One vertex (a chain of operators) with its rates and time split, per second.
    public struct Vertex: Codable, Sendable, Equatable {
        public var id: String
        public var name: String
        public var parallelism: Int
        public var status: String
        /// Ids of the vertices feeding this one.
        public var inputs: [String]
        /// Worst subtask's busy and backpressured ms per second; mean idle ms per second.
        public var busyMsPerSecond: Double?
        public var backPressuredMsPerSecond: Double?
        public var idleMsPerSecond: Double?
        /// Summed over subtasks.
        public var recordsInPerSecond: Double?
        public var recordsOutPerSecond: Double?
        /// Flink's own sampled level ("ok", "low", "high"); `nil` when not sampled yet.
        public var backpressureLevel: String?
        public var backpressureRatio: Double?
        /// Lowest input watermark over the subtasks (epoch ms); `nil` when none yet.
        public var watermark: Int64?
        public init(id: String, name: String, parallelism: Int, status: String = "RUNNING", inputs: [String] = [],
                    busyMsPerSecond: Double? = nil, backPressuredMsPerSecond: Double? = nil, idleMsPerSecond: Double? = nil,
                    recordsInPerSecond: Double? = nil, recordsOutPerSecond: Double? = nil, backpressureLevel: String? = nil,
                    backpressureRatio: Double? = nil, watermark: Int64? = nil) {
            self.id = id; self.name = name; self.parallelism = parallelism; self.status = status; self.inputs = inputs
            self.busyMsPerSecond = busyMsPerSecond; self.backPressuredMsPerSecond = backPressuredMsPerSecond
            self.idleMsPerSecond = idleMsPerSecond; self.recordsInPerSecond = recordsInPerSecond
            self.recordsOutPerSecond = recordsOutPerSecond; self.backpressureLevel = backpressureLevel
            self.backpressureRatio = backpressureRatio; self.watermark = watermark
        }
    }

    public struct Checkpoints: Codable, Sendable, Equatable {
        public var total: Int
        public var completed: Int
        public var failed: Int
        public var inProgress: Int
        public var restored: Int
        public var latestCompleted: Checkpoint?
        public var latestFailed: Checkpoint?
        /// Newest first.
        public var history: [Checkpoint]
        public init(total: Int = 0, completed: Int = 0, failed: Int = 0, inProgress: Int = 0, restored: Int = 0,
                    latestCompleted: Checkpoint? = nil, latestFailed: Checkpoint? = nil, history: [Checkpoint] = []) {
            self.total = total; self.completed = completed; self.failed = failed; self.inProgress = inProgress; self.restored = restored
            self.latestCompleted = latestCompleted; self.latestFailed = latestFailed; self.history = history
        }
    }

    public struct Checkpoint: Codable, Sendable, Equatable {
        public var id: Int64
        /// COMPLETED, FAILED, IN_PROGRESS.
        public var status: String
        public var isSavepoint: Bool
        /// Epoch seconds.
        public var triggerTime: Double?
        public var durationMs: Int64?
        public var stateSize: Int64?
        public var failureTime: Double?
        public var failureMessage: String?
        public init(id: Int64, status: String, isSavepoint: Bool = false, triggerTime: Double? = nil, durationMs: Int64? = nil,
                    stateSize: Int64? = nil, failureTime: Double? = nil, failureMessage: String? = nil) {
            self.id = id; self.status = status; self.isSavepoint = isSavepoint; self.triggerTime = triggerTime; self.durationMs = durationMs
            self.stateSize = stateSize; self.failureTime = failureTime; self.failureMessage = failureMessage
        }
    }

    public struct ExceptionEntry: Codable, Sendable, Equatable {
        public var name: String
        /// The exception's message line (no stack trace).
        public var message: String
        public var time: Double?
        public var task: String?
        public init(name: String, message: String, time: Double? = nil, task: String? = nil) {
            self.name = name; self.message = message; self.time = time; self.task = task
        }
    }
}
