/// A partition's high watermark over time, kept small: unchanged readings extend the last
/// sample, and when the history is full its older half is thinned (every other sample dropped),
/// so it reaches back to the first reading at ever coarser resolution while the recent past
/// stays exact. Time lag interpolates over it.
public struct HighWatermarkHistory: Sendable {
    /// A value and the first and last reading that saw it: the offset after it was produced
    /// after `lastSeen` of this sample and by `firstSeen` of the next.
    public struct Sample: Sendable, Equatable {
        public var firstSeen: Double
        public var lastSeen: Double
        public var highWatermark: Int64
    }

    public let capacity: Int
    public private(set) var samples: [Sample] = []

    public init(capacity: Int = 64) {
        precondition(capacity >= 4)
        self.capacity = capacity
    }

    public var last: Sample? { samples.last }
    public var count: Int { samples.count }

    /// Records a reading; a lower value than the last one (topic recreated, truncated) restarts the history.
    public mutating func record(_ highWatermark: Int64, at time: Double) {
        if let l = samples.last {
            if highWatermark < l.highWatermark { samples.removeAll(keepingCapacity: true) }
            else if highWatermark == l.highWatermark {
                samples[samples.count - 1].lastSeen = time
                return
            }
        }
        if samples.count == capacity { thin() }
        samples.append(Sample(firstSeen: time, lastSeen: time, highWatermark: highWatermark))
    }

    /// Records a reading and returns the produce rate over `rateWindow` seconds, in one access.
    public mutating func record(_ highWatermark: Int64, at time: Double, rateWindow: Double) -> Double? {
        record(highWatermark, at: time)
        return rate(now: time, window: rateWindow)
    }

    /// Drops every other sample of the older half. The samples left still bracket every change
    /// (an offset between two kept values was produced between them), only less tightly.
    private mutating func thin() {
        let half = samples.count / 2
        var kept: [Sample] = []
        kept.reserveCapacity(capacity)
        var i = 0
        while i < half {
            kept.append(samples[i])
            i += 2
        }
        kept.append(contentsOf: samples[half...])
        samples = kept
    }

    /// (time, high watermark) points for interpolation, oldest first.
    public var points: [(time: Double, highWatermark: Int64)] {
        var out: [(time: Double, highWatermark: Int64)] = []
        out.reserveCapacity(samples.count * 2)
        for s in samples {
            out.append((s.firstSeen, s.highWatermark))
            if s.lastSeen != s.firstSeen { out.append((s.lastSeen, s.highWatermark)) }
        }
        return out
    }

    /// Time lag of `committed` (see ``TimeLag``): the offset after sample `a`'s value was produced
    /// after `a.lastSeen` and by the next sample's `firstSeen`; interpolate between the two.
    /// Binary search, no allocation: this runs for every committed partition on every reading.
    public func timeLag(committed: Int64, now: Double) -> TimeLag.Value? {
        guard let newest = samples.last else { return nil }
        if committed >= newest.highWatermark { return TimeLag.Value(seconds: 0) }
        var lo = 0, hi = samples.count - 1   // first index whose value exceeds `committed`
        while lo < hi {
            let mid = (lo + hi) / 2
            if samples[mid].highWatermark > committed { hi = mid } else { lo = mid + 1 }
        }
        if lo == 0 {
            let bound = now - samples[0].firstSeen
            return bound > 0 ? TimeLag.Value(seconds: bound, isLowerBound: true) : nil
        }
        let a = samples[lo - 1], b = samples[lo]
        let fraction = Double(committed - a.highWatermark) / Double(b.highWatermark - a.highWatermark)
        let producedAt = a.lastSeen + fraction * (b.firstSeen - a.lastSeen)
        return TimeLag.Value(seconds: max(0, now - producedAt))
    }

    /// Produce rate over about `window` seconds before `now`.
    public func rate(now: Double, window: Double) -> Double? {
        guard let newest = samples.last else { return nil }
        var base = newest
        for s in samples.reversed() {
            base = s
            if now - s.lastSeen > window { break }
        }
        // Growth happened after the base value was last seen (or, if nothing grew, since it was first seen).
        let from = base.highWatermark == newest.highWatermark ? base.firstSeen : base.lastSeen
        guard now > from else { return nil }
        return Double(newest.highWatermark - base.highWatermark) / (now - from)
    }
}
