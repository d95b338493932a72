import ConsoleModel

/// Number and duration formatting shared by views and `sluice lag`.
public enum Format {
    /// 182340 → "182,340"; nil → "-".
    public static func count(_ n: Int64?) -> String {
        n.map(groupedDigits) ?? "-"
    }

    /// Seconds → "0s", "42s", "4m12s", "3h05m", "2d04h".
    public static func duration(_ seconds: Double?) -> String {
        guard let seconds, seconds.isFinite else { return "-" }
        let s = Int(seconds.rounded(.down))
        if s < 60 { return "\(max(0, s))s" }
        if s < 3600 { return "\(s / 60)m\(pad2(s % 60))s" }
        if s < 86400 { return "\(s / 3600)h\(pad2(s % 3600 / 60))m" }
        return "\(s / 86400)d\(pad2(s % 86400 / 3600))h"
    }

    /// A refresh interval: "0.5s", "2s", "1m00s".
    public static func seconds(_ s: Double) -> String {
        s < 1 ? "\(Double(Int(s * 10)) / 10)s" : duration(s)
    }

    /// Milliseconds: "850ms", "2.4s", "1m05s".
    public static func millis(_ ms: Int64) -> String {
        if ms < 1000 { return "\(max(0, ms))ms" }
        if ms < 60_000 { return "\(Double(ms / 100) / 10)s" }
        return duration(Double(ms) / 1000)
    }

    /// Bytes in binary units: "512 B", "8.5 KiB", "1.2 GiB".
    public static func bytes(_ n: Int64) -> String { binaryBytes(n) }

    public static func timeLag(_ t: TimeLag.Value?) -> String {
        guard let t else { return "-" }
        return (t.isLowerBound ? ">" : "") + duration(t.seconds)
    }

    /// Messages per second: "0", "9,812", "3.5".
    public static func rate(_ r: Double?) -> String {
        guard let r, r.isFinite else { return "-" }
        if r > 0 && r < 10 { return String(Double(Int(r * 10)) / 10) }
        return count(Int64(r.rounded()))
    }

    public static func catchUp(_ e: CatchUpEstimate) -> String {
        switch e {
        case .caughtUp: return "now"
        case let .seconds(s): return duration(s)
        case .keepingUp: return "steady"
        case .never: return "never"
        case .unknown: return "-"
        }
    }

    /// Epoch seconds → "HH:MM:SS" UTC.
    public static func clock(_ t: Double) -> String {
        let s = Int(t) % 86400
        return "\(pad2(s / 3600)):\(pad2(s % 3600 / 60)):\(pad2(s % 60))"
    }

    /// 0.25 → "0.25×", 8 → "8×".
    public static func speedFactor(_ s: Double) -> String {
        s == s.rounded() ? "\(Int(s))×" : "\(s)×"
    }

    static func pad2(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
}
