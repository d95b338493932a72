/// A job's tasks: steps chained into vertices as Flink chains operators (a vertex is one
/// thread per subtask), split where records must move between subtasks — at a keyBy (hash),
/// where parallelism changes (rebalance, or hash when keyed) — and a table source feeding a
/// join's second input. Vertex ids are stable for a job name and shape, so URLs survive a
/// restart.
public struct JobGraph: Sendable {
    public enum Partitioning: String, Sendable { case forward = "FORWARD", hash = "HASH", rebalance = "REBALANCE" }

    public struct OperatorPlan: Sendable {
        /// Names the operator's state in checkpoints and savepoints: from its step's place and
        /// kind, so a renamed step keeps its state (docs/checkpoints.md).
        public var id: String = ""
        public var name: String
        public var make: @Sendable () -> StreamOperator
        /// Topic for the late side output of a window.
        public var lateOutput: String?
    }

    public struct Input: Sendable {
        public var vertex: Int
        public var partitioning: Partitioning
        /// The join's table side (its records update the table instead of being joined).
        public var isTable: Bool
    }

    public struct Vertex: Sendable {
        public var id: String
        public var name: String
        public var parallelism: Int
        public var source: JobDefinition.Source?
        /// A join's table: this vertex reads the topic as a changelog.
        public var tableSource: JobDefinition.JoinSpec?
        public var operators: [OperatorPlan]
        public var inputs: [Input]
        public var sink: JobDefinition.Sink?
    }

    public struct PlanError: Error, Equatable, CustomStringConvertible {
        /// Index into the definition's steps; nil for the job as a whole.
        public var step: Int?
        public var reason: String
        public var description: String { reason }
    }

    public let jobName: String
    public private(set) var vertices: [Vertex] = []

    public init(_ job: JobDefinition) throws {
        jobName = job.name
        guard (1...256).contains(job.parallelism) else { throw PlanError(step: nil, reason: "parallelism must be 1 to 256, not \(job.parallelism)") }
        var current = Vertex(id: "", name: "Source: \(job.sourceName ?? job.source.label)", parallelism: job.parallelism, source: job.source,
                             operators: [], inputs: [])
        var keyed = false
        var closed: [Vertex] = []

        func start(_ partitioning: Partitioning, parallelism: Int) {
            closed.append(current)
            current = Vertex(id: "", name: "", parallelism: parallelism, operators: [], inputs: [Input(vertex: closed.count - 1, partitioning: partitioning, isTable: false)])
        }
        var stepName: String? = nil
        var stepIndex = -1
        func add(_ op: OperatorPlan, shown: Bool = true) {
            var op = op
            op.id = Self.operatorId(step: stepIndex, kind: op.name)
            if shown, let stepName { op.name = stepName }
            current.operators.append(op)
            // A keyBy is the edge after it (HASH), not a name in the graph, as in Flink.
            if shown { current.name += current.name.isEmpty ? op.name : " -> \(op.name)" }
        }
        func keyBy(_ key: CompiledExpression, asText: Bool = false) {
            add(OperatorPlan(name: "KeyBy(\(key.source))", make: { KeyByOperator(key, asText: asText) }), shown: false)
        }

        for (index, step) in job.steps.enumerated() {
            let p = step.parallelism ?? job.parallelism
            guard (1...256).contains(p) else { throw PlanError(step: index, reason: "parallelism must be 1 to 256, not \(p)") }
            stepName = step.name
            stepIndex = index
            var needsNewVertex = p != current.parallelism || !step.chained
            var partitioning: Partitioning = p == current.parallelism ? .forward : (keyed ? .hash : .rebalance)
            switch step.operation {
            case .keyBy(let key):
                keyBy(key)
                keyed = true
                start(.hash, parallelism: p)
                continue
            case .dedupe(let key, _) where key != nil:
                keyBy(key!)
                keyed = true
                needsNewVertex = true; partitioning = .hash
            case .join(let spec):
                keyBy(spec.key, asText: true)
                keyed = true
                needsNewVertex = true; partitioning = .hash
            case .dedupe:
                guard keyed else { throw PlanError(step: index, reason: "dedupe needs a key: give it one (dedupe: {key: id, ttl: 10m}) or put a keyBy before it") }
            case .window:
                guard keyed else { throw PlanError(step: index, reason: "a window needs a keyBy before it (records are windowed per key)") }
            case .count:
                guard keyed else { throw PlanError(step: index, reason: "count keeps a count per key: put a keyBy before it") }
            case .delay(_, let every) where every > 0 && job.checkpoints == nil:
                throw PlanError(step: index, reason: "expireCheckpoints holds snapshots past the checkpoint timeout: turn checkpoints on (checkpoints: 2s)")
            default: break
            }
            if needsNewVertex && !current.operators.isEmpty || needsNewVertex && current.source != nil {
                start(partitioning, parallelism: p)
            } else if needsNewVertex {
                current.parallelism = p
            }
            switch step.operation {
            case .filter(let e): add(OperatorPlan(name: "Filter", make: { FilterOperator(e) }))
            case .map(let fields): add(OperatorPlan(name: "Map", make: { MapOperator(fields) }))
            case .delay(let us, let every):
                // Past the timeout by half a second, as the Flink test job's slow snapshot.
                let hold = every > 0 ? (job.checkpoints?.timeout ?? 0) + 500 : 0
                add(OperatorPlan(name: "Delay(\(us) µs)", make: { DelayOperator(microseconds: us, snapshotMilliseconds: hold, every: every) }))
            case .count(let field): add(OperatorPlan(name: "Count(\(field))", make: { RunningCountOperator(field: field) }))
            case .function(let fname, let body): add(OperatorPlan(name: fname, make: { FunctionOperator(name: fname, body: body) }))
            case .keyBy: break
            case .window(let w):
                let keyName = Self.keyName(job.steps[..<index])
                let probe = WindowOperator(assigner: w.assigner, aggregation: w.aggregation, allowedLateness: w.allowedLateness, keyName: keyName)
                add(OperatorPlan(name: probe.name, make: {
                    WindowOperator(assigner: w.assigner, aggregation: w.aggregation, allowedLateness: w.allowedLateness, keyName: keyName)
                }, lateOutput: w.lateOutput))
            case .dedupe(let key, let ttl):
                let text = key?.source ?? Self.keyName(job.steps[..<index])
                add(OperatorPlan(name: "Dedupe(\(text))", make: { DedupeOperator(ttl: ttl, keyText: text) }))
            case .join(let spec):
                add(OperatorPlan(name: "TemporalJoin(\(spec.table))", make: {
                    TemporalJoinOperator(table: spec.table, field: spec.field, kind: spec.kind)
                }))
                closed.append(Vertex(id: "", name: "Source: \(spec.table) (table)", parallelism: current.parallelism, tableSource: spec,
                                     operators: [], inputs: []))
                current.inputs.append(Input(vertex: closed.count - 1, partitioning: .hash, isTable: true))
            }
        }
        let sinkParallelism = job.sink.parallelism ?? current.parallelism
        if sinkParallelism != current.parallelism { start(keyed ? .hash : .rebalance, parallelism: sinkParallelism) }
        current.sink = job.sink
        let sinkName = job.sink.name ?? "Sink: \(job.sink.topic ?? job.sink.postgres?.table ?? "discard")"
        current.name += current.name.isEmpty ? sinkName : " -> \(sinkName)"
        closed.append(current)
        for i in closed.indices { closed[i].id = Self.vertexId(job: job.name, index: i, name: closed[i].name) }
        vertices = closed
    }

