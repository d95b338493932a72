/// Request header v1 (non-flexible) or v2 (flexible; adds a tagged-field section). The client id
/// keeps its int16 length even in v2.
public struct RequestHeader: Equatable, Sendable {
    public var apiKey: Int16
    public var apiVersion: Int16
    public var correlationId: Int32
    public var clientId: String?

    public init(apiKey: Int16, apiVersion: Int16, correlationId: Int32, clientId: String?) {
        self.apiKey = apiKey
        self.apiVersion = apiVersion
        self.correlationId = correlationId
        self.clientId = clientId
    }

    /// Header version for this key and version; unknown keys are read as v1 so a server can still
    /// answer with UNSUPPORTED_VERSION.
    public var headerVersion: Int16 {
        ApiKey(rawValue: apiKey)?.requestHeaderVersion(apiVersion) ?? 1
    }

    public func encode(into w: inout KafkaWriter) {
        w.writeInt16(apiKey)
        w.writeInt16(apiVersion)
        w.writeInt32(correlationId)
        w.writeNullableString(clientId, compact: false)
        if headerVersion >= 2 { w.writeTaggedFields() }
    }

    public init(from r: inout KafkaReader) throws {
        apiKey = try r.readInt16("request api key")
        apiVersion = try r.readInt16("request api version")
        correlationId = try r.readInt32("correlation id")
        clientId = try r.readNullableString(compact: false, "client id")
        if ApiKey(rawValue: apiKey)?.requestHeaderVersion(apiVersion) ?? 1 >= 2 { try r.readTaggedFields() }
    }
}

/// Response header v0 (correlation id) or v1 (plus a tagged-field section).
public struct ResponseHeader: Equatable, Sendable {
    public var correlationId: Int32
    public init(correlationId: Int32) { self.correlationId = correlationId }

    public func encode(into w: inout KafkaWriter, headerVersion: Int16) {
        w.writeInt32(correlationId)
        if headerVersion >= 1 { w.writeTaggedFields() }
    }

    public init(from r: inout KafkaReader, headerVersion: Int16) throws {
        correlationId = try r.readInt32("correlation id")
        if headerVersion >= 1 { try r.readTaggedFields() }
    }
}
