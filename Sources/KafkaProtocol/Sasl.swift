/// SaslHandshake request (key 17), v0–1: the mechanism the client wants (Sluice offers PLAIN).
/// From v1 the SASL tokens that follow travel inside SaslAuthenticate requests.
public struct SaslHandshakeRequest: KafkaRequest {
    public typealias Response = SaslHandshakeResponse
    public static let apiKey = ApiKey.saslHandshake

    public var mechanism: String
    public init(mechanism: String) { self.mechanism = mechanism }

    public func encode(into w: inout KafkaWriter, version: Int16) throws {
        try Self.check(version)
        w.writeString(mechanism, compact: false)
    }

    public init(from r: inout KafkaReader, version: Int16) throws {
        try Self.check(version)
        mechanism = try r.readString(compact: false, "mechanism")
    }
}

/// SaslHandshake response: an error (UNSUPPORTED_SASL_MECHANISM) and the mechanisms offered.
public struct SaslHandshakeResponse: KafkaMessage {
    public static let apiKey = ApiKey.saslHandshake

    public var errorCode: KafkaErrorCode
    public var mechanisms: [String]
    public init(errorCode: KafkaErrorCode = .none, mechanisms: [String]) { self.errorCode = errorCode; self.mechanisms = mechanisms }

    public func encode(into w: inout KafkaWriter, version: Int16) throws {
        try Self.check(version)
        w.writeInt16(errorCode.rawValue)
        w.writeArray(mechanisms, compact: false) { w, m in w.writeString(m, compact: false) }
    }

    public init(from r: inout KafkaReader, version: Int16) throws {
        try Self.check(version)
        errorCode = KafkaErrorCode(try r.readInt16("error code"))
        mechanisms = try r.readArray(compact: false, "mechanisms") { r in try r.readString(compact: false, "mechanism") }
    }
}

/// SaslAuthenticate request (key 36), v0–2: one SASL token (for PLAIN: `authzid NUL user NUL password`).
public struct SaslAuthenticateRequest: KafkaRequest {
    public typealias Response = SaslAuthenticateResponse
    public static let apiKey = ApiKey.saslAuthenticate

    public var authBytes: [UInt8]
    public init(authBytes: [UInt8]) { self.authBytes = authBytes }

    public func encode(into w: inout KafkaWriter, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        w.writeBytes(authBytes, compact: compact)
        if compact { w.writeTaggedFields() }
    }

    public init(from r: inout KafkaReader, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        authBytes = try r.readBytes(compact: compact, "auth bytes")
        if compact { try r.readTaggedFields() }
    }
}

/// SaslAuthenticate response: the outcome, with a message on failure.
public struct SaslAuthenticateResponse: KafkaMessage {
    public static let apiKey = ApiKey.saslAuthenticate

    public var errorCode: KafkaErrorCode
    public var errorMessage: String?
    public var authBytes: [UInt8]
    public var sessionLifetimeMs: Int64

    public init(errorCode: KafkaErrorCode = .none, errorMessage: String? = nil, authBytes: [UInt8] = [], sessionLifetimeMs: Int64 = 0) {
        self.errorCode = errorCode; self.errorMessage = errorMessage; self.authBytes = authBytes; self.sessionLifetimeMs = sessionLifetimeMs
    }

    public func encode(into w: inout KafkaWriter, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        w.writeInt16(errorCode.rawValue)
        w.writeNullableString(errorMessage, compact: compact)
        w.writeBytes(authBytes, compact: compact)
        if version >= 1 { w.writeInt64(sessionLifetimeMs) }
        if compact { w.writeTaggedFields() }
    }

    public init(from r: inout KafkaReader, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        errorCode = KafkaErrorCode(try r.readInt16("error code"))
        errorMessage = try r.readNullableString(compact: compact, "error message")
        authBytes = try r.readBytes(compact: compact, "auth bytes")
        sessionLifetimeMs = version >= 1 ? try r.readInt64("session lifetime") : 0
        if compact { try r.readTaggedFields() }
    }
}
