import CZstd
import KafkaProtocol

/// Zstandard through libzstd. Streaming decompression, so frames one after another and frames
/// that do not state their size both decode; the window is capped (16 MiB) so a crafted frame
/// cannot make the decoder reserve more memory than a Kafka batch could need.
enum Zstd {
    static let windowLogMax: Int32 = 24

    static func decompress(_ input: ArraySlice<UInt8>, limit: Int) throws -> [UInt8] {
        guard let context = ZSTD_createDCtx() else { throw RecordCodecError.corrupt(codec: .zstd, detail: "libzstd could not start") }
        defer { ZSTD_freeDCtx(context) }
        _ = ZSTD_DCtx_setParameter(context, ZSTD_d_windowLogMax, windowLogMax)
        guard !input.isEmpty else { throw RecordCodecError.corrupt(codec: .zstd, detail: "no bytes") }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        try input.withUnsafeBytes { src in
            var inBuffer = ZSTD_inBuffer(src: src.baseAddress, size: src.count, pos: 0)
            var last = 0
            repeat {
                let produced = try chunk.withUnsafeMutableBytes { dst -> Int in
                    var outBuffer = ZSTD_outBuffer(dst: dst.baseAddress, size: dst.count, pos: 0)
                    last = ZSTD_decompressStream(context, &outBuffer, &inBuffer)
                    if ZSTD_isError(last) != 0 {
                        throw RecordCodecError.corrupt(codec: .zstd, detail: String(cString: ZSTD_getErrorName(last)))
                    }
                    return outBuffer.pos
                }
                guard out.count + produced <= limit else { throw RecordCodecError.tooLarge(codec: .zstd, limit: limit) }
                out.append(contentsOf: chunk[0..<produced])
                // Input used up mid-frame with nothing more to flush: the frame is cut short.
                if inBuffer.pos == inBuffer.size && last != 0 && produced < chunk.count {
                    throw RecordCodecError.corrupt(codec: .zstd, detail: "the frame is truncated")
                }
            } while inBuffer.pos < inBuffer.size || last != 0
        }
        return out
    }

    static func compress(_ input: [UInt8], level: Int) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: ZSTD_compressBound(input.count))
        let written = input.withUnsafeBytes { src in
            out.withUnsafeMutableBytes { dst in ZSTD_compress(dst.baseAddress, dst.count, src.baseAddress, src.count, Int32(level)) }
        }
        guard ZSTD_isError(written) == 0 else { throw RecordCodecError.corrupt(codec: .zstd, detail: String(cString: ZSTD_getErrorName(written))) }
        out.removeSubrange(written...)
        return out
    }
}
