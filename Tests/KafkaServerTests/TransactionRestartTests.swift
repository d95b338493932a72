import Foundation
import KafkaProtocol
import KafkaServer
import Testing

/// Transaction state lives in the log: an open transaction, the producer's epoch and the
/// aborted list all come back after a restart.
@Suite struct TransactionRestartTests {
    func fetch(_ c: RawConnection, committed: Bool) throws -> FetchResponse.Partition {
        try c.call(FetchRequest(maxWaitMs: 0, minBytes: 0, isolationLevel: committed ? 1 : 0,
                                topics: [.init(topic: "t", partitions: [.init(partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20)])]),
                   version: 11).responses[0].partitions[0]
    }

    func produce(_ c: RawConnection, pid: Int64, epoch: Int16, seq: Int32, value: String) throws -> KafkaErrorCode {
        let batch = RecordBatch.encode(attributes: 0x10, baseTimestamp: 1_700_000_000_000, producerId: pid, producerEpoch: epoch, baseSequence: seq,
                                       records: [Record(offsetDelta: 0, value: Array(value.utf8))])
        return try c.call(ProduceRequest(transactionalId: "tx1", acks: -1, timeoutMs: 5000, topics: [.init(name: "t", partitions: [.init(index: 0, records: batch)])]),
                          version: 7).topics[0].partitions[0].errorCode
    }

    @Test func anOpenTransactionAndTheEpochSurviveARestart() async throws {
        let first = try await TestBroker()
        let dir = first.directory
        let pid: Int64
        do {
            let c = try first.connect()
            _ = try c.call(CreateTopicsRequest(topics: [.init(name: "t", numPartitions: 1)]), version: 5)
            let ids = try c.call(InitProducerIdRequest(transactionalId: "tx1", transactionTimeoutMs: 60_000), version: 2)
            #expect(ids.errorCode == KafkaErrorCode.none && ids.producerEpoch == 0)
            pid = ids.producerId
            // Writing before adding the partition is refused.
            #expect(try produce(c, pid: pid, epoch: 0, seq: 0, value: "early") == .invalidTxnState)
            let added = try c.call(AddPartitionsToTxnRequest(transactionalId: "tx1", producerId: pid, producerEpoch: 0,
                                                             topics: [TopicPartitions(topic: "t", partitions: [0])]), version: 1)
            #expect(added.topics[0].partitions[0].errorCode == KafkaErrorCode.none)
            #expect(try produce(c, pid: pid, epoch: 0, seq: 0, value: "inside") == KafkaErrorCode.none)
            #expect(try fetch(c, committed: true).lastStableOffset == 0, "an open transaction holds the last stable offset back")
            #expect(try fetch(c, committed: false).highWatermark == 1)
        }
        await first.server.stop()

        let second = try await TestBroker(reuse: dir)
        do {
            let c = try second.connect()
            let open = try fetch(c, committed: true)
            #expect(open.lastStableOffset == 0, "still open after the restart")
            #expect(open.records?.isEmpty ?? true)
            let ended = try c.call(EndTxnRequest(transactionalId: "tx1", producerId: pid, producerEpoch: 0, committed: true), version: 1)
            #expect(ended.errorCode == KafkaErrorCode.none)
            let done = try fetch(c, committed: true)
            #expect(done.lastStableOffset == 2, "the record and its COMMIT marker")
            #expect(try RecordBatch.split(done.records ?? [], allowTruncatedTail: true).count == 2)
            // A new instance of the producer gets the next epoch: the old one is fenced.
            let again = try c.call(InitProducerIdRequest(transactionalId: "tx1", transactionTimeoutMs: 60_000), version: 2)
            #expect(again.producerId == pid && again.producerEpoch == 1)
            #expect(try produce(c, pid: pid, epoch: 0, seq: 1, value: "zombie") != KafkaErrorCode.none)
            // An aborted transaction is listed for read_committed readers.
            _ = try c.call(AddPartitionsToTxnRequest(transactionalId: "tx1", producerId: pid, producerEpoch: 1,
                                                     topics: [TopicPartitions(topic: "t", partitions: [0])]), version: 1)
            #expect(try produce(c, pid: pid, epoch: 1, seq: 0, value: "discarded") == KafkaErrorCode.none)
            #expect(try c.call(EndTxnRequest(transactionalId: "tx1", producerId: pid, producerEpoch: 1, committed: false), version: 1).errorCode == KafkaErrorCode.none)
            let aborted = try fetch(c, committed: true)
            #expect(aborted.abortedTransactions == [.init(producerId: pid, firstOffset: 2)])
            #expect(aborted.lastStableOffset == 4)
        }
        await second.server.stop()
        let third = try await TestBroker(reuse: dir)
        do {
            let c = try third.connect()
            #expect(try fetch(c, committed: true).abortedTransactions == [.init(producerId: pid, firstOffset: 2)],
                    "the aborted list is rebuilt from the markers")
        }
        await third.stop()
    }
}
