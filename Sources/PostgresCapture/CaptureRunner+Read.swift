import Dataflow
import EngineCore
import Foundation
import KafkaProtocol
import PostgresAccess
import PostgresNIO

extension CaptureRunner {
    /// Every row of every table as a read (`op: r`), taken after the slot exists: a change
    /// committed meanwhile is both in the snapshot and in the slot (repeated, never lost).
    func snapshot(_ tables: [TableCatalog.Table], _ connection: PostgresConnection) async throws {
        let nowMs = Int64(Date().timeIntervalSince1970 * 1000)
        var out = Outbox()
        // One row behind, so the very last row is marked "last" (Debezium's), whichever table it is in.
        var previous: (TableCatalog.Table, [PgOutput.Datum])? = nil
        for t in tables {
            let columns = t.relation.columns.map { "\(Self.quote($0.name))::text" }.joined(separator: ", ")
            let sql = "SELECT \(columns) FROM \(Self.quote(t.relation.namespace)).\(Self.quote(t.relation.name))"
            for try await row in try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger) {
                var datums: [PgOutput.Datum] = []
                for cell in row { datums.append(try cell.decode(String?.self).map { .text($0) } ?? .null) }
                if let (pt, p) = previous { try await emitRead(pt, p, last: false, nowMs: nowMs, into: &out) }
                previous = (t, datums)
            }
        }
        if let (pt, p) = previous { try await emitRead(pt, p, last: true, nowMs: nowMs, into: &out) }
        try await out.flush(engine)
        logger.info("snapshot taken", metadata: ["capture": "\(config.name)", "rows": "\(status.snapshotRows)"])
    }

    private func emitRead(_ t: TableCatalog.Table, _ row: [PgOutput.Datum], last: Bool, nowMs: Int64, into out: inout Outbox) async throws {
        let position = ChangeEnvelope.Position(txId: nil, lsn: 0, commitMs: nowMs, snapshot: last ? "last" : "true")
        for r in envelope.records(.read, t.relation, before: nil, after: row, at: position, nowMs: nowMs) { out.add(r, partitions) }
        status.snapshotRows += 1
        if out.count >= Outbox.chunk { try await out.flush(engine) }
    }

    /// One read of the slot: whole transactions appended durably, then the slot moved past
    /// them. Returns how many change rows the slot gave.
    func readChanges(_ connection: PostgresConnection, _ catalog: TableCatalog, wanted: Set<UInt32>) async throws -> Int {
        // Taken first: when the read finds nothing of ours, every commit before this point has
        // been decoded, so the slot may move to it (its WAL is not kept for nothing). The flush
        // position, not the write position: the read decodes only flushed WAL, and with
        // synchronous_commit = off commits written but unflushed when it began may be flushed
        // before the advance (which Postgres clamps to the flush position then): skipped for good.
        let before = LSN.parse(try await catalog.scalar("SELECT pg_current_wal_flush_lsn()::text") ?? "") ?? 0
        var b = PostgresBindings()
        b.append(config.slot)
        b.append(String(Self.maxChanges))
        b.append(config.publication)
        var rows = 0
        var out = Outbox()
        var transaction: [ChangeEnvelope.Record] = []
        var xid: UInt32? = nil, lastEnd: UInt64 = 0, commitMs: Int64 = 0
        var commits: [Int64] = []
        var changesInTransaction: Int64 = 0
        for try await row in try await connection.query(PostgresQuery(unsafeSQL: """
            SELECT lsn::text, data FROM pg_logical_slot_peek_binary_changes($1, NULL, $2::int, 'proto_version', '1', 'publication_names', $3)
            """, binds: b), logger: logger) {
            rows += 1
            let (lsnText, data) = try row.decode((String, ByteBuffer).self)
            var buffer = data
            let lsn = LSN.parse(lsnText) ?? 0
            let message = try PgOutput.decode(buffer.readBytes(length: buffer.readableBytes) ?? [])
            switch message {
            case .begin(_, let time, let x):
                xid = x
                commitMs = (time + PgOutput.epochOffsetMicros) / 1000
                transaction.removeAll(keepingCapacity: true)
                changesInTransaction = 0
            case .commit(_, let end, let time):
                let ms = (time + PgOutput.epochOffsetMicros) / 1000
                for r in transaction { out.add(r, partitions) }
                transaction.removeAll(keepingCapacity: true)
                commits.append(ms)
                lastEnd = end
                status.changes += changesInTransaction
            case .relation(var r):
                guard wanted.contains(r.oid) || keys[r.oid] != nil else { continue }
                if keys[r.oid] == nil {
                    let t = try await catalog.table(oid: r.oid, name: "\(r.namespace).\(r.name)")
                    keys[r.oid] = Set(t.relation.columns.filter(\.isKey).map(\.name))
                }
                // The topic's key is the primary key, whatever the replica identity flags.
                let k = keys[r.oid] ?? []
                for i in r.columns.indices { r.columns[i].isKey = k.contains(r.columns[i].name) }
                relations[r.oid] = r
                let topic = envelope.topic(r)
                if partitions[topic] == nil { partitions[topic] = try await ensureTopic(topic) }
            case .insert(let rel, let new):
                guard let r = relations[rel] else { continue }
                changesInTransaction += 1
                transaction += envelope.records(.create, r, before: nil, after: new, at: .init(txId: xid, lsn: lsn, commitMs: commitMs), nowMs: nowMs())
            case .update(let rel, let old, let keyOnly, let new):
                guard let r = relations[rel] else { continue }
                changesInTransaction += 1
                transaction += envelope.records(.update, r, before: old, beforeIsKeyOnly: keyOnly, after: new, at: .init(txId: xid, lsn: lsn, commitMs: commitMs), nowMs: nowMs())
            case .delete(let rel, let old, let keyOnly):
                guard let r = relations[rel] else { continue }
                changesInTransaction += 1
                transaction += envelope.records(.delete, r, before: old, beforeIsKeyOnly: keyOnly, after: nil, at: .init(txId: xid, lsn: lsn, commitMs: commitMs), nowMs: nowMs())
            case .truncate(let rels, _, _):
                for rel in rels {
                    guard let r = relations[rel] else { continue }
                    changesInTransaction += 1
                    transaction += envelope.records(.truncate, r, before: nil, after: nil, at: .init(txId: xid, lsn: lsn, commitMs: commitMs), nowMs: nowMs())
                }
            case .other:
                continue
            }
        }
        try await out.flush(engine)
        let durable = nowMs()
        for c in commits { latencies.append(durable - c) }
        if let last = commits.last { status.lagMs = durable - last }
        let target = commits.isEmpty ? (rows == 0 ? before : 0) : lastEnd
        if target > status.confirmedLSN {
            var a = PostgresBindings()
            a.append(config.slot)
            a.append(LSN.format(target))
            _ = try await connection.query(PostgresQuery(unsafeSQL: "SELECT pg_replication_slot_advance($1, $2::pg_lsn)", binds: a), logger: logger).collect()
            status.confirmedLSN = target
        }
        return rows
    }

    /// Changes per read of the slot (whole transactions are always read whole).
    static var maxChanges: Int { 20_000 }

    func nowMs() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    static func quote(_ identifier: String) -> String { "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
}

