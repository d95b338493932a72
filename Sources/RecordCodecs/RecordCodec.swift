import KafkaProtocol

/// The codecs of Kafka's record batches, over the system's own libraries (zlib, liblz4,
/// libzstd, libsnappy from Debian): docs/engine.md says which and why. Pure functions on bytes;
/// every decompression is bounded by a limit so a small batch cannot expand without end.
public enum RecordCodec {
    /// Decompresses a batch's records section. Throws ``RecordCodecError``, never traps.
    public static func decompress(_ input: ArraySlice<UInt8>, _ codec: RecordBatch.Compression, limit: Int) throws -> [UInt8] {
        switch codec {
        case .none: return Array(input)
        case .gzip: return try Gzip.decompress(input, limit: limit)
        case .snappy: return try Snappy.decompress(input, limit: limit)
        case .lz4: return try LZ4Frame.decompress(input, limit: limit)
        case .zstd: return try Zstd.decompress(input, limit: limit)
        }
    }

    /// Compresses a records section the way Kafka's Java client frames each codec (gzip
    /// members, xerial-framed snappy, LZ4 frames, zstd frames). `level` nil: the codec's default.
    public static func compress(_ input: [UInt8], _ codec: RecordBatch.Compression, level: Int? = nil) throws -> [UInt8] {
        switch codec {
        case .none: return input
        case .gzip: return try Gzip.compress(input, level: level ?? -1)
        case .snappy: return try Snappy.compress(input)
        case .lz4: return try LZ4Frame.compress(input, level: level ?? 9)
        case .zstd: return try Zstd.compress(input, level: level ?? 3)
        }
    }
}
