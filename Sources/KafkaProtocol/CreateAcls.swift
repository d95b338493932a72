/// CreateAcls request (key 30), v1–3 (flexible from v2): add ACLs (`kafka-acls.sh --add`).
public struct CreateAclsRequest: KafkaRequest {
    public typealias Response = CreateAclsResponse
    public static let apiKey = ApiKey.createAcls

    public var creations: [AclBinding]

    public init(creations: [AclBinding]) { self.creations = creations }

    public func encode(into w: inout KafkaWriter, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        w.writeArray(creations, compact: compact) { w, a in
            w.writeAclBinding(a, compact: compact)
            if compact { w.writeTaggedFields() }
        }
        if compact { w.writeTaggedFields() }
    }

    public init(from r: inout KafkaReader, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        creations = try r.readArray(compact: compact, "creations") { r in
            let a = try r.readAclBinding(compact: compact)
            if compact { try r.readTaggedFields() }
            return a
        }
        if compact { try r.readTaggedFields() }
    }
}

/// CreateAcls response: an error per creation, in request order.
public struct CreateAclsResponse: KafkaMessage {
    public static let apiKey = ApiKey.createAcls

    public struct Result: Equatable, Sendable {
        public var errorCode: KafkaErrorCode
        public var errorMessage: String?
        public init(errorCode: KafkaErrorCode = .none, errorMessage: String? = nil) { self.errorCode = errorCode; self.errorMessage = errorMessage }
    }

    public var throttleTimeMs: Int32
    public var results: [Result]

    public init(throttleTimeMs: Int32 = 0, results: [Result]) { self.throttleTimeMs = throttleTimeMs; self.results = results }

    public func encode(into w: inout KafkaWriter, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        w.writeInt32(throttleTimeMs)
        w.writeArray(results, compact: compact) { w, x in
            w.writeInt16(x.errorCode.rawValue)
            w.writeNullableString(x.errorMessage, compact: compact)
            if compact { w.writeTaggedFields() }
        }
        if compact { w.writeTaggedFields() }
    }

    public init(from r: inout KafkaReader, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        throttleTimeMs = try r.readInt32("throttle time")
        results = try r.readArray(compact: compact, "results") { r in
            let x = Result(errorCode: KafkaErrorCode(try r.readInt16("error code")), errorMessage: try r.readNullableString(compact: compact, "error message"))
            if compact { try r.readTaggedFields() }
            return x
        }
        if compact { try r.readTaggedFields() }
    }
}
