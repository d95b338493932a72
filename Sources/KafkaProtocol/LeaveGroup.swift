/// LeaveGroup request (key 13), v0–5: one member (v0–2) or a batch of members (v3+) leave a group.
public struct LeaveGroupRequest: KafkaRequest {
    public typealias Response = LeaveGroupResponse
    public static let apiKey = ApiKey.leaveGroup

    public struct Member: Equatable, Sendable {
        public var memberId: String
        public var groupInstanceId: String?
        public var reason: String?
        public init(memberId: String, groupInstanceId: String? = nil, reason: String? = nil) {
            self.memberId = memberId; self.groupInstanceId = groupInstanceId; self.reason = reason
        }
    }

    public var groupId: String
    /// v0–2 carry exactly one member id; it is kept here as a one-element list.
    public var members: [Member]

    public init(groupId: String, members: [Member]) { self.groupId = groupId; self.members = members }

    public func encode(into w: inout KafkaWriter, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        w.writeString(groupId, compact: compact)
        if version < 3 {
            guard members.count == 1 else { throw KafkaProtocolError.invalidValue(field: "members", detail: "LeaveGroup v\(version) carries exactly one member") }
            w.writeString(members[0].memberId, compact: compact)
        } else {
            w.writeArray(members, compact: compact) { w, m in
                w.writeString(m.memberId, compact: compact)
                w.writeNullableString(m.groupInstanceId, compact: compact)
                if version >= 5 { w.writeNullableString(m.reason, compact: compact) }
                if compact { w.writeTaggedFields() }
            }
        }
        if compact { w.writeTaggedFields() }
    }

    public init(from r: inout KafkaReader, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        groupId = try r.readString(compact: compact, "group id")
        if version < 3 {
            members = [Member(memberId: try r.readString(compact: compact, "member id"))]
        } else {
            members = try r.readArray(compact: compact, "members") { r in
                let id = try r.readString(compact: compact, "member id")
                let instance = try r.readNullableString(compact: compact, "group instance id")
                let reason = version >= 5 ? try r.readNullableString(compact: compact, "reason") : nil
                if compact { try r.readTaggedFields() }
                return Member(memberId: id, groupInstanceId: instance, reason: reason)
            }
        }
        if compact { try r.readTaggedFields() }
    }
}

/// LeaveGroup response: an error for the request and, from v3, one per member.
public struct LeaveGroupResponse: KafkaMessage {
    public static let apiKey = ApiKey.leaveGroup

    public struct Member: Equatable, Sendable {
        public var memberId: String
        public var groupInstanceId: String?
        public var errorCode: KafkaErrorCode
        public init(memberId: String, groupInstanceId: String? = nil, errorCode: KafkaErrorCode = .none) {
            self.memberId = memberId; self.groupInstanceId = groupInstanceId; self.errorCode = errorCode
        }
    }

    public var throttleTimeMs: Int32
    public var errorCode: KafkaErrorCode
    public var members: [Member]

    public init(throttleTimeMs: Int32 = 0, errorCode: KafkaErrorCode = .none, members: [Member] = []) {
        self.throttleTimeMs = throttleTimeMs; self.errorCode = errorCode; self.members = members
    }

    public func encode(into w: inout KafkaWriter, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        if version >= 1 { w.writeInt32(throttleTimeMs) }
        w.writeInt16(errorCode.rawValue)
        if version >= 3 {
            w.writeArray(members, compact: compact) { w, m in
                w.writeString(m.memberId, compact: compact)
                w.writeNullableString(m.groupInstanceId, compact: compact)
                w.writeInt16(m.errorCode.rawValue)
                if compact { w.writeTaggedFields() }
            }
        }
        if compact { w.writeTaggedFields() }
    }

    public init(from r: inout KafkaReader, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        throttleTimeMs = version >= 1 ? try r.readInt32("throttle time") : 0
        errorCode = KafkaErrorCode(try r.readInt16("error code"))
        members = version >= 3 ? try r.readArray(compact: compact, "members") { r in
            let m = Member(memberId: try r.readString(compact: compact, "member id"),
                           groupInstanceId: try r.readNullableString(compact: compact, "group instance id"),
                           errorCode: KafkaErrorCode(try r.readInt16("error code")))
            if compact { try r.readTaggedFields() }
            return m
        } : []
        if compact { try r.readTaggedFields() }
    }
}
