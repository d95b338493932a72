import CLZ4
import KafkaProtocol

/// LZ4 in the LZ4 frame format through liblz4's LZ4F API, as Kafka's v2 batches carry it (the
/// Java client's KafkaLZ4BlockOutputStream writes standard frames; frames one after another are
/// read in turn).
enum LZ4Frame {
    static func decompress(_ input: ArraySlice<UInt8>, limit: Int) throws -> [UInt8] {
        var context: OpaquePointer?
        guard LZ4F_isError(LZ4F_createDecompressionContext(&context, UInt32(LZ4F_VERSION))) == 0, let context else {
            throw RecordCodecError.corrupt(codec: .lz4, detail: "liblz4 could not start")
        }
        defer { LZ4F_freeDecompressionContext(context) }
        guard !input.isEmpty else { throw RecordCodecError.corrupt(codec: .lz4, detail: "no bytes") }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        try input.withUnsafeBytes { src in
            var at = 0
            var frameDone = false
            while at < src.count || !frameDone {
                var consumed = src.count - at
                var produced = chunk.count
                let hint = chunk.withUnsafeMutableBytes { dst in
                    LZ4F_decompress(context, dst.baseAddress, &produced, src.baseAddress! + at, &consumed, nil)
                }
                if LZ4F_isError(hint) != 0 {
                    throw RecordCodecError.corrupt(codec: .lz4, detail: String(cString: LZ4F_getErrorName(hint)))
                }
                at += consumed
                guard out.count + produced <= limit else { throw RecordCodecError.tooLarge(codec: .lz4, limit: limit) }
                out.append(contentsOf: chunk[0..<produced])
                frameDone = hint == 0
                if !frameDone && at == src.count && produced == 0 {
                    throw RecordCodecError.corrupt(codec: .lz4, detail: "the frame is truncated")
                }
            }
        }
        return out
    }

    static func compress(_ input: [UInt8], level: Int) throws -> [UInt8] {
        var preferences = LZ4F_preferences_t()
        preferences.compressionLevel = Int32(level)
        preferences.frameInfo.blockSizeID = LZ4F_max64KB   // as the Java client
        preferences.frameInfo.blockMode = LZ4F_blockIndependent
        var out = [UInt8](repeating: 0, count: LZ4F_compressFrameBound(input.count, &preferences))
        let written = input.withUnsafeBytes { src in
            out.withUnsafeMutableBytes { dst in
                LZ4F_compressFrame(dst.baseAddress, dst.count, src.baseAddress, src.count, &preferences)
            }
        }
        guard LZ4F_isError(written) == 0 else { throw RecordCodecError.corrupt(codec: .lz4, detail: String(cString: LZ4F_getErrorName(written))) }
        out.removeSubrange(written...)
        return out
    }
}
