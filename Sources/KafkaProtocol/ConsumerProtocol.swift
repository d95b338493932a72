/// A set of partitions per topic, the shape both consumer-protocol messages use.
public struct TopicPartitions: Equatable, Sendable {
    public var topic: String
    public var partitions: [Int32]
    public init(topic: String, partitions: [Int32]) { self.topic = topic; self.partitions = partitions }
}

/// The consumer protocol's member metadata (the "subscription"), carried as opaque bytes in
/// JoinGroup and DescribeGroups. Never flexible; versions 0–3 are distinguished by the leading int16.
public struct ConsumerProtocolSubscription: Equatable, Sendable {
    public var version: Int16
    public var topics: [String]
    public var userData: [UInt8]?
    public var ownedPartitions: [TopicPartitions]
    public var generationId: Int32
    public var rackId: String?

    public init(version: Int16 = 0, topics: [String], userData: [UInt8]? = nil, ownedPartitions: [TopicPartitions] = [],
                generationId: Int32 = -1, rackId: String? = nil) {
        self.version = version; self.topics = topics; self.userData = userData
        self.ownedPartitions = ownedPartitions; self.generationId = generationId; self.rackId = rackId
    }

    public func encoded() -> [UInt8] {
        var w = KafkaWriter()
        w.writeInt16(version)
        w.writeArray(topics, compact: false) { $0.writeString($1, compact: false) }
        w.writeNullableBytes(userData, compact: false)
        if version >= 1 { w.writeTopicPartitions(ownedPartitions) }
        if version >= 2 { w.writeInt32(generationId) }
        if version >= 3 { w.writeNullableString(rackId, compact: false) }
        return w.bytes
    }

    /// Decodes metadata bytes. Fields of versions newer than 3 that follow are ignored, as Kafka's
    /// own deserializer does for forward compatibility.
    public init(decoding bytes: [UInt8]) throws {
        var r = KafkaReader(bytes)
        version = try r.readInt16("subscription version")
        if version < 0 { throw KafkaProtocolError.invalidValue(field: "subscription version", detail: "\(version)") }
        topics = try r.readArray(compact: false, "subscribed topics") { try $0.readString(compact: false, "topic") }
        userData = try r.readNullableBytes(compact: false, "user data")
        ownedPartitions = version >= 1 ? try r.readTopicPartitions("owned partitions") : []
        generationId = version >= 2 ? try r.readInt32("generation id") : -1
        rackId = version >= 3 ? try r.readNullableString(compact: false, "rack id") : nil
    }
}

/// The consumer protocol's assignment bytes (SyncGroup, DescribeGroups).
public struct ConsumerProtocolAssignment: Equatable, Sendable {
    public var version: Int16
    public var assignedPartitions: [TopicPartitions]
    public var userData: [UInt8]?

    public init(version: Int16 = 0, assignedPartitions: [TopicPartitions], userData: [UInt8]? = nil) {
        self.version = version; self.assignedPartitions = assignedPartitions; self.userData = userData
    }

    public func encoded() -> [UInt8] {
        var w = KafkaWriter()
        w.writeInt16(version)
        w.writeTopicPartitions(assignedPartitions)
        w.writeNullableBytes(userData, compact: false)
        return w.bytes
    }

    public init(decoding bytes: [UInt8]) throws {
        var r = KafkaReader(bytes)
        version = try r.readInt16("assignment version")
        if version < 0 { throw KafkaProtocolError.invalidValue(field: "assignment version", detail: "\(version)") }
        assignedPartitions = try r.readTopicPartitions("assigned partitions")
        userData = r.isAtEnd ? nil : try r.readNullableBytes(compact: false, "user data")
    }
}

extension KafkaWriter {
    mutating func writeTopicPartitions(_ list: [TopicPartitions]) {
        writeArray(list, compact: false) { w, tp in
            w.writeString(tp.topic, compact: false)
            w.writeArray(tp.partitions, compact: false) { $0.writeInt32($1) }
        }
    }
}

extension KafkaReader {
    mutating func readTopicPartitions(_ field: String) throws -> [TopicPartitions] {
        try readArray(compact: false, field) { r in
            TopicPartitions(topic: try r.readString(compact: false, "topic"),
                            partitions: try r.readArray(compact: false, "partitions") { try $0.readInt32("partition") })
        }
    }
}
