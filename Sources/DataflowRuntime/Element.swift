import Dataflow

/// What moves between tasks, in batches: records, watermarks, idleness and the end of a
/// bounded input, checkpoint barriers. Order within a channel is kept, so a watermark or a
/// barrier never overtakes a record.
enum Element {
    case record(StreamRecord)
    case watermark(Int64)
    case idle(Bool)
    case end
    /// A checkpoint barrier (docs/checkpoints.md, Barriers).
    case barrier(CheckpointBarrier)
}
