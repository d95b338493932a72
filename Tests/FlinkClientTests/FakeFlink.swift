import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// A scripted HTTP server on loopback standing in for Flink's REST port: each request (method,
/// URI, body) is handed to `script`, whose answer goes back as is — or not at all.
final class FakeFlink: @unchecked Sendable {
    enum Reply {
        case json(Int, String)
        case silence
    }
    struct Request: Sendable { var method: String; var uri: String; var body: Data; var contentType: String? }
    typealias Script = @Sendable (Request) -> Reply

    let channel: Channel
    var port: Int { channel.localAddress!.port! }
    var url: String { "http://127.0.0.1:\(port)" }

    private let children = NIOLockedValueBox<[Channel]>([])

    init(script: @escaping Script) async throws {
        let children = self.children
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { ch in
                children.withLockedValue { $0.append(ch) }
                return ch.pipeline.configureHTTPServerPipeline().flatMap { ch.pipeline.addHandler(Handler(script: script)) }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    /// Closes the port and every connection made to it, the way a stopped Flink would.
    func stop() async {
        try? await channel.close()
        for c in children.withLockedValue({ $0 }) { try? await c.close() }
    }

    private final class Handler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let script: Script
        var head: HTTPRequestHead?
        var body = Data()
        init(script: @escaping Script) { self.script = script }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case let .head(h): head = h; body = Data()
            case let .body(b): body.append(contentsOf: b.readableBytesView)
            case .end:
                guard let head else { return }
                let request = Request(method: head.method.rawValue, uri: head.uri, body: body, contentType: head.headers.first(name: "Content-Type"))
                guard case let .json(status, text) = script(request) else { return }
                var headers = HTTPHeaders()
                headers.add(name: "Content-Type", value: "application/json")
                headers.add(name: "Content-Length", value: "\(text.utf8.count)")
                context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .init(statusCode: status), headers: headers))), promise: nil)
                context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: text)))), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            }
        }
    }
}
