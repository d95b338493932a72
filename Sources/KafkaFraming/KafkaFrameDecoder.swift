import NIOCore
import KafkaProtocol

/// Splits the TCP stream into size-prefixed Kafka frames; an impossible size is a protocol error
/// that closes the connection rather than an attempt to buffer gigabytes.
public struct KafkaFrameDecoder: ByteToMessageDecoder {
    public typealias InboundOut = ByteBuffer
    public let maxFrameSize: Int
    public init(maxFrameSize: Int) { self.maxFrameSize = maxFrameSize }

    public struct BadFrameSize: Error { public let size: Int }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let size = buffer.getInteger(at: buffer.readerIndex, as: Int32.self) else { return .needMoreData }
        guard size >= 4, Int(size) <= maxFrameSize else { throw BadFrameSize(size: Int(size)) }
        guard buffer.readableBytes >= 4 + Int(size) else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: 4)
        let frame = buffer.readSlice(length: Int(size))!
        context.fireChannelRead(Self.wrapInboundOut(frame))
        return .continue
    }

    public mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        try decode(context: context, buffer: &buffer)
    }
}
