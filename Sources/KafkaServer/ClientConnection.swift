import Foundation
import KafkaFraming
import KafkaProtocol
import Logging
import NIOCore
import StreamLog

/// One client connection: requests are handled in arrival order and their answers written in
/// the same order (Kafka's rule), while several may be in flight at once — a produce waiting
/// for its fsync does not stop the next one being appended.
final class ClientConnection: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    enum Auth { case open, awaitingHandshake, awaitingToken(rawV0: Bool), authenticated(String) }

    let handler: RequestHandler
    let users: [String: String]
    let maxRequestBytes: Int
    var logger: Logger
    private var auth: Auth
    private var address = "?"
    private var nextSequence = 0
    private var nextToWrite = 0
    private var ready: [Int: RequestHandler.Reply] = [:]
    private var inFlight = 0
    private var readsPaused = false
    private var closing = false
    static let maxInFlight = 32

    init(handler: RequestHandler, maxRequestBytes: Int, users: [String: String], logger: Logger) {
        self.handler = handler
        self.maxRequestBytes = maxRequestBytes
        self.users = users
        self.logger = logger
        auth = users.isEmpty ? .open : .awaitingHandshake
    }

    /// Who the requests are from, for the authorizer (Kafka's principal names).
    private var principal: String {
        if case let .authenticated(user) = auth { return "User:" + user }
        return "User:ANONYMOUS"
    }

    func channelActive(context: ChannelHandlerContext) {
        address = context.remoteAddress?.ipAddress ?? "?"
        logger[metadataKey: "client"] = "\(address):\(context.remoteAddress?.port ?? 0)"
        logger.debug("connection opened")
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closing else { return }
        var frame = unwrapInboundIn(data)
        let payload = frame.readBytes(length: frame.readableBytes) ?? []
        if case .awaitingToken(true) = auth {
            // After SaslHandshake v0 the token arrives as a bare size-prefixed blob.
            authenticate(context: context, token: payload, reply: { ok, _ in ok ? [0, 0, 0, 0] : nil })
            return
        }
        let header: RequestHeader
        let body: KafkaReader
        do { (header, body) = try KafkaFrame.decodeRequestHeader(payload: payload) } catch {
            return close(context: context, "unreadable request header: \(error)")
        }
        if case .open = auth {} else if case .authenticated = auth {} else {
            return handleSasl(context: context, header: header, body: body)
        }
        let sequence = nextSequence
        nextSequence += 1
        inFlight += 1
        if inFlight >= Self.maxInFlight && !readsPaused {
            readsPaused = true
            _ = context.channel.setOption(.autoRead, value: false)
        }
        let client = RequestHandler.Client(address: address, principal: principal)
        let handler = self.handler
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        handler.loop.flatSubmit { handler.handle(header: header, body: body, client: client) }
            .hop(to: context.eventLoop)
            .whenComplete { result in
                switch result {
                case let .success(reply): self.ready[sequence] = reply
                case let .failure(error): self.ready[sequence] = .close("\(ApiKey(rawValue: header.apiKey).map { "\($0)" } ?? "request") failed: \(error)")
                }
                self.flushReady(context: bound.value)
            }
    }

    /// Writes answers that are next in order.
    private func flushReady(context: ChannelHandlerContext) {
        var wrote = false
        while let reply = ready.removeValue(forKey: nextToWrite) {
            nextToWrite += 1
            inFlight -= 1
            switch reply {
            case let .frame(bytes):
                guard !closing else { continue }
                context.write(wrapOutboundOut(context.channel.allocator.buffer(bytes: bytes)), promise: nil)
                wrote = true
            case let .parts(parts, files):
                guard !closing else { continue }
                writeParts(context: context, parts, files)
                wrote = true
            case .none: break
            case let .close(reason):
                if wrote { context.flush() }
                close(context: context, reason)
                return
            }
        }
        if wrote { context.flush() }
        if readsPaused && inFlight < Self.maxInFlight / 2 {
            readsPaused = false
            _ = context.channel.setOption(.autoRead, value: true)
            context.read()
        }
    }

    /// Writes an answer's pieces: encoded bytes as buffers, record sets straight from the segment
    /// files (`sendfile`), each through a descriptor of its own closed once written.
    private func writeParts(context: ChannelHandlerContext, _ parts: [KafkaWriter.Part], _ files: [[PartitionLog.FileSpan]]) {
        for part in parts {
            switch part {
            case let .bytes(b):
                context.write(wrapOutboundOut(context.channel.allocator.buffer(bytes: b)), promise: nil)
            case let .external(ordinal, _):
                for span in files[ordinal] {
                    let handle = NIOFileHandle(_deprecatedTakingOwnershipOfDescriptor: span.openDescriptor())
                    let region = FileRegion(fileHandle: handle, readerIndex: span.position, endIndex: span.position + span.length)
                    let promise = context.eventLoop.makePromise(of: Void.self)
                    promise.futureResult.whenComplete { _ in try? handle.close() }
                    context.write(NIOAny(IOData.fileRegion(region)), promise: promise)
                }
            }
        }
    }

    private func close(context: ChannelHandlerContext, _ reason: String) {
        guard !closing else { return }
        closing = true
        logger.warning("closing connection", metadata: ["reason": "\(reason)"])
        context.close(promise: nil)
    }

    // MARK: - SASL/PLAIN

    private func handleSasl(context: ChannelHandlerContext, header: RequestHeader, body: KafkaReader) {
        var body = body
        let api = ApiKey(rawValue: header.apiKey)
        func send<M: KafkaMessage>(_ m: M) {
            guard let bytes = try? KafkaFrame.response(m, version: header.apiVersion, correlationId: header.correlationId) else { return }
            context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: bytes)), promise: nil)
        }
        switch (api, auth) {
        case (.apiVersions, _):
            // Clients ask for versions before authenticating.
            let sequence = nextSequence
            nextSequence += 1
            inFlight += 1
            let handler = self.handler
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            let request = body
            let client = RequestHandler.Client(address: address)
            handler.loop.flatSubmit { handler.handle(header: header, body: request, client: client) }
                .hop(to: context.eventLoop).whenComplete { result in
                    self.ready[sequence] = (try? result.get()) ?? .close("ApiVersions failed")
                    self.flushReady(context: bound.value)
                }
        case (.saslHandshake, .awaitingHandshake):
            guard let request = try? SaslHandshakeRequest(from: &body, version: header.apiVersion) else {
                return close(context: context, "malformed SaslHandshake")
            }
            guard request.mechanism == "PLAIN" else {
                send(SaslHandshakeResponse(errorCode: .unsupportedSaslMechanism, mechanisms: ["PLAIN"]))
                return close(context: context, "SASL mechanism \(request.mechanism) is not offered (PLAIN is)")
            }
            auth = .awaitingToken(rawV0: header.apiVersion == 0)
            send(SaslHandshakeResponse(mechanisms: ["PLAIN"]))
        case (.saslAuthenticate, .awaitingToken(false)):
            guard let request = try? SaslAuthenticateRequest(from: &body, version: header.apiVersion) else {
                return close(context: context, "malformed SaslAuthenticate")
            }
            authenticate(context: context, token: request.authBytes) { ok, why in
                try? KafkaFrame.response(SaslAuthenticateResponse(errorCode: ok ? .none : .saslAuthenticationFailed, errorMessage: ok ? nil : why),
                                         version: header.apiVersion, correlationId: header.correlationId)
            }
        default:
            close(context: context, "\(api.map { "\($0)" } ?? "API \(header.apiKey)") before SASL authentication")
        }
    }

    /// Checks a PLAIN token (`authzid NUL user NUL password`) and answers with `reply`.
    private func authenticate(context: ChannelHandlerContext, token: [UInt8], reply: (Bool, String) -> [UInt8]?) {
        let parts = token.split(separator: 0, maxSplits: 2, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        let ok = parts.count == 3 && users[parts[1]].map { constantTimeEqual($0, parts[2]) } == true
        let user = parts.count == 3 ? parts[1] : "?"
        if let bytes = reply(ok, "authentication failed: invalid user name or password") {
            context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: bytes)), promise: nil)
        }
        if ok {
            auth = .authenticated(user)
            logger[metadataKey: "user"] = "\(user)"
            logger.info("client authenticated")
        } else {
            logger.warning("SASL/PLAIN authentication failed", metadata: ["user": "\(user)"])
            if case .awaitingToken(true) = auth { close(context: context, "authentication failed") } else { auth = .awaitingHandshake }
        }
    }

    private func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        var diff = UInt8(x.count == y.count ? 0 : 1)
        for i in 0..<max(x.count, y.count) { diff |= (i < x.count ? x[i] : 0) ^ (i < y.count ? y[i] : 0) }
        return diff == 0
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if let io = error as? IOError, [ECONNRESET, EPIPE].contains(io.errnoCode) {
            // The client went away: routine, not worth a warning.
            logger.debug("connection reset by the client")
            closing = true
            context.close(promise: nil)
        } else if let bad = error as? KafkaFrameDecoder.BadFrameSize {
            close(context: context, "frame of \(bad.size) bytes is outside 4…\(maxRequestBytes) (socket.request.max.bytes)")
        } else {
            close(context: context, "\(error)")
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        logger.debug("connection closed")
        context.fireChannelInactive()
    }
}
