/// One record inside a batch (magic 2), with its deltas still relative to the batch.
public struct Record: Sendable, Equatable {
    public struct Header: Sendable, Equatable {
        public var key: String
        public var value: [UInt8]?
        public init(key: String, value: [UInt8]?) { self.key = key; self.value = value }
    }
    public var offsetDelta: Int32
    public var timestampDelta: Int64
    public var key: [UInt8]?
    /// `nil` is a tombstone.
    public var value: [UInt8]?
    public var headers: [Header]
    public init(offsetDelta: Int32, timestampDelta: Int64 = 0, key: [UInt8]? = nil, value: [UInt8]?, headers: [Header] = []) {
        self.offsetDelta = offsetDelta; self.timestampDelta = timestampDelta; self.key = key; self.value = value; self.headers = headers
    }
}

/// A record batch (magic 2) as producers send it and a log stores it: a 61-byte header, then the
/// records. `RecordBatch` is the parsed header plus where the batch lies in its bytes; the records
/// are decoded only when asked for, so a broker can validate and store batches as received.
public struct RecordBatch: Sendable, Equatable {
    public static let headerSize = 61
    /// baseOffset + batchLength: the part before the length-counted rest.
    public static let logOverhead = 12

    public enum Compression: Int16, Sendable { case none = 0, gzip = 1, snappy = 2, lz4 = 3, zstd = 4 }

    public var baseOffset: Int64
    /// Bytes after the batchLength field; the whole batch is `logOverhead + batchLength`.
    public var batchLength: Int32
    public var partitionLeaderEpoch: Int32
    public var crc: UInt32
    public var attributes: Int16
    public var lastOffsetDelta: Int32
    public var baseTimestamp: Int64
    public var maxTimestamp: Int64
    public var producerId: Int64
    public var producerEpoch: Int16
    public var baseSequence: Int32
    public var recordCount: Int32

    public var size: Int { Self.logOverhead + Int(batchLength) }
    public var lastOffset: Int64 { baseOffset + Int64(lastOffsetDelta) }
    public var compression: Compression? { Compression(rawValue: attributes & 0x7) }
    public var isLogAppendTime: Bool { attributes & 0x8 != 0 }
    public var isTransactional: Bool { attributes & 0x10 != 0 }
    public var isControl: Bool { attributes & 0x20 != 0 }

    /// Reads and checks the batch starting at `start`: magic 2, a length that fits, a CRC that
    /// matches. Throws ``KafkaProtocolError`` naming what is wrong.
    public static func parse(_ bytes: [UInt8], at start: Int = 0) throws -> RecordBatch {
        let available = bytes.count - start
        guard available >= logOverhead else {
            throw KafkaProtocolError.truncated(field: "record batch header", needed: logOverhead, remaining: max(0, available))
        }
        var r = KafkaReader(bytes: bytes, range: start..<bytes.count)
        let baseOffset = try r.readInt64("baseOffset")
        let length = try r.readInt32("batchLength")
        guard Int(length) >= headerSize - logOverhead else {
            throw KafkaProtocolError.invalidLength(field: "batchLength (a batch is at least \(headerSize) bytes)", length: Int(length))
        }
        guard Int(length) <= available - logOverhead else {
            throw KafkaProtocolError.truncated(field: "record batch", needed: Int(length), remaining: available - logOverhead)
        }
        let crc = try checkedCRC(bytes, start: start, length: length)
        var h = KafkaReader(bytes: bytes, range: start..<(start + headerSize))
        return try header(&h, crc: crc)
    }

    /// Reads the 61-byte header of a batch already validated (stored in a log): no CRC check.
    public static func parseHeader(_ bytes: [UInt8], at start: Int = 0) throws -> RecordBatch {
        var r = KafkaReader(bytes: bytes, range: start..<bytes.count)
        let batch = try header(&r, crc: nil)
        return batch
    }

    private static func checkedCRC(_ bytes: [UInt8], start: Int, length: Int32) throws -> UInt32 {
        var r = KafkaReader(bytes: bytes, range: (start + 16)..<bytes.count)
        let magic = try r.readInt8("magic")
        guard magic == 2 else { throw KafkaProtocolError.invalidValue(field: "magic", detail: "\(magic); only record batches v2 are supported") }
        let crc = try r.readUInt32("crc")
        let covered = (start + 21)..<(start + logOverhead + Int(length))
        let actual = CRC32C.checksum(bytes, range: covered)
        guard actual == crc else {
            throw KafkaProtocolError.invalidValue(field: "crc", detail: "stored \(hex(crc)), computed \(hex(actual)): the batch is corrupt")
        }
        return crc
    }

