/// The lag status rules (DESIGN §3, after Burrow), evaluated over the last `windowSize` samples of
/// one partition of one group. Rules are tried in order; the first that matches wins.
public enum StatusRules {
    /// One observation of a group's position on a partition.
    public struct Sample: Sendable, Equatable {
        public var time: Double
        public var committed: Int64
        /// `nil` when the high watermark was unknown at that time.
        public var lag: Int64?
        public init(time: Double, committed: Int64, lag: Int64?) { self.time = time; self.committed = committed; self.lag = lag }
    }

    public static let windowSize = 10

    /// - Parameters:
    ///   - window: the partition's samples, oldest first (at most `windowSize` are looked at).
    ///   - hasMembers: whether the group has any members now.
    ///   - readable: false when the group's offsets could not be read.
    ///   - windowSize: samples that make a full window; WARN and STALL need one.
    public static func evaluate(_ window: [Sample], hasMembers: Bool, readable: Bool = true, windowSize: Int = windowSize) -> LagStatus {
        let w = Array(window.suffix(windowSize))
        // Could not be read → ERR.
        guard readable, let last = w.last else { return readable ? .ok : .err }
        // Committed offset went backwards → REWIND.
        if zip(w, w.dropFirst()).contains(where: { $1.committed < $0.committed }) { return .rewind }
        let lags = w.compactMap(\.lag)
        // Lag reached zero in the window (or lag unknown: nothing to judge) → OK.
        guard let lastLag = last.lag, lastLag > 0, !lags.contains(0) else { return .ok }
        // Lag with nobody to consume it → STOP.
        if !hasMembers { return .stop }
        let full = w.count >= windowSize
        // Members present, offset unchanged over a full window, lag > 0 → STALL.
        if full && w.first!.committed == last.committed { return .stall }
        // Offsets advance but lag grew across the whole window → WARN.
        if full && lags.count == w.count && lastLag > lags.first! && slope(w) > 0 { return .warn }
        return .ok
    }

    /// Least-squares slope of lag over time (messages per second).
    static func slope(_ w: [Sample]) -> Double {
        let pts = w.compactMap { s in s.lag.map { (s.time, Double($0)) } }
        guard pts.count >= 2 else { return 0 }
        let n = Double(pts.count)
        let mx = pts.map(\.0).reduce(0, +) / n
        let my = pts.map(\.1).reduce(0, +) / n
        let sxx = pts.reduce(0) { $0 + ($1.0 - mx) * ($1.0 - mx) }
        guard sxx > 0 else { return 0 }
        return pts.reduce(0) { $0 + ($1.0 - mx) * ($1.1 - my) } / sxx
    }
}
