import Foundation
import KafkaProtocol

/// One partition's log on disk: segments named by their base offset (`00000000000000000000.log`),
/// each holding record batches exactly as producers sent them, with offsets assigned on append.
///
/// Opening a log recovers it: every batch of every segment is checked (length, magic, CRC-32C,
/// offsets continuing where the previous batch ended), and the log is cut at the first batch that
/// fails — a torn write from a crash, or a corrupted tail — so what remains is exactly the batches
/// that were whole. Not thread-safe: the engine keeps every partition on its one event loop.
public final class PartitionLog: @unchecked Sendable {   // used from one thread at a time
    public struct Configuration: Sendable {
        /// A segment is closed and a new one started once it reaches this size.
        public var segmentBytes: Int = 64 << 20
        /// A segment is also closed once it has been open this long (`segment.ms`); nil: never.
        public var segmentMs: Int64?
        /// Flush to disk after every append (`acks=all` durability without a replica).
        public var fsyncEveryAppend = true
        public init(segmentBytes: Int = 64 << 20, fsyncEveryAppend: Bool = true) {
            self.segmentBytes = segmentBytes; self.fsyncEveryAppend = fsyncEveryAppend
        }
    }

    public enum LogError: Error, Equatable, CustomStringConvertible {
        case io(path: String, operation: String, errno: Int32)
        case invalidBatch(KafkaProtocolError)
        case offsetOutOfRange(requested: Int64, logStart: Int64, logEnd: Int64)
        public var description: String {
            switch self {
            case let .io(path, op, e): "\(op) \(path): \(String(cString: strerror(e)))"
            case let .invalidBatch(e): "invalid record batch: \(e)"
            case let .offsetOutOfRange(o, s, e): "offset \(o) is outside the log [\(s), \(e))"
            }
        }
    }

    /// What recovery found when the log was opened.
    public struct Recovery: Sendable, Equatable {
        public var batches = 0
        /// Bytes cut from the tail (a torn or corrupt batch and anything after it).
        public var truncatedBytes = 0
        public var reason: String?
        /// Closed segments opened from their index instead of a scan.
        public var indexedSegments = 0
    }

    final class Segment: @unchecked Sendable {
        let baseOffset: Int64
        let path: String
        let fd: Int32
        var size: Int
        /// (first offset of the batch, last offset, file position), one per batch, in order.
        var batches: [(base: Int64, last: Int64, position: Int, maxTimestamp: Int64)] = []
        /// The largest record timestamp in the segment (ms), for time-based retention.
        var maxTimestamp: Int64 = -1
        /// When this segment became the one written to (ms), for `segment.ms`.
        let openedAtMs = Int64(Date().timeIntervalSince1970 * 1000)
        init(baseOffset: Int64, path: String, fd: Int32, size: Int) { self.baseOffset = baseOffset; self.path = path; self.fd = fd; self.size = size }
        deinit { close(fd) }
        /// Compaction may leave a closed segment empty or ending early; the offset after it is
        /// then remembered here so the log end stays where it was.
        var endOffset: Int64?
        var nextOffset: Int64 { max(batches.last.map { $0.last + 1 } ?? baseOffset, endOffset ?? 0) }
    }

    public let directory: String
    /// Segment size may change while the log is open (a topic's segment.bytes altered).
    public var configuration: Configuration
    public private(set) var recovery = Recovery()
    var segments: [Segment] = []
    /// Segments written since the last `takePendingSync()`, and the log end they reach.
    private var unsynced: [Segment] = []

    /// Writes that are in the page cache but not yet flushed, to be made durable off the caller's
    /// thread (group commit): `perform()` may run on any thread while the log keeps appending.
    public struct PendingSync: @unchecked Sendable {
        let segments: [Segment]
        /// Every offset below this is durable once `perform()` returns.
        public let endOffset: Int64
        public func perform() throws {
            for s in segments where fsync(s.fd) != 0 {
                throw LogError.io(path: s.path, operation: "fsync", errno: errno)
            }
        }
    }

    /// The writes since the last call, or nil when everything written is already flushed.
    public func takePendingSync() -> PendingSync? {
        guard !unsynced.isEmpty else { return nil }
        defer { unsynced = [] }
        return PendingSync(segments: unsynced, endOffset: nextOffset)
    }

