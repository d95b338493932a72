/// A record in flight: its value, event time (ms) and, after a keyBy, its key with the key's
/// stable hash (computed once, then used to route the record and to find its keyed state).
public struct StreamRecord: Sendable {
    public var value: Value
    public var time: Int64
    public private(set) var key: Value?
    /// `key.stableHash`, 0 without a key.
    public private(set) var keyHash: UInt64
    public init(value: Value, time: Int64, key: Value? = nil) {
        self.value = value
        self.time = time
        self.key = key
        keyHash = key?.stableHash ?? 0
    }
    /// Sets the key and its hash.
    public mutating func setKey(_ key: Value) { self.key = key; keyHash = key.stableHash }
    /// What a collector leaves where it took a record from: nothing to free.
    public static var taken: StreamRecord { StreamRecord(value: .null, time: 0) }
}

/// Where an operator sends what it makes: the next operator in its chain, or the task's output.
/// Side outputs (late records, dead letters) go to a named topic.
///
/// Records pass by `inout` so that one moves down a chain and across to the next task without
/// a copy (a copy is a reference taken and dropped per field array, per step: docs/jobs-engine.md,
/// Records). `collect` takes the record and leaves ``StreamRecord/taken`` in its place.
public protocol Collector: AnyObject {
    func collect(_ record: inout StreamRecord) throws
    func emitWatermark(_ watermark: Int64) throws
    func side(_ output: SideOutput, _ record: StreamRecord) throws
}

/// The side outputs a job may write besides its sink.
public enum SideOutput: Sendable, Hashable {
    /// Records later than a window's allowed lateness (`window.lateOutput`).
    case late
    /// Records a source or step could not use (`deadLetter`), with the reason.
    case deadLetter(reason: String)
}

/// One step of a chain. Operators run on their task's thread only, so they keep plain state;
/// the runtime hands each its input watermark (already the minimum over the task's inputs).
public protocol StreamOperator: AnyObject {
    /// The name the job graph shows (Flink's operator names: "Filter", "Window(…)").
    var name: String { get }
    /// The record is the operator's to change or to pass on with `out.collect(&record)`.
    func process(_ record: inout StreamRecord, _ out: Collector) throws
    /// Event time has reached `watermark` on every input: fire what is due, then forward it.
    func advance(to watermark: Int64, _ out: Collector) throws
    /// Bytes of keyed state held (Flink's state size), for the metrics.
    var stateSize: Int { get }
    /// The operator's own metrics (Flink's user metrics: `<operator name>.<metric>`).
    var metrics: [(String, Double)] { get }
    /// Writes the operator's state for a checkpoint: each keyed entry with its key, so that a
    /// restore at another parallelism finds each key's owner (docs/checkpoints.md). A stateless
    /// operator writes nothing.
    func snapshotState(_ out: inout StateWriter)
    /// Adds the entries of one snapshot, keeping the keys this subtask owns (`owns(key)`); called
    /// once per snapshot read (one per old subtask), before any record.
    func restoreState(_ input: inout StateReader, owns: (Value) -> Bool) throws
}

extension Collector {
    /// Collects a copy (for records made in place, and for callers that keep theirs).
    public func collect(_ record: StreamRecord) throws { var r = record; try collect(&r) }
}

extension StreamOperator {
    /// Processes a copy (for callers that keep theirs).
    public func process(_ record: StreamRecord, _ out: Collector) throws { var r = record; try process(&r, out) }
    public func advance(to watermark: Int64, _ out: Collector) throws { try out.emitWatermark(watermark) }
    public var stateSize: Int { 0 }
    public var metrics: [(String, Double)] { [] }
    public func snapshotState(_ out: inout StateWriter) {}
    public func restoreState(_ input: inout StateReader, owns: (Value) -> Bool) throws {}
}

/// `filter`: passes records for which the expression is `true`.
public final class FilterOperator: StreamOperator {
    public let name: String
    let predicate: CompiledExpression
    public init(_ predicate: CompiledExpression) { self.predicate = predicate; name = "Filter" }
    public func process(_ record: inout StreamRecord, _ out: Collector) throws {
        if case .bool(true) = predicate.evaluate(record.value) { try out.collect(&record) }
    }
}

/// `map`: a new record of the named expressions' values, in order.
public final class MapOperator: StreamOperator {
    public let name = "Map"
    let fields: [(String, CompiledExpression)]
    /// The output's names, shared by every record it makes, when they are distinct.
    let names: [String]?
    public init(_ fields: [(String, CompiledExpression)]) {
        self.fields = fields
        let names = fields.map(\.0)
        self.names = Set(names).count == names.count ? names : nil
    }
    public func process(_ record: inout StreamRecord, _ out: Collector) throws {
        let f: Value.Fields
        if let names {
            f = Value.Fields(names: names, values: fields.map { $0.1.evaluate(record.value) })
        } else {
            var built = Value.Fields()
            for (n, e) in fields { built[n] = e.evaluate(record.value) }  // a repeated name: the last wins
            f = built
        }
        record.value = .object(f)
        try out.collect(&record)
    }
}

/// `keyBy`: sets each record's key (the runtime then routes it by the key's hash). A record
/// without the key goes to the dead letters: grouping it under null would merge strangers.
public final class KeyByOperator: StreamOperator {
    public let name: String
    let key: CompiledExpression
    let asText: Bool
    /// `asText`: the key as text, to meet a table's keys (Kafka record keys are bytes).
    public init(_ key: CompiledExpression, asText: Bool = false) { self.key = key; self.asText = asText; name = "KeyBy(\(key.source))" }
    public func process(_ record: inout StreamRecord, _ out: Collector) throws {
        let k = key.evaluate(record.value)
        if k.isNull { return try out.side(.deadLetter(reason: "no key: '\(key.source)' is null or missing"), record) }
        record.setKey(asText ? .string(k.text) : k)
        try out.collect(&record)
    }
}
