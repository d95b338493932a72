/// OffsetDelete request (key 47), v0: delete a group's committed offsets for some partitions
/// (`kafka-consumer-groups --delete-offsets`).
public struct OffsetDeleteRequest: KafkaRequest {
    public typealias Response = OffsetDeleteResponse
    public static let apiKey = ApiKey.offsetDelete

    public var groupId: String
    public var topics: [TopicPartitions]

    public init(groupId: String, topics: [TopicPartitions]) { self.groupId = groupId; self.topics = topics }

    public func encode(into w: inout KafkaWriter, version: Int16) throws {
        try Self.check(version)
        w.writeString(groupId, compact: false)
        w.writeArray(topics, compact: false) { w, t in
            w.writeString(t.topic, compact: false)
            w.writeArray(t.partitions, compact: false) { w, p in w.writeInt32(p) }
        }
    }

    public init(from r: inout KafkaReader, version: Int16) throws {
        try Self.check(version)
        groupId = try r.readString(compact: false, "group id")
        topics = try r.readArray(compact: false, "topics") { r in
            TopicPartitions(topic: try r.readString(compact: false, "topic name"),
                            partitions: try r.readArray(compact: false, "partitions") { r in try r.readInt32("partition index") })
        }
    }
}

/// OffsetDelete response: a group-level error, then an error per partition.
public struct OffsetDeleteResponse: KafkaMessage {
    public static let apiKey = ApiKey.offsetDelete

    public var errorCode: KafkaErrorCode
    public var throttleTimeMs: Int32
    public var topics: [PartitionErrors]

    public init(errorCode: KafkaErrorCode = .none, throttleTimeMs: Int32 = 0, topics: [PartitionErrors]) {
        self.errorCode = errorCode; self.throttleTimeMs = throttleTimeMs; self.topics = topics
    }

    public func encode(into w: inout KafkaWriter, version: Int16) throws {
        try Self.check(version)
        w.writeInt16(errorCode.rawValue)
        w.writeInt32(throttleTimeMs)
        w.writeArray(topics, compact: false) { w, t in
            w.writeString(t.topic, compact: false)
            w.writeArray(t.partitions, compact: false) { w, p in
                w.writeInt32(p.index)
                w.writeInt16(p.errorCode.rawValue)
            }
        }
    }

    public init(from r: inout KafkaReader, version: Int16) throws {
        try Self.check(version)
        errorCode = KafkaErrorCode(try r.readInt16("error code"))
        throttleTimeMs = try r.readInt32("throttle time")
        topics = try r.readArray(compact: false, "topics") { r in
            PartitionErrors(topic: try r.readString(compact: false, "topic name"), partitions: try r.readArray(compact: false, "partitions") { r in
                (index: try r.readInt32("partition index"), errorCode: KafkaErrorCode(try r.readInt16("error code")))
            })
        }
    }
}
