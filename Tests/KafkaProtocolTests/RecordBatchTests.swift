import Testing
@testable import KafkaProtocol

/// Record batches (magic 2) and their CRC-32C, from the format's own facts.
@Suite struct RecordBatchTests {
    @Test func crc32cCheckValueAndSlicingAgreeWithBytewise() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([]) == 0)
        // The 8-byte fast path and the byte-at-a-time tail give the same answer at every length.
        let data = (0..<100).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        for n in 0...data.count {
            var crc: UInt32 = 0xFFFF_FFFF
            for b in data.prefix(n) {
                crc ^= UInt32(b)
                for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
            }
            #expect(CRC32C.checksum(Array(data.prefix(n))) == crc ^ 0xFFFF_FFFF, "length \(n)")
            // The table-driven path (used where the CPU has no CRC instruction) agrees too.
            #expect(Array(data.prefix(n)).withUnsafeBufferPointer { CRC32C.software($0) } == crc ^ 0xFFFF_FFFF, "software, length \(n)")
        }
    }

    static let records = [
        Record(offsetDelta: 0, timestampDelta: 0, key: Array("k1".utf8), value: Array("hello".utf8),
               headers: [.init(key: "trace", value: [1, 2, 3]), .init(key: "none", value: nil)]),
        Record(offsetDelta: 1, timestampDelta: 5, key: nil, value: nil),   // a tombstone without a key
        Record(offsetDelta: 2, timestampDelta: 300, key: [], value: Array(repeating: 0xAB, count: 1000)),
    ]

    @Test func encodeThenParseRoundTrips() throws {
        let bytes = RecordBatch.encode(baseTimestamp: 1_700_000_000_000, producerId: 7, producerEpoch: 1, baseSequence: 40, records: Self.records)
        let b = try RecordBatch.parse(bytes)
        #expect(b.size == bytes.count)
        #expect(b.recordCount == 3 && b.lastOffsetDelta == 2)
        #expect(b.maxTimestamp == 1_700_000_000_300)
        #expect(b.producerId == 7 && b.producerEpoch == 1 && b.baseSequence == 40)
        #expect(b.compression == RecordBatch.Compression.none && !b.isTransactional && !b.isControl)
        #expect(try b.records(in: bytes, at: 0) == Self.records)
        // The header is 61 bytes and the CRC covers attributes to the end.
        #expect(bytes[16] == 2)
        #expect(CRC32C.checksum(bytes, range: 21..<bytes.count) == b.crc)
    }

    @Test func assigningOffsetsKeepsTheBatchValid() throws {
        var bytes = RecordBatch.encode(baseTimestamp: 1, records: Self.records)
        RecordBatch.assign(baseOffset: 1_000, partitionLeaderEpoch: 3, in: &bytes, at: 0)
        let b = try RecordBatch.parse(bytes)
        #expect(b.baseOffset == 1_000 && b.partitionLeaderEpoch == 3 && b.lastOffset == 1_002)
    }

    @Test func corruptionIsCaughtAndNamed() {
        let good = RecordBatch.encode(baseTimestamp: 1, records: Self.records)
        var flipped = good
        flipped[good.count - 1] ^= 0x01
        #expect { try RecordBatch.parse(flipped) } throws: { e in
            guard case let .invalidValue(field, detail)? = e as? KafkaProtocolError else { return false }
            return field == "crc" && detail.contains("corrupt")
        }
        var magic = good
        magic[16] = 1
        #expect { try RecordBatch.parse(magic) } throws: { e in
            if case .invalidValue("magic", _)? = e as? KafkaProtocolError { return true }
            return false
        }
        #expect { try RecordBatch.parse(Array(good.prefix(40))) } throws: { e in
            if case .truncated? = e as? KafkaProtocolError { return true }
            return false
        }
        var tiny = good
        tiny[8] = 0; tiny[9] = 0; tiny[10] = 0; tiny[11] = 20   // batchLength 20 < 49
        #expect { try RecordBatch.parse(tiny) } throws: { e in
            if case .invalidLength? = e as? KafkaProtocolError { return true }
            return false
        }
    }

    @Test func recordLengthThatDisagreesWithItsFieldsIsAnError() throws {
        // One record whose length varint claims one byte more than its fields, with a valid CRC.
        var bytes = RecordBatch.encode(baseTimestamp: 1, records: [Record(offsetDelta: 0, value: [9])])
        let lengthAt = RecordBatch.headerSize
        bytes[lengthAt] = bytes[lengthAt] &+ 2           // zigzag: +1 in value
        bytes.append(0)                                  // the byte the length now claims
        let newLength = Int32(bytes.count - RecordBatch.logOverhead)
        for i in 0..<4 { bytes[8 + i] = UInt8(truncatingIfNeeded: newLength >> (24 - 8 * i)) }
        let crc = CRC32C.checksum(bytes, range: 21..<bytes.count)
        for i in 0..<4 { bytes[17 + i] = UInt8(truncatingIfNeeded: crc >> (24 - 8 * UInt32(i))) }
        let b = try RecordBatch.parse(bytes)
        #expect { try b.records(in: bytes, at: 0) } throws: { e in
            guard case let .invalidValue(field, detail)? = e as? KafkaProtocolError else { return false }
            return field == "record 0" && detail.contains("bytes parsed")
        }
    }

    @Test func fetchResponsesMayEndInTheMiddleOfABatch() throws {
        let a = RecordBatch.encode(baseOffset: 0, baseTimestamp: 1, records: Self.records)
        var b = RecordBatch.encode(baseOffset: 3, baseTimestamp: 2, records: [Record(offsetDelta: 0, value: [1])])
        RecordBatch.assign(baseOffset: 3, partitionLeaderEpoch: 0, in: &b, at: 0)
        let both = a + b
        #expect(try RecordBatch.split(both, allowTruncatedTail: false).map(\.batch.baseOffset) == [0, 3])
        #expect(try RecordBatch.split(both, allowTruncatedTail: false).map(\.start) == [0, a.count])
        for cut in [1, 11, 12, 30, b.count - 1] {
            let partial = Array(both.prefix(a.count + cut))
            #expect(try RecordBatch.split(partial, allowTruncatedTail: true).map(\.batch.baseOffset) == [0], "cut \(cut)")
            #expect(throws: KafkaProtocolError.self) { try RecordBatch.split(partial, allowTruncatedTail: false) }
        }
    }

    @Test func compressedBatchesSayWhichCodec() throws {
        let bytes = RecordBatch.encode(attributes: 4, baseTimestamp: 1, records: [Record(offsetDelta: 0, value: [1])])   // zstd bit
        let b = try RecordBatch.parse(bytes)
        #expect(b.compression == .zstd)
        #expect { try b.records(in: bytes, at: 0) } throws: { e in "\(e)".contains("zstd") }
    }
}

