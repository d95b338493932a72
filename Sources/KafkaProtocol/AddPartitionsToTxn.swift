/// AddPartitionsToTxn request (key 24), v0–3 (the client form; v4+ batches are broker-to-broker):
/// a transactional producer names the partitions it is about to write.
public struct AddPartitionsToTxnRequest: KafkaRequest {
    public typealias Response = AddPartitionsToTxnResponse
    public static let apiKey = ApiKey.addPartitionsToTxn

    public var transactionalId: String
    public var producerId: Int64
    public var producerEpoch: Int16
    public var topics: [TopicPartitions]

    public init(transactionalId: String, producerId: Int64, producerEpoch: Int16, topics: [TopicPartitions]) {
        self.transactionalId = transactionalId; self.producerId = producerId; self.producerEpoch = producerEpoch; self.topics = topics
    }

    public func encode(into w: inout KafkaWriter, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        w.writeString(transactionalId, compact: compact)
        w.writeInt64(producerId)
        w.writeInt16(producerEpoch)
        w.writeArray(topics, compact: compact) { w, t in
            w.writeString(t.topic, compact: compact)
            w.writeArray(t.partitions, compact: compact) { w, p in w.writeInt32(p) }
            if compact { w.writeTaggedFields() }
        }
        if compact { w.writeTaggedFields() }
    }

    public init(from r: inout KafkaReader, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        transactionalId = try r.readString(compact: compact, "transactional id")
        producerId = try r.readInt64("producer id")
        producerEpoch = try r.readInt16("producer epoch")
        topics = try r.readArray(compact: compact, "topics") { r in
            let name = try r.readString(compact: compact, "topic name")
            let partitions = try r.readArray(compact: compact, "partitions") { r in try r.readInt32("partition") }
            if compact { try r.readTaggedFields() }
            return TopicPartitions(topic: name, partitions: partitions)
        }
        if compact { try r.readTaggedFields() }
    }
}
