import Foundation

/// `GET /jobs/:jid/checkpoints`.
public struct CheckpointStatistics: Codable, Sendable, Equatable {
    public init(counts: Counts, latest: Latest, history: [Checkpoint]) { self.counts = counts; self.latest = latest; self.history = history }
    public var counts: Counts
    public var latest: Latest
    /// Newest first.
    public var history: [Checkpoint]

    public struct Counts: Codable, Sendable, Equatable {
        public init(restored: Int, total: Int, inProgress: Int, completed: Int, failed: Int) {
            self.restored = restored; self.total = total; self.inProgress = inProgress; self.completed = completed; self.failed = failed
        }
        public var restored: Int
        public var total: Int
        public var inProgress: Int
        public var completed: Int
        public var failed: Int
        enum CodingKeys: String, CodingKey { case restored, total, completed, failed; case inProgress = "in_progress" }
    }

    public struct Latest: Codable, Sendable, Equatable {
        public init(completed: CheckpointStatistics.Checkpoint?, savepoint: CheckpointStatistics.Checkpoint?, failed: CheckpointStatistics.Checkpoint?,
                    restored: CheckpointStatistics.Restored?) {
            self.completed = completed; self.savepoint = savepoint; self.failed = failed; self.restored = restored
        }
        public var completed: Checkpoint?
        public var savepoint: Checkpoint?
        public var failed: Checkpoint?
        public var restored: Restored?
    }

    public struct Checkpoint: Codable, Sendable, Equatable {
        public init(id: Int64, status: String, isSavepoint: Bool? = nil, triggerTimestamp: Int64? = nil, latestAckTimestamp: Int64? = nil,
                    failureTimestamp: Int64? = nil, failureMessage: String? = nil, endToEndDuration: Int64? = nil, stateSize: Int64? = nil,
                    checkpointedSize: Int64? = nil, numSubtasks: Int? = nil, numAcknowledgedSubtasks: Int? = nil, externalPath: String? = nil,
                    checkpointType: String? = nil) {
            self.id = id; self.status = status; self.isSavepoint = isSavepoint; self.triggerTimestamp = triggerTimestamp
            self.latestAckTimestamp = latestAckTimestamp; self.failureTimestamp = failureTimestamp; self.failureMessage = failureMessage
            self.endToEndDuration = endToEndDuration; self.stateSize = stateSize; self.checkpointedSize = checkpointedSize
            self.numSubtasks = numSubtasks; self.numAcknowledgedSubtasks = numAcknowledgedSubtasks; self.externalPath = externalPath
            self.checkpointType = checkpointType
        }
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

    public struct Restored: Codable, Sendable, Equatable {
        public init(id: Int64, restoreTimestamp: Int64?, isSavepoint: Bool?, externalPath: String?) {
            self.id = id; self.restoreTimestamp = restoreTimestamp; self.isSavepoint = isSavepoint; self.externalPath = externalPath
        }
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
public struct CheckpointConfig: Codable, Sendable, Equatable {
    public init(mode: String?, interval: Int64?, timeout: Int64?, minPause: Int64?, maxConcurrent: Int?, unalignedCheckpoints: Bool?,
                tolerableFailedCheckpoints: Int?) {
        self.mode = mode; self.interval = interval; self.timeout = timeout; self.minPause = minPause; self.maxConcurrent = maxConcurrent
        self.unalignedCheckpoints = unalignedCheckpoints; self.tolerableFailedCheckpoints = tolerableFailedCheckpoints
    }
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
