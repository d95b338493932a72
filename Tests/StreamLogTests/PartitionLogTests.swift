import Foundation
import Testing
import KafkaProtocol
@testable import StreamLog

/// A partition log on disk: append, read, reopen, and recovery from torn and corrupt tails.
@Suite struct PartitionLogTests {
    let dir = NSTemporaryDirectory() + "sluice-log-\(UUID().uuidString)"

    func batch(_ values: [String], time: Int64 = 1_700_000_000_000) -> [UInt8] {
        RecordBatch.encode(baseTimestamp: time, records: values.enumerated().map { i, v in
            Record(offsetDelta: Int32(i), key: Array("k\(i)".utf8), value: Array(v.utf8))
        })
    }

    func values(_ bytes: [UInt8]) throws -> [(Int64, String)] {
        try RecordBatch.split(bytes, allowTruncatedTail: false).flatMap { b, start in
            try b.records(in: bytes, at: start).map { (b.baseOffset + Int64($0.offsetDelta), String(decoding: $0.value ?? [], as: UTF8.self)) }
        }
    }

    var segmentFiles: [String] { ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasSuffix(".log") }.sorted() }

    @Test func appendAssignsOffsetsAndReadsWholeBatches() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let log = try PartitionLog(directory: dir)
        #expect(try log.append(batch(["a", "b", "c"])) == (0, 2))
        #expect(try log.append(batch(["d", "e", "f"])) == (3, 5))
        #expect(try log.append(batch(["g", "h", "i"])) == (6, 8))
        #expect(log.nextOffset == 9 && log.logStartOffset == 0)
        // From offset 4: the batch holding it (3…5) and the next.
        let read = try values(log.read(from: 4, maxBytes: 1 << 20))
        #expect(read.map(\.0) == [3, 4, 5, 6, 7, 8])
        #expect(read.map(\.1) == ["d", "e", "f", "g", "h", "i"])
        #expect(try log.read(from: 9, maxBytes: 100).isEmpty)
        #expect(throws: PartitionLog.LogError.offsetOutOfRange(requested: 10, logStart: 0, logEnd: 9)) { try log.read(from: 10, maxBytes: 100) }
        // At least one whole batch however small the limit (KIP-74), never a cut one.
        #expect(try values(log.read(from: 0, maxBytes: 1)).map(\.0) == [0, 1, 2])
    }

    @Test func aDirectoryThatCannotBeMadeReportsTheRealReason() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        // A regular file where a directory should be: ENOTDIR, named with the path that failed.
        FileManager.default.createFile(atPath: dir + "/blocker", contents: Data())
        do {
            _ = try PartitionLog(directory: dir + "/blocker/orders-0")
            Issue.record("opened a log under a regular file")
        } catch let e as PartitionLog.LogError {
            #expect("\(e)".contains("Not a directory"), "\(e)")
            #expect("\(e)".contains("blocker"), "\(e)")
        }
    }

    @Test func reopenFindsEveryBatch() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        do {
            let log = try PartitionLog(directory: dir)
            for i in 0..<5 { try log.append(batch(["v\(i)"])) }
        }
        let again = try PartitionLog(directory: dir)
        #expect(again.nextOffset == 5)
        #expect(again.recovery == PartitionLog.Recovery(batches: 5, truncatedBytes: 0, reason: nil))
        #expect(try again.append(batch(["v5"])) == (5, 5))
        #expect(try values(again.read(from: 0, maxBytes: 1 << 20)).map(\.1) == ["v0", "v1", "v2", "v3", "v4", "v5"])
    }

    @Test func tornTailIsCutToTheLastWholeBatch() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        do {
            let log = try PartitionLog(directory: dir)
            try log.append(batch(["a", "b"]))
            try log.append(batch(["c"]))
        }
        // A crash in the middle of writing a third batch.
        let third = batch(["d", "e", "f"])
        let path = dir + "/" + segmentFiles[0]
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data(third.prefix(third.count / 2)))
        handle.closeFile()

        let log = try PartitionLog(directory: dir)
        #expect(log.nextOffset == 3)
        #expect(log.recovery.batches == 2 && log.recovery.truncatedBytes == third.count / 2)
        #expect(log.recovery.reason?.contains("torn") == true)
        #expect(try log.append(third) == (3, 5))
        #expect(try values(log.read(from: 0, maxBytes: 1 << 20)).map(\.1) == ["a", "b", "c", "d", "e", "f"])
    }

    @Test func corruptTailIsCutAndNamed() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var sizes: [Int] = []
        do {
            let log = try PartitionLog(directory: dir)
            for v in ["a", "b", "c"] { let b = batch([v]); sizes.append(b.count); try log.append(b) }
        }
        // One bit flips in the last batch's value.
        let path = dir + "/" + segmentFiles[0]
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[bytes.count - 2] ^= 0x04
        try Data(bytes).write(to: URL(fileURLWithPath: path))

        let log = try PartitionLog(directory: dir)
        #expect(log.nextOffset == 2)
        #expect(log.recovery.truncatedBytes == sizes[2])
        #expect(log.recovery.reason?.contains("crc") == true)
        #expect(try values(log.read(from: 0, maxBytes: 1 << 20)).map(\.1) == ["a", "b"])
    }

    @Test func segmentsRollAndReadsCrossThem() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let one = batch(["0123456789"]).count
        do {
            let log = try PartitionLog(directory: dir, configuration: .init(segmentBytes: one * 2 + 1, fsyncEveryAppend: false))
            for i in 0..<7 { try log.append(batch(["value-\(i)"])) }
            #expect(try values(log.read(from: 2, maxBytes: 1 << 20)).map(\.0) == [2, 3, 4, 5, 6])
        }
        #expect(segmentFiles == ["00000000000000000000.log", "00000000000000000002.log", "00000000000000000004.log", "00000000000000000006.log"])
        let log = try PartitionLog(directory: dir)
        #expect(log.nextOffset == 7 && log.recovery.batches == 7)
        #expect(try values(log.read(from: 5, maxBytes: 1 << 20)).map(\.1) == ["value-5", "value-6"])
    }

    /// `segment.ms`: a segment older than that is closed at the next append (0: every append
    /// after the first starts a new one); without it, size alone decides.
    @Test func segmentsAlsoRollWithAge() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var config = PartitionLog.Configuration(fsyncEveryAppend: false)
        config.segmentMs = 0
        let log = try PartitionLog(directory: dir, configuration: config)
        for i in 0..<3 { try log.append(batch(["v\(i)"])) }
        #expect(segmentFiles == ["00000000000000000000.log", "00000000000000000001.log", "00000000000000000002.log"])
        log.configuration.segmentMs = nil
        for i in 3..<6 { try log.append(batch(["v\(i)"])) }
        #expect(segmentFiles.count == 3, "without segment.ms the active segment takes the rest")
        #expect(try values(log.read(from: 0, maxBytes: 1 << 20)).map(\.1) == ["v0", "v1", "v2", "v3", "v4", "v5"])
    }

    @Test func invalidBatchIsRefusedAndTheLogIsUntouched() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let log = try PartitionLog(directory: dir)
        try log.append(batch(["a"]))
        var bad = batch(["b"])
        bad[bad.count - 1] ^= 0xFF
        #expect { try log.append(bad) } throws: { e in
            guard case let .invalidBatch(inner)? = e as? PartitionLog.LogError else { return false }
            return "\(inner)".contains("crc")
        }
        #expect { try log.append(Array(bad.prefix(30))) } throws: { e in
            if case .invalidBatch? = e as? PartitionLog.LogError { return true }
            return false
        }
        #expect(log.nextOffset == 1)
        #expect(try values(log.read(from: 0, maxBytes: 1 << 20)).map(\.1) == ["a"])
        #expect(try PartitionLog(directory: dir).recovery.truncatedBytes == 0)
    }
}

