/// ListOffsets request (key 2): the offset for a timestamp per partition, where -1 means the
/// latest offset and -2 the earliest.
public struct ListOffsetsRequest: KafkaRequest {
    public typealias Response = ListOffsetsResponse
    public static let apiKey = ApiKey.listOffsets
    public static let latest: Int64 = -1
    public static let earliest: Int64 = -2

    public struct Partition: Equatable, Sendable {
        public var partitionIndex: Int32
        public var currentLeaderEpoch: Int32
        public var timestamp: Int64
        public init(partitionIndex: Int32, timestamp: Int64, currentLeaderEpoch: Int32 = -1) {
            self.partitionIndex = partitionIndex; self.timestamp = timestamp; self.currentLeaderEpoch = currentLeaderEpoch
        }
    }

    public struct Topic: Equatable, Sendable {
        public var name: String
        public var partitions: [Partition]
        public init(name: String, partitions: [Partition]) { self.name = name; self.partitions = partitions }
    }

    public var replicaId: Int32
    /// 0 = read_uncommitted (high watermark), 1 = read_committed (last stable offset).
    public var isolationLevel: Int8
    public var topics: [Topic]

    public init(replicaId: Int32 = -1, isolationLevel: Int8 = 0, topics: [Topic]) {
        self.replicaId = replicaId; self.isolationLevel = isolationLevel; self.topics = topics
    }

    public func encode(into w: inout KafkaWriter, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        w.writeInt32(replicaId)
        if version >= 2 { w.writeInt8(isolationLevel) }
        w.writeArray(topics, compact: compact) { w, t in
            w.writeString(t.name, compact: compact)
            w.writeArray(t.partitions, compact: compact) { w, p in
                w.writeInt32(p.partitionIndex)
                if version >= 4 { w.writeInt32(p.currentLeaderEpoch) }
                w.writeInt64(p.timestamp)
                if version == 0 { w.writeInt32(1) }
                if compact { w.writeTaggedFields() }
            }
            if compact { w.writeTaggedFields() }
        }
        if compact { w.writeTaggedFields() }
    }

    public init(from r: inout KafkaReader, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        replicaId = try r.readInt32("replica id")
        isolationLevel = version >= 2 ? try r.readInt8("isolation level") : 0
        topics = try r.readArray(compact: compact, "topics") { r in
            let name = try r.readString(compact: compact, "topic name")
            let partitions = try r.readArray(compact: compact, "partitions") { r in
                let index = try r.readInt32("partition index")
                let epoch = version >= 4 ? try r.readInt32("current leader epoch") : -1
                let ts = try r.readInt64("timestamp")
                if version == 0 { _ = try r.readInt32("max num offsets") }
                if compact { try r.readTaggedFields() }
                return Partition(partitionIndex: index, timestamp: ts, currentLeaderEpoch: epoch)
            }
            if compact { try r.readTaggedFields() }
            return Topic(name: name, partitions: partitions)
        }
        if compact { try r.readTaggedFields() }
    }
}

/// ListOffsets response. v0 answers with an array of old-style offsets; it is folded into
/// `offset` (its first element) so callers see one shape.
public struct ListOffsetsResponse: KafkaMessage {
    public static let apiKey = ApiKey.listOffsets

    public struct Partition: Equatable, Sendable {
        public var partitionIndex: Int32
        public var errorCode: KafkaErrorCode
        public var timestamp: Int64
        public var offset: Int64
        public var leaderEpoch: Int32
        public init(partitionIndex: Int32, errorCode: KafkaErrorCode = .none, timestamp: Int64 = -1, offset: Int64, leaderEpoch: Int32 = -1) {
            self.partitionIndex = partitionIndex; self.errorCode = errorCode; self.timestamp = timestamp
            self.offset = offset; self.leaderEpoch = leaderEpoch
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
        if version >= 2 { w.writeInt32(throttleTimeMs) }
        w.writeArray(topics, compact: compact) { w, t in
            w.writeString(t.name, compact: compact)
            w.writeArray(t.partitions, compact: compact) { w, p in
                w.writeInt32(p.partitionIndex)
                w.writeInt16(p.errorCode.rawValue)
                if version == 0 {
                    w.writeArray(p.offset >= 0 ? [p.offset] : [], compact: false) { $0.writeInt64($1) }
                } else {
                    w.writeInt64(p.timestamp)
                    w.writeInt64(p.offset)
                    if version >= 4 { w.writeInt32(p.leaderEpoch) }
                }
                if compact { w.writeTaggedFields() }
            }
            if compact { w.writeTaggedFields() }
        }
        if compact { w.writeTaggedFields() }
    }

    public init(from r: inout KafkaReader, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        throttleTimeMs = version >= 2 ? try r.readInt32("throttle time") : 0
        topics = try r.readArray(compact: compact, "topics") { r in
            let name = try r.readString(compact: compact, "topic name")
            let partitions = try r.readArray(compact: compact, "partitions") { r in
                let index = try r.readInt32("partition index")
                let error = KafkaErrorCode(try r.readInt16("error code"))
                var p = Partition(partitionIndex: index, errorCode: error, offset: -1)
                if version == 0 {
                    p.offset = try r.readArray(compact: false, "old style offsets") { try $0.readInt64("offset") }.first ?? -1
                } else {
                    p.timestamp = try r.readInt64("timestamp")
                    p.offset = try r.readInt64("offset")
                    if version >= 4 { p.leaderEpoch = try r.readInt32("leader epoch") }
                }
                if compact { try r.readTaggedFields() }
                return p
            }
            if compact { try r.readTaggedFields() }
            return Topic(name: name, partitions: partitions)
        }
        if compact { try r.readTaggedFields() }
    }
}
