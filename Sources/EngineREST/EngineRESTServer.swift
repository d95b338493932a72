import Dataflow
import DataflowRuntime
import FlinkWire
import Foundation
import Hummingbird
import JobSpec
import Logging
import NIOCore
import ServiceLifecycle

/// The engine's REST front (`sluice engine --rest-listen`): the Flink REST paths and answers
/// FlinkClient reads, for the engine's jobs — overview, jobs, job detail with vertices and
/// plan, backpressure, subtask and job metrics, watermarks, exceptions, checkpoints — and the
/// controls that need no state: `/jars` (the job specs the engine knows), upload of a YAML
/// spec, run, cancel. Plus Prometheus `/metrics`. Bound beyond loopback, every request that
/// changes something needs `Authorization: Bearer <token>`. docs/jobs-engine.md, REST.
public final class EngineRESTServer: Sendable {
    public struct Configuration: Sendable {
        public var host: String
        public var port: Int
        /// Required when `host` is not loopback.
        public var token: String?
        /// Where uploaded specs are kept (nil: in memory only).
        public var specDirectory: String?
        /// Slots the overview reports (the engine's cores, as a TaskManager's slots).
        public var slots: Int
        public init(host: String = "127.0.0.1", port: Int = 8081, token: String? = nil, specDirectory: String? = nil,
                    slots: Int = ProcessInfo.processInfo.activeProcessorCount) {
            self.host = host; self.port = port; self.token = token; self.specDirectory = specDirectory; self.slots = slots
        }
        public var isLoopback: Bool { host == "127.0.0.1" || host == "localhost" || host == "::1" || host.hasPrefix("127.") }
    }

    public struct StartError: Error, CustomStringConvertible { public var description: String }

    public let port: Int
    private let task: Task<Void, Error>
    private let group: ServiceGroup

    /// Starts listening; returns once the port is bound.
    public static func start(_ configuration: Configuration, jobs: JobManager, samples: [(id: String, text: String)],
                             captures: (any CaptureControl)? = nil, logger: Logger) async throws -> EngineRESTServer {
        if !configuration.isLoopback && (configuration.token ?? "").isEmpty {
            throw StartError(description: "--rest-listen \(configuration.host):\(configuration.port) is beyond loopback: set a token (SLUICE_REST_TOKEN) that clients send as 'Authorization: Bearer …'")
        }
        let catalog = try JobCatalog(directory: configuration.specDirectory, samples: samples)
        let handlers = RESTHandlers(jobs: jobs, catalog: catalog, views: FlinkViews(rates: MetricRates()), slots: configuration.slots,
                                    token: configuration.isLoopback ? nil : configuration.token, captures: captures)
        let router = Router()
        handlers.register(on: router)
        let bound = AsyncStream<Int>.makeStream()
        let app = Application(router: router, configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "sluice-engine"),
                              onServerRunning: { channel in bound.continuation.yield(channel.localAddress?.port ?? configuration.port); bound.continuation.finish() },
                              logger: logger)
        // Run in a service group so that stop() shuts the server down gracefully (listener closed,
        // requests in flight answered): cancelling it instead makes Hummingbird log an error.
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], cancellationSignals: [], logger: logger))
        let task = Task {
            defer { bound.continuation.finish() }  // a failed bind ends the wait below
            try await group.run()
        }
        var port: Int? = nil
        for await p in bound.stream { port = p; break }
        guard let port else {
            task.cancel()
            _ = try? await task.value
            throw StartError(description: "the REST listener on \(configuration.host):\(configuration.port) did not start")
        }
        logger.info("rest listening", metadata: ["rest_listen": "\(configuration.host):\(port)"])
        return EngineRESTServer(port: port, task: task, group: group)
    }

    private init(port: Int, task: Task<Void, Error>, group: ServiceGroup) { self.port = port; self.task = task; self.group = group }

    public func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }
}
