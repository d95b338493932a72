/// A topic with an error code per partition: the answer shape of OffsetCommit, TxnOffsetCommit
/// and AddPartitionsToTxn.
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

/// The answer of OffsetCommit, TxnOffsetCommit and AddPartitionsToTxn: a throttle time and an
/// error code per partition (OffsetCommit carries the throttle time from v3 only).
public struct PartitionErrorsResponse<Request: KafkaMessage>: KafkaMessage {
    public static var apiKey: ApiKey { Request.apiKey }

    public var throttleTimeMs: Int32
    public var topics: [PartitionErrors]

    public init(throttleTimeMs: Int32 = 0, topics: [PartitionErrors]) { self.throttleTimeMs = throttleTimeMs; self.topics = topics }

    static func hasThrottle(_ version: Int16) -> Bool { apiKey != .offsetCommit || version >= 3 }

    public func encode(into w: inout KafkaWriter, version: Int16) throws {
        try Self.check(version)
        if Self.hasThrottle(version) { w.writeInt32(throttleTimeMs) }
        PartitionErrors.encode(topics, into: &w, compact: Self.apiKey.isFlexible(version))
    }

    public init(from r: inout KafkaReader, version: Int16) throws {
        try Self.check(version)
        throttleTimeMs = Self.hasThrottle(version) ? try r.readInt32("throttle time") : 0
        topics = try PartitionErrors.decode(from: &r, compact: Self.apiKey.isFlexible(version))
    }
}

public typealias OffsetCommitResponse = PartitionErrorsResponse<OffsetCommitRequest>
public typealias TxnOffsetCommitResponse = PartitionErrorsResponse<TxnOffsetCommitRequest>
public typealias AddPartitionsToTxnResponse = PartitionErrorsResponse<AddPartitionsToTxnRequest>
