/// A source's watermarks (Flink's bounded out-of-orderness with idleness): per split (topic
/// partition), watermark = highest event time seen − outOfOrderness − 1; the source's is the
/// lowest over splits that are not idle. A split with no record for `idleAfter` (processing
/// time) is idle and holds nothing back; when every split is idle the source is idle.
public struct SourceWatermarks: Sendable {
    public var outOfOrderness: Int64
    public var idleAfter: Int64?
    // Per split, indexed by split number (a source's splits are 0…n-1): looked at per record.
    private var maxTime: [Int64?] = []
    private var lastActive: [Int64] = []
    private var assigned: [Bool] = []

    public init(outOfOrderness: Int64, idleAfter: Int64?) {
        self.outOfOrderness = outOfOrderness
        self.idleAfter = idleAfter
    }

    private mutating func grow(to split: Int, now: Int64) {
        while maxTime.count <= split { maxTime.append(nil); lastActive.append(now); assigned.append(false) }
    }

    /// The splits this source reads (a split that never sends a record still holds it back
    /// until it is idle).
    public mutating func assign(_ list: [Int], now: Int64) {
        for s in list {
            grow(to: s, now: now)
            if !assigned[s] { assigned[s] = true; lastActive[s] = now }
        }
    }

    public mutating func observe(split: Int, time: Int64, now: Int64) {
        if split >= maxTime.count { grow(to: split, now: now) }
        if let m = maxTime[split] { if time > m { maxTime[split] = time } } else { maxTime[split] = time }
        lastActive[split] = now
    }

    /// The watermark now, or nil while some active split has seen nothing; `idle` when every
    /// split is idle.
    public func current(now: Int64) -> (watermark: Int64?, idle: Bool) {
        var low: Int64? = nil
        var active = 0, splits = 0
        for s in assigned.indices where assigned[s] {
            splits += 1
            let last = lastActive[s]
            if let idleAfter, now &- last >= idleAfter { continue }
            active += 1
            guard let m = maxTime[s] else { return (nil, false) }
            let w = m &- outOfOrderness &- 1
            low = min(low ?? w, w)
        }
        return (low, active == 0 && splits > 0)
    }
}

/// A task's inputs as one watermark (Flink's StatusWatermarkValve): the lowest over the
/// channels that are active and caught up; an idle channel holds nothing back; the output
/// never goes backwards.
public struct WatermarkValve: Sendable {
    private var watermarks: [Int64]
    private var idle: [Bool]
    private var ended: [Bool]
    public private(set) var output = Int64.min
    public private(set) var outputIdle = false

    public init(inputs: Int) {
        watermarks = Array(repeating: .min, count: inputs)
        idle = Array(repeating: false, count: inputs)
        ended = Array(repeating: false, count: inputs)
    }

    /// A watermark from `input`; returns the new output when it moved forward.
    public mutating func watermark(_ w: Int64, from input: Int) -> Int64? {
        idle[input] = false
        if w > watermarks[input] { watermarks[input] = w }
        return recompute()
    }

    /// `input` went idle or active; returns a new output watermark if going idle freed one.
    public mutating func setIdle(_ isIdle: Bool, from input: Int) -> Int64? {
        idle[input] = isIdle
        return recompute()
    }

    /// `input` finished (a bounded source ran out): it holds nothing back any more.
    public mutating func end(_ input: Int) -> Int64? {
        ended[input] = true
        watermarks[input] = .max
        return recompute()
    }

    public var allEnded: Bool { !ended.contains(false) }

    private mutating func recompute() -> Int64? {
        var low: Int64? = nil
        for i in watermarks.indices where !idle[i] && (ended[i] || watermarks[i] >= output || output == .min) {
            low = min(low ?? watermarks[i], watermarks[i])
        }
        outputIdle = !watermarks.indices.contains { !idle[$0] && !ended[$0] }
        guard let low, low > output else { return nil }
        output = low
        return low
    }
}
