/// The records section of a batch (magic 2): decoding, a validating scan that allocates
/// nothing, and encoding. Compressed sections are handed here already decompressed (the
/// codecs live in RecordCodecs, over system libraries; this module stays pure).
extension RecordBatch {
    /// Decodes the records of this uncompressed batch, which starts at `start` in `bytes`.
    /// Compressed batches are decoded by RecordCodecs (`decodedRecords`).
    public func records(in bytes: [UInt8], at start: Int) throws -> [Record] {
        guard compression == Compression.none else {
            throw KafkaProtocolError.invalidValue(field: "attributes", detail: "compression \(compression.map { "\($0)" } ?? "\(attributes & 7)") is not decoded here")
        }
        return try Self.decodeRecords(bytes, range: (start + Self.headerSize)..<(start + size), count: recordCount)
    }

    /// Decodes `count` records laid end to end in `bytes[range]` (a records section, raw or
    /// decompressed); the section must hold exactly those records.
    public static func decodeRecords(_ bytes: [UInt8], range: Range<Int>, count: Int32) throws -> [Record] {
        var r = KafkaReader(bytes: bytes, range: range)
        var out: [Record] = []
        out.reserveCapacity(Int(min(count, 1 << 16)))
        for i in 0..<Int(count) {
            let length = Int(try r.readVarint("record \(i) length"))
            guard length >= 0, length <= r.remaining else { throw KafkaProtocolError.invalidLength(field: "record \(i)", length: length) }
            let before = r.remaining
            _ = try r.readInt8("record attributes")
            let timestampDelta = try r.readVarlong("timestampDelta")
            let offsetDelta = try r.readVarint("offsetDelta")
            let key = try readVarBytes(&r, "record key")
            let value = try readVarBytes(&r, "record value")
            let headerCount = Int(try r.readVarint("header count"))
            guard headerCount >= 0, headerCount <= r.remaining else { throw KafkaProtocolError.invalidLength(field: "header count", length: headerCount) }
            var headers: [Record.Header] = []
            for _ in 0..<headerCount {
                guard let k = try readVarBytes(&r, "header key") else {
                    throw KafkaProtocolError.invalidValue(field: "header key", detail: "null")
                }
                guard let name = String(validating: k, as: UTF8.self) else { throw KafkaProtocolError.invalidUTF8(field: "header key") }
                headers.append(Record.Header(key: name, value: try readVarBytes(&r, "header value")))
            }
            guard before - r.remaining == length else {
                throw KafkaProtocolError.invalidValue(field: "record \(i)", detail: "length \(length) but \(before - r.remaining) bytes parsed")
            }
            out.append(Record(offsetDelta: offsetDelta, timestampDelta: timestampDelta, key: key, value: value, headers: headers))
        }
        guard r.isAtEnd else { throw KafkaProtocolError.trailingBytes(count: r.remaining) }
        return out
    }

    /// What a broker checks of a records section before it appends, walking it without copying
    /// a byte: exactly `count` well-formed records whose offset deltas run 0, 1, 2, … (Kafka's
    /// offset range and record count must agree). Returns true when every record has a key (a
    /// compacted topic takes no keyless record).
    public static func scanRecords(_ bytes: [UInt8], range: Range<Int>, count: Int32) throws -> Bool {
        var r = KafkaReader(bytes: bytes, range: range)
        var allKeyed = true
        for i in 0..<Int(count) {
            let length = Int(try r.readVarint("record \(i) length"))
            guard length >= 0, length <= r.remaining else { throw KafkaProtocolError.invalidLength(field: "record \(i)", length: length) }
            let before = r.remaining
            _ = try r.readInt8("record attributes")
            _ = try r.readVarlong("timestampDelta")
            let offsetDelta = try r.readVarint("offsetDelta")
            guard offsetDelta == Int32(i) else {
                throw KafkaProtocolError.invalidValue(field: "record \(i) offsetDelta", detail: "\(offsetDelta); the deltas of a batch run 0, 1, 2, …")
            }
            let keyLength = Int(try r.readVarint("record key length"))
            if keyLength == -1 { allKeyed = false } else { try r.skip(keyLength, "record key") }
            let valueLength = Int(try r.readVarint("record value length"))
            if valueLength != -1 { try r.skip(valueLength, "record value") }
            let headerCount = Int(try r.readVarint("header count"))
            guard headerCount >= 0, headerCount <= r.remaining else { throw KafkaProtocolError.invalidLength(field: "header count", length: headerCount) }
            for _ in 0..<headerCount {
                let k = Int(try r.readVarint("header key length"))
                guard k >= 0 else { throw KafkaProtocolError.invalidValue(field: "header key", detail: "null") }
                try r.skip(k, "header key")
                let v = Int(try r.readVarint("header value length"))
                if v != -1 { try r.skip(v, "header value") }
            }
            guard before - r.remaining == length else {
                throw KafkaProtocolError.invalidValue(field: "record \(i)", detail: "length \(length) but \(before - r.remaining) bytes parsed")
            }
        }
        guard r.isAtEnd else { throw KafkaProtocolError.trailingBytes(count: r.remaining) }
        return allKeyed
    }

