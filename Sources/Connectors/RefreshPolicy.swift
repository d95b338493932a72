import Foundation

/// How often the console reads the cluster.
///
/// Pinned: every N seconds, as asked (`--refresh N`, config `refresh: N`, `+`/`-`). Auto (the
/// default): every 2 s, stretched on clusters so large that a reading costs more than 0.3 % of a
/// core every 2 s, so that an idle console stays near zero CPU (and the brokers are not asked
/// for a thousand groups' offsets every 2 s), up to 10 s. The header shows "⟳ 4s auto".
public struct RefreshPolicy: Sendable, Equatable {
    /// Seconds between readings when pinned; `nil` for auto.
    public var pinned: Double?
    public static let autoFloor = 2.0
    public static let autoCeiling = 10.0
    /// Share of one core that auto mode lets readings take.
    public static let cpuBudget = 0.003

    public init(pinned: Double? = nil) { self.pinned = pinned }

    public var isAuto: Bool { pinned == nil }

    /// Seconds to wait after a reading whose (smoothed) CPU cost was `cpuSeconds`; auto intervals
    /// are rounded up to half seconds so the header does not flicker.
    public func interval(readingCost cpuSeconds: Double) -> Double {
        if let pinned { return pinned }
        let wanted = cpuSeconds.isFinite ? cpuSeconds / Self.cpuBudget : Self.autoCeiling
        return min(Self.autoCeiling, max(Self.autoFloor, (wanted * 2).rounded(.up) / 2))
    }

    /// Parses "auto" or a number of seconds (0.5 to 60).
    public init?(parsing text: String) {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        if t == "auto" { self.init(); return }
        guard let s = Double(t), (0.5...60).contains(s) else { return nil }
        self.init(pinned: s)
    }
}
