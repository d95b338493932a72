/// InitProducerId request (key 22), v0–5: an idempotent or transactional producer asks for a
/// producer id and epoch; v3+ may name its current id/epoch to have the epoch bumped (KIP-360).
public struct InitProducerIdRequest: KafkaRequest {
    public typealias Response = InitProducerIdResponse
    public static let apiKey = ApiKey.initProducerId

    public var transactionalId: String?
    public var transactionTimeoutMs: Int32
    public var producerId: Int64
    public var producerEpoch: Int16

    public init(transactionalId: String? = nil, transactionTimeoutMs: Int32 = 60_000, producerId: Int64 = -1, producerEpoch: Int16 = -1) {
        self.transactionalId = transactionalId; self.transactionTimeoutMs = transactionTimeoutMs
        self.producerId = producerId; self.producerEpoch = producerEpoch
    }

    public func encode(into w: inout KafkaWriter, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        w.writeNullableString(transactionalId, compact: compact)
        w.writeInt32(transactionTimeoutMs)
        if version >= 3 {
            w.writeInt64(producerId)
            w.writeInt16(producerEpoch)
        }
        if compact { w.writeTaggedFields() }
    }

    public init(from r: inout KafkaReader, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        transactionalId = try r.readNullableString(compact: compact, "transactional id")
        transactionTimeoutMs = try r.readInt32("transaction timeout")
        producerId = version >= 3 ? try r.readInt64("producer id") : -1
        producerEpoch = version >= 3 ? try r.readInt16("producer epoch") : -1
        if compact { try r.readTaggedFields() }
    }
}

/// InitProducerId response: the producer id and epoch to stamp on batches.
public struct InitProducerIdResponse: KafkaMessage {
    public static let apiKey = ApiKey.initProducerId

    public var throttleTimeMs: Int32
    public var errorCode: KafkaErrorCode
    public var producerId: Int64
    public var producerEpoch: Int16

    public init(throttleTimeMs: Int32 = 0, errorCode: KafkaErrorCode = .none, producerId: Int64 = -1, producerEpoch: Int16 = -1) {
        self.throttleTimeMs = throttleTimeMs; self.errorCode = errorCode; self.producerId = producerId; self.producerEpoch = producerEpoch
    }

    public func encode(into w: inout KafkaWriter, version: Int16) throws {
        try Self.check(version)
        w.writeInt32(throttleTimeMs)
        w.writeInt16(errorCode.rawValue)
        w.writeInt64(producerId)
        w.writeInt16(producerEpoch)
        if Self.apiKey.isFlexible(version) { w.writeTaggedFields() }
    }

    public init(from r: inout KafkaReader, version: Int16) throws {
        try Self.check(version)
        throttleTimeMs = try r.readInt32("throttle time")
        errorCode = KafkaErrorCode(try r.readInt16("error code"))
        producerId = try r.readInt64("producer id")
        producerEpoch = try r.readInt16("producer epoch")
        if Self.apiKey.isFlexible(version) { try r.readTaggedFields() }
    }
}