/// A fetch answer in pieces (large record sets not copied in) is byte for byte the whole frame.
@Suite struct DeferredRecordsTests {
    @Test func partsJoinToTheSameFrame() throws {
        let big = RecordBatch.encode(baseTimestamp: 1, records: (0..<40).map { Record(offsetDelta: Int32($0), value: Array(repeating: UInt8($0), count: 1000)) })
        let small = RecordBatch.encode(baseTimestamp: 1, records: [Record(offsetDelta: 0, value: [1])])
        let response = FetchResponse(responses: [.init(topic: "t", partitions: [
            .init(partitionIndex: 0, highWatermark: 40, records: big), .init(partitionIndex: 1, highWatermark: 1, records: small),
            .init(partitionIndex: 2, highWatermark: 40, records: big),
        ])])
        for v: Int16 in [4, 11, 12] {
            let whole = try KafkaFrame.response(response, version: v, correlationId: 5)
            let parts = try KafkaFrame.responseParts(response, version: v, correlationId: 5)
            let slices = parts.compactMap { p -> ArraySlice<UInt8>? in if case let .bytes(b) = p { return b }; return nil }
            #expect(slices.count == parts.count)
            #expect(Array(slices.joined()) == whole, "v\(v)")
            #expect(slices.filter { $0.count == big.count && Array($0) == big }.count == 2, "both large sets travel uncopied; the small one inline")
            // Records a sender supplies itself (a file region) leave a hole of the right length.
            var external = response
            external.responses[0].partitions[0].records = nil
            external.responses[0].partitions[0].externalRecordsLength = big.count
            let holes = try KafkaFrame.responseParts(external, version: v, correlationId: 5)
            #expect(holes.contains(.external(ordinal: 0, length: big.count)))
            let filled = holes.flatMap { p -> [UInt8] in
                switch p { case let .bytes(b): Array(b); case .external: big }
            }
            #expect(filled == whole, "v\(v) with the file's bytes in the hole")
        }
    }
}
