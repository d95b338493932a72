import Foundation
import Dataflow

/// Rows waiting to be upserted, grouped by the columns a record gives (a record that leaves a
/// column out leaves it as it is in the table, rather than nulling it), the last row per key
/// kept (one statement may not touch a row twice: Postgres refuses `ON CONFLICT DO UPDATE` then).
struct UpsertBatch {
    struct Group {
        var columns: [Int]  // indexes into the table's columns
        var rows: [[String?]] = []
        var byKey: [[String?]: Int] = [:]
    }
    let table: String  // quoted
    let columns: [PostgresColumn]
    let key: [Int]
    private(set) var groups: [[Int]: Group] = [:]
    private(set) var count = 0

    init(table: String, columns: [PostgresColumn], key: [Int]) {
        self.table = table; self.columns = columns; self.key = key
    }

    /// Adds a record's row; returns why it cannot be written, or nil.
    mutating func add(_ record: Value) -> String? {
        guard case .object(let fields) = record else { return "a Postgres sink writes objects' fields as columns; the record is a \(record.typeName)" }
        var present: [Int] = []
        var values: [String?] = []
        for (ci, c) in columns.enumerated() {
            guard let v = fields[c.name] ?? Self.folded(fields, c.name) else { continue }
            switch c.encode(v) {
            case .refused(let reason): return reason
            case .value(let text):
                if text == nil, key.contains(ci) { return "key column \(c.name) is null" }
                present.append(ci); values.append(text)
            }
        }
        for k in key where !present.contains(k) { return "the record has no field for key column \(columns[k].name)" }
        let keyValues = key.map { k in values[present.firstIndex(of: k)!] }
        var g = groups[present] ?? Group(columns: present)
        if let i = g.byKey[keyValues] { g.rows[i] = values } else {
            g.byKey[keyValues] = g.rows.count
            g.rows.append(values)
            count += 1
        }
        groups[present] = g
        return nil
    }

    /// Postgres folds unquoted names to lower case: `windowStart` in a record is column `windowstart`.
    static func folded(_ fields: Value.Fields, _ column: String) -> Value? {
        for (i, n) in fields.names.enumerated() where n.lowercased() == column { return fields.values[i] }
        return nil
    }

    /// The statements for everything added, at most `maxParameters` parameters each, and their
    /// parameters; the batch is emptied.
    mutating func take(maxParameters: Int = 30_000) -> [(sql: String, parameters: [String?])] {
        var out: [(String, [String?])] = []
        for g in groups.values {
            let perRow = g.columns.count
            let rowsPer = max(1, maxParameters / max(perRow, 1))
            var start = 0
            while start < g.rows.count {
                let rows = g.rows[start..<min(start + rowsPer, g.rows.count)]
                out.append((statement(columns: g.columns, rows: rows.count), rows.flatMap { $0 }))
                start += rowsPer
            }
        }
        groups = [:]
        count = 0
        return out
    }

    func statement(columns cs: [Int], rows: Int) -> String {
        let names = cs.map { Self.quote(columns[$0].name) }
        var sql = "INSERT INTO \(table) (\(names.joined(separator: ", "))) VALUES "
        var n = 0
        for r in 0..<rows {
            if r > 0 { sql += ", " }
            sql += "(" + cs.map { c -> String in n += 1; return "$\(n)::text::\(columns[c].type)" }.joined(separator: ", ") + ")"
        }
        sql += " ON CONFLICT (\(key.map { Self.quote(columns[$0].name) }.joined(separator: ", ")))"
        let updated = cs.filter { !key.contains($0) }
        if updated.isEmpty { return sql + " DO NOTHING" }
        return sql + " DO UPDATE SET " + updated.map { "\(Self.quote(columns[$0].name)) = EXCLUDED.\(Self.quote(columns[$0].name))" }.joined(separator: ", ")
    }

    static func quote(_ identifier: String) -> String { "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
}
