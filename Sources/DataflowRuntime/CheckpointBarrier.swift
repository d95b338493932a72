/// A checkpoint's marker in the streams (Flink's CheckpointBarrier): sources emit it between
/// records when the coordinator triggers a checkpoint; a task that has it from every input
/// snapshots its state and passes it on. Everything before it is in the snapshot, nothing
/// after (docs/checkpoints.md, Barriers).
struct CheckpointBarrier: Sendable, Equatable {
    var id: Int64
    /// When the coordinator triggered it (ms since the epoch).
    var timestamp: Int64
    var isSavepoint: Bool
}
