import Dataflow
import DataflowRuntime
import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresNIO
import PostgresAccess

/// The idempotent upsert sink (docs/checkpoints.md, Postgres): each record's fields into the
/// columns of the same names, `INSERT … ON CONFLICT (key) DO UPDATE`, so rows replayed after a
/// restart from a checkpoint overwrite themselves and the table ends as if each was written
/// once. Written from the sink's task thread, which blocks on Postgres's answers (a task thread,
/// never an event loop). Connects on first use: an unreachable database fails the task, and the
/// job's restart strategy decides what follows.
final class PostgresUpsertSink: ExternalSink {
    let target: JobDefinition.PostgresTarget
    let logger: Logger
    private var connection: PostgresConnection?
    private var batch: UpsertBatch?
    private var oldest: UInt64 = 0
    /// Rows are sent when this many wait, or when the oldest has waited `maxWaitNanos`.
    static let maxRows = 2000
    static let maxWaitNanos: UInt64 = 100_000_000

    init(target: JobDefinition.PostgresTarget, logger: Logger) {
        self.target = target
        self.logger = logger
    }

    deinit {
        if let connection { connection.close().whenComplete { _ in } }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    func write(_ record: StreamRecord) throws -> String? {
        if batch == nil { try open() }
        if batch!.count == 0 { oldest = DispatchTime.now().uptimeNanoseconds }
        if let refused = batch!.add(record.value) { return refused }
        if batch!.count >= Self.maxRows { try send() }
        return nil
    }

    func flush() throws {
        guard let b = batch, b.count > 0, DispatchTime.now().uptimeNanoseconds - oldest >= Self.maxWaitNanos else { return }
        try send()
    }

    func drain() throws {
        guard let b = batch, b.count > 0 else { return }
        try send()
    }

    /// Every waiting row in one transaction: the batch lands whole or not at all.
    private func send() throws {
        guard var b = batch, let connection else { return }
        let statements = b.take()
        batch = b
        do {
            if statements.count > 1 { try run(connection, "BEGIN") }
            for s in statements {
                var binds = PostgresBindings(capacity: s.parameters.count)
                for p in s.parameters { if let p { binds.append(p) } else { binds.appendNull() } }
                try run(connection, PostgresQuery(unsafeSQL: s.sql, binds: binds))
            }
            if statements.count > 1 { try run(connection, "COMMIT") }
        } catch {
            close()
            throw Failure(description: "Postgres sink \(target.table) at \(PostgresURL.redacted(target.url)): \(PostgresURL.describe(error))")
        }
    }

    /// Runs a statement and waits for its answer, at most `answerSeconds`: a connection the
    /// server closed, or a network that stopped answering, fails the task instead of holding it
    /// (and every checkpoint) for ever.
    private func run(_ c: PostgresConnection, _ query: PostgresQuery) throws {
        guard !c.isClosed else { throw Failure(description: "the connection was closed by the server") }
        let done = DispatchSemaphore(value: 0)
        let outcome = Outcome()
        c.query(query, logger: logger).whenComplete { r in
            if case .failure(let e) = r { outcome.error = e }
            done.signal()
        }
        guard done.wait(timeout: .now() + Self.answerSeconds) == .success else {
            throw Failure(description: "no answer within \(Int(Self.answerSeconds)) s")
        }
        if let e = outcome.error { throw e }
    }

    static let answerSeconds = 75.0  // past the server's statement_timeout (60 s)

    private final class Outcome: @unchecked Sendable { var error: Error? }  // written before the semaphore's signal, read after

    private func close() {
        connection?.close().whenComplete { _ in }
        connection = nil
        batch = nil
    }

    /// Connects and reads the table's columns and key.
    private func open() throws {
        let config = try PostgresURL.configuration(target.url)
        let where_ = "Postgres sink \(target.table) at \(PostgresURL.redacted(target.url))"
        let c: PostgresConnection
        do {
            c = try PostgresConnection.connect(on: MultiThreadedEventLoopGroup.singleton.next(), configuration: config, id: 1, logger: logger).wait()
        } catch {
            throw Failure(description: "\(where_): cannot connect: \(PostgresURL.describe(error))")
        }
        do {
            // A lock held elsewhere must not hold the task (and its checkpoints) for ever.
            try run(c, "SET statement_timeout = '60s'")
            let rows = try c.query(PostgresQuery(unsafeSQL: """
                SELECT a.attname::text, format_type(a.atttypid, a.atttypmod), t.typcategory::text,
                       COALESCE(a.attnum = ANY(i.indkey), false)
                FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
                LEFT JOIN pg_index i ON i.indrelid = a.attrelid AND i.indisprimary
                WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped
                ORDER BY a.attnum
                """, binds: { var b = PostgresBindings(); b.append(target.table); return b }()), logger: logger).wait()
            var columns: [PostgresColumn] = []
            var primary: [Int] = []
            for row in rows {
                let (name, type, category, isKey) = try row.decode((String, String, String, Bool).self)
                if isKey { primary.append(columns.count) }
                columns.append(PostgresColumn(name: name, type: type, category: category))
            }
            guard !columns.isEmpty else {
                throw Failure(description: "\(where_): table \(target.table) does not exist: create it with a primary key (or a unique index) on the columns that identify a row")
            }
            var key = primary
            if let named = target.key {
                key = try named.map { n in
                    guard let i = columns.firstIndex(where: { $0.name == n || $0.name == n.lowercased() }) else {
                        throw Failure(description: "\(where_): key column \(n) is not a column of \(target.table) (it has \(columns.map(\.name).joined(separator: ", ")))")
                    }
                    return i
                }
            }
            guard !key.isEmpty else {
                throw Failure(description: "\(where_): table \(target.table) has no primary key: add one, or name a unique index's columns as the sink's key")
            }
            let quoted = target.table.split(separator: ".").map { UpsertBatch.quote(String($0)) }.joined(separator: ".")
            batch = UpsertBatch(table: quoted, columns: columns, key: key)
            connection = c
        } catch let f as Failure {
            c.close().whenComplete { _ in }
            throw f
        } catch {
            c.close().whenComplete { _ in }
            throw Failure(description: "\(where_): \(PostgresURL.describe(error))")
        }
    }
}

/// Makes the engine's Postgres upsert sinks (the runtime's ExternalSinkFactory).
public struct PostgresSinkFactory: ExternalSinkFactory {
    let logger: Logger
    public init(logger: Logger) { self.logger = logger }
    public func make(_ target: JobDefinition.PostgresTarget, jobName: String, subtask: Int) -> ExternalSink {
        var l = logger
        l[metadataKey: "job"] = "\(jobName)"
        l[metadataKey: "subtask"] = "\(subtask)"
        return PostgresUpsertSink(target: target, logger: l)
    }
}
