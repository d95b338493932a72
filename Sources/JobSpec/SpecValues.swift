/// Durations and rates as specs write them: `500ms`, `5s`, `1m`, `2h`, `1d`; `200/s`, `50/m`.
public enum SpecValues {
    public static func duration(_ text: String) -> Int64? {
        let t = text.filter { $0 != " " && $0 != "_" }.lowercased()
        let units: [(String, Int64)] = [("ms", 1), ("min", 60_000), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)]
        for (suffix, scale) in units where t.hasSuffix(suffix) {
            let number = t.dropLast(suffix.count)
            if let n = Int64(number), n >= 0, n <= Int64.max / scale { return n * scale }
            if let d = Double(number), d >= 0, d.isFinite, d * Double(scale) < 9e15 { return Int64((d * Double(scale)).rounded()) }
            return nil
        }
        return nil
    }

    /// Events per second from `200/s`, `50/m`, `10/ms` or a plain number (per second).
    public static func rate(_ text: String) -> Double? {
        let t = text.filter { $0 != " " && $0 != "_" }.lowercased()
        let parts = t.split(separator: "/", maxSplits: 1)
        guard let n = Double(parts.first ?? ""), n.isFinite, n >= 0 else { return nil }
        guard parts.count == 2 else { return n }
        switch parts[1] {
        case "s", "sec", "second": return n
        case "m", "min", "minute": return n / 60
        case "h", "hour": return n / 3600
        case "ms": return n * 1000
        default: return nil
        }
    }
}
