import ConsoleModel

enum Fixtures {
    /// A small cluster: one topic of four partitions, three groups (lagging, caught up, and one
    /// with a hostile id), readings one second apart.
    static func snapshot(_ t: Double, hostile: String = "evil\u{1B}[31m\u{1B}]0;title\u{07}") -> KafkaSnapshot {
        let hw = Int64(t) * 100
        let topic = KafkaSnapshot.Topic(name: "orders", partitions: (0..<4).map {
            .init(partition: $0, leader: 1, replicas: [1], isr: [1], highWatermark: hw, logStartOffset: 0)
        })
        func offsets(_ c: Int64) -> [CommittedOffset] { (0..<4).map { CommittedOffset(topic: "orders", partition: $0, offset: c) } }
        return KafkaSnapshot(time: t, clusterId: "c1", brokers: [.init(nodeId: 1, host: "b1", port: 9092)], topics: [topic], groups: [
            .init(groupId: "billing-writer", state: "Stable", assignor: "range", members: [.init(memberId: "m1", clientId: "bw", clientHost: "/10.0.0.2")],
                  offsets: offsets(hw)),
            .init(groupId: "orders-enricher", state: "Stable", assignor: "cooperative-sticky",
                  members: [.init(memberId: "m2", clientId: "oe", clientHost: "/10.0.0.3", assignment: (0..<4).map { PartitionRef("orders", $0) })],
                  offsets: offsets(Int64(t) * 10)),
            .init(groupId: hostile, state: "Empty", offsets: offsets(5)),
        ])
    }

    static func model(readings: Int = 12) -> ConsoleModel {
        var m = ConsoleModel()
        for t in 1...readings { m.apply(.kafka(snapshot(Double(t)))) }
        return m
    }
}
