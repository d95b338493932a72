import Foundation

/// One change capture from Postgres into engine topics (docs/capture.md): which database, the
/// publication and slot it reads through, and the tables (all of the publication's when empty).
public struct CaptureConfig: Sendable, Equatable, Codable {
    /// The capture's name: its topics are `<name>.<schema>.<table>` (Debezium's topic prefix).
    public var name: String
    /// `postgres://user:password@host:port/database` (a missing password: PGPASSWORD).
    public var url: String
    public var publication: String
    public var slot: String
    /// `schema.table` or `table` (schema public); empty: every table of the publication.
    public var tables: [String]
    /// Partitions of each table's topic when the capture creates it.
    public var partitions: Int32
    /// How long to wait between reads of the slot when the last read found nothing (ms).
    public var pollMs: Int

    public init(name: String, url: String, publication: String, slot: String, tables: [String] = [], partitions: Int32 = 1, pollMs: Int = 100) {
        self.name = name; self.url = url; self.publication = publication; self.slot = slot
        self.tables = tables; self.partitions = partitions; self.pollMs = pollMs
    }

    public struct Invalid: Error, CustomStringConvertible, Sendable { public var description: String }

    /// Names as Postgres and Kafka accept them, checked before anything connects.
    public func validate() throws {
        let plain = { (s: String) in !s.isEmpty && s.count <= 63 && s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") } }
        guard !name.isEmpty, name.count <= 100, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }) else {
            throw Invalid(description: "capture name '\(name.prefix(60))' must be letters, digits, . _ - (it prefixes the topics)")
        }
        guard plain(publication) else { throw Invalid(description: "publication '\(publication.prefix(60))' is not a plain Postgres name (letters, digits, _)") }
        guard plain(slot), slot == slot.lowercased() else {
            throw Invalid(description: "slot '\(slot.prefix(60))' must be lower-case letters, digits and _ (Postgres's rule for slot names)")
        }
        for t in tables {
            let parts = t.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard (1...2).contains(parts.count), parts.allSatisfy(plain) else {
                throw Invalid(description: "table '\(t.prefix(60))' is not schema.table or table (letters, digits, _)")
            }
        }
        guard (1...1000).contains(partitions) else { throw Invalid(description: "partitions is 1…1000, not \(partitions)") }
        guard (10...60_000).contains(pollMs) else { throw Invalid(description: "pollMs is 10…60000, not \(pollMs)") }
    }

    /// The database the URL names (the envelope's `source.db`, a slot's database).
    public var database: String {
        URLComponents(string: url).map { String($0.path.drop { $0 == "/" }) } ?? ""
    }

    /// `schema.table` with the schema made explicit.
    public var qualifiedTables: [String] { tables.map { $0.contains(".") ? $0 : "public.\($0)" } }
}
