/// The lag status rules (docs/design.md §3, after Burrow), evaluated over the last `windowSize` samples.
/// Rules are tried in order; the first that matches wins. Where WARN or STALL could apply but the
/// window is not full yet, the answer is PENDING, never OK.
///
/// Partitions are judged one by one; WARN and STALL are also judged on the group's totals
/// (``evaluateGroup(_:hasMembers:windowSize:)``). A consumer that works through its partitions
/// in turn (librdkafka fetches a batch per partition) leaves most partitions still for a while
/// and drains them in bursts, so a partition-level STALL alone does not make the group STALL:
/// the group stalls when none of its offsets move.
public enum StatusRules {
    /// One observation of a group's position on a partition (or of its totals).
    public struct Sample: Sendable, Equatable {
        public var time: Double
        public var committed: Int64
        /// `nil` when the high watermark was unknown at that time.
        public var lag: Int64?
        public init(time: Double, committed: Int64, lag: Int64?) { self.time = time; self.committed = committed; self.lag = lag }
    }

    public static let windowSize = 10

    /// Status of one partition.
    /// - Parameters:
    ///   - window: the partition's samples, oldest first (the last `windowSize` are looked at).
    ///   - hasMembers: whether the group has any members now.
    ///   - readable: false when the group's offsets could not be read.
    ///   - windowSize: samples that make a full window; WARN and STALL need one.
    public static func evaluate<C: RandomAccessCollection>(_ window: C, hasMembers: Bool, readable: Bool = true,
                                                           windowSize: Int = windowSize) -> LagStatus where C.Element == Sample, C.Index == Int {
        // Index arithmetic instead of slicing into arrays: this runs for every committed
        // partition on every reading.
        let end = window.endIndex
        let start = max(window.startIndex, end - windowSize)
        // Could not be read → ERR.
        guard readable else { return .err }
        guard start < end else { return .ok }
        let last = window[end - 1]
        var laggedEverywhere = true, known = 0, increasing = true
        var prev: Sample?
        for i in start..<end {
            let s = window[i]
            if let prev {
                // Committed offset went backwards → REWIND.
                if s.committed < prev.committed { return .rewind }
                if let a = prev.lag, let b = s.lag, b <= a { increasing = false }
            }
            if let l = s.lag { known += 1; if l == 0 { laggedEverywhere = false } }
            prev = s
        }
        // Lag reached zero in the window (or lag unknown: nothing to judge) → OK.
        guard let lastLag = last.lag, lastLag > 0, laggedEverywhere else { return .ok }
        // Lag with nobody to consume it → STOP.
        if !hasMembers { return .stop }
        let count = end - start
        guard known == count else { return .ok }
        // Lag everywhere, members present, but not yet a full window → PENDING (not OK).
        guard count >= windowSize else { return .pending }
        // Members present, offset unchanged over a full window, lag > 0 → STALL.
        if window[start].committed == last.committed { return .stall }
        // Offsets advance but lag grew at every sample of the window → WARN.
        if increasing && count >= 2 { return .warn }
        return .ok
    }

    /// WARN or STALL judged on a group's totals (committed offsets summed, total lag).
    public static func evaluateGroup(_ window: [Sample], hasMembers: Bool, windowSize: Int = windowSize) -> LagStatus {
        let w = Array(window.suffix(windowSize))
        guard hasMembers, let first = w.first, let last = w.last else { return .ok }
        let lags = w.compactMap(\.lag)
        guard lags.count == w.count, let lastLag = last.lag, lastLag > 0, !lags.contains(0) else { return .ok }
        guard w.count >= windowSize else { return .pending }
        if first.committed == last.committed { return .stall }
        if last.committed > first.committed && isAlwaysIncreasing(lags) { return .warn }
        return .ok
    }

    /// True when every lag is larger than the one before (Burrow's "always increasing").
    static func isAlwaysIncreasing(_ lags: [Int64]) -> Bool {
        lags.count >= 2 && zip(lags, lags.dropFirst()).allSatisfy { $1 > $0 }
    }
}
