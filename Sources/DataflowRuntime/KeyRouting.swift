import Dataflow
import KafkaProtocol

/// Which subtask owns a key: its stable hash (``Value/stableHash``) into one of 128 key groups,
/// key groups spread over subtasks in ranges (Flink's scheme, so a later rescale moves whole
/// groups), and Kafka's murmur2 partitioner for sink records, so keyed output lands where Kafka
/// clients put it.
enum KeyRouting {
    static let keyGroups = 128

    static func subtask(forHash hash: UInt64, parallelism: Int) -> Int {
        guard parallelism > 1 else { return 0 }
        let group = Int(hash % UInt64(keyGroups))
        return group * parallelism / keyGroups
    }

    /// Kafka's default partitioner (``KafkaPartitioner``), so keyed output lands where Kafka clients put it.
    static func kafkaPartition(key: [UInt8], partitions: Int32) -> Int32 {
        KafkaPartitioner.partition(key: key, partitions: partitions)
    }
}
