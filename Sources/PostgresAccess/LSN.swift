/// A WAL position as Postgres writes it (`16/B374D848`: the high and low 32 bits in hex).
public enum LSN {
    public static func parse(_ text: String) -> UInt64? {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let hi = UInt32(parts[0], radix: 16), let lo = UInt32(parts[1], radix: 16) else { return nil }
        return UInt64(hi) << 32 | UInt64(lo)
    }

    public static func format(_ lsn: UInt64) -> String {
        String(UInt32(lsn >> 32), radix: 16, uppercase: true) + "/" + String(UInt32(truncatingIfNeeded: lsn), radix: 16, uppercase: true)
    }
}
