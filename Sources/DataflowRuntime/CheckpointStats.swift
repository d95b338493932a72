/// A job's checkpoint history with Flink's meaning (its REST `/jobs/:id/checkpoints`): counts,
/// the latest completed, failed and restored, and the most recent checkpoints.
public struct CheckpointStats: Sendable, Equatable {
    public enum Status: String, Sendable { case inProgress = "IN_PROGRESS", completed = "COMPLETED", failed = "FAILED" }

    public struct Entry: Sendable, Equatable {
        public var id: Int64
        public var status: Status
        public var isSavepoint: Bool
        public var triggerTimestamp: Int64
        /// The last subtask's acknowledgement (ms since the epoch); nil before any.
        public var latestAckTimestamp: Int64?
        public var endTimestamp: Int64?
        public var failureMessage: String?
        /// Bytes written (every state file and `_metadata`).
        public var stateSize: Int64 = 0
        public var numSubtasks: Int
        public var numAcknowledged: Int = 0
        /// The longest barrier alignment of any subtask (ns).
        public var alignmentNanos: UInt64 = 0
        public var externalPath: String?
        public var endToEndDuration: Int64? { endTimestamp.map { $0 - triggerTimestamp } ?? latestAckTimestamp.map { $0 - triggerTimestamp } }
    }

    public struct Restored: Sendable, Equatable {
        public var id: Int64
        public var restoreTimestamp: Int64
        public var isSavepoint: Bool
        public var externalPath: String
    }

    public var completed = 0
    public var failed = 0
    public var restored = 0
    public var inProgress: Int { history.filter { $0.status == .inProgress }.count }
    public var total: Int { completed + failed + inProgress }
    /// Newest first, at most ``historySize`` (Flink's `web.checkpoints.history`).
    public var history: [Entry] = []
    public var latestCompleted: Entry?
    public var latestSavepoint: Entry?
    public var latestFailed: Entry?
    public var latestRestored: Restored?

    static let historySize = 10

    public init() {}

    mutating func begin(_ e: Entry) {
        history.insert(e, at: 0)
        if history.count > Self.historySize { history.removeLast() }
    }

    mutating func update(_ id: Int64, _ body: (inout Entry) -> Void) -> Entry? {
        guard let i = history.firstIndex(where: { $0.id == id }) else { return nil }
        body(&history[i])
        return history[i]
    }
}
