/// FindCoordinator request (key 10). v4+ looks up many keys at once; earlier versions one.
public struct FindCoordinatorRequest: KafkaRequest {
    public typealias Response = FindCoordinatorResponse
    public static let apiKey = ApiKey.findCoordinator
    /// 0 = group, 1 = transaction.
    public var keyType: Int8
    public var keys: [String]

    public init(keyType: Int8 = 0, keys: [String]) { self.keyType = keyType; self.keys = keys }

    public func encode(into w: inout KafkaWriter, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        if version <= 3 {
            guard keys.count == 1 else {
                throw KafkaProtocolError.invalidValue(field: "coordinator keys", detail: "v\(version) takes exactly one key, got \(keys.count)")
            }
            w.writeString(keys[0], compact: compact)
        }
        if version >= 1 { w.writeInt8(keyType) }
        if version >= 4 { w.writeArray(keys, compact: true) { $0.writeString($1, compact: true) } }
        if compact { w.writeTaggedFields() }
    }

    public init(from r: inout KafkaReader, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        var keys: [String] = []
        if version <= 3 { keys = [try r.readString(compact: compact, "key")] }
        keyType = version >= 1 ? try r.readInt8("key type") : 0
        if version >= 4 { keys = try r.readArray(compact: true, "coordinator keys") { try $0.readString(compact: true, "key") } }
        self.keys = keys
        if compact { try r.readTaggedFields() }
    }
}

/// FindCoordinator response; pre-v4 single answers are presented as a one-element list keyed by
/// the request's key (`key` is empty on decode for those versions).
public struct FindCoordinatorResponse: KafkaMessage {
    public static let apiKey = ApiKey.findCoordinator

    public struct Coordinator: Equatable, Sendable {
        public var key: String
        public var nodeId: Int32
        public var host: String
        public var port: Int32
        public var errorCode: KafkaErrorCode
        public var errorMessage: String?
        public init(key: String, nodeId: Int32, host: String, port: Int32, errorCode: KafkaErrorCode = .none, errorMessage: String? = nil) {
            self.key = key; self.nodeId = nodeId; self.host = host; self.port = port
            self.errorCode = errorCode; self.errorMessage = errorMessage
        }
    }

    public var throttleTimeMs: Int32
    public var coordinators: [Coordinator]

    public init(throttleTimeMs: Int32 = 0, coordinators: [Coordinator]) {
        self.throttleTimeMs = throttleTimeMs; self.coordinators = coordinators
    }

    public func encode(into w: inout KafkaWriter, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        if version >= 1 { w.writeInt32(throttleTimeMs) }
        if version <= 3 {
            guard let c = coordinators.first, coordinators.count == 1 else {
                throw KafkaProtocolError.invalidValue(field: "coordinators", detail: "v\(version) carries exactly one")
            }
            w.writeInt16(c.errorCode.rawValue)
            if version >= 1 { w.writeNullableString(c.errorMessage, compact: compact) }
            w.writeInt32(c.nodeId)
            w.writeString(c.host, compact: compact)
            w.writeInt32(c.port)
        } else {
            w.writeArray(coordinators, compact: true) { w, c in
                w.writeString(c.key, compact: true)
                w.writeInt32(c.nodeId)
                w.writeString(c.host, compact: true)
                w.writeInt32(c.port)
                w.writeInt16(c.errorCode.rawValue)
                w.writeNullableString(c.errorMessage, compact: true)
                w.writeTaggedFields()
            }
        }
        if compact { w.writeTaggedFields() }
    }

    public init(from r: inout KafkaReader, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        throttleTimeMs = version >= 1 ? try r.readInt32("throttle time") : 0
        if version <= 3 {
            let error = KafkaErrorCode(try r.readInt16("error code"))
            let message = version >= 1 ? try r.readNullableString(compact: compact, "error message") : nil
            coordinators = [Coordinator(key: "", nodeId: try r.readInt32("node id"), host: try r.readString(compact: compact, "host"),
                                        port: try r.readInt32("port"), errorCode: error, errorMessage: message)]
        } else {
            coordinators = try r.readArray(compact: true, "coordinators") { r in
                let c = Coordinator(key: try r.readString(compact: true, "key"), nodeId: try r.readInt32("node id"),
                                    host: try r.readString(compact: true, "host"), port: try r.readInt32("port"),
                                    errorCode: KafkaErrorCode(try r.readInt16("error code")),
                                    errorMessage: try r.readNullableString(compact: true, "error message"))
                try r.readTaggedFields()
                return c
            }
        }
        if compact { try r.readTaggedFields() }
    }
}
