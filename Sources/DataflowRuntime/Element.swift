import Dataflow

/// What moves between tasks, in batches: records, watermarks, idleness and the end of a
/// bounded input. Order within a channel is kept, so a watermark never overtakes a record.
enum Element {
    case record(StreamRecord)
    case watermark(Int64)
    case idle(Bool)
    case end
}
