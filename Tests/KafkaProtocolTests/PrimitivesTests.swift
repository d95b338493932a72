import Testing
@testable import KafkaProtocol

@Suite struct PrimitivesTests {
    @Test func unsignedVarintMatchesProtobufVectors() throws {
        let cases: [(UInt32, [UInt8])] = [(0, [0x00]), (1, [0x01]), (127, [0x7F]), (128, [0x80, 0x01]),
                                          (300, [0xAC, 0x02]), (UInt32.max, [0xFF, 0xFF, 0xFF, 0xFF, 0x0F])]
        for (value, bytes) in cases {
            var w = KafkaWriter()
            w.writeUnsignedVarint(value)
            #expect(w.bytes == bytes)
            var r = KafkaReader(bytes)
            #expect(try r.readUnsignedVarint() == value)
        }
    }

    @Test func zigZagVarintsRoundTrip() throws {
        for v: Int32 in [0, -1, 1, -64, 63, 64, Int32.min, Int32.max] {
            var w = KafkaWriter()
            w.writeVarint(v)
            var r = KafkaReader(w.bytes)
            #expect(try r.readVarint() == v)
        }
        var w = KafkaWriter()
        w.writeVarint(-1)
        #expect(w.bytes == [0x01])  // ZigZag: -1 -> 1
        for v: Int64 in [0, -1, 1, Int64.min, Int64.max, 1_700_000_000_000] {
            var w = KafkaWriter()
            w.writeVarlong(v)
            var r = KafkaReader(w.bytes)
            #expect(try r.readVarlong() == v)
        }
    }

    @Test func overlongVarintIsRejected() {
        var r = KafkaReader([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01])
        #expect(throws: KafkaProtocolError.malformedVarint(field: "varint")) { try r.readUnsignedVarint() }
    }

    @Test func stringsInBothEncodings() throws {
        var w = KafkaWriter()
        w.writeString("abc", compact: false)
        w.writeNullableString(nil, compact: false)
        w.writeString("abc", compact: true)
        w.writeNullableString(nil, compact: true)
        #expect(w.bytes == [0x00, 0x03, 0x61, 0x62, 0x63, 0xFF, 0xFF, 0x04, 0x61, 0x62, 0x63, 0x00])
        var r = KafkaReader(w.bytes)
        #expect(try r.readString(compact: false) == "abc")
        #expect(try r.readNullableString(compact: false) == nil)
        #expect(try r.readString(compact: true) == "abc")
        #expect(try r.readNullableString(compact: true) == nil)
        try r.expectEnd()
    }

    @Test func nullWhereStringRequiredIsTypedError() {
        var r = KafkaReader([0xFF, 0xFF])
        #expect(throws: KafkaProtocolError.self) { try r.readString(compact: false, "topic") }
    }

    @Test func invalidUTF8IsTypedError() {
        var r = KafkaReader([0x00, 0x02, 0xC3, 0x28])
        #expect(throws: KafkaProtocolError.invalidUTF8(field: "name")) { try r.readString(compact: false, "name") }
    }

    @Test func hostileArrayCountDoesNotAllocate() {
        // Claims 2^31-1 elements with 2 bytes of input: must fail fast, not reserve gigabytes.
        var r = KafkaReader([0x7F, 0xFF, 0xFF, 0xFF, 0x00, 0x00])
        #expect(throws: KafkaProtocolError.invalidLength(field: "array", length: Int(Int32.max))) {
            try r.readArray(compact: false) { try $0.readInt8() }
        }
    }

    @Test func unknownTaggedFieldsAreSkippedBySize() throws {
        // two tagged fields: tag 5 (3 bytes), tag 9 (1 byte), then an int16
        var r = KafkaReader([0x02, 0x05, 0x03, 0xAA, 0xBB, 0xCC, 0x09, 0x01, 0x7F, 0x12, 0x34])
        var seen: [UInt32] = []
        try r.readTaggedFields { tag, _ in seen.append(tag) }
        #expect(seen == [5, 9])
        #expect(try r.readInt16() == 0x1234)
    }

    @Test func taggedFieldLongerThanInputIsTruncation() {
        var r = KafkaReader([0x01, 0x00, 0x10, 0x01])
        #expect(throws: KafkaProtocolError.self) { try r.readTaggedFields() }
    }
}
