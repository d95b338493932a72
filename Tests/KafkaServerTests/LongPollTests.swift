import Foundation
import KafkaProtocol
import KafkaServer
import Testing

/// Fetch's long poll: an empty fetch waits up to max wait for min bytes, and an append answers
/// it at once.
@Suite struct LongPollTests {
    func fetchRequest(wait: Int32) -> FetchRequest {
        FetchRequest(maxWaitMs: wait, minBytes: 1, topics: [.init(topic: "t", partitions: [.init(partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20)])])
    }

    @Test func anAppendAnswersAWaitingFetch() async throws {
        let broker = try await TestBroker()
        do {
            let writer = try broker.connect()
            _ = try writer.call(CreateTopicsRequest(topics: [.init(name: "t", numPartitions: 1)]), version: 5)
            // Nothing to read: the answer comes after max wait, empty.
            let idle = try broker.connect()
            let started = Date()
            let empty = try idle.call(fetchRequest(wait: 300), version: 11)
            #expect(Date().timeIntervalSince(started) >= 0.29)
            #expect(empty.responses[0].partitions[0].records?.isEmpty ?? true)

            // A long wait is cut short by a produce from another connection.
            let reader = try broker.connect()
            reader.send(try KafkaFrame.request(fetchRequest(wait: 20_000), version: 11, correlationId: 42, clientId: "poll"))
            let batch = RecordBatch.encode(baseTimestamp: 1, records: [Record(offsetDelta: 0, value: Array("woke".utf8))])
            let produced = Date()
            _ = try writer.call(ProduceRequest(acks: -1, timeoutMs: 5000, topics: [.init(name: "t", partitions: [.init(index: 0, records: batch)])]), version: 7)
            let payload = try #require(reader.receive())
            #expect(Date().timeIntervalSince(produced) < 10, "answered by the append, not the 20 s wait")
            let (id, body) = try KafkaFrame.decodeResponse(FetchResponse.self, payload: payload, version: 11)
            #expect(id == 42)
            let records = try RecordBatch.split(body.responses[0].partitions[0].records ?? [], allowTruncatedTail: true)
            #expect(records.count == 1)
        }
        await broker.stop()
    }
}
