import KafkaProtocol
import Testing
@testable import EngineCore

/// Idempotent-producer bookkeeping: retried batches are recognised, gaps and stale epochs refused.
@Suite struct ProducerStateTableTests {
    func batch(pid: Int64 = 7, epoch: Int16 = 0, seq: Int32, count: Int32 = 3, transactional: Bool = false) -> RecordBatch {
        let records = (0..<count).map { Record(offsetDelta: $0, value: [UInt8($0)]) }
        let bytes = RecordBatch.encode(attributes: transactional ? 0x10 : 0, baseTimestamp: 1, producerId: pid, producerEpoch: epoch,
                                       baseSequence: seq, records: records)
        return try! RecordBatch.parse(bytes)
    }

    @Test func retriedBatchesAreDuplicatesWithTheirFirstOffsets() {
        var t = ProducerStateTable()
        #expect(t.check(batch(seq: 0)) == .append)
        t.record(batch(seq: 0), firstOffset: 100)
        #expect(t.check(batch(seq: 3)) == .append)
        t.record(batch(seq: 3), firstOffset: 103)
        #expect(t.check(batch(seq: 0)) == .duplicate(firstOffset: 100, lastOffset: 102))
        #expect(t.check(batch(seq: 3)) == .duplicate(firstOffset: 103, lastOffset: 105))
        #expect(t.check(batch(seq: 6)) == .append)
    }

    @Test func gapsStaleEpochsAndStrangersAreRefused() {
        var t = ProducerStateTable()
        t.record(batch(epoch: 2, seq: 0), firstOffset: 0)
        guard case .reject(.outOfOrderSequenceNumber, _) = t.check(batch(epoch: 2, seq: 9)) else { Issue.record("a gap must be refused"); return }
        guard case .reject(.invalidProducerEpoch, _) = t.check(batch(epoch: 1, seq: 3)) else { Issue.record("an older epoch must be refused"); return }
        guard case .reject(.outOfOrderSequenceNumber, _) = t.check(batch(epoch: 3, seq: 5)) else { Issue.record("a new epoch starts at 0"); return }
        #expect(t.check(batch(epoch: 3, seq: 0)) == .append)
        guard case .reject(.unknownProducerId, _) = t.check(batch(pid: 99, seq: 40)) else { Issue.record("an unknown producer mid-stream"); return }
        #expect(t.check(batch(pid: 99, seq: 0)) == .append)
        #expect(t.check(batch(pid: -1, seq: -1)) == .append, "non-idempotent batches are not checked")
    }

    @Test func onlyTheLastFiveBatchesAreRemembered() {
        var t = ProducerStateTable()
        for i: Int32 in 0..<7 { t.record(batch(seq: i * 3), firstOffset: Int64(i) * 3) }
        #expect(t.producers[7]?.batches.count == 5)
        #expect(t.check(batch(seq: 18)) == .duplicate(firstOffset: 18, lastOffset: 20))
        guard case .reject = t.check(batch(seq: 0)) else { Issue.record("a batch older than the last five is not a known duplicate"); return }
    }

    @Test func sequencesWrapAroundAtInt32Max() {
        #expect(ProducerStateTable.add(Int32.max, 1) == 0)
        #expect(ProducerStateTable.add(Int32.max - 1, 3) == 1)
        var t = ProducerStateTable()
        t.record(batch(seq: Int32.max - 2, count: 3), firstOffset: 0)
        #expect(t.check(batch(seq: 0)) == .append)
    }
}
