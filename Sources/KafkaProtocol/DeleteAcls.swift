/// DeleteAcls request (key 31), v1–3 (flexible from v2): remove the ACLs each filter selects
/// (`kafka-acls.sh --remove`).
public struct DeleteAclsRequest: KafkaRequest {
    public typealias Response = DeleteAclsResponse
    public static let apiKey = ApiKey.deleteAcls

    public var filters: [AclBindingFilter]

    public init(filters: [AclBindingFilter]) { self.filters = filters }

    public func encode(into w: inout KafkaWriter, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        w.writeArray(filters, compact: compact) { w, f in
            w.writeAclFilter(f, compact: compact)
            if compact { w.writeTaggedFields() }
        }
        if compact { w.writeTaggedFields() }
    }

    public init(from r: inout KafkaReader, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        filters = try r.readArray(compact: compact, "filters") { r in
            let f = try r.readAclFilter(compact: compact)
            if compact { try r.readTaggedFields() }
            return f
        }
        if compact { try r.readTaggedFields() }
    }
}

/// DeleteAcls response: per filter, its error and the ACLs it removed.
public struct DeleteAclsResponse: KafkaMessage {
    public static let apiKey = ApiKey.deleteAcls

    public struct FilterResult: Equatable, Sendable {
        public var errorCode: KafkaErrorCode
        public var errorMessage: String?
        public var matching: [AclBinding]
        public init(errorCode: KafkaErrorCode = .none, errorMessage: String? = nil, matching: [AclBinding] = []) {
            self.errorCode = errorCode; self.errorMessage = errorMessage; self.matching = matching
        }
    }

    public var throttleTimeMs: Int32
    public var results: [FilterResult]

    public init(throttleTimeMs: Int32 = 0, results: [FilterResult]) { self.throttleTimeMs = throttleTimeMs; self.results = results }

    public func encode(into w: inout KafkaWriter, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        w.writeInt32(throttleTimeMs)
        w.writeArray(results, compact: compact) { w, x in
            w.writeInt16(x.errorCode.rawValue)
            w.writeNullableString(x.errorMessage, compact: compact)
            w.writeArray(x.matching, compact: compact) { w, a in
                w.writeInt16(0)                              // each removal succeeds or the filter fails whole
                w.writeNullableString(nil, compact: compact)
                w.writeAclBinding(a, compact: compact)
                if compact { w.writeTaggedFields() }
            }
            if compact { w.writeTaggedFields() }
        }
        if compact { w.writeTaggedFields() }
    }

    public init(from r: inout KafkaReader, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        throttleTimeMs = try r.readInt32("throttle time")
        results = try r.readArray(compact: compact, "filter results") { r in
            let code = KafkaErrorCode(try r.readInt16("error code"))
            let message = try r.readNullableString(compact: compact, "error message")
            let matching = try r.readArray(compact: compact, "matching acls") { r in
                _ = try r.readInt16("error code")
                _ = try r.readNullableString(compact: compact, "error message")
                let a = try r.readAclBinding(compact: compact)
                if compact { try r.readTaggedFields() }
                return a
            }
            if compact { try r.readTaggedFields() }
            return FilterResult(errorCode: code, errorMessage: message, matching: matching)
        }
        if compact { try r.readTaggedFields() }
    }
}
