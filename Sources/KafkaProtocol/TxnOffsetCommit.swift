/// TxnOffsetCommit request (key 28), v0–4: a group's offsets written inside a transaction,
/// visible only once it commits.
public struct TxnOffsetCommitRequest: KafkaRequest {
    public typealias Response = TxnOffsetCommitResponse
    public static let apiKey = ApiKey.txnOffsetCommit

    public typealias Partition = OffsetCommitRequest.Partition
    public typealias Topic = OffsetCommitRequest.Topic

    public var transactionalId: String
    public var groupId: String
    public var producerId: Int64
    public var producerEpoch: Int16
    public var generationId: Int32
    public var memberId: String
    public var groupInstanceId: String?
    public var topics: [Topic]

    public init(transactionalId: String, groupId: String, producerId: Int64, producerEpoch: Int16, generationId: Int32 = -1,
                memberId: String = "", groupInstanceId: String? = nil, topics: [Topic]) {
        self.transactionalId = transactionalId; self.groupId = groupId; self.producerId = producerId; self.producerEpoch = producerEpoch
        self.generationId = generationId; self.memberId = memberId; self.groupInstanceId = groupInstanceId; self.topics = topics
    }

    public func encode(into w: inout KafkaWriter, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        w.writeString(transactionalId, compact: compact)
        w.writeString(groupId, compact: compact)
        w.writeInt64(producerId)
        w.writeInt16(producerEpoch)
        if version >= 3 {
            w.writeInt32(generationId)
            w.writeString(memberId, compact: compact)
            w.writeNullableString(groupInstanceId, compact: compact)
        }
        w.writeArray(topics, compact: compact) { w, t in
            w.writeString(t.name, compact: compact)
            w.writeArray(t.partitions, compact: compact) { w, p in
                w.writeInt32(p.partitionIndex)
                w.writeInt64(p.committedOffset)
                if version >= 2 { w.writeInt32(p.committedLeaderEpoch) }
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
        transactionalId = try r.readString(compact: compact, "transactional id")
        groupId = try r.readString(compact: compact, "group id")
        producerId = try r.readInt64("producer id")
        producerEpoch = try r.readInt16("producer epoch")
        generationId = version >= 3 ? try r.readInt32("generation id") : -1
        memberId = version >= 3 ? try r.readString(compact: compact, "member id") : ""
        groupInstanceId = version >= 3 ? try r.readNullableString(compact: compact, "group instance id") : nil
        topics = try r.readArray(compact: compact, "topics") { r in
            let name = try r.readString(compact: compact, "topic name")
            let partitions = try r.readArray(compact: compact, "partitions") { r in
                var p = Partition(partitionIndex: try r.readInt32("partition index"), committedOffset: try r.readInt64("committed offset"))
                if version >= 2 { p.committedLeaderEpoch = try r.readInt32("committed leader epoch") }
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
