import Logging
import PostgresAccess
import PostgresNIO

/// What capture needs to know of its tables before it reads a change: each exists, has a
/// primary key (its topic's key), and has only columns of types capture maps; and the
/// database is set up for logical decoding. Every refusal says what to change.
struct TableCatalog {
    struct Table: Sendable {
        var relation: PgOutput.Relation
        var qualified: String { "\(relation.namespace).\(relation.name)" }
    }

    let connection: PostgresConnection
    let logger: Logger

    func scalar(_ sql: String, _ binds: [String] = []) async throws -> String? {
        var b = PostgresBindings()
        for v in binds { b.append(v) }
        for try await row in try await connection.query(PostgresQuery(unsafeSQL: sql, binds: b), logger: logger) {
            return try row.decode(String?.self)
        }
        return nil
    }

    /// wal_level, the publication, and the tables (the publication's when none are named).
    func check(_ config: CaptureConfig) async throws -> [Table] {
        let level = try await scalar("SHOW wal_level") ?? "?"
        guard level == "logical" else {
            throw CaptureError("wal_level is \(level), not logical: set wal_level = logical in postgresql.conf (ALTER SYSTEM SET wal_level = logical) and restart Postgres")
        }
        guard try await scalar("SELECT pubname::text FROM pg_publication WHERE pubname = $1", [config.publication]) != nil else {
            throw CaptureError("publication \(config.publication) does not exist: CREATE PUBLICATION \(config.publication) FOR TABLE \(config.qualifiedTables.isEmpty ? "<your tables>" : config.qualifiedTables.joined(separator: ", "))")
        }
        var names = config.qualifiedTables
        if names.isEmpty {
            var b = PostgresBindings()
            b.append(config.publication)
            for try await row in try await connection.query(PostgresQuery(unsafeSQL: "SELECT schemaname::text || '.' || tablename::text FROM pg_publication_tables WHERE pubname = $1 ORDER BY 1", binds: b), logger: logger) {
                names.append(try row.decode(String.self))
            }
            guard !names.isEmpty else { throw CaptureError("publication \(config.publication) has no tables: ALTER PUBLICATION \(config.publication) ADD TABLE <table>") }
        }
        var tables: [Table] = []
        for name in names { tables.append(try await table(name)) }
        return tables
    }

    /// A table's columns, types and primary key, as a pgoutput relation would describe it.
    func table(_ name: String) async throws -> Table {
        guard let oidText = try await scalar("SELECT to_regclass($1)::oid::text", [name]), let oid = UInt32(oidText) else {
            throw CaptureError("table \(name) does not exist (or this user cannot see it)")
        }
        return try await table(oid: oid, name: name)
    }

    func table(oid: UInt32, name: String) async throws -> Table {
        var b = PostgresBindings()
        b.append(String(oid))
        var namespace = "", relname = ""
        for try await row in try await connection.query(PostgresQuery(unsafeSQL: """
            SELECT n.nspname::text, c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = $1::text::oid
            """, binds: b), logger: logger) {
            (namespace, relname) = try row.decode((String, String).self)
        }
        var columns: [PgOutput.Column] = []
        var b2 = PostgresBindings()
        b2.append(String(oid))
        for try await row in try await connection.query(PostgresQuery(unsafeSQL: """
            SELECT a.attname::text, a.atttypid::text, a.atttypmod::text, t.typtype::text, format_type(a.atttypid, a.atttypmod),
                   COALESCE(a.attnum = ANY(i.indkey), false)::text
            FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
            LEFT JOIN pg_index i ON i.indrelid = a.attrelid AND i.indisprimary
            WHERE a.attrelid = $1::text::oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum
            """, binds: b2), logger: logger) {
            let (col, type, typmod, typtype, typeName, key) = try row.decode((String, String, String, String, String, String).self)
            // Base, enum and domain types print as a value; composite and range types print as
            // structures a change topic would carry as opaque text.
            guard ["b", "e", "d"].contains(typtype) else {
                throw CaptureError("column \(col) of \(namespace).\(relname) has type \(typeName), a \(typtype == "c" ? "composite" : typtype == "r" || typtype == "m" ? "range" : "pseudo") type capture does not map: store it as jsonb or text, or leave the table out of the capture")
            }
            columns.append(.init(name: col, typeOid: UInt32(type) ?? 25, typmod: Int32(typmod) ?? -1, isKey: key == "true"))
        }
        guard columns.contains(where: \.isKey) else {
            throw CaptureError("table \(namespace).\(relname) has no primary key: add one (ALTER TABLE \(namespace).\(relname) ADD PRIMARY KEY (…)); its topic is keyed by it")
        }
        return Table(relation: .init(oid: oid, namespace: namespace, name: relname, replicaIdentity: "d", columns: columns))
    }
}

/// A capture failure in words an operator can act on.
public struct CaptureError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
