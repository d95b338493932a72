/// ListGroups request (key 16); v4 adds a state filter, v5 a type filter.
public struct ListGroupsRequest: KafkaRequest {
    public typealias Response = ListGroupsResponse
    public static let apiKey = ApiKey.listGroups
    public var statesFilter: [String]
    public var typesFilter: [String]

    public init(statesFilter: [String] = [], typesFilter: [String] = []) {
        self.statesFilter = statesFilter; self.typesFilter = typesFilter
    }

    public func encode(into w: inout KafkaWriter, version: Int16) throws {
        try Self.check(version)
        if version >= 4 { w.writeArray(statesFilter, compact: true) { $0.writeString($1, compact: true) } }
        if version >= 5 { w.writeArray(typesFilter, compact: true) { $0.writeString($1, compact: true) } }
        if Self.apiKey.isFlexible(version) { w.writeTaggedFields() }
    }

    public init(from r: inout KafkaReader, version: Int16) throws {
        try Self.check(version)
        statesFilter = version >= 4 ? try r.readArray(compact: true, "states filter") { try $0.readString(compact: true, "state") } : []
        typesFilter = version >= 5 ? try r.readArray(compact: true, "types filter") { try $0.readString(compact: true, "type") } : []
        if Self.apiKey.isFlexible(version) { try r.readTaggedFields() }
    }
}

/// ListGroups response: group ids with protocol type, and state (v4+) and type (v5+).
public struct ListGroupsResponse: KafkaMessage {
    public static let apiKey = ApiKey.listGroups

    public struct Group: Equatable, Sendable {
        public var groupId: String
        public var protocolType: String
        public var groupState: String
        public var groupType: String
        public init(groupId: String, protocolType: String, groupState: String = "", groupType: String = "") {
            self.groupId = groupId; self.protocolType = protocolType; self.groupState = groupState; self.groupType = groupType
        }
    }

    public var throttleTimeMs: Int32
    public var errorCode: KafkaErrorCode
    public var groups: [Group]

    public init(throttleTimeMs: Int32 = 0, errorCode: KafkaErrorCode = .none, groups: [Group]) {
        self.throttleTimeMs = throttleTimeMs; self.errorCode = errorCode; self.groups = groups
    }

    public func encode(into w: inout KafkaWriter, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        if version >= 1 { w.writeInt32(throttleTimeMs) }
        w.writeInt16(errorCode.rawValue)
        w.writeArray(groups, compact: compact) { w, g in
            w.writeString(g.groupId, compact: compact)
            w.writeString(g.protocolType, compact: compact)
            if version >= 4 { w.writeString(g.groupState, compact: compact) }
            if version >= 5 { w.writeString(g.groupType, compact: compact) }
            if compact { w.writeTaggedFields() }
        }
        if compact { w.writeTaggedFields() }
    }

    public init(from r: inout KafkaReader, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        throttleTimeMs = version >= 1 ? try r.readInt32("throttle time") : 0
        errorCode = KafkaErrorCode(try r.readInt16("error code"))
        groups = try r.readArray(compact: compact, "groups") { r in
            var g = Group(groupId: try r.readString(compact: compact, "group id"),
                          protocolType: try r.readString(compact: compact, "protocol type"))
            if version >= 4 { g.groupState = try r.readString(compact: compact, "group state") }
            if version >= 5 { g.groupType = try r.readString(compact: compact, "group type") }
            if compact { try r.readTaggedFields() }
            return g
        }
        if compact { try r.readTaggedFields() }
    }
}
