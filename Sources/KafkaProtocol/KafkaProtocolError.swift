/// Why bytes could not be decoded (or a value could not be encoded) as a Kafka message.
///
/// Every case names the field being read, so a malformed frame from a broker produces a message
/// an operator can act on instead of a crash.
public enum KafkaProtocolError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The input ended before `needed` more bytes could be read at `field`.
    case truncated(field: String, needed: Int, remaining: Int)
    /// A length prefix was negative where null is not allowed, or larger than the input.
    case invalidLength(field: String, length: Int)
    /// An unsigned varint ran past its maximum width.
    case malformedVarint(field: String)
    /// Bytes that should be UTF-8 text were not.
    case invalidUTF8(field: String)
    /// The codec does not implement this version of the API.
    case unsupportedVersion(api: ApiKey, version: Int16)
    /// The API key is not one this codec knows.
    case unknownApiKey(Int16)
    /// A non-nullable field was null on the wire, or a value was out of its range.
    case invalidValue(field: String, detail: String)
    /// Bytes were left over after a complete message was decoded.
    case trailingBytes(count: Int)
    /// The response carried a correlation id that matches no request.
    case unexpectedCorrelationId(expected: Int32, got: Int32)

    public var description: String {
        switch self {
        case let .truncated(field, needed, remaining):
            return "truncated frame: \(field) needs \(needed) bytes, \(remaining) left"
        case let .invalidLength(field, length):
            return "invalid length \(length) for \(field)"
        case let .malformedVarint(field):
            return "malformed varint in \(field)"
        case let .invalidUTF8(field):
            return "invalid UTF-8 in \(field)"
        case let .unsupportedVersion(api, version):
            return "\(api) v\(version) is not supported by this codec"
        case let .unknownApiKey(key):
            return "unknown API key \(key)"
        case let .invalidValue(field, detail):
            return "invalid \(field): \(detail)"
        case let .trailingBytes(count):
            return "\(count) unexpected bytes after the end of the message"
        case let .unexpectedCorrelationId(expected, got):
            return "correlation id \(got) does not match the request's \(expected)"
        }
    }
}
