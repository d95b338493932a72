import KafkaProtocol
import RecordCodecs
import Testing

/// Each codec against its own library's output and against damage: round trips, other
/// encoders' bytes (python's gzip, the snappy format by hand), several members or frames in a
/// row, truncation, garbage and decompression bombs.
@Suite struct RecordCodecTests {
    static let codecs: [RecordBatch.Compression] = [.gzip, .snappy, .lz4, .zstd]

    /// Records-like bytes: some repetition (it compresses) and some noise (it does not shrink to nothing).
    static func sample(_ count: Int) -> [UInt8] {
        var g = SystemRandomNumberGenerator()
        return (0..<count).map { i in i % 7 == 0 ? UInt8.random(in: 0...255, using: &g) : UInt8(truncatingIfNeeded: i / 13) }
    }

    @Test(arguments: codecs) func roundTripsSmallEmptyAndLarge(_ codec: RecordBatch.Compression) throws {
        for size in [0, 1, 100, 70_000, 1_500_000] {
            let input = Self.sample(size)
            let packed = try RecordCodec.compress(input, codec)
            let unpacked = try RecordCodec.decompress(packed[...], codec, limit: size)
            #expect(unpacked == input, "\(codec.name), \(size) bytes")
        }
    }

    @Test func gzipFromAnotherEncoderWithTwoMembers() throws {
        // python3: gzip.compress(b"hello, ", mtime=0) + gzip.compress(b"kafka", mtime=0)
        let first: [UInt8] = [31, 139, 8, 0, 0, 0, 0, 0, 2, 3, 203, 72, 205, 201, 201, 215, 81, 0, 0, 153, 86, 234, 17, 7, 0, 0, 0]
        let second: [UInt8] = [31, 139, 8, 0, 0, 0, 0, 0, 2, 3, 203, 78, 76, 203, 78, 4, 0, 23, 117, 188, 91, 5, 0, 0, 0]
        #expect(try RecordCodec.decompress(first[...], .gzip, limit: 100) == Array("hello, ".utf8))
        #expect(try RecordCodec.decompress((first + second)[...], .gzip, limit: 100) == Array("hello, kafka".utf8))
        #expect(throws: RecordCodecError.self) { try RecordCodec.decompress((first + [1, 2, 3])[...], .gzip, limit: 100) }
    }

    @Test func snappyRawAndXerialFraming() throws {
        // The raw format by hand: varint length 5, a literal tag ((5 - 1) << 2), the bytes.
        let raw: [UInt8] = [5, 0x10] + Array("hello".utf8)
        #expect(try RecordCodec.decompress(raw[...], .snappy, limit: 10) == Array("hello".utf8))
        // The xerial framing the Java client writes: magic, version 1, compatible 1, then blocks.
        let framed: [UInt8] = [0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0, 0, 0, 0, 1, 0, 0, 0, 1] + [0, 0, 0, 7] + raw + [0, 0, 0, 7] + raw
        #expect(try RecordCodec.decompress(framed[...], .snappy, limit: 10) == Array("hellohello".utf8))
        let written = try RecordCodec.compress(Self.sample(100_000), .snappy)
        #expect(Array(written.prefix(8)) == [0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0], "xerial framing, as Kafka's Java client")
        #expect(throws: RecordCodecError.corrupt(codec: .snappy, detail: "a block of 7 bytes, 3 left")) {
            try RecordCodec.decompress(framed.prefix(16 + 4 + 3), .snappy, limit: 10)
        }
    }

    @Test(arguments: codecs) func framesOneAfterAnotherReadAsOne(_ codec: RecordBatch.Compression) throws {
        guard codec == .lz4 || codec == .zstd else { return }
        let a = try RecordCodec.compress(Array("first ".utf8), codec), b = try RecordCodec.compress(Array("second".utf8), codec)
        #expect(try RecordCodec.decompress((a + b)[...], codec, limit: 100) == Array("first second".utf8))
    }

    @Test(arguments: codecs) func truncatedEmptyAndGarbageAreCorrupt(_ codec: RecordBatch.Compression) throws {
        let packed = try RecordCodec.compress(Self.sample(50_000), codec)
        for cut in [packed.count / 2, packed.count - 1] {
            #expect(throws: RecordCodecError.self, "\(codec.name) cut to \(cut) bytes") {
                try RecordCodec.decompress(packed.prefix(cut), codec, limit: 1 << 20)
            }
        }
        #expect(throws: RecordCodecError.self) { try RecordCodec.decompress([][...], codec, limit: 100) }
        var g = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let junk = (0..<Int.random(in: 1...64, using: &g)).map { _ in UInt8.random(in: 0...255, using: &g) }
            // Garbage either fails to decode or (rarely, for a valid-looking raw snappy block)
            // decodes to something small: never a trap, never past the limit.
            if let out = try? RecordCodec.decompress(junk[...], codec, limit: 4096) { #expect(out.count <= 4096) }
        }
    }

    /// Valid payloads with bits flipped, bytes cut out or repeated: each decodes to something
    /// within the limit or throws a RecordCodecError — the libraries never trap or overrun.
    @Test(arguments: codecs) func mutatedPayloadsNeverTrap(_ codec: RecordBatch.Compression) throws {
        let valid = try RecordCodec.compress(Self.sample(20_000), codec)
        var g = SystemRandomNumberGenerator()
        var refused = 0
        for _ in 0..<2_000 {
            var m = valid
            for _ in 0..<Int.random(in: 1...4, using: &g) {
                let at = Int.random(in: 0..<m.count, using: &g)
                switch Int.random(in: 0..<3, using: &g) {
                case 0: m[at] ^= UInt8(1 << Int.random(in: 0..<8, using: &g))
                case 1: m.removeSubrange(at..<min(m.count, at + Int.random(in: 1...16, using: &g)))
                default: m.insert(contentsOf: m[at..<min(m.count, at + 8)], at: at)
                }
                if m.isEmpty { m = [0] }
            }
            do { #expect(try RecordCodec.decompress(m[...], codec, limit: 1 << 20).count <= 1 << 20) } catch is RecordCodecError { refused += 1 }
        }
        #expect(refused > 0, "\(codec.name): some mutations were caught")
    }

    /// 64 MiB of zeros packs into kilobytes; with a 1 MiB limit decoding stops and says so.
    @Test(arguments: codecs) func aDecompressionBombIsRefused(_ codec: RecordBatch.Compression) throws {
        let bomb = try RecordCodec.compress([UInt8](repeating: 0, count: 64 << 20), codec)
        #expect(bomb.count < 4 << 20, "\(codec.name) packed 64 MiB of zeros into \(bomb.count) bytes")
        #expect(throws: RecordCodecError.tooLarge(codec: codec, limit: 1 << 20)) {
            try RecordCodec.decompress(bomb[...], codec, limit: 1 << 20)
        }
    }

    @Test func configNamesAreKafkas() {
        #expect(RecordBatch.Compression(configName: "uncompressed") == RecordBatch.Compression.none)
        #expect(Self.codecs.allSatisfy { RecordBatch.Compression(configName: $0.name) == $0 })
        #expect(RecordBatch.Compression(configName: "producer") == nil)
    }
}
