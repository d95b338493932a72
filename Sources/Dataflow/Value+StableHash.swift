extension Value {
    /// FNV-1a over the key's text, finished with a murmur-style avalanche (FNV's low bits are
    /// weak for short keys): the same in every process, unlike Swift's seeded Hasher, so it can
    /// route keys to subtasks. Computed once per record at its keyBy (``StreamRecord/keyHash``)
    /// and reused by routing and keyed state.
    public var stableHash: UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ bytes: UnsafeRawBufferPointer) { for b in bytes { h ^= UInt64(b); h = h &* 0x100_0000_01b3 } }
        switch self {
        case .string(let s): var s = s; s.withUTF8 { mix(UnsafeRawBufferPointer($0)) }
        case .int(let i): withUnsafeBytes(of: i.littleEndian) { mix($0) }
        default: JSONWriter.bytes(self).withUnsafeBytes { mix($0) }
        }
        h ^= h >> 33; h = h &* 0xff51_afd7_ed55_8ccd; h ^= h >> 33
        return h
    }
}
