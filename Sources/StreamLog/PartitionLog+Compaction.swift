import Foundation
import KafkaProtocol
import RecordCodecs

extension PartitionLog {
    /// What one compaction pass did.
    public struct CompactionResult: Equatable, Sendable {
        public var segmentsRewritten = 0
        public var recordsRemoved = 0
        public var tombstonesRemoved = 0
        public var bytesBefore = 0
        public var bytesAfter = 0
    }

    /// Log compaction (`cleanup.policy=compact`): in every closed segment whose newest record is
    /// older than `minLagMs`, a record survives only if it is the latest for its key anywhere in
    /// the log; a tombstone (null value) survives until `deleteRetentionMs` after it was written.
    /// Offsets never change (the log just gains gaps), the active segment is never touched, a
    /// compressed batch that loses records is rewritten with its own codec, and batches that are
    /// not the producer's plain records (transactional, control, or damaged) are kept whole. Each segment is rewritten to a side file, flushed and renamed over the original, so
    /// a crash mid-way leaves either the old segment or the new one.
    @discardableResult
    public func compact(now: Int64, deleteRetentionMs: Int64, minLagMs: Int64 = 0) throws -> CompactionResult {
        var result = CompactionResult()
        guard segments.count > 1 else { return result }
        // Pass 1: the latest offset of every key, over the whole log.
        var latest: [[UInt8]: Int64] = [:]
        for s in segments {
            try forEachRecord(in: s) { batch, record, offset in
                if let key = record.key { latest[key] = offset }
            }
        }
        // Pass 2: rewrite the closed segments that have something to drop.
        for i in 0..<(segments.count - 1) {
            let s = segments[i]
            guard s.maxTimestamp < now - minLagMs else { continue }
            let bytes = try pread(s, at: 0, count: s.size)
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count)
            var removed = 0, tombstones = 0
            var kept: [(base: Int64, last: Int64, position: Int, maxTimestamp: Int64)] = []
            for (batch, start) in try RecordBatch.split(bytes, allowTruncatedTail: false) {
                let whole = Array(bytes[start..<(start + batch.size)])
                guard !batch.isTransactional, !batch.isControl, let codec = batch.compression,
                      let records = try? batch.decodedRecords(in: bytes, at: start) else {
                    kept.append((batch.baseOffset, batch.lastOffset, out.count, batch.maxTimestamp))
                    out += whole
                    continue
                }
                let survivors = records.filter { r in
                    let offset = batch.baseOffset + Int64(r.offsetDelta)
                    guard let key = r.key else { return true }
                    if latest[key] != offset { removed += 1; return false }
                    if r.value == nil && batch.baseTimestamp + r.timestampDelta < now - deleteRetentionMs { tombstones += 1; return false }
                    return true
                }
                if survivors.count == records.count {
                    kept.append((batch.baseOffset, batch.lastOffset, out.count, batch.maxTimestamp))
                    out += whole
                } else if !survivors.isEmpty {
                    // Same base offset, producer fields and codec; only the records that survive.
                    let rebuilt = try RecordBatch.encode(baseOffset: batch.baseOffset, partitionLeaderEpoch: batch.partitionLeaderEpoch,
                                                         attributes: batch.attributes, baseTimestamp: batch.baseTimestamp,
                                                         producerId: batch.producerId, producerEpoch: batch.producerEpoch,
                                                         baseSequence: batch.baseSequence, compression: codec, records: survivors)
                    let parsed = try RecordBatch.parse(rebuilt)
                    kept.append((parsed.baseOffset, parsed.lastOffset, out.count, parsed.maxTimestamp))
                    out += rebuilt
                }
            }
            guard removed + tombstones > 0 else { continue }
            let end = s.nextOffset
            try replace(segmentAt: i, with: out, batches: kept, endOffset: end)
            result.segmentsRewritten += 1
            result.recordsRemoved += removed
            result.tombstonesRemoved += tombstones
            result.bytesBefore += bytes.count
            result.bytesAfter += out.count
        }
        return result
    }

    private func forEachRecord(in s: Segment, _ body: (RecordBatch, Record, Int64) throws -> Void) throws {
        guard s.size > 0 else { return }
        let bytes = try pread(s, at: 0, count: s.size)
        for (batch, start) in try RecordBatch.split(bytes, allowTruncatedTail: false) {
            guard !batch.isControl, let records = try? batch.decodedRecords(in: bytes, at: start) else { continue }
            for r in records { try body(batch, r, batch.baseOffset + Int64(r.offsetDelta)) }
        }
    }

    /// Writes `bytes` beside segment `i`, flushes, renames it over the segment and swaps it in.
    private func replace(segmentAt i: Int, with bytes: [UInt8], batches: [(base: Int64, last: Int64, position: Int, maxTimestamp: Int64)],
                         endOffset: Int64) throws {
        let old = segments[i]
        let side = old.path + ".cleaned"
        let fd = Foundation.open(side, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw LogError.io(path: side, operation: "open", errno: errno) }
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { Foundation.pwrite(fd, $0.baseAddress! + done, bytes.count - done, off_t(done)) }
            if n < 0 {
                if errno == EINTR { continue }
                let e = errno
                close(fd); unlink(side)
                throw LogError.io(path: side, operation: "write", errno: e)
            }
            done += n
        }
        guard fsync(fd) == 0 else { let e = errno; close(fd); unlink(side); throw LogError.io(path: side, operation: "fsync", errno: e) }
        guard rename(side, old.path) == 0 else { let e = errno; close(fd); unlink(side); throw LogError.io(path: old.path, operation: "rename", errno: e) }
        let dir = Foundation.open(directory, O_RDONLY)
        if dir >= 0 { fsync(dir); close(dir) }
        let fresh = Segment(baseOffset: old.baseOffset, path: old.path, fd: fd, size: bytes.count)
        fresh.batches = batches
        fresh.maxTimestamp = batches.map(\.maxTimestamp).max() ?? -1
        fresh.endOffset = endOffset
        segments[i] = fresh
        writeIndex(fresh)
    }
}
