/// `join`: each stream record meets the table row its key had at the record's event time
/// (Flink's event-time temporal join). The table comes from a compacted topic's changelog:
/// every change is a version at its time, a tombstone (null value) removes the key. Stream
/// records wait until the watermark — the lower of both inputs' — passes their time, so a
/// change and a record with the same time meet in time order whatever order they arrived in.
public final class TemporalJoinOperator: StreamOperator {
    public enum Kind: String, Sendable { case inner, left }

    public let name: String
    let field: String
    let kind: Kind
    /// Per key, versions ordered by time; nil is a tombstone.
    private var versions: [Value: [(time: Int64, row: Value?)]] = [:]
    /// Keys with more than one version or a tombstone: the only ones pruning must look at.
    private var prunable: Set<Value> = []
    private var waiting: [StreamRecord] = []
    private var waitingSorted = true
    private var currentWatermark = Int64.min
    private var restored = false

    public init(table: String, field: String, kind: Kind) {
        self.field = field
        self.kind = kind
        name = "TemporalJoin(\(table) as \(field), \(kind.rawValue))"
    }

    public var stateSize: Int { versions.values.reduce(0) { $0 + $1.count } * 96 + waiting.count * 96 }

    /// A change from the table's topic: `row` nil for a tombstone.
    public func processTable(key: Value, row: Value?, time: Int64) {
        var list = versions[key] ?? []
        let i = list.lastIndex { $0.time <= time }.map { $0 + 1 } ?? 0
        list.insert((time, row), at: i)
        versions[key] = list
        if list.count > 1 || row == nil { prunable.insert(key) }
    }

    public func process(_ record: inout StreamRecord, _ out: Collector) throws {
        if record.time <= currentWatermark { return try emit(record, out) }  // late: join with what is known now
        if let last = waiting.last, last.time > record.time { waitingSorted = false }
        waiting.append(record)
    }

    public func advance(to watermark: Int64, _ out: Collector) throws {
        guard watermark > currentWatermark else { return try out.emitWatermark(watermark) }
        currentWatermark = watermark
        if !waitingSorted { waiting.sort { $0.time < $1.time }; waitingSorted = true }
        let due = waiting.prefix { $0.time <= watermark }.count
        for r in waiting[..<due] { try emit(r, out) }
        waiting.removeFirst(due)
        prune(below: watermark)
        try out.emitWatermark(watermark)
    }

    private func emit(_ record: StreamRecord, _ out: Collector) throws {
        let key = record.key ?? .null
        let row = versions[key]?.last { $0.time <= record.time }?.row
        guard row != nil || kind == .left else { return }
        guard case .object(var fields) = record.value else {
            return try out.side(.deadLetter(reason: "join: the record is not a JSON object"), record)
        }
        fields[field] = row ?? .null
        var r = record
        r.value = .object(fields)
        try out.collect(&r)
    }

    /// Versions older than the newest at or below the watermark can meet no record again.
    private func prune(below watermark: Int64) {
        for key in prunable {
            guard let list = versions[key], let keep = list.lastIndex(where: { $0.time <= watermark }) else { continue }
            if keep == list.count - 1, list[keep].row == nil { versions[key] = nil; prunable.remove(key); continue }
            let rest = keep > 0 ? Array(list[keep...]) : list
            versions[key] = rest
            if rest.count == 1, rest[0].row != nil { prunable.remove(key) }
        }
    }

    /// The table's versions per key, and the stream records waiting for the watermark.
    public func snapshotState(_ out: inout StateWriter) {
        out.int(currentWatermark)
        out.count(versions.count)
        for (key, list) in versions {
            out.value(key)
            out.count(list.count)
            for v in list { out.int(v.time); out.optionalValue(v.row) }
        }
        out.count(waiting.count)
        for r in waiting { out.value(r.key ?? .null); out.int(r.time); out.value(r.value) }
    }

    public func restoreState(_ input: inout StateReader, owns: (Value) -> Bool) throws {
        let watermark = try input.int()
        currentWatermark = restored ? min(currentWatermark, watermark) : watermark
        restored = true
        for _ in 0..<(try input.count()) {
            let key = try input.value()
            var list: [(time: Int64, row: Value?)] = []
            for _ in 0..<(try input.count()) { list.append((try input.int(), try input.optionalValue())) }
            guard owns(key) else { continue }
            versions[key] = list
            if list.count > 1 || list.contains(where: { $0.row == nil }) { prunable.insert(key) }
        }
        for _ in 0..<(try input.count()) {
            let key = try input.value(), time = try input.int(), value = try input.value()
            guard owns(key) else { continue }
            waiting.append(StreamRecord(value: value, time: time, key: key))
            waitingSorted = false
        }
    }
}
