import CCRC32C

/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of Kafka record batches
/// (magic 2). The CPU's CRC instruction when it has one (SSE4.2, ARMv8 CRC), else slicing-by-8,
/// so a broker can check every batch it is sent.
public enum CRC32C {
    static let hardware = sl_crc32c_hw_available() != 0
    static let tables: [[UInt32]] = {
        var t = [[UInt32]](repeating: [UInt32](repeating: 0, count: 256), count: 8)
        for i in 0..<256 {
            var c = UInt32(i)
            for _ in 0..<8 { c = c & 1 != 0 ? (c >> 1) ^ 0x82F6_3B78 : c >> 1 }
            t[0][i] = c
        }
        for i in 0..<256 {
            for k in 1..<8 { t[k][i] = (t[k - 1][i] >> 8) ^ t[0][Int(t[k - 1][i] & 0xFF)] }
        }
        return t
    }()

    /// The checksum of `bytes[range]`.
    public static func checksum(_ bytes: [UInt8], range: Range<Int>) -> UInt32 {
        precondition(range.lowerBound >= 0 && range.upperBound <= bytes.count)
        return bytes.withUnsafeBufferPointer { checksum(UnsafeBufferPointer(rebasing: $0[range])) }
    }

    public static func checksum(_ bytes: [UInt8]) -> UInt32 { checksum(bytes, range: 0..<bytes.count) }

    public static func checksum(_ p: UnsafeBufferPointer<UInt8>) -> UInt32 {
        guard hardware, let base = p.baseAddress else { return software(p) }
        return sl_crc32c_hw(0xFFFF_FFFF, base, p.count) ^ 0xFFFF_FFFF
    }

    /// The table-driven computation (also the reference the hardware path is tested against).
    static func software(_ p: UnsafeBufferPointer<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        var i = 0
        let n = p.count
        tables.withUnsafeBufferPointer { t in
            let t0 = t[0], t1 = t[1], t2 = t[2], t3 = t[3], t4 = t[4], t5 = t[5], t6 = t[6], t7 = t[7]
            while n - i >= 8 {
                let lo = crc ^ (UInt32(p[i]) | UInt32(p[i + 1]) << 8 | UInt32(p[i + 2]) << 16 | UInt32(p[i + 3]) << 24)
                crc = t7[Int(lo & 0xFF)] ^ t6[Int(lo >> 8 & 0xFF)] ^ t5[Int(lo >> 16 & 0xFF)] ^ t4[Int(lo >> 24)]
                    ^ t3[Int(p[i + 4])] ^ t2[Int(p[i + 5])] ^ t1[Int(p[i + 6])] ^ t0[Int(p[i + 7])]
                i += 8
            }
            while i < n {
                crc = (crc >> 8) ^ t0[Int((crc ^ UInt32(p[i])) & 0xFF)]
                i += 1
            }
        }
        return crc ^ 0xFFFF_FFFF
    }
}
