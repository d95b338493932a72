/// Time lag by interpolation (after kafka-lag-exporter): how long ago the partition's high
/// watermark stood where the group's committed offset stands now.
public enum TimeLag {
    /// A time lag in seconds; `isLowerBound` when the committed offset is older than the history
    /// kept, so the true value is at least `seconds`.
    public struct Value: Sendable, Equatable, Codable {
        public var seconds: Double
        public var isLowerBound: Bool
        public init(seconds: Double, isLowerBound: Bool = false) { self.seconds = seconds; self.isLowerBound = isLowerBound }
    }

    /// - Parameters:
    ///   - committed: the group's committed offset.
    ///   - history: (time, high watermark) samples, oldest first, high watermarks non-decreasing.
    ///   - now: the time of the newest reading.
    public static func interpolate(committed: Int64, history: [(time: Double, highWatermark: Int64)], now: Double) -> Value? {
        guard let newest = history.last else { return nil }
        if committed >= newest.highWatermark { return Value(seconds: 0) }
        guard let oldest = history.first else { return nil }
        if committed < oldest.highWatermark {
            // Older than the history kept: only a lower bound is known, and none from one sample.
            let bound = now - oldest.time
            return bound > 0 ? Value(seconds: bound, isLowerBound: true) : nil
        }
        // Find the first sample whose high watermark passed the committed offset.
        var i = history.count - 1
        while i > 0 && history[i - 1].highWatermark > committed { i -= 1 }
        let a = history[max(i - 1, 0)], b = history[i]
        if b.highWatermark == a.highWatermark { return Value(seconds: max(0, now - a.time)) }
        // The offset was produced somewhere in (a.time, b.time]; interpolate linearly.
        let fraction = Double(committed - a.highWatermark) / Double(b.highWatermark - a.highWatermark)
        let producedAt = a.time + fraction * (b.time - a.time)
        return Value(seconds: max(0, now - producedAt))
    }
}
