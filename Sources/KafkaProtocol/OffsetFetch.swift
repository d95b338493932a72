/// OffsetFetch request (key 9). v8+ fetches many groups in one request; earlier versions one.
/// `topics == nil` asks for every partition the group has committed (v2+).
public struct OffsetFetchRequest: KafkaRequest {
    public typealias Response = OffsetFetchResponse
    public static let apiKey = ApiKey.offsetFetch

    public struct Group: Equatable, Sendable {
        public var groupId: String
        public var topics: [TopicPartitions]?
        public init(groupId: String, topics: [TopicPartitions]? = nil) { self.groupId = groupId; self.topics = topics }
    }

    public var groups: [Group]
    public var requireStable: Bool

    public init(groups: [Group], requireStable: Bool = false) { self.groups = groups; self.requireStable = requireStable }

    public func encode(into w: inout KafkaWriter, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        func writeTopics(_ w: inout KafkaWriter, _ topics: [TopicPartitions]?) {
            w.writeNullableArray(topics, compact: compact) { w, t in
                w.writeString(t.topic, compact: compact)
                w.writeArray(t.partitions, compact: compact) { $0.writeInt32($1) }
                if compact { w.writeTaggedFields() }
            }
        }
        if version <= 7 {
            guard let g = groups.first, groups.count == 1 else {
                throw KafkaProtocolError.invalidValue(field: "groups", detail: "v\(version) takes exactly one group, got \(groups.count)")
            }
            if version < 2 && g.topics == nil {
                throw KafkaProtocolError.invalidValue(field: "topics", detail: "v\(version) cannot ask for all topics")
            }
            w.writeString(g.groupId, compact: compact)
            writeTopics(&w, g.topics)
        } else {
            w.writeArray(groups, compact: true) { w, g in
                w.writeString(g.groupId, compact: true)
                if version >= 9 {
                    w.writeNullableString(nil, compact: true)  // member id: not a member
                    w.writeInt32(-1)                          // member epoch
                }
                writeTopics(&w, g.topics)
                w.writeTaggedFields()
            }
        }
        if version >= 7 { w.writeBool(requireStable) }
        if compact { w.writeTaggedFields() }
    }

    public init(from r: inout KafkaReader, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        func readTopics(_ r: inout KafkaReader) throws -> [TopicPartitions]? {
            try r.readNullableArray(compact: compact, "topics") { r in
                let t = TopicPartitions(topic: try r.readString(compact: compact, "topic"),
                                        partitions: try r.readArray(compact: compact, "partition indexes") { try $0.readInt32("partition") })
                if compact { try r.readTaggedFields() }
                return t
            }
        }
        if version <= 7 {
            let id = try r.readString(compact: compact, "group id")
            groups = [Group(groupId: id, topics: try readTopics(&r))]
        } else {
            groups = try r.readArray(compact: true, "groups") { r in
                let id = try r.readString(compact: true, "group id")
                if version >= 9 {
                    _ = try r.readNullableString(compact: true, "member id")
                    _ = try r.readInt32("member epoch")
                }
                let g = Group(groupId: id, topics: try readTopics(&r))
                try r.readTaggedFields()
                return g
            }
        }
        requireStable = version >= 7 ? try r.readBool("require stable") : false
        if compact { try r.readTaggedFields() }
    }
}

/// OffsetFetch response. Pre-v8 answers are presented as one group whose `groupId` is empty on
/// decode (the wire does not repeat it); a committed offset of -1 means "no commit".
public struct OffsetFetchResponse: KafkaMessage {
    public static let apiKey = ApiKey.offsetFetch

    public struct Partition: Equatable, Sendable {
        public var partitionIndex: Int32
        public var committedOffset: Int64
        public var committedLeaderEpoch: Int32
        public var metadata: String?
        public var errorCode: KafkaErrorCode
        public init(partitionIndex: Int32, committedOffset: Int64, committedLeaderEpoch: Int32 = -1, metadata: String? = "",
                    errorCode: KafkaErrorCode = .none) {
            self.partitionIndex = partitionIndex; self.committedOffset = committedOffset
            self.committedLeaderEpoch = committedLeaderEpoch; self.metadata = metadata; self.errorCode = errorCode
        }
    }