    static func readVarBytes(_ r: inout KafkaReader, _ field: String) throws -> [UInt8]? {
        let n = Int(try r.readVarint("\(field) length"))
        if n == -1 { return nil }
        guard n >= 0 else { throw KafkaProtocolError.invalidLength(field: field, length: n) }
        return try r.readRawBytes(n, field)
    }

    /// The records section for `records`, uncompressed.
    public static func encodeRecords(_ records: [Record]) -> [UInt8] {
        var body = KafkaWriter(capacity: 64 + records.count * 32)
        for rec in records {
            var r = KafkaWriter(capacity: 32)
            r.writeInt8(0)
            r.writeVarlong(rec.timestampDelta)
            r.writeVarint(rec.offsetDelta)
            writeVarBytes(&r, rec.key)
            writeVarBytes(&r, rec.value)
            r.writeVarint(Int32(rec.headers.count))
            for h in rec.headers { writeVarBytes(&r, Array(h.key.utf8)); writeVarBytes(&r, h.value) }
            body.writeVarint(Int32(r.bytes.count))
            body.writeRawBytes(r.bytes)
        }
        return body.bytes
    }

    /// Builds an uncompressed batch with its CRC, the way a producer sends it (or a broker writes
    /// a control batch).
    public static func encode(baseOffset: Int64 = 0, partitionLeaderEpoch: Int32 = -1, attributes: Int16 = 0, baseTimestamp: Int64,
                              producerId: Int64 = -1, producerEpoch: Int16 = -1, baseSequence: Int32 = -1, records: [Record]) -> [UInt8] {
        assemble(baseOffset: baseOffset, partitionLeaderEpoch: partitionLeaderEpoch, attributes: attributes, baseTimestamp: baseTimestamp,
                 producerId: producerId, producerEpoch: producerEpoch, baseSequence: baseSequence,
                 lastOffsetDelta: records.map(\.offsetDelta).max() ?? 0,
                 maxTimestamp: baseTimestamp + (records.map(\.timestampDelta).max() ?? 0),
                 recordCount: Int32(records.count), section: encodeRecords(records))
    }

    /// A batch around a records section already encoded (and compressed, if `attributes` says
    /// so): the 61-byte header, then the section, with the CRC over both.
    public static func assemble(baseOffset: Int64, partitionLeaderEpoch: Int32, attributes: Int16, baseTimestamp: Int64,
                                producerId: Int64, producerEpoch: Int16, baseSequence: Int32, lastOffsetDelta: Int32,
                                maxTimestamp: Int64, recordCount: Int32, section: [UInt8]) -> [UInt8] {
        var w = KafkaWriter(capacity: headerSize + section.count)
        w.writeInt64(baseOffset)
        w.writeInt32(Int32(headerSize - logOverhead + section.count))
        w.writeInt32(partitionLeaderEpoch)
        w.writeInt8(2)
        w.writeUInt32(0)   // CRC, filled in below
        w.writeInt16(attributes)
        w.writeInt32(lastOffsetDelta)
        w.writeInt64(baseTimestamp)
        w.writeInt64(maxTimestamp)
        w.writeInt64(producerId)
        w.writeInt16(producerEpoch)
        w.writeInt32(baseSequence)
        w.writeInt32(recordCount)
        w.writeRawBytes(section)
        var bytes = w.bytes
        let crc = CRC32C.checksum(bytes, range: 21..<bytes.count)
        bytes[17] = UInt8(crc >> 24); bytes[18] = UInt8(crc >> 16 & 0xFF); bytes[19] = UInt8(crc >> 8 & 0xFF); bytes[20] = UInt8(crc & 0xFF)
        return bytes
    }

    static func writeVarBytes(_ w: inout KafkaWriter, _ b: [UInt8]?) {
        guard let b else { w.writeVarint(-1); return }
        w.writeVarint(Int32(b.count))
        w.writeRawBytes(b)
    }
}
