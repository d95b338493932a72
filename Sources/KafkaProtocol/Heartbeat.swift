/// Heartbeat request (key 12), v0–4: a member says it is alive in a generation; the answer tells
/// it when a rebalance has begun.
public struct HeartbeatRequest: KafkaRequest {
    public typealias Response = HeartbeatResponse
    public static let apiKey = ApiKey.heartbeat

    public var groupId: String
    public var generationId: Int32
    public var memberId: String
    public var groupInstanceId: String?

    public init(groupId: String, generationId: Int32, memberId: String, groupInstanceId: String? = nil) {
        self.groupId = groupId; self.generationId = generationId; self.memberId = memberId; self.groupInstanceId = groupInstanceId
    }

    public func encode(into w: inout KafkaWriter, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        w.writeString(groupId, compact: compact)
        w.writeInt32(generationId)
        w.writeString(memberId, compact: compact)
        if version >= 3 { w.writeNullableString(groupInstanceId, compact: compact) }
        if compact { w.writeTaggedFields() }
    }

    public init(from r: inout KafkaReader, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        groupId = try r.readString(compact: compact, "group id")
        generationId = try r.readInt32("generation id")
        memberId = try r.readString(compact: compact, "member id")
        groupInstanceId = version >= 3 ? try r.readNullableString(compact: compact, "group instance id") : nil
        if compact { try r.readTaggedFields() }
    }
}

/// Heartbeat response: an error code (REBALANCE_IN_PROGRESS asks the member to rejoin).
public struct HeartbeatResponse: KafkaMessage {
    public static let apiKey = ApiKey.heartbeat

    public var throttleTimeMs: Int32
    public var errorCode: KafkaErrorCode

    public init(throttleTimeMs: Int32 = 0, errorCode: KafkaErrorCode = .none) {
        self.throttleTimeMs = throttleTimeMs; self.errorCode = errorCode
    }

    public func encode(into w: inout KafkaWriter, version: Int16) throws {
        try Self.check(version)
        if version >= 1 { w.writeInt32(throttleTimeMs) }
        w.writeInt16(errorCode.rawValue)
        if Self.apiKey.isFlexible(version) { w.writeTaggedFields() }
    }

    public init(from r: inout KafkaReader, version: Int16) throws {
        try Self.check(version)
        throttleTimeMs = version >= 1 ? try r.readInt32("throttle time") : 0
        errorCode = KafkaErrorCode(try r.readInt16("error code"))
        if Self.apiKey.isFlexible(version) { try r.readTaggedFields() }
    }
}
