import CZlib
import KafkaProtocol

/// gzip (RFC 1952) through zlib, as Kafka's Java client writes it (GZIPOutputStream); several
/// members one after another are read as one stream, as GZIPInputStream does.
enum Gzip {
    static func decompress(_ input: ArraySlice<UInt8>, limit: Int) throws -> [UInt8] {
        var stream = z_stream()
        guard inflateInit2_(&stream, 15 + 16, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw RecordCodecError.corrupt(codec: .gzip, detail: "zlib could not start")
        }
        defer { inflateEnd(&stream) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        try input.withUnsafeBufferPointer { src in
            guard let base = src.baseAddress, !src.isEmpty else { throw RecordCodecError.corrupt(codec: .gzip, detail: "no bytes") }
            stream.next_in = UnsafeMutablePointer(mutating: base)
            stream.avail_in = UInt32(src.count)
            while true {
                let status = chunk.withUnsafeMutableBufferPointer { dst -> Int32 in
                    stream.next_out = dst.baseAddress
                    stream.avail_out = UInt32(dst.count)
                    return inflate(&stream, Z_NO_FLUSH)
                }
                let produced = chunk.count - Int(stream.avail_out)
                guard out.count + produced <= limit else { throw RecordCodecError.tooLarge(codec: .gzip, limit: limit) }
                out.append(contentsOf: chunk[0..<produced])
                switch status {
                case Z_STREAM_END:
                    // Another member may follow; anything else after the last one is damage.
                    guard stream.avail_in > 0 else { return }
                    guard stream.avail_in >= 2, stream.next_in[0] == 0x1f, stream.next_in[1] == 0x8b else {
                        throw RecordCodecError.corrupt(codec: .gzip, detail: "\(stream.avail_in) bytes after the end of the stream")
                    }
                    inflateReset(&stream)
                case Z_OK:
                    if stream.avail_in == 0 && produced < chunk.count {
                        throw RecordCodecError.corrupt(codec: .gzip, detail: "the stream is truncated")
                    }
                case Z_BUF_ERROR:
                    throw RecordCodecError.corrupt(codec: .gzip, detail: "the stream is truncated")
                default:
                    let message = stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
                    throw RecordCodecError.corrupt(codec: .gzip, detail: message)
                }
            }
        }
        return out
    }

    static func compress(_ input: [UInt8], level: Int) throws -> [UInt8] {
        var stream = z_stream()
        guard deflateInit2_(&stream, Int32(level), Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, zlibVersion(),
                            Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw RecordCodecError.corrupt(codec: .gzip, detail: "zlib refused level \(level)")
        }
        defer { deflateEnd(&stream) }
        var out = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(input.count))) + 32)
        let written = input.withUnsafeBufferPointer { src -> Int in
            out.withUnsafeMutableBufferPointer { dst -> Int in
                stream.next_in = UnsafeMutablePointer(mutating: src.baseAddress)
                stream.avail_in = UInt32(src.count)
                stream.next_out = dst.baseAddress
                stream.avail_out = UInt32(dst.count)
                return deflate(&stream, Z_FINISH) == Z_STREAM_END ? dst.count - Int(stream.avail_out) : -1
            }
        }
        guard written >= 0 else { throw RecordCodecError.corrupt(codec: .gzip, detail: "zlib could not finish the stream") }
        out.removeSubrange(written...)
        return out
    }
}
