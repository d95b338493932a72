/// DescribeGroups request (key 15).
public struct DescribeGroupsRequest: KafkaRequest {
    public typealias Response = DescribeGroupsResponse
    public static let apiKey = ApiKey.describeGroups
    public var groups: [String]
    public var includeAuthorizedOperations: Bool

    public init(groups: [String], includeAuthorizedOperations: Bool = false) {
        self.groups = groups; self.includeAuthorizedOperations = includeAuthorizedOperations
    }

    public func encode(into w: inout KafkaWriter, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        w.writeArray(groups, compact: compact) { $0.writeString($1, compact: compact) }
        if version >= 3 { w.writeBool(includeAuthorizedOperations) }
        if compact { w.writeTaggedFields() }
    }

    public init(from r: inout KafkaReader, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        groups = try r.readArray(compact: compact, "groups") { try $0.readString(compact: compact, "group id") }
        includeAuthorizedOperations = version >= 3 ? try r.readBool("include authorized operations") : false
        if compact { try r.readTaggedFields() }
    }
}

/// DescribeGroups response: state, protocol and members. For the `consumer` protocol type the
/// member metadata and assignment bytes are ``ConsumerProtocolSubscription`` and
/// ``ConsumerProtocolAssignment``.
public struct DescribeGroupsResponse: KafkaMessage {
    public static let apiKey = ApiKey.describeGroups

    public struct Member: Equatable, Sendable {
        public var memberId: String
        public var groupInstanceId: String?
        public var clientId: String
        public var clientHost: String
        public var memberMetadata: [UInt8]
        public var memberAssignment: [UInt8]
        public init(memberId: String, groupInstanceId: String? = nil, clientId: String, clientHost: String,
                    memberMetadata: [UInt8] = [], memberAssignment: [UInt8] = []) {
            self.memberId = memberId; self.groupInstanceId = groupInstanceId; self.clientId = clientId
            self.clientHost = clientHost; self.memberMetadata = memberMetadata; self.memberAssignment = memberAssignment
        }
    }

    public struct Group: Equatable, Sendable {
        public var errorCode: KafkaErrorCode
        public var groupId: String
        public var groupState: String
        public var protocolType: String
        /// The chosen assignor for consumer groups (range, cooperative-sticky, …).
        public var protocolData: String
        public var members: [Member]
        public var authorizedOperations: Int32
        public init(errorCode: KafkaErrorCode = .none, groupId: String, groupState: String, protocolType: String,
                    protocolData: String, members: [Member], authorizedOperations: Int32 = Int32.min) {
            self.errorCode = errorCode; self.groupId = groupId; self.groupState = groupState
            self.protocolType = protocolType; self.protocolData = protocolData; self.members = members
            self.authorizedOperations = authorizedOperations
        }
    }

    public var throttleTimeMs: Int32
    public var groups: [Group]

    public init(throttleTimeMs: Int32 = 0, groups: [Group]) { self.throttleTimeMs = throttleTimeMs; self.groups = groups }

    public func encode(into w: inout KafkaWriter, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        if version >= 1 { w.writeInt32(throttleTimeMs) }
        w.writeArray(groups, compact: compact) { w, g in
            w.writeInt16(g.errorCode.rawValue)
            w.writeString(g.groupId, compact: compact)
            w.writeString(g.groupState, compact: compact)
            w.writeString(g.protocolType, compact: compact)
            w.writeString(g.protocolData, compact: compact)
            w.writeArray(g.members, compact: compact) { w, m in
                w.writeString(m.memberId, compact: compact)
                if version >= 4 { w.writeNullableString(m.groupInstanceId, compact: compact) }
                w.writeString(m.clientId, compact: compact)
                w.writeString(m.clientHost, compact: compact)
                w.writeBytes(m.memberMetadata, compact: compact)
                w.writeBytes(m.memberAssignment, compact: compact)
                if compact { w.writeTaggedFields() }
            }
            if version >= 3 { w.writeInt32(g.authorizedOperations) }
            if compact { w.writeTaggedFields() }
        }
        if compact { w.writeTaggedFields() }
    }

    public init(from r: inout KafkaReader, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        throttleTimeMs = version >= 1 ? try r.readInt32("throttle time") : 0
        groups = try r.readArray(compact: compact, "groups") { r in
            let error = KafkaErrorCode(try r.readInt16("error code"))
            let id = try r.readString(compact: compact, "group id")
            let state = try r.readString(compact: compact, "group state")
            let ptype = try r.readString(compact: compact, "protocol type")
            let pdata = try r.readString(compact: compact, "protocol data")
            let members = try r.readArray(compact: compact, "members") { r in
                let m = Member(memberId: try r.readString(compact: compact, "member id"),
                               groupInstanceId: version >= 4 ? try r.readNullableString(compact: compact, "group instance id") : nil,
                               clientId: try r.readString(compact: compact, "client id"),
                               clientHost: try r.readString(compact: compact, "client host"),
                               memberMetadata: try r.readBytes(compact: compact, "member metadata"),
                               memberAssignment: try r.readBytes(compact: compact, "member assignment"))
                if compact { try r.readTaggedFields() }
                return m
            }
            let ops = version >= 3 ? try r.readInt32("authorized operations") : Int32.min
            if compact { try r.readTaggedFields() }
            return Group(errorCode: error, groupId: id, groupState: state, protocolType: ptype, protocolData: pdata,
                         members: members, authorizedOperations: ops)
        }
        if compact { try r.readTaggedFields() }
    }
}
