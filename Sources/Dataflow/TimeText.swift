/// Event times as text: ISO-8601 in UTC (what `formatTime` writes and `parseTime` and a
/// source's `timestamp` field read), without Foundation's formatters, which are slow and
/// not Sendable. Days from civil dates by H. Hinnant's algorithm.
public enum TimeText {
    /// Milliseconds since the epoch from `2024-05-01`, `2024-05-01T10:00:00`, with optional
    /// fraction and `Z` or `±hh:mm`; nil when the text is not such a time.
    public static func parse(_ text: String) -> Int64? {
        let b = Array(text.utf8)
        var i = 0
        func digits(_ n: Int) -> Int64? {
            guard i + n <= b.count else { return nil }
            var v: Int64 = 0
            for k in 0..<n {
                let c = b[i + k]
                guard c >= 48, c <= 57 else { return nil }
                v = v * 10 + Int64(c - 48)
            }
            i += n
            return v
        }
        func skip(_ c: UInt8) -> Bool { if i < b.count, b[i] == c { i += 1; return true }; return false }
        guard let y = digits(4), skip(45), let mo = digits(2), skip(45), let d = digits(2), (1...12).contains(mo), (1...31).contains(d) else { return nil }
        var ms = days(year: y, month: mo, day: d) * 86_400_000
        if i == b.count { return ms }
        guard skip(84) || skip(116) || skip(32), let h = digits(2), skip(58), let mi = digits(2), h < 24, mi < 60 else { return nil }
        ms += h * 3_600_000 + mi * 60_000
        if skip(58) {
            guard let s = digits(2), s < 61 else { return nil }
            ms += s * 1000
            if skip(46) || skip(44) {
                var scale: Int64 = 100, frac: Int64 = 0, n = 0
                while i < b.count, b[i] >= 48, b[i] <= 57 {
                    frac += Int64(b[i] - 48) * scale; scale /= 10; i += 1; n += 1
                }
                guard n > 0 else { return nil }
                ms += frac
            }
        }
        if i == b.count || skip(90) || skip(122) { return i == b.count ? ms : nil }
        let sign: Int64 = skip(43) ? 1 : (skip(45) ? -1 : 0)
        guard sign != 0, let oh = digits(2) else { return nil }
        _ = skip(58)
        guard let om = digits(2), i == b.count else { return nil }
        return ms - sign * (oh * 3_600_000 + om * 60_000)
    }

    /// `2024-05-01T10:00:00.000Z`.
    public static func format(_ ms: Int64) -> String {
        let (dayNumber, inDay) = floorDivide(ms, 86_400_000)
        let (y, m, d) = civil(days: dayNumber)
        func pad(_ v: Int64, _ n: Int) -> String { let s = String(v); return String(repeating: "0", count: max(0, n - s.count)) + s }
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(inDay / 3_600_000, 2)):\(pad(inDay / 60_000 % 60, 2)):\(pad(inDay / 1000 % 60, 2)).\(pad(inDay % 1000, 3))Z"
    }

    static func floorDivide(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
        let q = a / b, r = a % b
        return r < 0 ? (q - 1, r + b) : (q, r)
    }

    static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(days z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
