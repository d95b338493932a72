import ConsoleModel
import FlinkClient
import Foundation
import Logging
import PostgresAccess
import PostgresNIO

/// Reads a Postgres server's replication slots into one ``SlotSnapshot`` per call (one small
/// statement over a kept connection), and, given an engine, its captures (`GET /captures`)
/// for the commit-to-topic lag (docs/slots.md).
public actor PostgresSlotPoller {
    public let url: String
    /// The engine whose captures to show beside the slots; nil: slots only.
    let engine: FlinkClient?
    private var connection: PostgresConnection?
    private let logger = Logger(label: "sluice.slots")

    public init(url: String, engine: FlinkClient? = nil) {
        self.url = url
        self.engine = engine
    }

    /// "host:port/database" of the URL, for headers and reports (no user, no password).
    public static func label(_ url: String) -> String {
        guard let u = URLComponents(string: url), let host = u.host else { return PostgresURL.redacted(url) }
        return "\(host):\(u.port ?? 5432)\(u.path.isEmpty ? "" : u.path)"
    }

    public func poll(now: @Sendable () -> Double) async -> Observation {
        do { return .postgres(try await snapshot(now: now)) } catch {
            await drop()
            return .postgresError(time: now(), message: "\(Self.label(url)): \(PostgresURL.describe(error))")
        }
    }

    public func snapshot(now: @Sendable () -> Double) async throws -> SlotSnapshot {
        let c = try await connected()
        let time = now()
        // One statement: the WAL position and the slots as of the same moment.
        let rows = try await c.query("""
            SELECT (CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END)::text,
                   (SELECT setting FROM pg_settings WHERE name = 'max_slot_wal_keep_size')::bigint,
                   s.slot_name::text, s.plugin::text, s.slot_type::text, s.database::text, s.temporary, s.active, s.active_pid,
                   s.restart_lsn::text, s.confirmed_flush_lsn::text, s.wal_status::text, s.safe_wal_size
            FROM (SELECT 1) AS one LEFT JOIN pg_replication_slots s ON true
            ORDER BY s.slot_name
            """, logger: logger)
        var current: UInt64 = 0
        var keep: Int64?
        var slots: [SlotSnapshot.Slot] = []
        for try await row in rows {
            let r = try row.decode((String?, Int64?, String?, String?, String?, String?, Bool?, Bool?, Int32?, String?, String?, String?, Int64?).self)
            current = r.0.flatMap(LSN.parse) ?? 0
            // The setting is in megabytes; -1 is unlimited.
            keep = r.1.flatMap { $0 < 0 ? nil : $0 << 20 }
            guard let name = r.2 else { continue }
            slots.append(.init(name: name, plugin: r.3, slotType: r.4 ?? "logical", database: r.5, temporary: r.6 ?? false,
                               active: r.7 ?? false, activePid: r.8, restartLSN: r.9.flatMap(LSN.parse),
                               confirmedFlushLSN: r.10.flatMap(LSN.parse), walStatus: r.11, safeWalSize: r.12))
        }
        var captures: [SlotSnapshot.Capture]?
        if let engine {
            // The engine is optional to the view: unreachable, or Apache Flink (no /captures), shows slots alone.
            captures = try? await engine.captures().map {
                .init(name: $0.name, slot: $0.slot, database: $0.database, state: $0.state, lastError: $0.lastError, lagMs: $0.lagMs, changes: $0.changes)
            }
        }
        return SlotSnapshot(time: time, server: Self.label(url), currentLSN: current, maxSlotWalKeepSize: keep, slots: slots, captures: captures)
    }

    private func connected() async throws -> PostgresConnection {
        if let connection, !connection.isClosed { return connection }
        var config = try PostgresURL.configuration(url)
        config.options.additionalStartupParameters = [("application_name", "sluice slots")]
        let c = try await PostgresConnection.connect(configuration: config, id: 1, logger: logger)
        connection = c
        return c
    }

    private func drop() async {
        try? await connection?.close()
        connection = nil
    }

    public func shutdown() async { await drop() }
}
