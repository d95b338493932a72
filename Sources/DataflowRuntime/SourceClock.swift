import Dataflow

/// A source subtask's watermarks as it emits records: the periodic watermark at each batch end
/// (Flink's auto-watermark interval), and — so lateness does not depend on where a batch
/// happens to end — the pending watermark sent just before a record it would make late.
/// That gives every record the lateness it would have with a watermark after every record.
struct SourceClock {
    var watermarks: SourceWatermarks
    private var emitted = Int64.min
    /// The highest watermark any split could have now (max time − outOfOrderness − 1).
    private var ceiling = Int64.min
    private var idle = false
    private let outOfOrderness: Int64

    init(_ spec: JobDefinition.WatermarkSpec) {
        watermarks = SourceWatermarks(outOfOrderness: spec.outOfOrderness, idleAfter: spec.idleAfter)
        outOfOrderness = spec.outOfOrderness
    }

    mutating func record(_ r: inout StreamRecord, split: Int, now: Int64, _ task: SubtaskRunner) throws {
        // `+ 1`: a record at a fired session's end still merges into it (windows meet at their ends).
        if r.time <= ceiling &+ 1, emitted < ceiling, let w = watermarks.current(now: now).watermark, w > emitted, r.time <= w &+ 1 {
            emitted = w
            try task.sourceWatermark(w)
        }
        watermarks.observe(split: split, time: r.time, now: now)
        let c = r.time &- outOfOrderness &- 1
        if c > ceiling { ceiling = c }
        if idle { idle = false; task.sourceIdle(false) }
        try task.sourceRecord(&r)
    }

    /// The periodic step: emit the watermark if it moved, or go idle.
    mutating func tick(now: Int64, _ task: SubtaskRunner) throws {
        let (w, isIdle) = watermarks.current(now: now)
        if let w, w > emitted {
            emitted = w
            try task.sourceWatermark(w)
        }
        if isIdle != idle {
            idle = isIdle
            task.sourceIdle(isIdle)
        }
    }
}