    /// `mkdir -p`, reporting the directory that could not be made and the real reason (errno).
    static func makeDirectories(_ path: String) -> (path: String, errno: Int32)? {
        var current = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            current += "/" + part
            if mkdir(current, 0o755) != 0 && errno != EEXIST { return (current, errno) }
        }
        var info = stat()
        guard stat(path, &info) == 0 else { return (path, errno) }
        return (info.st_mode & S_IFMT) == S_IFDIR ? nil : (path, ENOTDIR)
    }

    /// The offset the next appended record gets (Kafka's log end offset).
    public var nextOffset: Int64 { segments.last?.nextOffset ?? 0 }
    /// The first readable offset: the first segment's, or further on where DeleteRecords moved it.
    public var logStartOffset: Int64 { max(segments.first?.baseOffset ?? 0, deletedBelow) }
    /// Records before this offset were deleted (DeleteRecords); kept in `log-start-offset`.
    private var deletedBelow: Int64 = 0
    var logStartPath: String { directory + "/log-start-offset" }

    public init(directory: String, configuration: Configuration = Configuration()) throws {
        self.directory = directory
        self.configuration = configuration
        if let failed = Self.makeDirectories(directory) { throw LogError.io(path: failed.path, operation: "create", errno: failed.errno) }
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
            .filter { $0.hasSuffix(".log") }.compactMap { name -> (Int64, String)? in
                Int64(name.dropLast(4)).map { ($0, name) }
            }.sorted { $0.0 < $1.0 }
        var expected: Int64?
        for (i, (base, name)) in names.enumerated() {
            let path = directory + "/" + name
            if let e = expected, base < e {
                // An overlap: the segments after a cut are not part of this log any more.
                // (Gaps are normal once compaction has removed records.)
                for (_, later) in names[i...] { Self.remove(segmentAt: directory + "/" + later) }
                recovery.reason = recovery.reason ?? "segment \(name) does not continue at offset \(e)"
                break
            }
            let segment = try open(path: path, baseOffset: base)
            // A closed segment with a sound index is trusted; the last one is always scanned.
            if i < names.count - 1, let index = SegmentIndex.load(path: SegmentIndex.path(forSegment: path), segmentSize: segment.size) {
                segment.batches = index.entries
                segment.maxTimestamp = index.entries.map(\.maxTimestamp).max() ?? -1
                segment.endOffset = index.endOffset
                recovery.indexedSegments += 1
                recovery.batches += index.entries.count
                segments.append(segment)
                expected = segment.nextOffset
                continue
            }
            let cut = try recover(segment)
            segments.append(segment)
            expected = segment.nextOffset
            if i < names.count - 1 && !cut { writeIndex(segment) }
            if cut {
                for (_, later) in names[(i + 1)...] {
                    recovery.truncatedBytes += Int((try? FileManager.default.attributesOfItem(atPath: directory + "/" + later)[.size] as? Int) ?? 0)
                    Self.remove(segmentAt: directory + "/" + later)
                }
                break
            }
        }
        if segments.isEmpty { segments.append(try open(path: segmentPath(0), baseOffset: 0)) }
        if let text = try? String(contentsOfFile: logStartPath, encoding: .utf8), let start = Int64(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
            deletedBelow = min(start, nextOffset)
        }
    }

    /// Makes every record before `offset` unreadable (Kafka's DeleteRecords): the new log start is
    /// written durably first, then whole segments before it are removed (never the active one).
    /// `offset` must not pass the log end; an offset before the log start changes nothing.
    /// Returns the log start offset after the call.
    @discardableResult
    public func deleteRecords(before offset: Int64) throws -> Int64 {
        guard offset > logStartOffset else { return logStartOffset }
        guard offset <= nextOffset else { throw LogError.offsetOutOfRange(requested: offset, logStart: logStartOffset, logEnd: nextOffset) }
        let tmp = logStartPath + ".tmp"
        guard FileManager.default.createFile(atPath: tmp, contents: Data("\(offset)\n".utf8)) else {
            throw LogError.io(path: tmp, operation: "create", errno: errno)
        }
        let fd = Foundation.open(tmp, O_RDONLY)
        if fd >= 0 { fsync(fd); close(fd) }
        guard rename(tmp, logStartPath) == 0 else { throw LogError.io(path: logStartPath, operation: "rename", errno: errno) }
        let dfd = Foundation.open(directory, O_RDONLY)
        if dfd >= 0 { fsync(dfd); close(dfd) }
        deletedBelow = offset
        while segments.count > 1, segments[0].nextOffset <= offset {
            Self.remove(segmentAt: segments[0].path)
            segments.removeFirst()
        }
        return logStartOffset
    }

    /// Deletes a segment file and its index.
    static func remove(segmentAt path: String) {
        unlink(path)
        unlink(SegmentIndex.path(forSegment: path))
    }

    func writeIndex(_ s: Segment) {
        SegmentIndex.write(segmentPath: s.path, segmentSize: s.size, endOffset: s.endOffset, entries: s.batches)
    }

    func segmentPath(_ base: Int64) -> String {
        let digits = String(base)
        return directory + "/" + String(repeating: "0", count: max(0, 20 - digits.count)) + digits + ".log"
    }

    private func open(path: String, baseOffset: Int64) throws -> Segment {
        let fd = Foundation.open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw LogError.io(path: path, operation: "open", errno: errno) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { let e = errno; close(fd); throw LogError.io(path: path, operation: "stat", errno: e) }
        return Segment(baseOffset: baseOffset, path: path, fd: fd, size: Int(st.st_size))
    }

    /// Scans a segment batch by batch; cuts it at the first batch that is not whole and valid.
    /// Returns true when it cut.
    private func recover(_ s: Segment) throws -> Bool {
        var position = 0
        var next = s.baseOffset
        var reason: String?
        while position < s.size {
            guard s.size - position >= RecordBatch.logOverhead else { reason = "torn batch header at \(position)"; break }
            let head = try pread(s, at: position, count: RecordBatch.logOverhead)
            let length = Int(Int32(bitPattern: UInt32(head[8]) << 24 | UInt32(head[9]) << 16 | UInt32(head[10]) << 8 | UInt32(head[11])))
            guard length >= RecordBatch.headerSize - RecordBatch.logOverhead, length <= s.size - position - RecordBatch.logOverhead else {
                reason = "torn batch at \(position)"; break
            }
            let bytes = try pread(s, at: position, count: RecordBatch.logOverhead + length)
            let batch: RecordBatch
            do { batch = try RecordBatch.parse(bytes) } catch { reason = "batch at \(position): \(error)"; break }
            guard batch.baseOffset >= next else { reason = "batch at \(position) has offset \(batch.baseOffset), expected ≥ \(next)"; break }
            s.batches.append((batch.baseOffset, batch.lastOffset, position, batch.maxTimestamp))
            s.maxTimestamp = max(s.maxTimestamp, batch.maxTimestamp)
            recovery.batches += 1
            next = batch.lastOffset + 1
            position += batch.size
        }
        guard position < s.size else { return false }
        recovery.truncatedBytes += s.size - position
        recovery.reason = recovery.reason ?? reason
        guard ftruncate(s.fd, off_t(position)) == 0 else { throw LogError.io(path: s.path, operation: "truncate", errno: errno) }
        fsync(s.fd)
        s.size = position
        return true
    }

    func pread(_ s: Segment, at position: Int, count: Int) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = out.withUnsafeMutableBytes { Foundation.pread(s.fd, $0.baseAddress! + done, count - done, off_t(position + done)) }
            if n < 0 { if errno == EINTR { continue }; throw LogError.io(path: s.path, operation: "read", errno: errno) }
            if n == 0 { throw LogError.io(path: s.path, operation: "read (unexpected end)", errno: EIO) }
            done += n
        }
        return out
    }

    /// Appends one batch as received, after checking it, with offsets from `nextOffset` on.
    /// Returns the offsets it got. The CRC does not cover the offset, so the batch stays valid.
    @discardableResult
    public func append(_ batch: [UInt8], leaderEpoch: Int32 = 0) throws -> (first: Int64, last: Int64) {
        let parsed: RecordBatch
        do { parsed = try RecordBatch.parse(batch) } catch let e as KafkaProtocolError { throw LogError.invalidBatch(e) }
        guard parsed.size == batch.count else { throw LogError.invalidBatch(.trailingBytes(count: batch.count - parsed.size)) }
        return try append(validated: batch, parsed, leaderEpoch: leaderEpoch)
    }

    /// Appends `range` of `bytes`, one batch that `parsed` describes and the caller has already
    /// checked (the broker validates each batch of a produce request once). The batch is written
    /// as it is, except for its base offset and leader epoch, which go out from a small header
    /// copy in the same `pwritev`: the request's bytes are never copied.
    @discardableResult
    public func append(validated bytes: [UInt8], _ parsed: RecordBatch, range: Range<Int>? = nil, leaderEpoch: Int32 = 0) throws -> (first: Int64, last: Int64) {
        let range = range ?? 0..<bytes.count
        precondition(range.count == parsed.size && range.count >= RecordBatch.headerSize)
        var active = segments[segments.count - 1]
        let aged = configuration.segmentMs.map { Int64(Date().timeIntervalSince1970 * 1000) - active.openedAtMs >= $0 } ?? false
        if active.size > 0 && (active.size + range.count > configuration.segmentBytes || aged) {
            writeIndex(active)   // the segment is closed from now on
            active = try open(path: segmentPath(nextOffset), baseOffset: nextOffset)
            segments.append(active)
        }
        let first = active.nextOffset
        var head = Array(bytes[range.lowerBound..<(range.lowerBound + 16)])
        RecordBatch.assign(baseOffset: first, partitionLeaderEpoch: leaderEpoch, in: &head, at: 0)
        try bytes.withUnsafeBytes { all in
            try head.withUnsafeBytes { h in
                let rest = UnsafeRawBufferPointer(rebasing: all[(range.lowerBound + 16)..<range.upperBound])
                try write(active, [h, rest], total: range.count)
            }
        }
        if configuration.fsyncEveryAppend && fsync(active.fd) != 0 {
            let e = errno
            _ = ftruncate(active.fd, off_t(active.size))
            throw LogError.io(path: active.path, operation: "fsync", errno: e)
        }
        if !configuration.fsyncEveryAppend && unsynced.last !== active { unsynced.append(active) }
        let last = first + Int64(parsed.lastOffsetDelta)
        active.batches.append((first, last, active.size, parsed.maxTimestamp))
        active.maxTimestamp = max(active.maxTimestamp, parsed.maxTimestamp)
        active.size += range.count
        return (first, last)
    }

    /// Writes the pieces at the segment's end; on failure (a full disk, say) cuts off whatever
    /// part was written, so the log stays as it was.
    private func write(_ s: Segment, _ pieces: [UnsafeRawBufferPointer], total: Int) throws {
        var done = 0
        while done < total {
            var skip = done
            var iov: [iovec] = []
            for p in pieces {
                if skip >= p.count { skip -= p.count; continue }
                iov.append(iovec(iov_base: UnsafeMutableRawPointer(mutating: p.baseAddress! + skip), iov_len: p.count - skip))
                skip = 0
            }
            let n = pwritev(s.fd, iov, Int32(iov.count), off_t(s.size + done))
            if n < 0 {
                if errno == EINTR { continue }
                let e = errno
                _ = ftruncate(s.fd, off_t(s.size))
                throw LogError.io(path: s.path, operation: "write", errno: e)
            }
            done += n
        }
    }

    /// Bytes on disk over all segments.
    public var sizeInBytes: Int { segments.reduce(0) { $0 + $1.size } }

    /// Deletes whole segments from the start of the log — never the active one — whose newest
    /// record is older than `retentionMs` before `now`, then more while the log is larger than
    /// `retentionBytes` (Kafka's `retention.ms` and `retention.bytes`). Returns the segments
    /// deleted; the log start offset moves to the first one kept.
    @discardableResult
    public func applyRetention(now: Int64, retentionMs: Int64?, retentionBytes: Int64?) throws -> Int {
        var deleted = 0
        var total = Int64(sizeInBytes)
        while segments.count > 1 {
            let oldest = segments[0]
            // A closed segment compaction emptied holds nothing to keep.
            let expired = retentionMs.map { oldest.batches.isEmpty || (oldest.maxTimestamp >= 0 && oldest.maxTimestamp < now - $0) } ?? false
            let oversize = retentionBytes.map { total > $0 } ?? false
            guard expired || oversize else { break }
            guard unlink(oldest.path) == 0 else { throw LogError.io(path: oldest.path, operation: "delete", errno: errno) }
            unlink(SegmentIndex.path(forSegment: oldest.path))
            total -= Int64(oldest.size)
            segments.removeFirst()
            deleted += 1
        }
        return deleted
    }
}
