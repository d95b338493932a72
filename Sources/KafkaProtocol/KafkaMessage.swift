/// A request or response body that knows its API and how to encode itself at a version.
///
/// Bodies are version-independent values: fields a version lacks are left at their defaults on
/// decode and dropped on encode, as the message specs describe.
public protocol KafkaMessage: Sendable, Equatable {
    static var apiKey: ApiKey { get }
    /// Roughly how many bytes the encoding takes, so large messages (fetch answers, produce
    /// requests) are written into one allocation instead of a growing one.
    var encodedSizeHint: Int { get }
    func encode(into writer: inout KafkaWriter, version: Int16) throws
    init(from reader: inout KafkaReader, version: Int16) throws
}

/// A request body paired with the response body it expects.
public protocol KafkaRequest: KafkaMessage {
    associatedtype Response: KafkaMessage
}

extension KafkaMessage {
    public var encodedSizeHint: Int { 256 }

    /// Throws unless the codec implements `version` for this API.
    static func check(_ version: Int16) throws {
        guard let range = apiKey.supportedVersions, range.contains(version) else {
            throw KafkaProtocolError.unsupportedVersion(api: apiKey, version: version)
        }
    }

    /// Encodes the body alone, for tests and frame assembly.
    public func encoded(version: Int16) throws -> [UInt8] {
        var w = KafkaWriter()
        try encode(into: &w, version: version)
        return w.bytes
    }

    /// Decodes a body that must span all of `bytes`.
    public static func decode(_ bytes: [UInt8], version: Int16) throws -> Self {
        var r = KafkaReader(bytes)
        let value = try Self(from: &r, version: version)
        try r.expectEnd()
        return value
    }
}
