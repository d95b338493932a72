/// OffsetCommit request (key 8), v0–9: a group member (or a simple consumer with generation -1)
/// stores its positions. v1 alone carries a per-partition commit time; v2–4 a retention time.
public struct OffsetCommitRequest: KafkaRequest {
    public typealias Response = OffsetCommitResponse
    public static let apiKey = ApiKey.offsetCommit

    public struct Partition: Equatable, Sendable {
        public var partitionIndex: Int32
        public var committedOffset: Int64
        public var committedLeaderEpoch: Int32
        public var commitTimestamp: Int64
        public var committedMetadata: String?
        public init(partitionIndex: Int32, committedOffset: Int64, committedLeaderEpoch: Int32 = -1,
                    commitTimestamp: Int64 = -1, committedMetadata: String? = nil) {
            self.partitionIndex = partitionIndex; self.committedOffset = committedOffset
            self.committedLeaderEpoch = committedLeaderEpoch; self.commitTimestamp = commitTimestamp
            self.committedMetadata = committedMetadata
        }
    }

    public struct Topic: Equatable, Sendable {
        public var name: String
        public var partitions: [Partition]
        public init(name: String, partitions: [Partition]) { self.name = name; self.partitions = partitions }
    }

    public var groupId: String
    public var generationId: Int32
    public var memberId: String
    public var groupInstanceId: String?
    public var retentionTimeMs: Int64
    public var topics: [Topic]

    public init(groupId: String, generationId: Int32 = -1, memberId: String = "", groupInstanceId: String? = nil,
                retentionTimeMs: Int64 = -1, topics: [Topic]) {
        self.groupId = groupId; self.generationId = generationId; self.memberId = memberId
        self.groupInstanceId = groupInstanceId; self.retentionTimeMs = retentionTimeMs; self.topics = topics
    }

    public func encode(into w: inout KafkaWriter, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        w.writeString(groupId, compact: compact)
        if version >= 1 {
            w.writeInt32(generationId)
            w.writeString(memberId, compact: compact)
        }
        if version >= 7 { w.writeNullableString(groupInstanceId, compact: compact) }
        if (2...4).contains(version) { w.writeInt64(retentionTimeMs) }
        w.writeArray(topics, compact: compact) { w, t in
            w.writeString(t.name, compact: compact)
            w.writeArray(t.partitions, compact: compact) { w, p in
                w.writeInt32(p.partitionIndex)
                w.writeInt64(p.committedOffset)
                if version >= 6 { w.writeInt32(p.committedLeaderEpoch) }
                if version == 1 { w.writeInt64(p.commitTimestamp) }
                w.writeNullableString(p.committedMetadata, compact: compact)
                if compact { w.writeTaggedFields() }
            }
            if compact { w.writeTaggedFields() }
        }
        if compact { w.writeTaggedFields() }
    }

    public init(from r: inout KafkaReader, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        groupId = try r.readString(compact: compact, "group id")
        generationId = version >= 1 ? try r.readInt32("generation id") : -1
        memberId = version >= 1 ? try r.readString(compact: compact, "member id") : ""
        groupInstanceId = version >= 7 ? try r.readNullableString(compact: compact, "group instance id") : nil
        retentionTimeMs = (2...4).contains(version) ? try r.readInt64("retention time") : -1
        topics = try r.readArray(compact: compact, "topics") { r in
            let name = try r.readString(compact: compact, "topic name")
            let partitions = try r.readArray(compact: compact, "partitions") { r in
                var p = Partition(partitionIndex: try r.readInt32("partition index"), committedOffset: try r.readInt64("committed offset"))
                if version >= 6 { p.committedLeaderEpoch = try r.readInt32("committed leader epoch") }
                if version == 1 { p.commitTimestamp = try r.readInt64("commit timestamp") }
                p.committedMetadata = try r.readNullableString(compact: compact, "committed metadata")
                if compact { try r.readTaggedFields() }
                return p
            }
            if compact { try r.readTaggedFields() }
            return Topic(name: name, partitions: partitions)
        }
        if compact { try r.readTaggedFields() }
    }
}
