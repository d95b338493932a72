import Foundation
import KafkaProtocol
import RecordCodecs

/// Reading a partition log: whole batches (as bytes, or as file stretches to send), offsets by
/// timestamp, batch headers for rebuilding state.
extension PartitionLog {
    /// The first offset whose record timestamp is at or after `timestamp` (ms): what ListOffsets
    /// answers for a timestamp. `nil` when every record is older. Batches are skipped by their max
    /// timestamp; only the batch that holds the answer is decoded.
    public func offset(forTimestamp timestamp: Int64) throws -> Int64? {
        for s in segments where s.maxTimestamp >= timestamp {
            for (i, b) in s.batches.enumerated() where b.maxTimestamp >= timestamp {
                let end = i + 1 < s.batches.count ? s.batches[i + 1].position : s.size
                let bytes = try pread(s, at: b.position, count: end - b.position)
                let batch = try RecordBatch.parse(bytes)
                // LogAppendTime batches stamp every record with the batch's time.
                if batch.isLogAppendTime { return b.base }
                // Compressed batches are decompressed to find the record; one that cannot be read
                // (it was validated when written, so only damage does that) answers with its base.
                let records = (try? batch.decodedRecords(in: bytes, at: 0)) ?? []
                if let r = records.first(where: { batch.baseTimestamp + $0.timestampDelta >= timestamp }) {
                    return b.base + Int64(r.offsetDelta)
                }
                if records.isEmpty { return b.base }
            }
        }
        return nil
    }

    /// Every batch's header, oldest first (records are not read): how producer and
    /// transaction state is rebuilt when a log is opened.
    public func forEachBatchHeader(_ body: (RecordBatch) throws -> Void) throws {
        for s in segments {
            for b in s.batches {
                let head = try pread(s, at: b.position, count: RecordBatch.headerSize)
                try body(try RecordBatch.parseHeader(head))
            }
        }
    }

    /// The batch that holds `offset`, whole (for control records and tests).
    public func batch(containing offset: Int64) throws -> [UInt8]? {
        guard let s = segments.last(where: { $0.baseOffset <= offset }),
              let i = s.batches.firstIndex(where: { $0.last >= offset && $0.base <= offset }) else { return nil }
        let end = i + 1 < s.batches.count ? s.batches[i + 1].position : s.size
        return try pread(s, at: s.batches[i].position, count: end - s.batches[i].position)
    }

    /// The largest record timestamp in the log (ListOffsets' MAX_TIMESTAMP), nil when empty.
    public func maxTimestamp() throws -> Int64? {
        let m = segments.map(\.maxTimestamp).max() ?? -1
        return m >= 0 ? m : nil
    }

    /// A stretch of a segment file holding whole batches: what a fetch sends. It keeps its
    /// segment open, so a span stays readable even if retention deletes the file meanwhile.
    public struct FileSpan: @unchecked Sendable {
        let segment: Segment
        public let position: Int
        public let length: Int
        /// A descriptor of its own for the file (the caller closes it): for `sendfile`.
        public func openDescriptor() -> Int32 { dup(segment.fd) }
    }

    /// Where the batches `read(from:maxBytes:below:)` would return lie on disk, without reading
    /// them: whole batches from the one holding `offset`, contiguous within each segment.
    public func spans(from offset: Int64, maxBytes: Int, below limit: Int64 = .max, atLeastOneBatch: Bool = true) throws -> [FileSpan] {
        guard offset >= logStartOffset, offset <= nextOffset else {
            throw LogError.offsetOutOfRange(requested: offset, logStart: logStartOffset, logEnd: nextOffset)
        }
        guard offset < nextOffset else { return [] }
        var spans: [FileSpan] = []
        var total = 0
        var si = segments.lastIndex { $0.baseOffset <= offset } ?? 0
        var bi = segments[si].batches.firstIndex { $0.last >= offset } ?? segments[si].batches.count
        while si < segments.count {
            let s = segments[si]
            var from = -1, to = -1
            while bi < s.batches.count {
                let b = s.batches[bi]
                // A batch is served whole or not at all: one reaching the limit (the high
                // watermark or last stable offset) waits until all of it is below; at least one
                // batch goes out however small `maxBytes` (KIP-74) when `atLeastOneBatch`.
                if b.last >= limit { break }
                let end = bi + 1 < s.batches.count ? s.batches[bi + 1].position : s.size
                if (total > 0 || !atLeastOneBatch) && total + (end - b.position) > maxBytes { break }
                if from < 0 { from = b.position }
                to = end
                total += end - b.position
                bi += 1
            }
            if from >= 0 { spans.append(FileSpan(segment: s, position: from, length: to - from)) }
            if bi < s.batches.count { break }
            si += 1
            bi = 0
        }
        return spans
    }

    /// Whole batches from the one holding `offset` on, up to `maxBytes` — but always at least one
    /// batch, as Kafka does (KIP-74) — and none reaching `limit`.
    public func read(from offset: Int64, maxBytes: Int, below limit: Int64 = .max) throws -> [UInt8] {
        let spans = try spans(from: offset, maxBytes: maxBytes, below: limit)
        let total = spans.reduce(0) { $0 + $1.length }
        guard total > 0 else { return [] }
        var failure: Error?
        let out = [UInt8](unsafeUninitializedCapacity: total) { buffer, count in
            var at = 0
            for span in spans {
                do {
                    try preadFully(span.segment, at: span.position,
                                   into: UnsafeMutableRawBufferPointer(rebasing: UnsafeMutableRawBufferPointer(buffer)[at..<(at + span.length)]))
                } catch {
                    failure = error
                    break
                }
                at += span.length
            }
            count = failure == nil ? total : 0
        }
        if let failure { throw failure }
        return out
    }

    func preadFully(_ s: Segment, at position: Int, into buffer: UnsafeMutableRawBufferPointer) throws {
        var done = 0
        while done < buffer.count {
            let n = Foundation.pread(s.fd, buffer.baseAddress! + done, buffer.count - done, off_t(position + done))
            if n < 0 { if errno == EINTR { continue }; throw LogError.io(path: s.path, operation: "read", errno: errno) }
            if n == 0 { throw LogError.io(path: s.path, operation: "read (unexpected end)", errno: EIO) }
            done += n
        }
    }
}
