import KafkaProtocol

/// Why a compressed record payload could not be decoded (or encoded). Produce answers
/// CORRUPT_MESSAGE for `.corrupt`, RECORD_TOO_LARGE for `.tooLarge` and
/// UNSUPPORTED_COMPRESSION_TYPE for `.unknownCodec`.
public enum RecordCodecError: Error, Equatable, CustomStringConvertible, Sendable {
    case corrupt(codec: RecordBatch.Compression, detail: String)
    /// Decompressing would pass `limit` bytes (a decompression bomb, or a batch past the limits).
    case tooLarge(codec: RecordBatch.Compression, limit: Int)
    /// Compression bits 5–7 of the batch attributes: no codec has them.
    case unknownCodec(attributes: Int16)

    public var description: String {
        switch self {
        case let .corrupt(codec, detail): return "the \(codec.name) payload is corrupt: \(detail)"
        case let .tooLarge(codec, limit): return "the \(codec.name) payload expands past \(limit) bytes"
        case let .unknownCodec(attributes): return "compression codec \(attributes & 7) is not one of none, gzip, snappy, lz4, zstd"
        }
    }
}

extension RecordBatch.Compression {
    /// The name Kafka's `compression.type` uses.
    public var name: String {
        switch self {
        case .none: return "uncompressed"
        case .gzip: return "gzip"
        case .snappy: return "snappy"
        case .lz4: return "lz4"
        case .zstd: return "zstd"
        }
    }

    /// `compression.type` values that name a codec (`producer` does not).
    public init?(configName: String) {
        switch configName {
        case "uncompressed": self = .none
        case "gzip": self = .gzip
        case "snappy": self = .snappy
        case "lz4": self = .lz4
        case "zstd": self = .zstd
        default: return nil
        }
    }
}
