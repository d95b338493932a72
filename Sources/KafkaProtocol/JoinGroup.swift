/// JoinGroup request (key 11), v0–9: a member asks to join (or rejoin) a group, offering the
/// assignment protocols it supports with opaque metadata the coordinator passes to the leader.
public struct JoinGroupRequest: KafkaRequest {
    public typealias Response = JoinGroupResponse
    public static let apiKey = ApiKey.joinGroup

    public struct GroupProtocol: Equatable, Sendable {
        public var name: String
        public var metadata: [UInt8]
        public init(name: String, metadata: [UInt8]) { self.name = name; self.metadata = metadata }
    }

    public var groupId: String
    public var sessionTimeoutMs: Int32
    /// -1 before v1, where the session timeout doubles as the rebalance timeout.
    public var rebalanceTimeoutMs: Int32
    public var memberId: String
    public var groupInstanceId: String?
    public var protocolType: String
    public var protocols: [GroupProtocol]
    public var reason: String?

    public init(groupId: String, sessionTimeoutMs: Int32, rebalanceTimeoutMs: Int32 = -1, memberId: String,
                groupInstanceId: String? = nil, protocolType: String, protocols: [GroupProtocol], reason: String? = nil) {
        self.groupId = groupId; self.sessionTimeoutMs = sessionTimeoutMs; self.rebalanceTimeoutMs = rebalanceTimeoutMs
        self.memberId = memberId; self.groupInstanceId = groupInstanceId; self.protocolType = protocolType
        self.protocols = protocols; self.reason = reason
    }

    public func encode(into w: inout KafkaWriter, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        w.writeString(groupId, compact: compact)
        w.writeInt32(sessionTimeoutMs)
        if version >= 1 { w.writeInt32(rebalanceTimeoutMs) }
        w.writeString(memberId, compact: compact)
        if version >= 5 { w.writeNullableString(groupInstanceId, compact: compact) }
        w.writeString(protocolType, compact: compact)
        w.writeArray(protocols, compact: compact) { w, p in
            w.writeString(p.name, compact: compact)
            w.writeBytes(p.metadata, compact: compact)
            if compact { w.writeTaggedFields() }
        }
        if version >= 8 { w.writeNullableString(reason, compact: compact) }
        if compact { w.writeTaggedFields() }
    }

    public init(from r: inout KafkaReader, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        groupId = try r.readString(compact: compact, "group id")
        sessionTimeoutMs = try r.readInt32("session timeout")
        rebalanceTimeoutMs = version >= 1 ? try r.readInt32("rebalance timeout") : -1
        memberId = try r.readString(compact: compact, "member id")
        groupInstanceId = version >= 5 ? try r.readNullableString(compact: compact, "group instance id") : nil
        protocolType = try r.readString(compact: compact, "protocol type")
        protocols = try r.readArray(compact: compact, "protocols") { r in
            let p = GroupProtocol(name: try r.readString(compact: compact, "protocol name"),
                             metadata: try r.readBytes(compact: compact, "protocol metadata"))
            if compact { try r.readTaggedFields() }
            return p
        }
        reason = version >= 8 ? try r.readNullableString(compact: compact, "reason") : nil
        if compact { try r.readTaggedFields() }
    }
}

/// JoinGroup response: the generation, the chosen protocol, the leader, and — for the leader
/// only — every member's metadata so it can compute the assignment.
public struct JoinGroupResponse: KafkaMessage {
    public static let apiKey = ApiKey.joinGroup

    public struct Member: Equatable, Sendable {
        public var memberId: String
        public var groupInstanceId: String?
        public var metadata: [UInt8]
        public init(memberId: String, groupInstanceId: String? = nil, metadata: [UInt8]) {
            self.memberId = memberId; self.groupInstanceId = groupInstanceId; self.metadata = metadata
        }
    }

    public var throttleTimeMs: Int32
    public var errorCode: KafkaErrorCode
    public var generationId: Int32
    public var protocolType: String?
    public var protocolName: String?
    public var leader: String
    public var skipAssignment: Bool
    public var memberId: String
    public var members: [Member]

    public init(throttleTimeMs: Int32 = 0, errorCode: KafkaErrorCode = .none, generationId: Int32 = -1,
                protocolType: String? = nil, protocolName: String?, leader: String, skipAssignment: Bool = false,
                memberId: String, members: [Member] = []) {
        self.throttleTimeMs = throttleTimeMs; self.errorCode = errorCode; self.generationId = generationId
        self.protocolType = protocolType; self.protocolName = protocolName; self.leader = leader
        self.skipAssignment = skipAssignment; self.memberId = memberId; self.members = members
    }

    public func encode(into w: inout KafkaWriter, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        if version >= 2 { w.writeInt32(throttleTimeMs) }
        w.writeInt16(errorCode.rawValue)
        w.writeInt32(generationId)
        if version >= 7 { w.writeNullableString(protocolType, compact: compact) }
        // Before v7 the protocol name is not nullable: an error answer carries "".
        if version >= 7 { w.writeNullableString(protocolName, compact: compact) } else { w.writeString(protocolName ?? "", compact: compact) }
        w.writeString(leader, compact: compact)
        if version >= 9 { w.writeBool(skipAssignment) }
        w.writeString(memberId, compact: compact)
        w.writeArray(members, compact: compact) { w, m in
            w.writeString(m.memberId, compact: compact)
            if version >= 5 { w.writeNullableString(m.groupInstanceId, compact: compact) }
            w.writeBytes(m.metadata, compact: compact)
            if compact { w.writeTaggedFields() }
        }
        if compact { w.writeTaggedFields() }
    }

    public init(from r: inout KafkaReader, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        throttleTimeMs = version >= 2 ? try r.readInt32("throttle time") : 0
        errorCode = KafkaErrorCode(try r.readInt16("error code"))
        generationId = try r.readInt32("generation id")
        protocolType = version >= 7 ? try r.readNullableString(compact: compact, "protocol type") : nil
        protocolName = try r.readNullableString(compact: compact, "protocol name")
        leader = try r.readString(compact: compact, "leader")
        skipAssignment = version >= 9 ? try r.readBool("skip assignment") : false
        memberId = try r.readString(compact: compact, "member id")
        members = try r.readArray(compact: compact, "members") { r in
            let id = try r.readString(compact: compact, "member id")
            let instance = version >= 5 ? try r.readNullableString(compact: compact, "group instance id") : nil
            let m = Member(memberId: id, groupInstanceId: instance, metadata: try r.readBytes(compact: compact, "member metadata"))
            if compact { try r.readTaggedFields() }
            return m
        }
        if compact { try r.readTaggedFields() }
    }
}
