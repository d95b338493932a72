import Foundation
import KafkaProtocol

/// A closed segment's offset and time index (`<base>.index`): one entry per batch — first and
/// last offset, file position, largest timestamp — so opening a log reads a few bytes per batch
/// instead of scanning and checksumming every segment. Written when a segment closes (and after
/// compaction rewrites it); trusted only when its own CRC matches and it describes a segment of
/// exactly the size on disk, otherwise the segment is scanned as before and the index rewritten.
enum SegmentIndex {
    static let magic: [UInt8] = Array("SLIX".utf8)
    static let version: Int16 = 1

    typealias Entry = (base: Int64, last: Int64, position: Int, maxTimestamp: Int64)

    static func path(forSegment segment: String) -> String { String(segment.dropLast(4)) + ".index" }

    static func encode(segmentSize: Int, endOffset: Int64?, entries: [Entry]) -> [UInt8] {
        var w = KafkaWriter(capacity: 32 + entries.count * 32)
        w.writeRawBytes(magic)
        w.writeInt16(version)
        w.writeInt64(Int64(segmentSize))
        w.writeInt64(endOffset ?? -1)
        w.writeInt32(Int32(entries.count))
        for e in entries {
            w.writeInt64(e.base)
            w.writeInt64(e.last)
            w.writeInt64(Int64(e.position))
            w.writeInt64(e.maxTimestamp)
        }
        w.writeUInt32(CRC32C.checksum(w.bytes))
        return w.bytes
    }

    /// The entries, or nil when the file is missing, damaged, or for a segment of another size.
    static func load(path: String, segmentSize: Int) -> (entries: [Entry], endOffset: Int64?)? {
        guard let data = FileManager.default.contents(atPath: path), data.count >= 30 else { return nil }
        let bytes = [UInt8](data)
        var tail = KafkaReader(Array(bytes.suffix(4)))
        guard let stored = try? tail.readUInt32(), CRC32C.checksum(Array(bytes.dropLast(4))) == stored else { return nil }
        var r = KafkaReader(Array(bytes.dropLast(4)))
        guard (try? r.readRawBytes(4)) == magic, (try? r.readInt16()) == version,
              let size = try? r.readInt64(), Int(size) == segmentSize,
              let end = try? r.readInt64(), let count = try? r.readInt32(), count >= 0, Int(count) * 32 == r.remaining else { return nil }
        var entries: [Entry] = []
        entries.reserveCapacity(Int(count))
        for _ in 0..<count {
            guard let base = try? r.readInt64(), let last = try? r.readInt64(), let pos = try? r.readInt64(), let ts = try? r.readInt64() else { return nil }
            entries.append((base, last, Int(pos), ts))
        }
        // Positions must run forward inside the segment, or the index is not trusted.
        var previous = -1
        for e in entries {
            guard e.position > previous, e.position < segmentSize, e.last >= e.base else { return nil }
            previous = e.position
        }
        return (entries, end >= 0 ? end : nil)
    }

    /// Writes the index beside its segment (a temporary file renamed into place). Not flushed:
    /// a lost or torn index is detected and rebuilt by scanning.
    static func write(segmentPath: String, segmentSize: Int, endOffset: Int64?, entries: [Entry]) {
        let target = path(forSegment: segmentPath)
        let tmp = target + ".tmp"
        guard FileManager.default.createFile(atPath: tmp, contents: Data(encode(segmentSize: segmentSize, endOffset: endOffset, entries: entries))) else { return }
        if rename(tmp, target) != 0 { unlink(tmp) }
    }
}
