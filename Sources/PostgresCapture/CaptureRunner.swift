import Dataflow
import EngineCore
import Foundation
import KafkaProtocol
import Logging
import NIOCore
import NIOPosix
import PostgresAccess
import PostgresNIO

/// Runs one capture (docs/capture.md): checks the database, makes the slot and an initial
/// snapshot of the tables when the slot is new, then reads the slot's changes through
/// Postgres's SQL interface (`pg_logical_slot_peek_binary_changes`, pgoutput) and appends
/// them, whole transactions in commit order, to the tables' topics; only once they are durable
/// in the log does it move the slot on (`pg_replication_slot_advance`), so a crash at any point
/// repeats changes and never loses one. On a failure it says why, waits and starts again.
public actor CaptureRunner {
    public let config: CaptureConfig
    let engine: Engine
    let logger: Logger
    let state: CaptureState
    let envelope: ChangeEnvelope

    /// What `sluice` shows of a capture.
    public struct Status: Sendable, Equatable {
        public var state: String = "STARTING"
        public var lastError: String?
        /// Change rows (inserts, updates, deletes, a truncate per table) appended since the engine started.
        public var changes: Int64 = 0
        public var snapshotRows: Int64 = 0
        public var confirmedLSN: UInt64 = 0
        /// Commit in Postgres → record durable in the topic, of the latest transaction (ms).
        public var lagMs: Int64?
    }
    public internal(set) var status = Status()
    /// Commit-to-topic latencies (ms) since the last `takeLatencies()`, for make bench.
    var latencies: [Int64] = []
    var relations: [UInt32: PgOutput.Relation] = [:]
    var keys: [UInt32: Set<String>] = [:]
    var partitions: [String: Int32] = [:]

    public init(config: CaptureConfig, engine: Engine, stateDirectory: String, logger: Logger) throws {
        try config.validate()
        self.config = config
        self.engine = engine
        self.logger = logger
        state = CaptureState(path: "\(stateDirectory)/\(config.name).json")
        envelope = ChangeEnvelope(name: config.name, database: config.database)
    }

    var applicationName: String { "sluice capture \(config.name)" }

    public func takeLatencies() -> [Int64] { defer { latencies = [] }; return latencies }

    /// Runs until cancelled, starting again (after a pause that grows to 30 s) after a failure.
    public func run() async {
        var pause: UInt64 = 1
        while !Task.isCancelled {
            do {
                try await runOnce()
            } catch is CancellationError {
                break
            } catch {
                let text = PostgresURL.describe(error)
                if status.lastError != text { logger.error("capture failed", metadata: ["capture": "\(config.name)", "error": "\(text)"]) }
                status.state = "FAILED"
                status.lastError = text
                try? await Task.sleep(for: .seconds(Double(pause)))
                pause = min(pause * 2, 30)
                continue
            }
        }
    }

    private func runOnce() async throws {
        var pgConfig = try PostgresURL.configuration(config.url)
        // Named, so that a later run can tell its own previous session from another consumer.
        pgConfig.options.additionalStartupParameters = [("application_name", applicationName)]
        let connection = try await PostgresConnection.connect(configuration: pgConfig, id: 1, logger: logger)
        defer { Task { try? await connection.close() } }
        let catalog = TableCatalog(connection: connection, logger: logger)
        let tables = try await catalog.check(config)
        status.confirmedLSN = 0
        for t in tables { keys[t.relation.oid] = Set(t.relation.columns.filter(\.isKey).map(\.name)) }
        for t in tables { partitions[envelope.topic(t.relation)] = try await ensureTopic(envelope.topic(t.relation)) }
        try await ensureSlot(catalog)
        if !state.snapshotDone {
            status.state = "SNAPSHOT"
            try await snapshot(tables, connection)
            try state.markSnapshotDone()
        }
        status.state = "RUNNING"
        if status.lastError != nil || status.changes == 0 {
            logger.info("capture running", metadata: ["capture": "\(config.name)", "slot": "\(config.slot)"])
        }
        status.lastError = nil
        let wanted = Set(tables.map(\.relation.oid))
        while !Task.isCancelled {
            let found = try await readChanges(connection, catalog, wanted: wanted)
            if found == 0 { try await Task.sleep(for: .milliseconds(config.pollMs)) }
        }
        throw CancellationError()
    }

    /// The slot: made (pgoutput) when missing, refused when another session holds it or it
    /// decodes with another plugin.
    private func ensureSlot(_ catalog: TableCatalog) async throws {
        var b = PostgresBindings()
        b.append(config.slot)
        var found = false
        for try await row in try await catalog.connection.query(PostgresQuery(unsafeSQL: """
            SELECT plugin::text, active::text, COALESCE(active_pid::text, ''), COALESCE(database::text, '') FROM pg_replication_slots WHERE slot_name = $1
            """, binds: b), logger: logger) {
            let (plugin, active, pid, database) = try row.decode((String?, String, String, String).self)
            found = true
            guard plugin == "pgoutput" else {
                throw CaptureError("slot \(config.slot) decodes with \(plugin ?? "no plugin (a physical slot)"), not pgoutput: give this capture another slot")
            }
            guard database == envelope.database else { throw CaptureError("slot \(config.slot) belongs to database \(database), not \(envelope.database)") }
            if active == "true" {
                // A read by this capture's previous run (the engine killed while Postgres was
                // answering it) holds the slot until that session ends: end it. Anyone else's is refused.
                let owner = try await catalog.scalar("SELECT application_name::text FROM pg_stat_activity WHERE pid = $1::text::int", [pid])
                // nil: that session ended between the two reads (the slot is being released).
                guard owner == applicationName || owner == nil else {
                    throw CaptureError("slot \(config.slot) is active for PID \(pid) (another consumer reads it): stop that consumer, or give this capture another slot")
                }
                if owner != nil { _ = try await catalog.scalar("SELECT pg_terminate_backend($1::text::int)::text", [pid]) }
                logger.info("ended the previous run's session on the slot", metadata: ["capture": "\(config.name)", "pid": "\(pid)"])
                for _ in 0..<50 where try await catalog.scalar("SELECT active::text FROM pg_replication_slots WHERE slot_name = $1", [config.slot]) == "true" {
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
        }
        if !found {
            try state.reset()  // a new slot: the snapshot is taken again
            var c = PostgresBindings()
            c.append(config.slot)
            _ = try await catalog.connection.query(PostgresQuery(unsafeSQL: "SELECT lsn::text FROM pg_create_logical_replication_slot($1, 'pgoutput')", binds: c), logger: logger).collect()
            logger.info("replication slot made", metadata: ["capture": "\(config.name)", "slot": "\(config.slot)"])
        }
    }

    /// A table's topic, made when missing: compaction keeps each key's latest row, tombstones drop deleted keys.
    func ensureTopic(_ topic: String) async throws -> Int32 {
        try await engine.ensureTopic(topic, partitions: config.partitions, configs: ["cleanup.policy": "compact"])
    }
}