    /// The output field a window's key gets: the keyBy's field name, else `key`.
    static func keyName(_ steps: ArraySlice<JobDefinition.Step>) -> String {
        for step in steps.reversed() {
            switch step.operation {
            case .keyBy(let k): return k.tree.impliedName ?? "key"
            case .dedupe(let k?, _): return k.tree.impliedName ?? "key"
            case .join(let j): return j.key.tree.impliedName ?? "key"
            default: continue
            }
        }
        return "key"
    }

    /// 32 hex digits (Flink's operator id shape) from the step's index and the operator's kind.
    public static func operatorId(step: Int, kind: String) -> String { vertexId(job: "operator", index: step, name: kind) }

    /// 32 hex digits (Flink's vertex id shape) from FNV-1a over the job name, index and name.
    public static func vertexId(job: String, index: Int, name: String) -> String {
        func fnv(_ s: String, _ seed: UInt64) -> UInt64 {
            var h: UInt64 = 0xcbf2_9ce4_8422_2325 ^ seed
            for b in s.utf8 { h ^= UInt64(b); h = h &* 0x100_0000_01b3 }
            return h
        }
        let text = "\(job)\u{0}\(index)\u{0}\(name)"
        let a = fnv(text, 0), b = fnv(text, 0x9e37_79b9_7f4a_7c15)
        func hex(_ v: UInt64) -> String { let s = String(v, radix: 16); return String(repeating: "0", count: 16 - s.count) + s }
        return hex(a) + hex(b)
    }
}

/// A Swift function as a step (``JobDefinition/Operation/function(name:body:)``).
public final class FunctionOperator: StreamOperator {
    public let name: String
    let body: @Sendable (Value) throws -> Value?
    public init(name: String, body: @escaping @Sendable (Value) throws -> Value?) { self.name = name; self.body = body }
    public func process(_ record: inout StreamRecord, _ out: Collector) throws {
        guard let v = try body(record.value) else { return }
        record.value = v
        try out.collect(&record)
    }
}

/// `delay`: holds each record this long (busy, as a slow function is in Flink), for
/// backpressure demos; and every `every`th snapshot for `snapshotMilliseconds` (the task
/// blocked, as a slow state backend blocks Flink's), for checkpoint-failure demos.
public final class DelayOperator: StreamOperator {
    public let name: String
    let microseconds: Int64
    let snapshotMilliseconds: Int64
    let every: Int
    private var snapshots = 0
    public init(microseconds: Int64, snapshotMilliseconds: Int64 = 0, every: Int = 0) {
        self.microseconds = microseconds; self.snapshotMilliseconds = snapshotMilliseconds; self.every = every; name = "Delay"
    }
    public func process(_ record: inout StreamRecord, _ out: Collector) throws {
        if microseconds > 0 { usleepMicroseconds(microseconds) }
        try out.collect(&record)
    }
    public func snapshotState(_ out: inout StateWriter) {
        snapshots += 1
        if every > 0, snapshotMilliseconds > 0, snapshots % every == 0 { usleepMicroseconds(snapshotMilliseconds * 1000) }
    }
}

