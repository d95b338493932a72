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

/// AddPartitionsToTxn response: an error per partition.
public struct AddPartitionsToTxnResponse: KafkaMessage {
    public static let apiKey = ApiKey.addPartitionsToTxn

    public var throttleTimeMs: Int32
    public var results: [PartitionErrors]

    public init(throttleTimeMs: Int32 = 0, results: [PartitionErrors]) { self.throttleTimeMs = throttleTimeMs; self.results = results }

    public func encode(into w: inout KafkaWriter, version: Int16) throws {
        try Self.check(version)
        w.writeInt32(throttleTimeMs)
        PartitionErrors.encode(results, into: &w, compact: Self.apiKey.isFlexible(version))
    }

    public init(from r: inout KafkaReader, version: Int16) throws {
        try Self.check(version)
        throttleTimeMs = try r.readInt32("throttle time")
        results = try PartitionErrors.decode(from: &r, compact: Self.apiKey.isFlexible(version))
    }
}

/// A topic with an error code per partition: the answer shape AddPartitionsToTxn and
/// TxnOffsetCommit share.
public struct PartitionErrors: Equatable, Sendable {
    public var topic: String
    public var partitions: [(index: Int32, errorCode: KafkaErrorCode)]

    public init(topic: String, partitions: [(index: Int32, errorCode: KafkaErrorCode)]) { self.topic = topic; self.partitions = partitions }

    public static func == (a: Self, b: Self) -> Bool {
        a.topic == b.topic && a.partitions.map(\.index) == b.partitions.map(\.index) && a.partitions.map(\.errorCode) == b.partitions.map(\.errorCode)
    }

    /// Encodes a list of these plus the message's trailing tagged fields.
    static func encode(_ topics: [PartitionErrors], into w: inout KafkaWriter, compact: Bool) {
        w.writeArray(topics, compact: compact) { w, t in
            w.writeString(t.topic, compact: compact)
            w.writeArray(t.partitions, compact: compact) { w, p in
                w.writeInt32(p.index)
                w.writeInt16(p.errorCode.rawValue)
                if compact { w.writeTaggedFields() }
            }
            if compact { w.writeTaggedFields() }
        }
        if compact { w.writeTaggedFields() }
    }

    static func decode(from r: inout KafkaReader, compact: Bool) throws -> [PartitionErrors] {
        let topics = try r.readArray(compact: compact, "topics") { r in
            let name = try r.readString(compact: compact, "topic name")
            let partitions = try r.readArray(compact: compact, "partitions") { r in
                let p = (index: try r.readInt32("partition index"), errorCode: KafkaErrorCode(try r.readInt16("error code")))
                if compact { try r.readTaggedFields() }
                return p
            }
            if compact { try r.readTaggedFields() }
            return PartitionErrors(topic: name, partitions: partitions)
        }
        if compact { try r.readTaggedFields() }
        return topics
    }
}
