/// DeleteRecords request (key 21), v0–2: move partitions' log start offsets forward, making the
/// records before them unreadable (what `kafka-delete-records` and admin clients'
/// `delete_records` send). Offset -1 means the high watermark. v2 is flexible.
public struct DeleteRecordsRequest: KafkaRequest {
    public typealias Response = DeleteRecordsResponse
    public static let apiKey = ApiKey.deleteRecords

    public struct Topic: Equatable, Sendable {
        public var name: String
        public var partitions: [(partition: Int32, offset: Int64)]
        public init(name: String, partitions: [(partition: Int32, offset: Int64)]) { self.name = name; self.partitions = partitions }
        public static func == (a: Topic, b: Topic) -> Bool {
            a.name == b.name && a.partitions.map(\.partition) == b.partitions.map(\.partition) && a.partitions.map(\.offset) == b.partitions.map(\.offset)
        }
    }

    public var topics: [Topic]
    public var timeoutMs: Int32

    public init(topics: [Topic], timeoutMs: Int32 = 30_000) { self.topics = topics; self.timeoutMs = timeoutMs }

    public func encode(into w: inout KafkaWriter, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        w.writeArray(topics, compact: compact) { w, t in
            w.writeString(t.name, compact: compact)
            w.writeArray(t.partitions, compact: compact) { w, p in
                w.writeInt32(p.partition)
                w.writeInt64(p.offset)
                if compact { w.writeTaggedFields() }
            }
            if compact { w.writeTaggedFields() }
        }
        w.writeInt32(timeoutMs)
        if compact { w.writeTaggedFields() }
    }

    public init(from r: inout KafkaReader, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        topics = try r.readArray(compact: compact, "topics") { r in
            let name = try r.readString(compact: compact, "topic name")
            let partitions = try r.readArray(compact: compact, "partitions") { r -> (partition: Int32, offset: Int64) in
                let p = (partition: try r.readInt32("partition"), offset: try r.readInt64("offset"))
                if compact { try r.readTaggedFields() }
                return p
            }
            if compact { try r.readTaggedFields() }
            return Topic(name: name, partitions: partitions)
        }
        timeoutMs = try r.readInt32("timeout")
        if compact { try r.readTaggedFields() }
    }
}

/// DeleteRecords response: each partition's new log start offset ("low watermark") or its error
/// (OFFSET_OUT_OF_RANGE beyond the high watermark, UNKNOWN_TOPIC_OR_PARTITION, …).
public struct DeleteRecordsResponse: KafkaMessage {
    public static let apiKey = ApiKey.deleteRecords

    public struct Partition: Equatable, Sendable {
        public var partition: Int32
        public var lowWatermark: Int64
        public var errorCode: KafkaErrorCode
        public init(partition: Int32, lowWatermark: Int64 = -1, errorCode: KafkaErrorCode = .none) {
            self.partition = partition; self.lowWatermark = lowWatermark; self.errorCode = errorCode
        }
    }

    public struct Topic: Equatable, Sendable {
        public var name: String
        public var partitions: [Partition]
        public init(name: String, partitions: [Partition]) { self.name = name; self.partitions = partitions }
    }

    public var throttleTimeMs: Int32
    public var topics: [Topic]

    public init(throttleTimeMs: Int32 = 0, topics: [Topic]) { self.throttleTimeMs = throttleTimeMs; self.topics = topics }

    public func encode(into w: inout KafkaWriter, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        w.writeInt32(throttleTimeMs)
        w.writeArray(topics, compact: compact) { w, t in
            w.writeString(t.name, compact: compact)
            w.writeArray(t.partitions, compact: compact) { w, p in
                w.writeInt32(p.partition)
                w.writeInt64(p.lowWatermark)
                w.writeInt16(p.errorCode.rawValue)
                if compact { w.writeTaggedFields() }
            }
            if compact { w.writeTaggedFields() }
        }
        if compact { w.writeTaggedFields() }
    }

    public init(from r: inout KafkaReader, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        throttleTimeMs = try r.readInt32("throttle time")
        topics = try r.readArray(compact: compact, "topics") { r in
            let name = try r.readString(compact: compact, "topic name")
            let partitions = try r.readArray(compact: compact, "partitions") { r in
                let p = Partition(partition: try r.readInt32("partition"), lowWatermark: try r.readInt64("low watermark"),
                                  errorCode: KafkaErrorCode(try r.readInt16("error code")))
                if compact { try r.readTaggedFields() }
                return p
            }
            if compact { try r.readTaggedFields() }
            return Topic(name: name, partitions: partitions)
        }
        if compact { try r.readTaggedFields() }
    }
}
