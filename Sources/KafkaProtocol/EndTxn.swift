/// EndTxn request (key 26), v0–4: commit or abort the producer's open transaction.
public struct EndTxnRequest: KafkaRequest {
    public typealias Response = TxnErrorResponse<EndTxnRequest>
    public static let apiKey = ApiKey.endTxn

    public var transactionalId: String
    public var producerId: Int64
    public var producerEpoch: Int16
    public var committed: Bool

    public init(transactionalId: String, producerId: Int64, producerEpoch: Int16, committed: Bool) {
        self.transactionalId = transactionalId; self.producerId = producerId; self.producerEpoch = producerEpoch; self.committed = committed
    }

    public func encode(into w: inout KafkaWriter, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        w.writeString(transactionalId, compact: compact)
        w.writeInt64(producerId)
        w.writeInt16(producerEpoch)
        w.writeBool(committed)
        if compact { w.writeTaggedFields() }
    }

    public init(from r: inout KafkaReader, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        transactionalId = try r.readString(compact: compact, "transactional id")
        producerId = try r.readInt64("producer id")
        producerEpoch = try r.readInt16("producer epoch")
        committed = try r.readBool("committed")
        if compact { try r.readTaggedFields() }
    }
}
