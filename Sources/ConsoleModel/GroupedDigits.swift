/// 182340 → "182,340": counts are read at a glance, in alerts and in every view.
public func groupedDigits(_ n: Int64) -> String {
    let digits = String(n.magnitude)
    var out = ""
    out.reserveCapacity(digits.count + digits.count / 3 + 1)
    for (i, ch) in digits.enumerated() {
        if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
        out.append(ch)
    }
    return n < 0 ? "-" + out : out
}
