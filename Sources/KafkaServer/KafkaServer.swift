import EngineCore
import Foundation
import KafkaFraming
import KafkaProtocol
import Logging
import NIOCore
import NIOPosix
import StreamLog

/// The engine's Kafka listener: accepts connections, splits frames, authenticates (SASL/PLAIN
/// when users are configured) and hands each request to the ``RequestHandler`` on the engine's
/// loop.
public final class KafkaServer: Sendable {
    public enum StartError: Error, CustomStringConvertible {
        case credentialsRequired(host: String)
        case bind(host: String, port: Int, underlying: String)
        public var description: String {
            switch self {
            case let .credentialsRequired(host):
                "refusing to listen on \(host) without credentials: a non-loopback listener needs SASL/PLAIN users (set `users:` in the engine config), or listen on 127.0.0.1"
            case let .bind(host, port, why):
                "cannot listen on \(host):\(port): \(why) (is another broker running there? choose another --kafka-listen port)"
            }
        }
    }

    public let engine: Engine
    let handler: RequestHandler
    let channel: Channel
    let group: MultiThreadedEventLoopGroup
    /// True when this server opened the engine itself (and so stops it).
    let ownsEngine: Bool
    public let logger: Logger

    /// The port actually bound (useful with port 0).
    public var port: Int { channel.localAddress?.port ?? 0 }

    /// Refuses a listener others can reach without SASL users; checked before anything starts.
    public static func checkCredentials(_ configuration: BrokerConfiguration) throws {
        if configuration.plainUsers.isEmpty && !BrokerConfiguration.isLoopback(configuration.host) {
            throw StartError.credentialsRequired(host: configuration.host)
        }
    }

    /// Opens the engine over `store` and serves it; ``stop()`` stops both.
    public static func start(configuration: BrokerConfiguration, store: LogStore, logger: Logger) async throws -> KafkaServer {
        try checkCredentials(configuration)
        let engine = try await Engine.start(configuration: configuration.engine, store: store, logger: logger)
        do { return try await start(configuration: configuration, engine: engine, ownsEngine: true, logger: logger) } catch {
            await engine.stop()
            throw error
        }
    }

    /// Serves an engine that is already running (and that outlives this listener).
    public static func start(configuration: BrokerConfiguration, engine: Engine, logger: Logger) async throws -> KafkaServer {
        try await start(configuration: configuration, engine: engine, ownsEngine: false, logger: logger)
    }

    private static func start(configuration: BrokerConfiguration, engine: Engine, ownsEngine: Bool, logger: Logger) async throws -> KafkaServer {
        try checkCredentials(configuration)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, System.coreCount))
        let handler = try await engine.loop.submit { RequestHandler(engine: engine, configuration: configuration) }.get()
        let users = configuration.plainUsers
        let maxFrame = configuration.maxRequestBytes
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(KafkaFrameDecoder(maxFrameSize: maxFrame)))
                    try channel.pipeline.syncOperations.addHandler(ClientConnection(handler: handler, maxRequestBytes: maxFrame, users: users, logger: logger))
                }
            }
        let channel: Channel
        do {
            channel = try await bootstrap.bind(host: configuration.host, port: configuration.port).get()
        } catch {
            try? await engine.loop.submit { handler.stop() }.get()
            try? await group.shutdownGracefully()
            throw StartError.bind(host: configuration.host, port: configuration.port, underlying: "\(error)")
        }
        let bound = channel.localAddress?.port ?? configuration.port
        try await engine.loop.submit { handler.listenPort = bound }.get()
        return KafkaServer(engine: engine, handler: handler, channel: channel, group: group, ownsEngine: ownsEngine, logger: logger)
    }

    init(engine: Engine, handler: RequestHandler, channel: Channel, group: MultiThreadedEventLoopGroup, ownsEngine: Bool, logger: Logger) {
        self.engine = engine; self.handler = handler; self.channel = channel; self.group = group
        self.ownsEngine = ownsEngine; self.logger = logger
    }

    /// Stops accepting, answers waiting long polls, closes connections, and (when it opened the
    /// engine) stops the engine after its in-flight flushes.
    public func stop() async {
        try? await channel.close()
        try? await engine.loop.submit { self.handler.stop() }.get()
        if ownsEngine { await engine.stop() }
        try? await group.shutdownGracefully()
    }
}