/// Retention by time and by size removes whole old segments, never the active one.
@Suite struct RetentionTests {
    let dir = NSTemporaryDirectory() + "sluice-retention-\(UUID().uuidString)"

    func batch(_ v: String, time: Int64) -> [UInt8] { RecordBatch.encode(baseTimestamp: time, records: [Record(offsetDelta: 0, value: Array(v.utf8))]) }

    @Test func oldSegmentsGoAndTheLogStartMoves() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let one = batch("x", time: 0).count
        let log = try PartitionLog(directory: dir, configuration: .init(segmentBytes: one, fsyncEveryAppend: false))
        for (i, t) in [1_000, 2_000, 3_000, 4_000].enumerated() { try log.append(batch("v\(i)", time: Int64(t))) }
        #expect(log.logStartOffset == 0)
        // Records older than 1.5 s at t = 4.2 s: the segments of t = 1 s and 2 s.
        #expect(try log.applyRetention(now: 4_200, retentionMs: 1_500, retentionBytes: nil) == 2)
        #expect(log.logStartOffset == 2 && log.nextOffset == 4)
        #expect(throws: PartitionLog.LogError.self) { try log.read(from: 1, maxBytes: 100) }
        // Size: keep at most one segment's worth — but never the active segment.
        #expect(try log.applyRetention(now: 4_200, retentionMs: nil, retentionBytes: Int64(one)) == 1)
        #expect(log.logStartOffset == 3)
        #expect(try log.applyRetention(now: 99_999, retentionMs: 1, retentionBytes: 0) == 0)
        // The log reopens from what is left.
        let again = try PartitionLog(directory: dir)
        #expect(again.logStartOffset == 3 && again.nextOffset == 4)
    }
}

/// ListOffsets by timestamp: the first record at or after the time.
@Suite struct TimestampLookupTests {
    @Test func firstOffsetAtOrAfterATimestamp() throws {
        let dir = NSTemporaryDirectory() + "sluice-ts-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let log = try PartitionLog(directory: dir, configuration: .init(segmentBytes: 150, fsyncEveryAppend: false))
        // Batches at 1000 (+0, +10, +20) and 2000 (+0, +5).
        try log.append(RecordBatch.encode(baseTimestamp: 1_000, records: [
            Record(offsetDelta: 0, timestampDelta: 0, value: [0]), Record(offsetDelta: 1, timestampDelta: 10, value: [1]),
            Record(offsetDelta: 2, timestampDelta: 20, value: [2])]))
        try log.append(RecordBatch.encode(baseTimestamp: 2_000, records: [
            Record(offsetDelta: 0, timestampDelta: 0, value: [3]), Record(offsetDelta: 1, timestampDelta: 5, value: [4])]))
        #expect(try log.offset(forTimestamp: 0) == 0)
        #expect(try log.offset(forTimestamp: 1_005) == 1)
        #expect(try log.offset(forTimestamp: 1_020) == 2)
        #expect(try log.offset(forTimestamp: 1_021) == 3)
        #expect(try log.offset(forTimestamp: 2_005) == 4)
        #expect(try log.offset(forTimestamp: 2_006) == nil)
    }
}
