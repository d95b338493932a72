import Foundation
import Testing
import KafkaProtocol
import RecordCodecs
@testable import StreamLog

/// Log compaction: the latest record per key survives, tombstones go after their retention,
/// offsets never move, and the result survives a reopen.
@Suite struct CompactionTests {
    let dir = NSTemporaryDirectory() + "sluice-compact-\(UUID().uuidString)"
    let t0: Int64 = 1_700_000_000_000

    func put(_ log: PartitionLog, _ key: String, _ value: String?, at time: Int64) throws {
        try log.append(RecordBatch.encode(baseTimestamp: time, records: [Record(offsetDelta: 0, key: Array(key.utf8), value: value.map { Array($0.utf8) })]))
    }

    func contents(_ log: PartitionLog) throws -> [(offset: Int64, key: String, value: String?)] {
        let bytes = try log.read(from: log.logStartOffset, maxBytes: 1 << 24)
        return try RecordBatch.split(bytes, allowTruncatedTail: false).flatMap { b, start in
            try b.decodedRecords(in: bytes, at: start).map {
                (b.baseOffset + Int64($0.offsetDelta), String(decoding: $0.key ?? [], as: UTF8.self), $0.value.map { String(decoding: $0, as: UTF8.self) })
            }
        }
    }

    @Test func latestPerKeySurvivesAndOffsetsStay() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let log = try PartitionLog(directory: dir, configuration: .init(segmentBytes: 300))
        for round in 0..<10 {
            for k in ["a", "b", "c"] { try put(log, k, "\(k)\(round)", at: t0 + Int64(round)) }
        }
        try put(log, "b", nil, at: t0 + 100)   // b deleted
        let end = log.nextOffset
        #expect(log.segments.count > 3)
        let result = try log.compact(now: t0 + 1_000, deleteRetentionMs: 10_000)
        #expect(result.recordsRemoved > 0 && result.segmentsRewritten > 0)
        #expect(log.nextOffset == end, "compaction never moves the log end")
        let after = try contents(log)
        // Closed segments keep only each key's latest record; the active segment is untouched.
        let activeBase = log.segments.last!.baseOffset
        let closed = after.filter { $0.offset < activeBase }
        #expect(Set(closed.map(\.key)).count == closed.count, "a key appears twice in the closed segments: \(closed)")
        let lastByKey = Dictionary(after.map { ($0.key, $0.value) }, uniquingKeysWith: { _, b in b })
        #expect(lastByKey["a"] == "a9")
        #expect(lastByKey["c"] == "c9")
        #expect(lastByKey["b"] == .some(nil), "the tombstone is still within delete.retention.ms")
        #expect(after.map(\.offset) == after.map(\.offset).sorted(), "offsets stay in order, with gaps")
        // A reopened log reads the same (gaps are not mistaken for corruption).
        let reopened = try PartitionLog(directory: dir, configuration: .init(segmentBytes: 300))
        #expect(reopened.recovery.truncatedBytes == 0)
        #expect(try contents(reopened).map(\.offset) == after.map(\.offset))
        #expect(reopened.nextOffset == end)
        // Reading from an offset compaction removed starts at the next record kept.
        let removed = try #require((0..<end).first { o in !after.contains { $0.offset == o } })
        let from = try RecordBatch.split(try reopened.read(from: removed, maxBytes: 1 << 20), allowTruncatedTail: false)
        #expect((from.first?.batch.baseOffset ?? -1) > removed)
    }

    @Test func tombstonesGoAfterTheirRetention() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let log = try PartitionLog(directory: dir, configuration: .init(segmentBytes: 200))
        try put(log, "x", "1", at: t0)
        try put(log, "x", nil, at: t0 + 1)
        for i in 0..<6 { try put(log, "y", "\(i)", at: t0 + 2 + Int64(i)) }
        #expect(try log.compact(now: t0 + 500, deleteRetentionMs: 1_000).tombstonesRemoved == 0)
        #expect(try contents(log).contains { $0.key == "x" && $0.value == nil })
        #expect(try log.compact(now: t0 + 5_000, deleteRetentionMs: 1_000).tombstonesRemoved == 1)
        #expect(try !contents(log).contains { $0.key == "x" }, "after delete.retention.ms the key is gone entirely")
    }

    @Test func recentSegmentsWaitForTheMinimumLag() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let log = try PartitionLog(directory: dir, configuration: .init(segmentBytes: 200))
        for i in 0..<8 { try put(log, "k", "\(i)", at: t0 + Int64(i)) }
        #expect(try log.compact(now: t0 + 10, deleteRetentionMs: 0, minLagMs: 60_000).segmentsRewritten == 0)
        #expect(try log.compact(now: t0 + 120_000, deleteRetentionMs: 0, minLagMs: 60_000).segmentsRewritten > 0)
    }

    /// Batches written compressed (each codec): compaction looks inside them, keeps each key's
    /// latest record and drops deleted keys, rewrites a batch that lost records with its own
    /// codec, and the segment shrinks.
    @Test(arguments: [RecordBatch.Compression.gzip, .snappy, .lz4, .zstd])
    func compressedBatchesAreCompactedWithTheirCodec(_ codec: RecordBatch.Compression) throws {
        let dir = self.dir + "-\(codec.name)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let log = try PartitionLog(directory: dir, configuration: .init(segmentBytes: 600))
        // 40 batches of 10 records over 8 keys, then key k3 deleted.
        for round in 0..<40 {
            let records = (0..<10).map { i in
                Record(offsetDelta: Int32(i), timestampDelta: Int64(i), key: Array("k\((round * 10 + i) % 8)".utf8),
                       value: Array("value \(round * 10 + i) \(String(repeating: "x", count: 40))".utf8))
            }
            try log.append(try RecordBatch.encode(baseTimestamp: t0 + Int64(round) * 10, compression: codec, records: records))
        }
        try log.append(try RecordBatch.encode(baseTimestamp: t0 + 1_000, compression: codec,
                                              records: [Record(offsetDelta: 0, key: Array("k3".utf8), value: nil)]))
        for i in 0..<12 { try put(log, "filler", "\(i)", at: t0 + 2_000 + Int64(i)) }   // roll the segment holding the tombstone
        let sizeBefore = log.segments.map(\.size).reduce(0, +)
        let result = try log.compact(now: t0 + 10_000, deleteRetentionMs: 1_000)
        #expect(result.recordsRemoved > 300, "\(codec.name): \(result)")
        #expect(result.tombstonesRemoved == 1)
        #expect(log.segments.map(\.size).reduce(0, +) < sizeBefore / 3, "the log shrinks")
        let after = try contents(log)
        let keys = after.filter { $0.key.hasPrefix("k") }
        #expect(Set(keys.map(\.key)) == Set((0..<8).map { "k\($0)" }.filter { $0 != "k3" }), "deleted k3 is gone, the rest remain")
        #expect(keys.count == 7, "one record per key: \(keys.map(\.key))")
        #expect(keys.first { $0.key == "k7" }?.value?.hasPrefix("value 399 ") == true, "the latest value survives")
        // Rewritten batches keep the codec.
        let bytes = try log.read(from: log.logStartOffset, maxBytes: 1 << 24)
        let batches = try RecordBatch.split(bytes, allowTruncatedTail: false).map(\.batch).filter { $0.recordCount > 0 && $0.baseOffset < 400 }
        #expect(!batches.isEmpty && batches.allSatisfy { $0.compression == codec })
    }
}
