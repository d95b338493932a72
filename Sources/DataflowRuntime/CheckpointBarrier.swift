/// A checkpoint's marker in the streams (Flink's CheckpointBarrier): sources emit it between
/// records when the coordinator triggers a checkpoint; a task that has it from every input
/// snapshots its state and passes it on. Everything before it is in the snapshot, nothing
/// after (docs/checkpoints.md, Barriers).
struct CheckpointBarrier: Sendable, Equatable {
    var id: Int64
    /// When the coordinator triggered it (ms since the epoch).
    var timestamp: Int64
    var isSavepoint: Bool
    /// Stop with savepoint: sources end their streams right after it and no task processes
    /// anything past it, so the job ends exactly at the savepoint.
    var stop = false
    /// With `stop`: sources first send the final watermark, so every window fires before the
    /// savepoint (Flink's `--drain`).
    var drain = false
}
