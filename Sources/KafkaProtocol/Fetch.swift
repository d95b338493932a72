/// Fetch request (key 1), versions 4–12 (topics by name; no fetch sessions are opened).
///
/// Sluice uses it to read high watermarks and log start offsets: some brokers (tansu) answer
/// ListOffsets(LATEST) wrongly, while the Fetch response's high watermark is right.
public struct FetchRequest: KafkaRequest {
    public typealias Response = FetchResponse
    public static let apiKey = ApiKey.fetch

    public struct Partition: Equatable, Sendable {
        public var partition: Int32
        public var currentLeaderEpoch: Int32
        public var fetchOffset: Int64
        public var lastFetchedEpoch: Int32
        public var logStartOffset: Int64
        public var partitionMaxBytes: Int32
        public init(partition: Int32, fetchOffset: Int64, partitionMaxBytes: Int32, currentLeaderEpoch: Int32 = -1,
                    lastFetchedEpoch: Int32 = -1, logStartOffset: Int64 = -1) {
            self.partition = partition; self.fetchOffset = fetchOffset; self.partitionMaxBytes = partitionMaxBytes
            self.currentLeaderEpoch = currentLeaderEpoch; self.lastFetchedEpoch = lastFetchedEpoch; self.logStartOffset = logStartOffset
        }
    }

    public struct Topic: Equatable, Sendable {
        public var topic: String
        public var partitions: [Partition]
        public init(topic: String, partitions: [Partition]) { self.topic = topic; self.partitions = partitions }
    }

    public var replicaId: Int32
    public var maxWaitMs: Int32
    public var minBytes: Int32
    public var maxBytes: Int32
    public var isolationLevel: Int8
    public var sessionId: Int32
    public var sessionEpoch: Int32
    public var topics: [Topic]
    public var rackId: String

    public init(maxWaitMs: Int32, minBytes: Int32, maxBytes: Int32 = .max, isolationLevel: Int8 = 0, topics: [Topic],
                replicaId: Int32 = -1, sessionId: Int32 = 0, sessionEpoch: Int32 = -1, rackId: String = "") {
        self.replicaId = replicaId; self.maxWaitMs = maxWaitMs; self.minBytes = minBytes; self.maxBytes = maxBytes
        self.isolationLevel = isolationLevel; self.sessionId = sessionId; self.sessionEpoch = sessionEpoch
        self.topics = topics; self.rackId = rackId
    }

    public func encode(into w: inout KafkaWriter, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        w.writeInt32(replicaId)
        w.writeInt32(maxWaitMs)
        w.writeInt32(minBytes)
        w.writeInt32(maxBytes)
        w.writeInt8(isolationLevel)
        if version >= 7 {
            w.writeInt32(sessionId)
            w.writeInt32(sessionEpoch)
        }
        w.writeArray(topics, compact: compact) { w, t in
            w.writeString(t.topic, compact: compact)
            w.writeArray(t.partitions, compact: compact) { w, p in
                w.writeInt32(p.partition)
                if version >= 9 { w.writeInt32(p.currentLeaderEpoch) }
                w.writeInt64(p.fetchOffset)
                if version >= 12 { w.writeInt32(p.lastFetchedEpoch) }
                if version >= 5 { w.writeInt64(p.logStartOffset) }
                w.writeInt32(p.partitionMaxBytes)
                if compact { w.writeTaggedFields() }
            }
            if compact { w.writeTaggedFields() }
        }
        if version >= 7 {
            w.writeArray([TopicPartitions](), compact: compact) { _, _ in }  // forgotten topics
        }
        if version >= 11 { w.writeString(rackId, compact: compact) }
        if compact { w.writeTaggedFields() }
    }

    public init(from r: inout KafkaReader, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        replicaId = try r.readInt32("replica id")
        maxWaitMs = try r.readInt32("max wait ms")
        minBytes = try r.readInt32("min bytes")
        maxBytes = try r.readInt32("max bytes")
        isolationLevel = try r.readInt8("isolation level")
        sessionId = version >= 7 ? try r.readInt32("session id") : 0
        sessionEpoch = version >= 7 ? try r.readInt32("session epoch") : -1
        topics = try r.readArray(compact: compact, "topics") { r in
            let name = try r.readString(compact: compact, "topic")
            let partitions = try r.readArray(compact: compact, "partitions") { r in
                let index = try r.readInt32("partition")
                let epoch = version >= 9 ? try r.readInt32("current leader epoch") : -1
                let offset = try r.readInt64("fetch offset")
                let lastEpoch = version >= 12 ? try r.readInt32("last fetched epoch") : -1
                let logStart = version >= 5 ? try r.readInt64("log start offset") : -1
                let maxBytes = try r.readInt32("partition max bytes")
                if compact { try r.readTaggedFields() }
                return Partition(partition: index, fetchOffset: offset, partitionMaxBytes: maxBytes, currentLeaderEpoch: epoch,
                                 lastFetchedEpoch: lastEpoch, logStartOffset: logStart)
            }
            if compact { try r.readTaggedFields() }
            return Topic(topic: name, partitions: partitions)
        }
        if version >= 7 {
            _ = try r.readArray(compact: compact, "forgotten topics") { r in
                _ = try r.readString(compact: compact, "topic")
                _ = try r.readArray(compact: compact, "partitions") { try $0.readInt32("partition") }
                if compact { try r.readTaggedFields() }
            }
        }
        rackId = version >= 11 ? try r.readString(compact: compact, "rack id") : ""
        if compact { try r.readTaggedFields() }
    }
}

