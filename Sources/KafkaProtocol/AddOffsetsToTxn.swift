/// AddOffsetsToTxn request (key 25), v0–4: a transactional producer says it will commit a
/// group's offsets inside the transaction.
public struct AddOffsetsToTxnRequest: KafkaRequest {
    public typealias Response = TxnErrorResponse<AddOffsetsToTxnRequest>
    public static let apiKey = ApiKey.addOffsetsToTxn

    public var transactionalId: String
    public var producerId: Int64
    public var producerEpoch: Int16
    public var groupId: String

    public init(transactionalId: String, producerId: Int64, producerEpoch: Int16, groupId: String) {
        self.transactionalId = transactionalId; self.producerId = producerId; self.producerEpoch = producerEpoch; self.groupId = groupId
    }

    public func encode(into w: inout KafkaWriter, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        w.writeString(transactionalId, compact: compact)
        w.writeInt64(producerId)
        w.writeInt16(producerEpoch)
        w.writeString(groupId, compact: compact)
        if compact { w.writeTaggedFields() }
    }

    public init(from r: inout KafkaReader, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        transactionalId = try r.readString(compact: compact, "transactional id")
        producerId = try r.readInt64("producer id")
        producerEpoch = try r.readInt16("producer epoch")
        groupId = try r.readString(compact: compact, "group id")
        if compact { try r.readTaggedFields() }
    }
}

/// The response of AddOffsetsToTxn and EndTxn: a throttle time and one error code.
public struct TxnErrorResponse<Request: KafkaMessage>: KafkaMessage {
    public static var apiKey: ApiKey { Request.apiKey }

    public var throttleTimeMs: Int32
    public var errorCode: KafkaErrorCode

    public init(throttleTimeMs: Int32 = 0, errorCode: KafkaErrorCode = .none) { self.throttleTimeMs = throttleTimeMs; self.errorCode = errorCode }

    public func encode(into w: inout KafkaWriter, version: Int16) throws {
        try Self.check(version)
        w.writeInt32(throttleTimeMs)
        w.writeInt16(errorCode.rawValue)
        if Self.apiKey.isFlexible(version) { w.writeTaggedFields() }
    }

    public init(from r: inout KafkaReader, version: Int16) throws {
        try Self.check(version)
        throttleTimeMs = try r.readInt32("throttle time")
        errorCode = KafkaErrorCode(try r.readInt16("error code"))
        if Self.apiKey.isFlexible(version) { try r.readTaggedFields() }
    }
}
