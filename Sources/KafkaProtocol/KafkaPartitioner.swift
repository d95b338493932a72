/// Kafka's default partitioner for keyed records (the Java client's and librdkafka's
/// `murmur2_random`): what the engine's sinks and captures use, so a key's records land in the
/// partition Kafka clients would choose.
public enum KafkaPartitioner {
    /// murmur2 of the key bytes, made positive, modulo partitions.
    public static func partition(key: [UInt8], partitions: Int32) -> Int32 {
        Int32((murmur2(key) & 0x7fff_ffff) % UInt32(partitions))
    }

    public static func murmur2(_ data: [UInt8]) -> UInt32 {
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
