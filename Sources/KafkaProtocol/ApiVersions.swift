/// ApiVersions request (key 18): v3 adds the client software name and version.
public struct ApiVersionsRequest: KafkaRequest {
    public typealias Response = ApiVersionsResponse
    public static let apiKey = ApiKey.apiVersions
    public var clientSoftwareName: String
    public var clientSoftwareVersion: String

    public init(clientSoftwareName: String = "sluice", clientSoftwareVersion: String = "0.1.0") {
        self.clientSoftwareName = clientSoftwareName
        self.clientSoftwareVersion = clientSoftwareVersion
    }

    public func encode(into w: inout KafkaWriter, version: Int16) throws {
        try Self.check(version)
        if version >= 3 {
            w.writeString(clientSoftwareName, compact: true)
            w.writeString(clientSoftwareVersion, compact: true)
            w.writeTaggedFields()
        }
    }

    public init(from r: inout KafkaReader, version: Int16) throws {
        try Self.check(version)
        self.init(clientSoftwareName: "", clientSoftwareVersion: "")
        if version >= 3 {
            clientSoftwareName = try r.readString(compact: true, "client software name")
            clientSoftwareVersion = try r.readString(compact: true, "client software version")
            try r.readTaggedFields()
        }
    }
}

/// ApiVersions response. Its header is always v0, even at the flexible v3 (KIP-511). The v3
/// tagged feature fields are read when present (tansu sends all four) and not written.
public struct ApiVersionsResponse: KafkaMessage {
    public static let apiKey = ApiKey.apiVersions

    public struct ApiVersion: Equatable, Sendable {
        public var apiKey: Int16
        public var minVersion: Int16
        public var maxVersion: Int16
        public init(apiKey: Int16, minVersion: Int16, maxVersion: Int16) {
            self.apiKey = apiKey
            self.minVersion = minVersion
            self.maxVersion = maxVersion
        }
    }

    public var errorCode: KafkaErrorCode
    public var apiKeys: [ApiVersion]
    public var throttleTimeMs: Int32
    public var finalizedFeaturesEpoch: Int64

    public init(errorCode: KafkaErrorCode = .none, apiKeys: [ApiVersion], throttleTimeMs: Int32 = 0) {
        self.errorCode = errorCode
        self.apiKeys = apiKeys
        self.throttleTimeMs = throttleTimeMs
        self.finalizedFeaturesEpoch = -1
    }

    public func encode(into w: inout KafkaWriter, version: Int16) throws {
        try Self.check(version)
        let compact = version >= 3
        w.writeInt16(errorCode.rawValue)
        w.writeArray(apiKeys, compact: compact) { w, k in
            w.writeInt16(k.apiKey)
            w.writeInt16(k.minVersion)
            w.writeInt16(k.maxVersion)
            if compact { w.writeTaggedFields() }
        }
        if version >= 1 { w.writeInt32(throttleTimeMs) }
        if compact { w.writeTaggedFields() }
    }

    public init(from r: inout KafkaReader, version: Int16) throws {
        try Self.check(version)
        let compact = version >= 3
        errorCode = KafkaErrorCode(try r.readInt16("error code"))
        apiKeys = try r.readArray(compact: compact, "api keys") { r in
            let v = ApiVersion(apiKey: try r.readInt16("api key"), minVersion: try r.readInt16("min version"),
                               maxVersion: try r.readInt16("max version"))
            if compact { try r.readTaggedFields() }
            return v
        }
        throttleTimeMs = version >= 1 ? try r.readInt32("throttle time") : 0
        finalizedFeaturesEpoch = -1
        if compact {
            var epoch: Int64 = -1
            try r.readTaggedFields { tag, field in
                if tag == 1 { epoch = try field.readInt64("finalized features epoch") }
            }
            finalizedFeaturesEpoch = epoch
        }
    }

    /// The supported range for `key`, if the broker advertised it.
    public func range(for key: ApiKey) -> ClosedRange<Int16>? {
        guard let k = apiKeys.first(where: { $0.apiKey == key.rawValue }), k.minVersion <= k.maxVersion else { return nil }
        return k.minVersion...k.maxVersion
    }
}
