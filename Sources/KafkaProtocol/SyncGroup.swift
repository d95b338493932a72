/// SyncGroup request (key 14), v0–5: every member asks for its assignment; the leader brings
/// the assignments it computed for all members.
public struct SyncGroupRequest: KafkaRequest {
    public typealias Response = SyncGroupResponse
    public static let apiKey = ApiKey.syncGroup

    public struct Assignment: Equatable, Sendable {
        public var memberId: String
        public var assignment: [UInt8]
        public init(memberId: String, assignment: [UInt8]) { self.memberId = memberId; self.assignment = assignment }
    }

    public var groupId: String
    public var generationId: Int32
    public var memberId: String
    public var groupInstanceId: String?
    public var protocolType: String?
    public var protocolName: String?
    public var assignments: [Assignment]

    public init(groupId: String, generationId: Int32, memberId: String, groupInstanceId: String? = nil,
                protocolType: String? = nil, protocolName: String? = nil, assignments: [Assignment] = []) {
        self.groupId = groupId; self.generationId = generationId; self.memberId = memberId
        self.groupInstanceId = groupInstanceId; self.protocolType = protocolType; self.protocolName = protocolName
        self.assignments = assignments
    }

    public func encode(into w: inout KafkaWriter, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        w.writeString(groupId, compact: compact)
        w.writeInt32(generationId)
        w.writeString(memberId, compact: compact)
        if version >= 3 { w.writeNullableString(groupInstanceId, compact: compact) }
        if version >= 5 {
            w.writeNullableString(protocolType, compact: compact)
            w.writeNullableString(protocolName, compact: compact)
        }
        w.writeArray(assignments, compact: compact) { w, a in
            w.writeString(a.memberId, compact: compact)
            w.writeBytes(a.assignment, compact: compact)
            if compact { w.writeTaggedFields() }
        }
        if compact { w.writeTaggedFields() }
    }

    public init(from r: inout KafkaReader, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        groupId = try r.readString(compact: compact, "group id")
        generationId = try r.readInt32("generation id")
        memberId = try r.readString(compact: compact, "member id")
        groupInstanceId = version >= 3 ? try r.readNullableString(compact: compact, "group instance id") : nil
        protocolType = version >= 5 ? try r.readNullableString(compact: compact, "protocol type") : nil
        protocolName = version >= 5 ? try r.readNullableString(compact: compact, "protocol name") : nil
        assignments = try r.readArray(compact: compact, "assignments") { r in
            let a = Assignment(memberId: try r.readString(compact: compact, "member id"),
                               assignment: try r.readBytes(compact: compact, "assignment"))
            if compact { try r.readTaggedFields() }
            return a
        }
        if compact { try r.readTaggedFields() }
    }
}

/// SyncGroup response: this member's assignment (opaque to the coordinator).
public struct SyncGroupResponse: KafkaMessage {
    public static let apiKey = ApiKey.syncGroup

    public var throttleTimeMs: Int32
    public var errorCode: KafkaErrorCode
    public var protocolType: String?
    public var protocolName: String?
    public var assignment: [UInt8]

    public init(throttleTimeMs: Int32 = 0, errorCode: KafkaErrorCode = .none, protocolType: String? = nil,
                protocolName: String? = nil, assignment: [UInt8]) {
        self.throttleTimeMs = throttleTimeMs; self.errorCode = errorCode; self.protocolType = protocolType
        self.protocolName = protocolName; self.assignment = assignment
    }

    public func encode(into w: inout KafkaWriter, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        if version >= 1 { w.writeInt32(throttleTimeMs) }
        w.writeInt16(errorCode.rawValue)
        if version >= 5 {
            w.writeNullableString(protocolType, compact: compact)
            w.writeNullableString(protocolName, compact: compact)
        }
        w.writeBytes(assignment, compact: compact)
        if compact { w.writeTaggedFields() }
    }

    public init(from r: inout KafkaReader, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        throttleTimeMs = version >= 1 ? try r.readInt32("throttle time") : 0
        errorCode = KafkaErrorCode(try r.readInt16("error code"))
        protocolType = version >= 5 ? try r.readNullableString(compact: compact, "protocol type") : nil
        protocolName = version >= 5 ? try r.readNullableString(compact: compact, "protocol name") : nil
        assignment = try r.readBytes(compact: compact, "assignment")
        if compact { try r.readTaggedFields() }
    }
}
