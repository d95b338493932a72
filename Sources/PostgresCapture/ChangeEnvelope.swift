import Dataflow

/// Change events in Debezium's envelope (docs/capture.md): a record keyed by the row's primary
/// key (`{"id": 7}`), its value `{before, after, source, op, ts_ms}` with `op` c (insert),
/// u (update), d (delete), r (a snapshot's read) or t (truncate). Column values are typed by
/// their Postgres type: booleans, integers and floats as JSON's, json/jsonb as JSON, numeric
/// and everything else as Postgres prints it (text).
public struct ChangeEnvelope: Sendable {
    /// The capture's name (Debezium's `source.name`, the topics' prefix) and database.
    public var name: String
    public var database: String

    public init(name: String, database: String) { self.name = name; self.database = database }

    public enum Op: String, Sendable { case create = "c", update = "u", delete = "d", read = "r", truncate = "t" }

    /// Where a change sits in Postgres: its transaction, LSN and commit time (ms since the epoch).
    public struct Position: Sendable {
        public var txId: UInt32?
        public var lsn: UInt64
        public var commitMs: Int64
        /// nil outside a snapshot; "true", or "last" for a snapshot's last row.
        public var snapshot: String?
        public init(txId: UInt32?, lsn: UInt64, commitMs: Int64, snapshot: String? = nil) {
            self.txId = txId; self.lsn = lsn; self.commitMs = commitMs; self.snapshot = snapshot
        }
    }

    public struct Record: Sendable, Equatable {
        public var topic: String
        public var key: [UInt8]?
        /// nil: a tombstone.
        public var value: [UInt8]?
    }

    static let truncateKey = Array("{}".utf8)

    /// Debezium's placeholder for a TOASTed value the change did not carry.
    public static let unavailable = "__debezium_unavailable_value"

    /// The topic of a table's changes: `<name>.<schema>.<table>`, other characters than Kafka
    /// allows in topic names made `_`.
    public func topic(_ relation: PgOutput.Relation) -> String {
        let safe = { (s: String) in String(s.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") ? $0 : "_" }) }
        return "\(safe(name)).\(safe(relation.namespace)).\(safe(relation.name))"
    }

    /// The records of one change: a delete is followed by a tombstone, and an update that
    /// changes the key is a delete, a tombstone and a create (as Debezium's).
    public func records(_ op: Op, _ relation: PgOutput.Relation, before: [PgOutput.Datum]?, beforeIsKeyOnly: Bool = false,
                        after: [PgOutput.Datum]?, at position: Position, nowMs: Int64) -> [Record] {
        let topic = topic(relation)
        let beforeRow = before.map { row(relation, $0, keyOnly: beforeIsKeyOnly) }
        let afterRow = after.map { row(relation, $0, fallback: beforeIsKeyOnly ? nil : before) }
        switch op {
        case .delete:
            let key = keyBytes(relation, before)
            return [Record(topic: topic, key: key, value: value(.delete, relation, beforeRow, nil, position, nowMs)),
                    Record(topic: topic, key: key, value: nil)]
        case .update:
            let oldKey = before.map { keyBytes(relation, $0) } ?? nil, newKey = keyBytes(relation, after)
            if let oldKey, oldKey != newKey {
                return [Record(topic: topic, key: oldKey, value: value(.delete, relation, beforeRow, nil, position, nowMs)),
                        Record(topic: topic, key: oldKey, value: nil),
                        Record(topic: topic, key: newKey, value: value(.create, relation, nil, afterRow, position, nowMs))]
            }
            return [Record(topic: topic, key: newKey, value: value(.update, relation, beforeRow, afterRow, position, nowMs))]
        case .truncate:
            // Keyed `{}`, not keyless (Debezium's): the topics are compacted, and a compacted
            // topic refuses a record without a key.
            return [Record(topic: topic, key: Self.truncateKey, value: value(.truncate, relation, nil, nil, position, nowMs))]
        case .create, .read:
            return [Record(topic: topic, key: keyBytes(relation, after), value: value(op, relation, nil, afterRow, position, nowMs))]
        }
    }

    func value(_ op: Op, _ relation: PgOutput.Relation, _ before: Value?, _ after: Value?, _ p: Position, _ nowMs: Int64) -> [UInt8] {
        let source = Value.object([
            ("version", .string("sluice")), ("connector", .string("postgresql")), ("name", .string(name)),
            ("ts_ms", .int(p.commitMs)), ("snapshot", .string(p.snapshot ?? "false")), ("db", .string(database)),
            ("schema", .string(relation.namespace)), ("table", .string(relation.name)),
            ("txId", p.txId.map { .int(Int64($0)) } ?? .null), ("lsn", .int(Int64(bitPattern: p.lsn))),
        ])
        return JSONWriter.bytes(.object([("before", before ?? .null), ("after", after ?? .null), ("source", source),
                                         ("op", .string(op.rawValue)), ("ts_ms", .int(nowMs))]))
    }

    /// The row as JSON fields; `keyOnly`: only the key columns carry values (the others are
    /// null, as Postgres sent none); an unchanged TOASTed value is taken from `fallback` (the
    /// old row) when there is one, else Debezium's placeholder.
    func row(_ relation: PgOutput.Relation, _ datums: [PgOutput.Datum], keyOnly: Bool = false, fallback: [PgOutput.Datum]? = nil) -> Value {
        var fields = Value.Fields(reservingCapacity: relation.columns.count)
        for (i, c) in relation.columns.enumerated() {
            var d = i < datums.count ? datums[i] : .null
            if keyOnly && !c.isKey { d = .null }
            if case .unchangedToast = d { d = fallback.flatMap { i < $0.count ? $0[i] : nil } ?? .text(Self.unavailable) }
            fields.appendNew(c.name, Self.json(d, typeOid: c.typeOid))
        }
        return .object(fields)
    }

    /// The key record: the key columns as a JSON object, or nil for a relation without one.
    func keyBytes(_ relation: PgOutput.Relation, _ datums: [PgOutput.Datum]?) -> [UInt8]? {
        guard let datums else { return nil }
        var fields = Value.Fields()
        for (i, c) in relation.columns.enumerated() where c.isKey && i < datums.count {
            fields.appendNew(c.name, Self.json(datums[i], typeOid: c.typeOid))
        }
        return fields.count == 0 ? nil : JSONWriter.bytes(.object(fields))
    }

    /// A column's text as a JSON value, by its type's OID.
    public static func json(_ d: PgOutput.Datum, typeOid: UInt32) -> Value {
        guard case .text(let t) = d else { return d == .unchangedToast ? .string(unavailable) : .null }
        switch typeOid {
        case 16: return .bool(t == "t")
        case 20, 21, 23, 26: return Int64(t).map { .int($0) } ?? .string(t)
        case 700, 701: return Double(t).flatMap { $0.isFinite ? Value.double($0) : nil } ?? .string(t)  // NaN, Infinity as text
        case 114, 3802: return (try? JSONReader.parse(t)) ?? .string(t)
        default: return .string(t)
        }
    }
}
