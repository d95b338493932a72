import Dataflow

/// Which subtask owns a key: its stable hash (``Value/stableHash``) into one of 128 key groups,
/// key groups spread over subtasks in ranges (Flink's scheme, so a later rescale moves whole
/// groups), and Kafka's murmur2 partitioner for sink records, so keyed output lands where Kafka
/// clients put it.
enum KeyRouting {
    static let keyGroups = 128

    static func subtask(forHash hash: UInt64, parallelism: Int) -> Int {
        guard parallelism > 1 else { return 0 }
        let group = Int(hash % UInt64(keyGroups))
        return group * parallelism / keyGroups
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
