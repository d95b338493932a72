import KafkaProtocol

/// The records the transaction coordinator writes, in Kafka's layouts: transaction state in
/// `__transaction_state` (key: transactional id; value: producer id, epoch, timeout, status,
/// partitions, timestamps) and the control records (COMMIT/ABORT markers) ending a transaction
/// in each partition it wrote.
enum TransactionRecords {
    enum Status: Int8 {
        case empty = 0, ongoing = 1, prepareCommit = 2, prepareAbort = 3, completeCommit = 4, completeAbort = 5, dead = 6
    }

    struct State: Equatable {
        var transactionalId: String
        var producerId: Int64
        var epoch: Int16
        var timeoutMs: Int32
        var status: Status
        var partitions: [TopicPartitions]
        var updatedMs: Int64
        var startedMs: Int64
    }

    static func key(_ transactionalId: String) -> [UInt8] {
        var w = KafkaWriter()
        w.writeInt16(0)
        w.writeString(transactionalId, compact: false)
        return w.bytes
    }

    static func value(_ s: State) -> [UInt8] {
        var w = KafkaWriter()
        w.writeInt16(0)
        w.writeInt64(s.producerId)
        w.writeInt16(s.epoch)
        w.writeInt32(s.timeoutMs)
        w.writeInt8(s.status.rawValue)
        w.writeArray(s.partitions, compact: false) { w, t in
            w.writeString(t.topic, compact: false)
            w.writeArray(t.partitions, compact: false) { w, p in w.writeInt32(p) }
        }
        w.writeInt64(s.updatedMs)
        w.writeInt64(s.startedMs)
        return w.bytes
    }

    static func decode(key: [UInt8]?, value: [UInt8]?) throws -> (id: String, state: State?)? {
        guard let key else { return nil }
        var k = KafkaReader(key)
        guard try k.readInt16("transaction key version") == 0 else { return nil }
        let id = try k.readString(compact: false, "transactional id")
        guard let value else { return (id, nil) }
        var v = KafkaReader(value)
        _ = try v.readInt16("transaction value version")
        let pid = try v.readInt64("producer id")
        let epoch = try v.readInt16("producer epoch")
        let timeout = try v.readInt32("transaction timeout")
        guard let status = Status(rawValue: try v.readInt8("transaction status")) else {
            throw KafkaProtocolError.invalidValue(field: "transaction status", detail: "unknown status")
        }
        let partitions = try v.readArray(compact: false, "transaction partitions") { r in
            TopicPartitions(topic: try r.readString(compact: false, "topic"), partitions: try r.readArray(compact: false, "partitions") { try $0.readInt32("partition") })
        }
        let updated = try v.readInt64("last update")
        let started = try v.readInt64("start time")
        return (id, State(transactionalId: id, producerId: pid, epoch: epoch, timeoutMs: timeout, status: status,
                          partitions: partitions, updatedMs: updated, startedMs: started))
    }

    /// A control batch holding one COMMIT (type 1) or ABORT (type 0) marker for the producer.
    static func marker(commit: Bool, producerId: Int64, epoch: Int16, now: Int64) -> [UInt8] {
        var key = KafkaWriter()
        key.writeInt16(0)
        key.writeInt16(commit ? 1 : 0)
        var value = KafkaWriter()
        value.writeInt16(0)
        value.writeInt32(0)   // coordinator epoch
        return RecordBatch.encode(attributes: 0x30, baseTimestamp: now, producerId: producerId, producerEpoch: epoch, baseSequence: -1,
                                  records: [Record(offsetDelta: 0, key: key.bytes, value: value.bytes)])
    }

    /// Whether a control batch (given whole) commits; nil when it is not a transaction marker.
    static func markerCommits(_ batch: [UInt8]) -> Bool? {
        guard let parsed = try? RecordBatch.parse(batch), parsed.isControl,
              let record = try? parsed.records(in: batch, at: 0).first, let key = record.key, key.count >= 4 else { return nil }
        let type = Int16(bitPattern: UInt16(key[2]) << 8 | UInt16(key[3]))
        return type == 1 ? true : type == 0 ? false : nil
    }
}
