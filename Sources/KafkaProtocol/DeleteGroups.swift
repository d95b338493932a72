/// DeleteGroups request (key 42), v0–2: delete consumer groups that have no members, and their
/// committed offsets (what `kafka-consumer-groups --delete` sends).
public struct DeleteGroupsRequest: KafkaRequest {
    public typealias Response = DeleteGroupsResponse
    public static let apiKey = ApiKey.deleteGroups

    public var groupsNames: [String]

    public init(groupsNames: [String]) { self.groupsNames = groupsNames }

    public func encode(into w: inout KafkaWriter, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        w.writeArray(groupsNames, compact: compact) { w, n in w.writeString(n, compact: compact) }
        if compact { w.writeTaggedFields() }
    }

    public init(from r: inout KafkaReader, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        groupsNames = try r.readArray(compact: compact, "group names") { r in try r.readString(compact: compact, "group name") }
        if compact { try r.readTaggedFields() }
    }
}

/// DeleteGroups response: an error per group (NONE, GROUP_ID_NOT_FOUND, NON_EMPTY_GROUP, …).
public struct DeleteGroupsResponse: KafkaMessage {
    public static let apiKey = ApiKey.deleteGroups

    public struct Result: Equatable, Sendable {
        public var groupId: String
        public var errorCode: KafkaErrorCode
        public init(groupId: String, errorCode: KafkaErrorCode = .none) { self.groupId = groupId; self.errorCode = errorCode }
    }

    public var throttleTimeMs: Int32
    public var results: [Result]

    public init(throttleTimeMs: Int32 = 0, results: [Result]) { self.throttleTimeMs = throttleTimeMs; self.results = results }

    public func encode(into w: inout KafkaWriter, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        w.writeInt32(throttleTimeMs)
        w.writeArray(results, compact: compact) { w, g in
            w.writeString(g.groupId, compact: compact)
            w.writeInt16(g.errorCode.rawValue)
            if compact { w.writeTaggedFields() }
        }
        if compact { w.writeTaggedFields() }
    }

    public init(from r: inout KafkaReader, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        throttleTimeMs = try r.readInt32("throttle time")
        results = try r.readArray(compact: compact, "results") { r in
            let g = Result(groupId: try r.readString(compact: compact, "group id"), errorCode: KafkaErrorCode(try r.readInt16("error code")))
            if compact { try r.readTaggedFields() }
            return g
        }
        if compact { try r.readTaggedFields() }
    }
}
