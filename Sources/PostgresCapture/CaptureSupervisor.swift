import EngineCore
import Foundation
import Logging
import PostgresAccess
import StreamLog

/// The engine's captures: those of its config file and those added while it runs (REST,
/// `sluice capture add`), each a ``CaptureRunner`` on its own task. Added ones are kept in
/// `<data-dir>/captures/added.list` so they run again after a restart (docs/capture.md).
public actor CaptureSupervisor {
    public enum Origin: String, Sendable { case configFile = "config file", added }

    public struct Entry: Sendable {
        public var config: CaptureConfig
        public var origin: Origin
        public var status: CaptureRunner.Status
    }

    public struct Refused: Error, CustomStringConvertible, Sendable {
        public enum Kind: Sendable { case invalid, exists, notFound }
        public var kind: Kind
        public var description: String
    }

    let engine: Engine
    let stateDirectory: String
    let logger: Logger
    private var running: [String: (runner: CaptureRunner, task: Task<Void, Never>, origin: Origin)] = [:]
    private var order: [String] = []

    public init(engine: Engine, stateDirectory: String, logger: Logger) {
        self.engine = engine
        self.stateDirectory = stateDirectory
        self.logger = logger
    }

    var addedPath: String { stateDirectory + "/added.list" }  // never a capture's "<name>.json"

    /// Starts the config file's captures and the ones added in earlier runs. A capture that
    /// cannot start is logged and skipped: the engine serves on.
    public func start(configured: [CaptureConfig]) {
        for c in configured { launch(c, origin: .configFile) }
        let added: [CaptureConfig]
        do { added = try readAdded() } catch {
            logger.error("the captures added earlier cannot be read; they are not started", metadata: ["error": "\(error)"])
            added = []
        }
        for c in added where running[c.name] == nil { launch(c, origin: .added) }
    }

    /// Adds and starts a capture; refused when its settings are invalid or the name is taken.
    public func add(_ c: CaptureConfig) throws {
        do { try c.validate() } catch { throw Refused(kind: .invalid, description: "\(error)") }
        guard running[c.name] == nil else {
            throw Refused(kind: .exists, description: "a capture named \(c.name) already runs: remove it first or choose another name")
        }
        if let other = running.values.first(where: { $0.runner.config.slot == c.slot && $0.runner.config.url == c.url }) {
            throw Refused(kind: .exists, description: "capture \(other.runner.config.name) already reads slot \(c.slot) of that database: a slot has one reader")
        }
        try store(readAdded().filter { $0.name != c.name } + [c])
        launch(c, origin: .added)
    }

    /// Stops an added capture and forgets it; its slot and topics stay.
    public func remove(_ name: String) async throws {
        guard let r = running[name] else { throw Refused(kind: .notFound, description: "no capture named \(name)") }
        guard r.origin == .added else {
            throw Refused(kind: .invalid, description: "capture \(name) comes from the engine's config file: remove it there and restart the engine")
        }
        try store(readAdded().filter { $0.name != name })
        r.task.cancel()
        await r.task.value
        running[name] = nil
        order.removeAll { $0 == name }
        logger.info("capture removed", metadata: ["capture": "\(name)", "slot": "\(r.runner.config.slot)"])
    }

    public func list() async -> [Entry] {
        var out: [Entry] = []
        for name in order {
            guard let r = running[name] else { continue }
            out.append(Entry(config: r.runner.config, origin: r.origin, status: await r.runner.status))
        }
        return out
    }

    public func runner(_ name: String) -> CaptureRunner? { running[name]?.runner }

    public func stopAll() async {
        for r in running.values { r.task.cancel() }
        for r in running.values { await r.task.value }
        running = [:]
        order = []
    }

    private func launch(_ c: CaptureConfig, origin: Origin) {
        do {
            let runner = try CaptureRunner(config: c, engine: engine, stateDirectory: stateDirectory, logger: logger)
            running[c.name] = (runner, Task { await runner.run() }, origin)
            order.append(c.name)
            logger.info("capture started", metadata: ["capture": "\(c.name)", "url": "\(PostgresURL.redacted(c.url))", "slot": "\(c.slot)",
                                                      "origin": "\(origin.rawValue)"])
        } catch {
            logger.error("capture not started", metadata: ["capture": "\(c.name)", "error": "\(error)"])
        }
    }

    /// The captures added earlier; a damaged file is an error, never silently replaced.
    private func readAdded() throws -> [CaptureConfig] {
        guard let data = FileManager.default.contents(atPath: addedPath) else { return [] }
        do { return try JSONDecoder().decode([CaptureConfig].self, from: data) } catch {
            throw Refused(kind: .invalid, description: "\(addedPath) is damaged (\(error)): mend or remove it, then add the capture again")
        }
    }

    private func store(_ list: [CaptureConfig]) throws {
        do {
            try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            try DurableFile.replace(addedPath, with: try enc.encode(list))
            // It may hold Postgres passwords, as the engine's config file may.
            _ = chmod(addedPath, 0o600)
        } catch {
            throw Refused(kind: .invalid, description: "cannot keep the capture in \(addedPath): \(error)")
        }
    }
}