    private static func header(_ r: inout KafkaReader, crc: UInt32?) throws -> RecordBatch {
        let baseOffset = try r.readInt64("baseOffset")
        let length = try r.readInt32("batchLength")
        let epoch = try r.readInt32("partitionLeaderEpoch")
        let magic = try r.readInt8("magic")
        guard magic == 2 else { throw KafkaProtocolError.invalidValue(field: "magic", detail: "\(magic); only record batches v2 are supported") }
        let stored = try r.readUInt32("crc")
        let batch = RecordBatch(baseOffset: baseOffset, batchLength: length, partitionLeaderEpoch: epoch, crc: crc ?? stored,
                                attributes: try r.readInt16("attributes"), lastOffsetDelta: try r.readInt32("lastOffsetDelta"),
                                baseTimestamp: try r.readInt64("baseTimestamp"), maxTimestamp: try r.readInt64("maxTimestamp"),
                                producerId: try r.readInt64("producerId"), producerEpoch: try r.readInt16("producerEpoch"),
                                baseSequence: try r.readInt32("baseSequence"), recordCount: try r.readInt32("recordsCount"))
        guard batch.recordCount >= 0, batch.lastOffsetDelta >= 0 || batch.recordCount == 0 else {
            throw KafkaProtocolError.invalidValue(field: "recordsCount", detail: "\(batch.recordCount) records, last offset delta \(batch.lastOffsetDelta)")
        }
        return batch
    }

    /// The batches laid end to end in a records byte string. With `allowTruncatedTail` (a Fetch
    /// response, cut by byte limits) a last batch shorter than its length ends the list quietly;
    /// otherwise (a produce request, a log segment) it is an error.
    public static func split(_ bytes: [UInt8], allowTruncatedTail: Bool) throws -> [(batch: RecordBatch, start: Int)] {
        var out: [(RecordBatch, Int)] = []
        var at = 0
        while at < bytes.count {
            if allowTruncatedTail {
                let left = bytes.count - at
                if left < logOverhead { break }
                let length = Int(Int32(bitPattern: UInt32(bytes[at + 8]) << 24 | UInt32(bytes[at + 9]) << 16 | UInt32(bytes[at + 10]) << 8 | UInt32(bytes[at + 11])))
                if length >= 0 && left < logOverhead + length { break }
            }
            let b = try parse(bytes, at: at)
            out.append((b, at))
            at += b.size
        }
        return out
    }

    /// Sets the base offset (and leader epoch) of the batch at `start`, as a broker does when it
    /// appends: neither is covered by the CRC, so the batch stays valid.
    /// Marks a stored batch as LogAppendTime (`message.timestamp.type=LogAppendTime`): sets the
    /// attribute bit and the max timestamp to `now`, then recomputes the CRC those fields are under.
    public static func stampLogAppendTime(_ now: Int64, in bytes: inout [UInt8], at start: Int = 0) {
        let attributes = (UInt16(bytes[start + 21]) << 8 | UInt16(bytes[start + 22])) | 0x8
        bytes[start + 21] = UInt8(attributes >> 8)
        bytes[start + 22] = UInt8(attributes & 0xff)
        let ts = UInt64(bitPattern: now)
        for i in 0..<8 { bytes[start + 35 + i] = UInt8(truncatingIfNeeded: ts >> (UInt64(7 - i) * 8)) }
        let length = Int(UInt32(bytes[start + 8]) << 24 | UInt32(bytes[start + 9]) << 16 | UInt32(bytes[start + 10]) << 8 | UInt32(bytes[start + 11]))
        let crc = CRC32C.checksum(bytes, range: (start + 21)..<(start + logOverhead + length))
        for i in 0..<4 { bytes[start + 17 + i] = UInt8(truncatingIfNeeded: crc >> (UInt32(3 - i) * 8)) }
    }

    public static func assign(baseOffset: Int64, partitionLeaderEpoch: Int32, in bytes: inout [UInt8], at start: Int) {
        for i in 0..<8 { bytes[start + i] = UInt8(truncatingIfNeeded: baseOffset >> (56 - 8 * i)) }
        for i in 0..<4 { bytes[start + 12 + i] = UInt8(truncatingIfNeeded: partitionLeaderEpoch >> (24 - 8 * i)) }
    }
}

private func hex(_ v: UInt32) -> String {
    let s = String(v, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, 8 - s.count)) + s
}
