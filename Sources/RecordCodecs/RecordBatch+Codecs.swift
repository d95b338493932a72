import KafkaProtocol

/// Record batches of any codec: their records read, checked and written.
extension RecordBatch {
    /// The most a batch's records may expand to when decompressed: past it the batch is refused
    /// (RECORD_TOO_LARGE) before more memory is taken (docs/engine.md, Compression).
    public static let decompressedLimit = 64 << 20

    /// This batch's records section, decompressed (an uncompressed one as it is).
    public func recordsSection(in bytes: [UInt8], at start: Int, limit: Int = RecordBatch.decompressedLimit) throws -> [UInt8] {
        guard let codec = compression else { throw RecordCodecError.unknownCodec(attributes: attributes) }
        let section = bytes[(start + Self.headerSize)..<(start + size)]
        return codec == .none ? Array(section) : try RecordCodec.decompress(section, codec, limit: limit)
    }

    /// The records of this batch, whatever its codec.
    public func decodedRecords(in bytes: [UInt8], at start: Int, limit: Int = RecordBatch.decompressedLimit) throws -> [Record] {
        if compression == RecordBatch.Compression.none { return try records(in: bytes, at: start) }
        let section = try recordsSection(in: bytes, at: start, limit: limit)
        return try Self.decodeRecords(section, range: 0..<section.count, count: recordCount)
    }

    /// What a broker checks before appending (``RecordBatch/scanRecords(_:range:count:)``),
    /// decompressing first when the batch is compressed. Returns true when every record has a key.
    public func validateRecords(in bytes: [UInt8], at start: Int, limit: Int = RecordBatch.decompressedLimit) throws -> Bool {
        if compression == RecordBatch.Compression.none {
            return try Self.scanRecords(bytes, range: (start + Self.headerSize)..<(start + size), count: recordCount)
        }
        let section = try recordsSection(in: bytes, at: start, limit: limit)
        return try Self.scanRecords(section, range: 0..<section.count, count: recordCount)
    }

    /// Builds a batch of `records` compressed with `codec` (`level` nil: the codec's default),
    /// the producer's way; `attributes` keeps its other bits (transactional, control, timestamp type).
    public static func encode(baseOffset: Int64 = 0, partitionLeaderEpoch: Int32 = -1, attributes: Int16 = 0, baseTimestamp: Int64,
                              producerId: Int64 = -1, producerEpoch: Int16 = -1, baseSequence: Int32 = -1,
                              compression codec: Compression, level: Int? = nil, records: [Record]) throws -> [UInt8] {
        let section = try RecordCodec.compress(encodeRecords(records), codec, level: level)
        return assemble(baseOffset: baseOffset, partitionLeaderEpoch: partitionLeaderEpoch, attributes: attributes & ~0x7 | codec.rawValue,
                        baseTimestamp: baseTimestamp, producerId: producerId, producerEpoch: producerEpoch, baseSequence: baseSequence,
                        lastOffsetDelta: records.map(\.offsetDelta).max() ?? 0,
                        maxTimestamp: baseTimestamp + (records.map(\.timestampDelta).max() ?? 0),
                        recordCount: Int32(records.count), section: section)
    }
}