    public struct Topic: Equatable, Sendable {
        public var name: String
        public var partitions: [Partition]
        public init(name: String, partitions: [Partition]) { self.name = name; self.partitions = partitions }
    }

    public struct Group: Equatable, Sendable {
        public var groupId: String
        public var topics: [Topic]
        public var errorCode: KafkaErrorCode
        public init(groupId: String, topics: [Topic], errorCode: KafkaErrorCode = .none) {
            self.groupId = groupId; self.topics = topics; self.errorCode = errorCode
        }
    }

    public var throttleTimeMs: Int32
    public var groups: [Group]

    public init(throttleTimeMs: Int32 = 0, groups: [Group]) { self.throttleTimeMs = throttleTimeMs; self.groups = groups }

    public func encode(into w: inout KafkaWriter, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        func writeTopics(_ w: inout KafkaWriter, _ topics: [Topic]) {
            w.writeArray(topics, compact: compact) { w, t in
                w.writeString(t.name, compact: compact)
                w.writeArray(t.partitions, compact: compact) { w, p in
                    w.writeInt32(p.partitionIndex)
                    w.writeInt64(p.committedOffset)
                    if version >= 5 { w.writeInt32(p.committedLeaderEpoch) }
                    w.writeNullableString(p.metadata, compact: compact)
                    w.writeInt16(p.errorCode.rawValue)
                    if compact { w.writeTaggedFields() }
                }
                if compact { w.writeTaggedFields() }
            }
        }
        if version >= 3 { w.writeInt32(throttleTimeMs) }
        if version <= 7 {
            guard let g = groups.first, groups.count == 1 else {
                throw KafkaProtocolError.invalidValue(field: "groups", detail: "v\(version) carries exactly one group")
            }
            writeTopics(&w, g.topics)
            if version >= 2 { w.writeInt16(g.errorCode.rawValue) }
        } else {
            w.writeArray(groups, compact: true) { w, g in
                w.writeString(g.groupId, compact: true)
                writeTopics(&w, g.topics)
                w.writeInt16(g.errorCode.rawValue)
                w.writeTaggedFields()
            }
        }
        if compact { w.writeTaggedFields() }
    }

    public init(from r: inout KafkaReader, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        func readTopics(_ r: inout KafkaReader) throws -> [Topic] {
            try r.readArray(compact: compact, "topics") { r in
                let name = try r.readString(compact: compact, "topic")
                let partitions = try r.readArray(compact: compact, "partitions") { r in
                    let p = Partition(partitionIndex: try r.readInt32("partition index"),
                                      committedOffset: try r.readInt64("committed offset"),
                                      committedLeaderEpoch: version >= 5 ? try r.readInt32("committed leader epoch") : -1,
                                      metadata: try r.readNullableString(compact: compact, "metadata"),
                                      errorCode: KafkaErrorCode(try r.readInt16("error code")))
                    if compact { try r.readTaggedFields() }
                    return p
                }
                if compact { try r.readTaggedFields() }
                return Topic(name: name, partitions: partitions)
            }
        }
        throttleTimeMs = version >= 3 ? try r.readInt32("throttle time") : 0
        if version <= 7 {
            let topics = try readTopics(&r)
            let error = version >= 2 ? KafkaErrorCode(try r.readInt16("error code")) : .none
            groups = [Group(groupId: "", topics: topics, errorCode: error)]
        } else {
            groups = try r.readArray(compact: true, "groups") { r in
                let id = try r.readString(compact: true, "group id")
                let topics = try readTopics(&r)
                let g = Group(groupId: id, topics: topics, errorCode: KafkaErrorCode(try r.readInt16("error code")))
                try r.readTaggedFields()
                return g
            }
        }
        if compact { try r.readTaggedFields() }
    }
}