/// Records on their way to the engine's log, per topic and partition in the order they came
/// (a key's changes stay in order: one key, one partition).
struct Outbox {
    static let chunk = 500
    private var order: [String] = []
    private var byPartition: [String: (topic: String, partition: Int32, records: [Record])] = [:]
    private(set) var count = 0

    mutating func add(_ r: ChangeEnvelope.Record, _ partitions: [String: Int32]) {
        let n = partitions[r.topic] ?? 1
        let p = r.key.map { KafkaPartitioner.partition(key: $0, partitions: n) } ?? 0
        let id = "\(r.topic)/\(p)"
        if byPartition[id] == nil { order.append(id); byPartition[id] = (r.topic, p, []) }
        byPartition[id]!.records.append(Record(offsetDelta: Int32(byPartition[id]!.records.count), key: r.key, value: r.value))
        count += 1
    }

    /// Appends everything, each batch durable before the call returns.
    mutating func flush(_ engine: Engine) async throws {
        for id in order {
            guard let e = byPartition[id] else { continue }
            var start = 0
            while start < e.records.count {
                let slice = Array(e.records[start..<min(start + Self.chunk, e.records.count)])
                _ = try await engine.append(topic: e.topic, partition: e.partition, records: slice)
                start += Self.chunk
            }
        }
        order = []
        byPartition = [:]
        count = 0
    }
}
