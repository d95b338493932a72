/// Eight-level block sparklines for trends (lag over time).
public enum Sparkline {
    static let blocks: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    /// The last `width` values scaled between their min and max; flat series draw at the bottom.
    public static func render(_ values: [Int64], width: Int) -> String {
        guard width > 0, !values.isEmpty else { return "" }
        let tail = values.suffix(width)
        let lo = tail.min()!, hi = tail.max()!
        var s = ""
        for v in tail {
            let level = hi == lo ? (hi == 0 ? 0 : 3) : Int(Double(v - lo) / Double(hi - lo) * 7.0 + 0.5)
            s.append(blocks[max(0, min(7, level))])
        }
        return s
    }
}
