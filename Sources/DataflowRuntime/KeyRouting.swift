import Dataflow

/// Which subtask owns a key: a stable hash into one of 128 key groups, key groups spread over
/// subtasks in ranges (Flink's scheme, so a later rescale moves whole groups), and Kafka's
/// murmur2 partitioner for sink records, so keyed output lands where Kafka clients put it.
enum KeyRouting {
    static let keyGroups = 128

    static func subtask(for key: Value, parallelism: Int) -> Int {
        guard parallelism > 1 else { return 0 }
        let group = Int(stableHash(key) % UInt64(keyGroups))
        return group * parallelism / keyGroups
    }

    /// FNV-1a over the key's text: the same in every process, unlike Swift's seeded Hasher.
    static func stableHash(_ key: Value) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ bytes: some Sequence<UInt8>) { for b in bytes { h ^= UInt64(b); h = h &* 0x100_0000_01b3 } }
        switch key {
        case .string(let s): var s = s; s.withUTF8 { mix($0) }
        case .int(let i): withUnsafeBytes(of: i.littleEndian) { mix($0) }
        default: mix(JSONWriter.bytes(key))
        }
        // FNV's low bits are weak for short keys: finish with a murmur-style avalanche.
        h ^= h >> 33; h = h &* 0xff51_afd7_ed55_8ccd; h ^= h >> 33
        return h
    }

    /// Kafka's default partitioner: murmur2 of the key bytes, made positive, modulo partitions.
    static func kafkaPartition(key: [UInt8], partitions: Int32) -> Int32 {
        Int32((murmur2(key) & 0x7fff_ffff) % UInt32(partitions))
    }

    static func murmur2(_ data: [UInt8]) -> UInt32 {
        let m: UInt32 = 0x5bd1_e995
        let r: UInt32 = 24
        var h: UInt32 = 0x9747_b28c ^ UInt32(truncatingIfNeeded: data.count)
        var i = 0
        while i + 4 <= data.count {
            var k = UInt32(data[i]) | UInt32(data[i + 1]) << 8 | UInt32(data[i + 2]) << 16 | UInt32(data[i + 3]) << 24
            k = k &* m; k ^= k >> r; k = k &* m
            h = h &* m; h ^= k
            i += 4
        }
        switch data.count - i {
        case 3: h ^= UInt32(data[i + 2]) << 16; fallthrough
        case 2: h ^= UInt32(data[i + 1]) << 8; fallthrough
        case 1: h ^= UInt32(data[i]); h = h &* m
        default: break
        }
        h ^= h >> 13; h = h &* m; h ^= h >> 15
        return h
    }
}
