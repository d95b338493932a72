import KafkaProtocol
import NIOCore
import NIOPosix
import NIOConcurrencyHelpers

/// A scripted Kafka-protocol peer on loopback: each request is decoded and handed to `script`,
/// which decides what goes back on the wire — a proper response, raw (possibly malformed)
/// bytes, silence, or a closed connection.
final class FakeBroker: @unchecked Sendable {
    enum Reply {
        case response([UInt8])     // a complete frame, size prefix included
        case raw([UInt8])
        case silence
        case close
    }

    typealias Script = @Sendable (RequestHeader, KafkaReader) -> Reply

    let channel: Channel
    var port: Int { channel.localAddress!.port! }
    private let requests = NIOLockedValueBox<[Int16]>([])
    var apiKeysSeen: [Int16] { requests.withLockedValue { $0 } }

    init(script: @escaping Script) async throws {
        let box = requests
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { ch in
                ch.eventLoop.makeCompletedFuture {
                    try ch.pipeline.syncOperations.addHandler(Handler(script: script, seen: box))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    func stop() async { try? await channel.close() }

    /// A well-formed response frame for `header`'s request.
    static func respond<M: KafkaMessage>(_ body: M, to header: RequestHeader) -> Reply {
        .response(try! KafkaFrame.response(body, version: header.apiVersion, correlationId: header.correlationId))
    }

    /// Answers ApiVersions with what the codec supports, the way a modern broker does.
    static func apiVersions(_ header: RequestHeader) -> Reply {
        respond(ApiVersionsResponse(apiKeys: ApiKey.allCases.compactMap { k in
            k.supportedVersions.map { .init(apiKey: k.rawValue, minVersion: $0.lowerBound, maxVersion: $0.upperBound) }
        }), to: header)
    }

    static let metadata = MetadataResponse(brokers: [.init(nodeId: 1, host: "127.0.0.1", port: 0)], clusterId: "fake", controllerId: 1,
                                           topics: [.init(name: "t", partitions: [.init(partitionIndex: 0, leaderId: 1, replicaNodes: [1], isrNodes: [1])])])

    private final class Handler: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let script: Script
        let seen: NIOLockedValueBox<[Int16]>
        var buffer = ByteBuffer()

        init(script: @escaping Script, seen: NIOLockedValueBox<[Int16]>) { self.script = script; self.seen = seen }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var incoming = unwrapInboundIn(data)
            buffer.writeBuffer(&incoming)
            while let size = buffer.getInteger(at: buffer.readerIndex, as: Int32.self), buffer.readableBytes >= 4 + Int(size) {
                buffer.moveReaderIndex(forwardBy: 4)
                let payload = buffer.readBytes(length: Int(size))!
                guard let (header, body) = try? KafkaFrame.decodeRequestHeader(payload: payload) else { context.close(promise: nil); return }
                seen.withLockedValue { $0.append(header.apiKey) }
                switch script(header, body) {
                case let .response(bytes), let .raw(bytes):
                    var out = context.channel.allocator.buffer(capacity: bytes.count)
                    out.writeBytes(bytes)
                    context.writeAndFlush(wrapOutboundOut(out), promise: nil)
                case .silence:
                    break
                case .close:
                    context.close(promise: nil)
                    return
                }
            }
        }
    }
}
