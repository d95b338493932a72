import NIOCore
import KafkaFraming
import KafkaProtocol

/// A request on its way out: the encoded frame, its correlation id and where the answer goes.
struct OutboundRequest: Sendable {
    let correlationId: Int32
    let api: ApiKey
    let frame: [UInt8]
    let timeout: TimeAmount
    let promise: EventLoopPromise<[UInt8]>
}

/// Matches response frames to in-flight requests by correlation id. Lives on the channel's event
/// loop, so the pending table needs no lock. Timeouts fail only their own request; a response
/// that arrives later finds no entry and is dropped.
final class KafkaChannelHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = OutboundRequest
    typealias OutboundOut = ByteBuffer

    private struct Pending {
        let api: ApiKey
        let promise: EventLoopPromise<[UInt8]>
        let timeoutTask: Scheduled<Void>
    }

    private var pending: [Int32: Pending] = [:]
    private let broker: String

    init(broker: String) { self.broker = broker }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        let id = request.correlationId
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        let broker = self.broker
        let task = context.eventLoop.scheduleTask(in: request.timeout) {
            if let entry = loopBound.value.pending.removeValue(forKey: id) {
                entry.promise.fail(KafkaClientError.timeout(api: entry.api, broker: broker,
                                                            milliseconds: request.timeout.nanoseconds / 1_000_000))
            }
        }
        pending[id] = Pending(api: request.api, promise: request.promise, timeoutTask: task)
        var buffer = context.channel.allocator.buffer(capacity: request.frame.count)
        buffer.writeBytes(request.frame)
        context.write(wrapOutboundOut(buffer), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var frame = unwrapInboundIn(data)
        guard let id = frame.getInteger(at: frame.readerIndex, as: Int32.self) else { return }
        guard let entry = pending.removeValue(forKey: id) else { return }  // late answer to a timed-out request
        entry.timeoutTask.cancel()
        entry.promise.succeed(frame.readBytes(length: frame.readableBytes) ?? [])
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        let failure: Error
        if let bad = error as? KafkaFrameDecoder.BadFrameSize {
            failure = KafkaClientError.malformedFrame(broker: broker, size: bad.size)
        } else {
            failure = KafkaClientError.disconnected(broker: broker)
        }
        failAll(failure)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll(KafkaClientError.disconnected(broker: broker))
        context.fireChannelInactive()
    }

    private func failAll(_ error: Error) {
        let entries = pending
        pending = [:]
        for (_, entry) in entries {
            entry.timeoutTask.cancel()
            entry.promise.fail(error)
        }
    }
}
