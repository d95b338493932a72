import ArgumentParser
import Foundation
import EngineCore
import KafkaServer
import DataflowRuntime
import EngineREST
import JobSpec
import Logging
import PostgresSink
import PostgresCapture
import PostgresAccess
import StreamLog

/// `sluice engine`: the embedded streaming engine's Kafka broker, in the foreground.
struct EngineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engine",
        abstract: "Run the embedded streaming engine: a single-node broker that speaks the Kafka protocol.",
        discussion: """
        Topics live under --data-dir; produce with acks=all is answered once the data is on disk.
        Stop it with Ctrl-C or SIGTERM (clean shutdown). Logs go to stderr, one line per event.

        A listener on anything but loopback needs SASL/PLAIN users in the config file; with users,
        Kafka's ACLs are enforced on every request (docs/security.md).

        Examples:
          sluice engine                                   127.0.0.1:9092, data in $XDG_DATA_HOME/sluice/engine
          sluice engine --data-dir /tmp/e --kafka-listen 127.0.0.1:19092
          sluice engine --config engine.yaml --log-format json
          sluice engine --rest-listen 127.0.0.1:8081      jobs, and Flink's REST API for them
        """
    )

    @Option(name: .long, help: "Directory for topics and internal state (default $XDG_DATA_HOME/sluice/engine).")
    var dataDir: String?

    @Option(name: .long, help: "host:port the Kafka listener binds (default 127.0.0.1:9092).")
    var kafkaListen: String?

    @Option(name: .long, help: "host:port clients are told to connect to (default: the listener).")
    var advertised: String?

    @Option(name: .long, help: "host:port of the REST API for engine jobs (Flink's paths; off unless given). Beyond loopback it needs SLUICE_REST_TOKEN.")
    var restListen: String?

    @Option(name: .long, help: "Engine config file (YAML).")
    var config: String?

    @Option(name: .long, help: "When appends are flushed: group, every-append or none.")
    var flush: String?

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    @Option(name: .long, help: "Log format: text (logfmt) or json.")
    var logFormat: String = "text"


    static func parseHostPort(_ s: String, what: String) throws -> (String, Int) {
        guard let colon = s.lastIndex(of: ":"), let port = Int(s[s.index(after: colon)...]), (0...65535).contains(port) else {
            throw ValidationError("\(what) '\(s)' is not host:port (for example 127.0.0.1:9092)")
        }
        var host = String(s[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host.isEmpty ? "127.0.0.1" : host, port)
    }

    static func defaultDataDir() -> String {
        let env = ProcessInfo.processInfo.environment
        let base = env["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? ((env["HOME"] ?? "/tmp") + "/.local/share")
        return base + "/sluice/engine"
    }

    func run() async throws {
        guard let level = Logger.Level(rawValue: logLevel) else { throw ValidationError("--log-level \(logLevel) is not one of trace, debug, info, notice, warning, error, critical") }
        guard let format = EngineLogHandler.Format(rawValue: logFormat) else { throw ValidationError("--log-format must be text or json") }
        LoggingSystem.bootstrap { label in EngineLogHandler(logLevel: level, label: label, format: format) }
        let logger = Logger(label: "sluice.engine")

        var file = EngineConfigFile()
        if let config {
            do { file = try EngineConfigFile.load(path: config) } catch {
                FileHandle.standardError.write(Data("sluice engine: \(error)\n".utf8))
                throw ExitCode(2)
            }
        }
        var broker = file.broker
        let (host, port) = try Self.parseHostPort(kafkaListen ?? file.listen ?? "127.0.0.1:9092", what: "--kafka-listen")
        broker.host = host
        broker.port = port
        if let adv = advertised ?? file.advertised {
            let (h, p) = try Self.parseHostPort(adv, what: "--advertised")
            broker.advertisedHost = h
            broker.advertisedPort = p
        }
        if let flush {
            guard let policy = BrokerConfiguration.FlushPolicy(rawValue: flush) else {
                throw ValidationError("--flush must be one of \(BrokerConfiguration.FlushPolicy.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            broker.flush = policy
        }
        let dataDir = dataDir ?? file.dataDir ?? Self.defaultDataDir()

        let lock: DataDirectoryLock
        let store: LogStore
        do {
            lock = try DataDirectoryLock(directory: dataDir)
            store = try LogStore(directory: dataDir, logConfiguration: .init(fsyncEveryAppend: broker.flush == .everyAppend))
        } catch {
            logger.critical("cannot open the data directory", metadata: ["data_dir": "\(dataDir)", "error": "\(error)"])
            FileHandle.standardError.write(Data("sluice engine: \(error)\n".utf8))
            throw ExitCode(2)
        }
        var restConfig: EngineRESTServer.Configuration? = nil
        if let listen = restListen {
            let (h, p) = try Self.parseHostPort(listen, what: "--rest-listen")
            restConfig = .init(host: h, port: p, token: ProcessInfo.processInfo.environment["SLUICE_REST_TOKEN"], specDirectory: dataDir + "/jobs")
        }
        // The engine core first, then its fronts (the Kafka listener, the REST API) over it.
        let engine: Engine
        let server: KafkaServer
        let jobs: JobManager
        let captures: CaptureSupervisor
        var rest: EngineRESTServer? = nil
        do {
            try KafkaServer.checkCredentials(broker)
            engine = try await Engine.start(configuration: broker.engine, store: store, logger: logger)
            jobs = JobManager(engine: engine, checkpointDirectory: dataDir + "/checkpoints", savepointDirectory: dataDir + "/savepoints",
                              registryDirectory: dataDir + "/running-jobs", externalSinks: PostgresSinkFactory(logger: logger))
            captures = CaptureSupervisor(engine: engine, stateDirectory: dataDir + "/captures", logger: logger)
            do {
                server = try await KafkaServer.start(configuration: broker, engine: engine, logger: logger)
                if let restConfig {
                    do { rest = try await EngineRESTServer.start(restConfig, jobs: jobs, samples: SampleJobs.all,
                                                                   captures: EngineCaptures(supervisor: captures), logger: logger) } catch {
                        await server.stop()
                        throw error
                    }
                }
            } catch {
                await engine.stop()
                throw error
            }
        } catch {
            FileHandle.standardError.write(Data("sluice engine: \(error)\n".utf8))
            throw ExitCode(2)
        }
        // Jobs of the last run resume from their latest checkpoints (docs/checkpoints.md, Recovery).
        let problems = await jobs.recover { text, arguments, parallelism in
            try JobSpecParser.parse(text, defaultParallelism: parallelism, arguments: arguments)
        }
        for p in problems { logger.error("a job of the last run could not be resumed", metadata: ["job": "\(p.id)", "reason": "\(p.reason)"]) }
        for j in jobs.all {
            logger.info("job resumed", metadata: ["job": "\(j.id)", "name": "\(j.name)", "from": "\(j.checkpointStats?.latestRestored?.externalPath ?? "the start")"])
        }
        logger.info("engine started", metadata: ["kafka_listen": "\(host):\(server.port)",
                                                  "rest_listen": "\(rest.map { "\(restConfig?.host ?? ""):\($0.port)" } ?? "off")", "data_dir": "\(dataDir)", "flush": "\(broker.flush.rawValue)",
                                                  "topics": "\(store.topics.count)", "authorizer": "\(broker.authorization == nil ? "none" : "acl")", "pid": "\(getpid())"])
        if let authz = broker.authorization, authz.superUsers.isEmpty, !authz.allowEveryoneIfNoAclFound,
           (try? await engine.loop.submit({ engine.acls.authorizer?.acls.isEmpty ?? false }).get()) == true {
            logger.warning("the authorizer denies every request and there are no ACLs yet: name an admin in kafka.super.users (docs/security.md)")
        }
        // Change capture from Postgres, each running (and retrying) on its own (docs/capture.md).
        await captures.start(configured: file.captures)
        let signo = await Signals.waitForStop() ?? SIGTERM
        logger.info("engine stopping", metadata: ["signal": "\(signo == SIGTERM ? "SIGTERM" : "SIGINT")"])
        await captures.stopAll()
        await rest?.stop()
        await jobs.shutdown()
        await server.stop()
        await engine.stop()
        withExtendedLifetime(lock) {}
        logger.info("engine stopped")
    }
}

