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

/// Bytes in binary units: "512 B", "8.5 KiB", "1.2 GiB" (alerts and views alike).
public func binaryBytes(_ n: Int64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"]
    var v = Double(max(0, n)), i = 0
    while v >= 1024 && i < units.count - 1 { v /= 1024; i += 1 }
    return i == 0 ? "\(Int(v)) B" : "\(Double(Int(v * 10)) / 10) \(units[i])"
}