/// Fetch response. Record bytes are kept as received (a RecordBatch v2 sequence).
public struct FetchResponse: KafkaMessage {
    public static let apiKey = ApiKey.fetch

    public struct AbortedTransaction: Equatable, Sendable {
        public var producerId: Int64
        public var firstOffset: Int64
        public init(producerId: Int64, firstOffset: Int64) { self.producerId = producerId; self.firstOffset = firstOffset }
    }

    public struct Partition: Equatable, Sendable {
        public var partitionIndex: Int32
        public var errorCode: KafkaErrorCode
        public var highWatermark: Int64
        public var lastStableOffset: Int64
        public var logStartOffset: Int64
        public var abortedTransactions: [AbortedTransaction]?
        public var preferredReadReplica: Int32
        public var records: [UInt8]?
        /// Set by a server that sends this partition's records itself (from a file): their length;
        /// `records` is then ignored and the encoding has an external part in their place.
        public var externalRecordsLength: Int?
        public init(partitionIndex: Int32, errorCode: KafkaErrorCode = .none, highWatermark: Int64, lastStableOffset: Int64 = -1,
                    logStartOffset: Int64 = -1, abortedTransactions: [AbortedTransaction]? = nil, preferredReadReplica: Int32 = -1,
                    records: [UInt8]? = nil) {
            self.partitionIndex = partitionIndex; self.errorCode = errorCode; self.highWatermark = highWatermark
            self.lastStableOffset = lastStableOffset; self.logStartOffset = logStartOffset
            self.abortedTransactions = abortedTransactions; self.preferredReadReplica = preferredReadReplica; self.records = records
        }
    }

    public struct Topic: Equatable, Sendable {
        public var topic: String
        public var partitions: [Partition]
        public init(topic: String, partitions: [Partition]) { self.topic = topic; self.partitions = partitions }
    }

    public var throttleTimeMs: Int32
    public var errorCode: KafkaErrorCode
    public var sessionId: Int32
    public var responses: [Topic]

    public var encodedSizeHint: Int {
        responses.reduce(64) { t, topic in topic.partitions.reduce(t + topic.topic.utf8.count + 8) { $0 + ($1.records?.count ?? $1.externalRecordsLength ?? 0) + 64 } }
    }

    public init(throttleTimeMs: Int32 = 0, errorCode: KafkaErrorCode = .none, sessionId: Int32 = 0, responses: [Topic]) {
        self.throttleTimeMs = throttleTimeMs; self.errorCode = errorCode; self.sessionId = sessionId; self.responses = responses
    }

    public func encode(into w: inout KafkaWriter, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        w.writeInt32(throttleTimeMs)
        if version >= 7 {
            w.writeInt16(errorCode.rawValue)
            w.writeInt32(sessionId)
        }
        w.writeArray(responses, compact: compact) { w, t in
            w.writeString(t.topic, compact: compact)
            w.writeArray(t.partitions, compact: compact) { w, p in
                w.writeInt32(p.partitionIndex)
                w.writeInt16(p.errorCode.rawValue)
                w.writeInt64(p.highWatermark)
                w.writeInt64(p.lastStableOffset)
                if version >= 5 { w.writeInt64(p.logStartOffset) }
                w.writeNullableArray(p.abortedTransactions, compact: compact) { w, a in
                    w.writeInt64(a.producerId)
                    w.writeInt64(a.firstOffset)
                    if compact { w.writeTaggedFields() }
                }
                if version >= 11 { w.writeInt32(p.preferredReadReplica) }
                if let external = p.externalRecordsLength, w.defersRecords {
                    w.writeExternalRecords(length: external, compact: compact)
                } else {
                    w.writeRecords(p.records, compact: compact)
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
        throttleTimeMs = try r.readInt32("throttle time")
        errorCode = version >= 7 ? KafkaErrorCode(try r.readInt16("error code")) : .none
        sessionId = version >= 7 ? try r.readInt32("session id") : 0
        responses = try r.readArray(compact: compact, "responses") { r in
            let name = try r.readString(compact: compact, "topic")
            let partitions = try r.readArray(compact: compact, "partitions") { r in
                var p = Partition(partitionIndex: try r.readInt32("partition index"),
                                  errorCode: KafkaErrorCode(try r.readInt16("error code")),
                                  highWatermark: try r.readInt64("high watermark"),
                                  lastStableOffset: try r.readInt64("last stable offset"))
                if version >= 5 { p.logStartOffset = try r.readInt64("log start offset") }
                p.abortedTransactions = try r.readNullableArray(compact: compact, "aborted transactions") { r in
                    let a = AbortedTransaction(producerId: try r.readInt64("producer id"), firstOffset: try r.readInt64("first offset"))
                    if compact { try r.readTaggedFields() }
                    return a
                }
                if version >= 11 { p.preferredReadReplica = try r.readInt32("preferred read replica") }
                p.records = try r.readNullableBytes(compact: compact, "records")
                if compact { try r.readTaggedFields() }
                return p
            }
            if compact { try r.readTaggedFields() }
            return Topic(topic: name, partitions: partitions)
        }
        if compact { try r.readTaggedFields() }
    }
}
