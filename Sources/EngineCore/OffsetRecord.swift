import KafkaProtocol

/// A committed offset as stored in `__consumer_offsets`, in Kafka's own layout (key version 1:
/// group, topic, partition; value version 3: offset, leader epoch, metadata, commit time), so the
/// internal topic reads the same as a Kafka broker's. A null value is a tombstone.
struct OffsetRecord: Equatable {
    var group: String
    var topic: String
    var partition: Int32
    /// Nil for a tombstone (the offset was deleted).
    var value: Committed?

    struct Committed: Equatable {
        var offset: Int64
        var leaderEpoch: Int32
        var metadata: String
        var commitTimestamp: Int64
    }

    var key: [UInt8] {
        var w = KafkaWriter()
        w.writeInt16(1)
        w.writeString(group, compact: false)
        w.writeString(topic, compact: false)
        w.writeInt32(partition)
        return w.bytes
    }

    var encodedValue: [UInt8]? {
        guard let value else { return nil }
        var w = KafkaWriter()
        w.writeInt16(3)
        w.writeInt64(value.offset)
        w.writeInt32(value.leaderEpoch)
        w.writeString(value.metadata, compact: false)
        w.writeInt64(value.commitTimestamp)
        return w.bytes
    }

    var record: Record { Record(offsetDelta: 0, key: key, value: encodedValue) }

    /// Decodes a record of the offsets topic; nil for other record kinds (group metadata, key
    /// version 2) which this broker does not keep.
    init?(key: [UInt8]?, value: [UInt8]?) throws {
        guard let key else { return nil }
        var k = KafkaReader(key)
        let version = try k.readInt16("offset key version")
        guard version == 0 || version == 1 else { return nil }
        group = try k.readString(compact: false, "group")
        topic = try k.readString(compact: false, "topic")
        partition = try k.readInt32("partition")
        guard let value else { self.value = nil; return }
        var v = KafkaReader(value)
        let vv = try v.readInt16("offset value version")
        let offset = try v.readInt64("offset")
        let epoch = vv >= 3 ? try v.readInt32("leader epoch") : -1
        let metadata = try v.readString(compact: false, "metadata")
        let time = try v.readInt64("commit timestamp")
        self.value = Committed(offset: offset, leaderEpoch: epoch, metadata: metadata, commitTimestamp: time)
    }

    init(group: String, topic: String, partition: Int32, value: Committed?) {
        self.group = group; self.topic = topic; self.partition = partition; self.value = value
    }
}
