import Dataflow
import Dispatch
import Foundation

/// The generator source (Flink's DataGen, for demos and benchmarks): event n of the whole
/// source is `{"key": "k<i>", "ts": t, "value": v, "seq": n}`; subtask s makes n = s, s+p, …
/// Event time follows the wall clock or `startTime + n × timeStep`; a share of events is
/// shifted back within `maxDelay` (out of order) or beyond it (late). Seeded, so a run repeats.
struct GeneratorReader: SourceReader {
    let spec: JobDefinition.GeneratorSource

    func run(_ task: SubtaskRunner) throws {
        let p = task.context.parallelism, s = task.context.subtask
        var rng = SplitMix64(seed: spec.seed ^ (UInt64(s) &* 0x9E37_79B9_7F4A_7C15))
        var clock = SourceClock(.init(outOfOrderness: spec.maxDelay, idleAfter: nil))
        let start0 = spec.startTime ?? TaskContext.nowMs()
        clock.watermarks.assign([0], now: start0)
        let limit = spec.count
        let perSecond = spec.rate > 0 ? spec.rate / Double(p) : nil
        let began = DispatchTime.now().uptimeNanoseconds
        var made: Int64 = 0
        var n = Int64(s)
        var maxTime = Int64.min
        if let saved = try Self.restore(task.restored?.source ?? [], subtask: s, parallelism: p) {
            n = saved.n; rng = SplitMix64(state: saved.rng); maxTime = saved.maxTime
        }
        let keyNames = (0..<max(1, min(spec.keys, 1_000_000))).map { "k\($0)" }
        let names = ["key", "ts", "value", "seq"]  // shared by every event
        let shifts = spec.lateFraction > 0 || spec.outOfOrderFraction > 0
        while true {
            try task.context.checkCancelled()
            let now = TaskContext.nowMs()
            // Paced: only the events due by now (the first at once), so the rate holds at any size.
            var chunk: Int64 = 256
            if let perSecond {
                let elapsed = Double(DispatchTime.now().uptimeNanoseconds - began) / 1e9
                chunk = max(0, min(chunk, Int64(elapsed * perSecond) + 1 - made))
            }
            if let limit {  // this subtask's events left: n, n + p, … below the limit
                let (q, r) = (limit - n).quotientAndRemainder(dividingBy: Int64(p))
                chunk = min(chunk, max(0, q + (r > 0 ? 1 : 0)))
            }
            for _ in 0..<chunk {
                var t = spec.timeStep.map { start0 + Int64(Double(n) * $0) } ?? now
                maxTime = max(maxTime, t)
                if shifts {
                    let roll = Double(rng.next() >> 11) / Double(1 << 53)
                    if roll < spec.lateFraction {
                        t = maxTime - spec.maxDelay - 1 - Int64(rng.next() % UInt64(max(1, 4 * spec.maxDelay)))
                    } else if roll < spec.lateFraction + spec.outOfOrderFraction {
                        t -= Int64(rng.next() % UInt64(max(1, spec.maxDelay)))
                    }
                }
                let k = rng.next(below: keyNames.count)
                let f = Value.Fields(names: names, values: [.string(keyNames[k]), .int(t), .int(Int64(rng.next(below: 1000))), .int(n)])
                var r = StreamRecord(value: .object(f), time: t)
                try clock.record(&r, split: 0, now: now, task)
                n += Int64(p)
                made += 1
            }
            try clock.tick(now: now, task)
            try task.batchDone { w in  // the position: where the sequence goes on after a restore
                w.int(Int64(p)); w.int(n); w.varint(rng.state); w.int(maxTime)
            }
            if let limit, n >= limit { return try task.finishSource() }
            if let perSecond, chunk < 256 {
                // Caught up with the schedule: sleep until the next event is due (at most 200 ms,
                // so cancellation and idleness are seen).
                let due = began + UInt64(Double(made) / perSecond * 1e9)
                let nowNanos = DispatchTime.now().uptimeNanoseconds
                if due > nowNanos {
                    let wait = min(due - nowNanos, 200_000_000)
                    try task.idle { _ = usleep(UInt32(wait / 1000)) }
                }
            }
        }
    }
}

extension GeneratorReader {
    struct Position { var n: Int64; var rng: UInt64; var maxTime: Int64 }

    /// This subtask's position from a snapshot: its own when the parallelism is the same (the
    /// run goes on exactly); else the lowest event number any old subtask had reached, on this
    /// subtask's residue, with a fresh random sequence (some events may then repeat).
    static func restore(_ states: [[UInt8]], subtask s: Int, parallelism p: Int) throws -> Position? {
        var saved: [(p: Int, pos: Position)] = []
        for bytes in states {
            var r = StateReader(bytes)
            let oldP = Int(try r.int())
            saved.append((oldP, Position(n: try r.int(), rng: try r.varint(), maxTime: try r.int())))
        }
        guard !saved.isEmpty else { return nil }
        if saved.count == p, saved.allSatisfy({ $0.p == p }) { return saved[s].pos }
        let low = saved.map(\.pos.n).min()!
        let n = low - low % Int64(p) + Int64(s)
        return Position(n: n, rng: UInt64(truncatingIfNeeded: n) &* 0x9E37_79B9_7F4A_7C15, maxTime: saved.map(\.pos.maxTime).max()!)
    }
}

/// A small seeded generator (SplitMix64): fast, and the same sequence on every machine.
struct SplitMix64 {
    private(set) var state: UInt64
    init(seed: UInt64) { state = seed }
    init(state: UInt64) { self.state = state }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in 0..<n (n < 2³²) by a multiply and a shift, not a division (Lemire's method).
    mutating func next(below n: Int) -> Int { Int(truncatingIfNeeded: ((next() >> 32) &* UInt64(n)) >> 32) }
}
