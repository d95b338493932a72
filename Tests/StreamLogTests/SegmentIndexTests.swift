import Foundation
import Testing
import KafkaProtocol
@testable import StreamLog

/// Closed segments reopen from their index; a damaged or stale index is ignored and rebuilt.
@Suite struct SegmentIndexTests {
    let dir = NSTemporaryDirectory() + "sluice-index-\(UUID().uuidString)"

    func fill(_ log: PartitionLog, batches: Int) throws {
        for i in 0..<batches {
            try log.append(RecordBatch.encode(baseTimestamp: 1_700_000_000_000 + Int64(i), records: [Record(offsetDelta: 0, key: [UInt8(i % 7)], value: Array(repeating: 1, count: 100))]))
        }
    }

    var indexFiles: [String] { ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasSuffix(".index") }.sorted() }

    @Test func closedSegmentsReopenFromTheirIndex() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let log = try PartitionLog(directory: dir, configuration: .init(segmentBytes: 1000))
        try fill(log, batches: 40)
        let segments = log.segments.count
        #expect(segments > 4)
        #expect(indexFiles.count == segments - 1, "every closed segment has an index")
        let before = try log.read(from: 0, maxBytes: 1 << 20)
        let reopened = try PartitionLog(directory: dir, configuration: .init(segmentBytes: 1000))
        #expect(reopened.recovery.indexedSegments == segments - 1)
        #expect(reopened.nextOffset == 40)
        #expect(try reopened.read(from: 0, maxBytes: 1 << 20) == before)
        #expect(try reopened.offset(forTimestamp: 1_700_000_000_020) == 20, "the time index answers lookups")
    }

    @Test func aDamagedOrStaleIndexIsRebuiltByScanning() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let log = try PartitionLog(directory: dir, configuration: .init(segmentBytes: 1000))
        try fill(log, batches: 30)
        let closed = log.segments.count - 1
        let first = dir + "/" + indexFiles[0]
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: first)))
        bytes[20] ^= 0xff
        try Data(bytes).write(to: URL(fileURLWithPath: first))
        try? FileManager.default.removeItem(atPath: dir + "/" + indexFiles[1])
        let reopened = try PartitionLog(directory: dir, configuration: .init(segmentBytes: 1000))
        #expect(reopened.recovery.indexedSegments == closed - 2)
        #expect(reopened.nextOffset == 30)
        #expect(reopened.recovery.truncatedBytes == 0)
        #expect(indexFiles.count == closed, "the two were written again")
        let again = try PartitionLog(directory: dir, configuration: .init(segmentBytes: 1000))
        #expect(again.recovery.indexedSegments == closed)
    }

    @Test func retentionAndCompactionKeepIndexesInStep() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let log = try PartitionLog(directory: dir, configuration: .init(segmentBytes: 1000))
        try fill(log, batches: 40)
        try log.compact(now: 1_800_000_000_000, deleteRetentionMs: 0)
        let afterCompaction = try PartitionLog(directory: dir, configuration: .init(segmentBytes: 1000))
        #expect(afterCompaction.recovery.indexedSegments == log.segments.count - 1, "rewritten segments got fresh indexes")
        #expect(try afterCompaction.read(from: 0, maxBytes: 1 << 20) == log.read(from: 0, maxBytes: 1 << 20))
        let deleted = try log.applyRetention(now: 1_800_000_000_000, retentionMs: 1000, retentionBytes: nil)
        #expect(deleted > 0)
        #expect(indexFiles.count == log.segments.count - 1, "indexes go with their segments")
    }
}
