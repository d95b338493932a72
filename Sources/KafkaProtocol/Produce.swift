/// Produce request (key 0), v3–v11: record batches per partition, with the acknowledgement the
/// producer wants (0 none, 1 leader, -1 all in-sync replicas) and, for transactions, its id.
public struct ProduceRequest: KafkaRequest {
    public typealias Response = ProduceResponse
    public static let apiKey = ApiKey.produce

    public struct Partition: Equatable, Sendable {
        public var index: Int32
        /// Record batches laid end to end, exactly as the producer sent them.
        public var records: [UInt8]?
        public init(index: Int32, records: [UInt8]?) { self.index = index; self.records = records }
    }

    public struct Topic: Equatable, Sendable {
        public var name: String
        public var partitions: [Partition]
        public init(name: String, partitions: [Partition]) { self.name = name; self.partitions = partitions }
    }

    public var transactionalId: String?
    public var acks: Int16
    public var timeoutMs: Int32
    public var topics: [Topic]

    public var encodedSizeHint: Int {
        topics.reduce(64) { t, topic in topic.partitions.reduce(t + topic.name.utf8.count + 8) { $0 + ($1.records?.count ?? 0) + 16 } }
    }

    public init(transactionalId: String? = nil, acks: Int16, timeoutMs: Int32, topics: [Topic]) {
        self.transactionalId = transactionalId; self.acks = acks; self.timeoutMs = timeoutMs; self.topics = topics
    }

    public func encode(into w: inout KafkaWriter, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        w.writeNullableString(transactionalId, compact: compact)
        w.writeInt16(acks)
        w.writeInt32(timeoutMs)
        w.writeArray(topics, compact: compact) { w, t in
            w.writeString(t.name, compact: compact)
            w.writeArray(t.partitions, compact: compact) { w, p in
                w.writeInt32(p.index)
                w.writeRecords(p.records, compact: compact)
                if compact { w.writeTaggedFields() }
            }
            if compact { w.writeTaggedFields() }
        }
        if compact { w.writeTaggedFields() }
    }

    public init(from r: inout KafkaReader, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        transactionalId = try r.readNullableString(compact: compact, "transactional id")
        acks = try r.readInt16("acks")
        timeoutMs = try r.readInt32("timeout ms")
        topics = try r.readArray(compact: compact, "topics") { r in
            let name = try r.readString(compact: compact, "topic name")
            let partitions = try r.readArray(compact: compact, "partitions") { r in
                let index = try r.readInt32("partition index")
                let records = try r.readNullableBytes(compact: compact, "records")
                if compact { try r.readTaggedFields() }
                return Partition(index: index, records: records)
            }
            if compact { try r.readTaggedFields() }
            return Topic(name: name, partitions: partitions)
        }
        if compact { try r.readTaggedFields() }
    }
}

/// Produce response: per partition the error, the base offset given to the batch, the log append
/// time (-1 with CreateTime) and the log start offset; v8+ names failing batches.
public struct ProduceResponse: KafkaMessage {
    public static let apiKey = ApiKey.produce

    public struct RecordError: Equatable, Sendable {
        public var batchIndex: Int32
        public var message: String?
        public init(batchIndex: Int32, message: String?) { self.batchIndex = batchIndex; self.message = message }
    }

    public struct Partition: Equatable, Sendable {
        public var index: Int32
        public var errorCode: KafkaErrorCode
        public var baseOffset: Int64
        public var logAppendTimeMs: Int64
        public var logStartOffset: Int64
        public var recordErrors: [RecordError]
        public var errorMessage: String?
        public init(index: Int32, errorCode: KafkaErrorCode = .none, baseOffset: Int64, logAppendTimeMs: Int64 = -1,
                    logStartOffset: Int64 = -1, recordErrors: [RecordError] = [], errorMessage: String? = nil) {
            self.index = index; self.errorCode = errorCode; self.baseOffset = baseOffset; self.logAppendTimeMs = logAppendTimeMs
            self.logStartOffset = logStartOffset; self.recordErrors = recordErrors; self.errorMessage = errorMessage
        }
    }

    public struct Topic: Equatable, Sendable {
        public var name: String
        public var partitions: [Partition]
        public init(name: String, partitions: [Partition]) { self.name = name; self.partitions = partitions }
    }

    public var topics: [Topic]
    public var throttleTimeMs: Int32

    public init(topics: [Topic], throttleTimeMs: Int32 = 0) { self.topics = topics; self.throttleTimeMs = throttleTimeMs }

    public func encode(into w: inout KafkaWriter, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        w.writeArray(topics, compact: compact) { w, t in
            w.writeString(t.name, compact: compact)
            w.writeArray(t.partitions, compact: compact) { w, p in
                w.writeInt32(p.index)
                w.writeInt16(p.errorCode.rawValue)
                w.writeInt64(p.baseOffset)
                if version >= 2 { w.writeInt64(p.logAppendTimeMs) }
                if version >= 5 { w.writeInt64(p.logStartOffset) }
                if version >= 8 {
                    w.writeArray(p.recordErrors, compact: compact) { w, e in
                        w.writeInt32(e.batchIndex)
                        w.writeNullableString(e.message, compact: compact)
                        if compact { w.writeTaggedFields() }
                    }
                    w.writeNullableString(p.errorMessage, compact: compact)
                }
                if compact { w.writeTaggedFields() }
            }
            if compact { w.writeTaggedFields() }
        }
        if version >= 1 { w.writeInt32(throttleTimeMs) }
        if compact { w.writeTaggedFields() }
    }

    public init(from r: inout KafkaReader, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        topics = try r.readArray(compact: compact, "responses") { r in
            let name = try r.readString(compact: compact, "topic name")
            let partitions = try r.readArray(compact: compact, "partition responses") { r in
                var p = Partition(index: try r.readInt32("partition index"),
                                  errorCode: KafkaErrorCode(try r.readInt16("error code")),
                                  baseOffset: try r.readInt64("base offset"))
                if version >= 2 { p.logAppendTimeMs = try r.readInt64("log append time") }
                if version >= 5 { p.logStartOffset = try r.readInt64("log start offset") }
                if version >= 8 {
                    p.recordErrors = try r.readArray(compact: compact, "record errors") { r in
                        let e = RecordError(batchIndex: try r.readInt32("batch index"), message: try r.readNullableString(compact: compact, "batch error message"))
                        if compact { try r.readTaggedFields() }
                        return e
                    }
                    p.errorMessage = try r.readNullableString(compact: compact, "error message")
                }
                if compact { try r.readTaggedFields() }   // v10+: current leader (tag 0), skipped
                return p
            }
            if compact { try r.readTaggedFields() }
            return Topic(name: name, partitions: partitions)
        }
        throttleTimeMs = version >= 1 ? try r.readInt32("throttle time") : 0
        if compact { try r.readTaggedFields() }   // v10+: node endpoints (tag 0), skipped
    }
}
