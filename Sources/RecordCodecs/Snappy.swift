import CSnappy
import KafkaProtocol

/// Snappy through libsnappy. Kafka's Java client frames it the xerial way (SnappyOutputStream:
/// a 16-byte header, then blocks each with a 4-byte big-endian length); some clients send one
/// raw snappy block instead. Both are read; the xerial framing is written.
enum Snappy {
    static let xerialMagic: [UInt8] = [0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]
    /// The block size SnappyOutputStream uses.
    static let blockSize = 32 * 1024

    static func decompress(_ input: ArraySlice<UInt8>, limit: Int) throws -> [UInt8] {
        guard input.count >= 16, input.prefix(8).elementsEqual(xerialMagic) else { return try block(input, limit: limit) }
        var out: [UInt8] = []
        var at = input.startIndex + 16   // magic, version, compatible version
        while at < input.endIndex {
            guard input.endIndex - at >= 4 else { throw RecordCodecError.corrupt(codec: .snappy, detail: "a block length is cut short") }
            let length = Int(UInt32(input[at]) << 24 | UInt32(input[at + 1]) << 16 | UInt32(input[at + 2]) << 8 | UInt32(input[at + 3]))
            at += 4
            guard length <= input.endIndex - at else {
                throw RecordCodecError.corrupt(codec: .snappy, detail: "a block of \(length) bytes, \(input.endIndex - at) left")
            }
            do { out += try block(input[at..<(at + length)], limit: limit - out.count) } catch RecordCodecError.tooLarge {
                throw RecordCodecError.tooLarge(codec: .snappy, limit: limit)
            }
            at += length
        }
        return out
    }

    /// One raw snappy block; its stated length is checked against the limit before anything is allocated.
    private static func block(_ input: ArraySlice<UInt8>, limit: Int) throws -> [UInt8] {
        guard !input.isEmpty else { throw RecordCodecError.corrupt(codec: .snappy, detail: "an empty block") }
        return try input.withUnsafeBytes { raw -> [UInt8] in
            let src = raw.baseAddress!.assumingMemoryBound(to: CChar.self)
            var length = 0
            guard snappy_uncompressed_length(src, raw.count, &length) == SNAPPY_OK else {
                throw RecordCodecError.corrupt(codec: .snappy, detail: "no valid block length")
            }
            guard length <= limit else { throw RecordCodecError.tooLarge(codec: .snappy, limit: limit) }
            guard length > 0 else {
                guard snappy_validate_compressed_buffer(src, raw.count) == SNAPPY_OK else {
                    throw RecordCodecError.corrupt(codec: .snappy, detail: "a block does not decode")
                }
                return []
            }
            var out = [UInt8](repeating: 0, count: length)
            var written = length
            let status = out.withUnsafeMutableBytes { dst in
                snappy_uncompress(src, raw.count, dst.baseAddress!.assumingMemoryBound(to: CChar.self), &written)
            }
            guard status == SNAPPY_OK, written == length else { throw RecordCodecError.corrupt(codec: .snappy, detail: "a block does not decode") }
            return out
        }
    }

    static func compress(_ input: [UInt8]) throws -> [UInt8] {
        var out = xerialMagic + [0, 0, 0, 1, 0, 0, 0, 1]
        var at = 0
        repeat {
            let end = min(at + blockSize, input.count)
            let compressed = try rawBlock(input[at..<end])
            let n = UInt32(compressed.count)
            out += [UInt8(n >> 24), UInt8(n >> 16 & 0xff), UInt8(n >> 8 & 0xff), UInt8(n & 0xff)]
            out += compressed
            at = end
        } while at < input.count
        return out
    }

    private static func rawBlock(_ input: ArraySlice<UInt8>) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: snappy_max_compressed_length(input.count))
        var written = out.count
        let status = input.withUnsafeBytes { src in
            out.withUnsafeMutableBytes { dst in
                // snappy reads nothing from an empty input, but wants a pointer all the same.
                snappy_compress((src.baseAddress ?? UnsafeRawPointer(dst.baseAddress!)).assumingMemoryBound(to: CChar.self), src.count,
                                dst.baseAddress!.assumingMemoryBound(to: CChar.self), &written)
            }
        }
        guard status == SNAPPY_OK else { throw RecordCodecError.corrupt(codec: .snappy, detail: "libsnappy could not compress") }
        out.removeSubrange(written...)
        return out
    }
}
