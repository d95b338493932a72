import Dataflow
import EngineCore
import Foundation

/// One execution of a job (Flink's execution attempt): its gates, one runner and thread per
/// subtask, and the flag that stops them. A restart builds a new attempt from the latest
/// checkpoint; the job's counters (``TaskMetrics``) carry over.
final class JobAttempt: @unchecked Sendable {  // `remaining` guarded by `lock`; the rest is set in init
    let number: Int
    let flag = CancelFlag()
    private let gates: [InputGate]
    private var runners: [(runner: SubtaskRunner, name: String)]
    /// Source subtasks' trigger mailboxes, for the coordinator.
    let mailboxes: [TriggerMailbox]
    /// Exactly-once sink subtasks' outcome mailboxes, for the coordinator.
    let sinkMailboxes: [CompletionMailbox]
    private let lock = NSCondition()
    private var remaining = 0
    private var threads: [Thread] = []

    /// Everything an attempt is built from.
    struct Plan {
        var jobName: String
        var definition: JobDefinition
        var graph: JobGraph
        var engine: Engine
        var sinkPartitions: [String: Int32]
        var sourcePartitions: [String: Int32]
        var metrics: [[TaskMetrics]]
        var externalSinks: ExternalSinkFactory?
    }

    init(number: Int, plan: Plan, restore: CheckpointStorage.Loaded?, coordinator: CheckpointCoordinator?) {
        self.number = number
        let vs = plan.graph.vertices
        let definition = plan.definition
        // Gates for every subtask with inputs; channel numbers per input edge.
        var gatesByVertex: [[InputGate]] = []
        var channelBase: [[Int]] = []  // [vertex][input index] → first channel
        for v in vs {
            var base: [Int] = []
            var channels = 0
            for input in v.inputs { base.append(channels); channels += vs[input.vertex].parallelism }
            channelBase.append(base)
            gatesByVertex.append(v.inputs.isEmpty ? [] : (0..<v.parallelism).map { _ in InputGate(capacity: 2 * channels + 4) })
        }
        gates = gatesByVertex.flatMap { $0 }
        // Source subtasks with no partition to read (more subtasks than partitions) never send a
        // record: their channels count as ended from the start, so no record's lateness depends
        // on when such a subtask's first idle notice happens to arrive.
        func emptySubtasks(_ v: JobGraph.Vertex) -> Range<Int> {
            var splits: Int? = nil
            if case .topic(let t)? = v.source { splits = t.partitions?.count ?? plan.sourcePartitions[t.topic].map(Int.init) }
            if let table = v.tableSource { splits = plan.sourcePartitions[table.table].map(Int.init) }
            guard let splits, splits < v.parallelism else { return 0..<0 }
            return splits..<v.parallelism
        }

        var built: [(SubtaskRunner, String)] = []
        var mailboxes: [TriggerMailbox] = []
        var sinkMailboxes: [CompletionMailbox] = []
        for (vi, v) in vs.enumerated() {
            // Where this vertex's records go: the vertex that lists it as an input.
            var route: (vertex: Int, input: Int)? = nil
            for (di, d) in vs.enumerated() { if let ii = d.inputs.firstIndex(where: { $0.vertex == vi }) { route = (di, ii) } }
            let partitions = v.sink.flatMap { $0.topic.flatMap { plan.sinkPartitions[$0] } } ?? 1
            for s in 0..<v.parallelism {
                let context = TaskContext(engine: plan.engine, jobName: plan.jobName, vertexName: v.name, subtask: s, parallelism: v.parallelism,
                                          deadLetterTopic: definition.deadLetterTopic, metrics: plan.metrics[vi][s], flag: flag)
                let outRoute = route.map { r in
                    TaskOutput.Route(gates: gatesByVertex[r.vertex], partitioning: vs[r.vertex].inputs[r.input].partitioning,
                                     channel: channelBase[r.vertex][r.input] + s)
                }
                let sink = v.sink.map { spec in
                    let writer = spec.topic.map { TopicWriter(engine: plan.engine, topic: $0, partitions: partitions, startPartition: Int32(s)) }
                    let transactional = writer.flatMap { w in
                        spec.exactlyOnce ? TransactionalSink(engine: plan.engine, prefix: spec.transactionalIdPrefix ?? "\(plan.jobName)-\(v.id.prefix(8))",
                                                             subtask: s, writer: w) : nil
                    }
                    let external = spec.postgres.flatMap { t in plan.externalSinks?.make(t, jobName: plan.jobName, subtask: s) }
                    return SinkWriter(spec: spec, writer: writer, parallelism: v.parallelism, transactional: transactional, external: external)
                }
                let output = TaskOutput(context: context, route: outRoute, sink: sink)
                var reader: SourceReader? = nil
                switch v.source {
                case .topic(let t)?: reader = TopicReader(t)
                case .generator(let g)?: reader = GeneratorReader(spec: g)
                case nil: if let table = v.tableSource { reader = TopicReader(table: table) }
                }
                var tableChannels: Set<Int> = []
                for (ii, input) in v.inputs.enumerated() where input.isTable {
                    for j in 0..<vs[input.vertex].parallelism { tableChannels.insert(channelBase[vi][ii] + j) }
                }
                let channels = v.inputs.reduce(0) { $0 + vs[$1.vertex].parallelism }
                var ended: Set<Int> = []
                for (ii, input) in v.inputs.enumerated() {
                    for j in emptySubtasks(vs[input.vertex]) { ended.insert(channelBase[vi][ii] + j) }
                }
                let runner = SubtaskRunner(context: context, operators: v.operators.map { $0.make() }, lateTopics: v.operators.map(\.lateOutput),
                                           output: output, gate: gatesByVertex[vi].isEmpty ? nil : gatesByVertex[vi][s],
                                           channels: channels, tableChannels: tableChannels, endedChannels: ended, source: reader)
                runner.operatorIds = v.operators.map(\.id)
                runner.operatorNames = v.operators.map(\.name)
                context.metrics.update { $0.initializing = restore != nil }
                if let restore {
                    func ordered(_ owner: String) -> [[UInt8]] { (restore.parts[owner] ?? [:]).sorted { $0.key < $1.key }.map(\.value) }
                    // At the parallelism of the snapshot, subtask s owns exactly the keys subtask s
                    // wrote (the same routing): it reads only that part, as Flink's key groups do.
                    let same = v.operators.allSatisfy { op in
                        restore.metadata.files.first { $0.owner == op.id }.map { $0.parallelism == v.parallelism } ?? true
                    }
                    func own(_ owner: String) -> [[UInt8]] { same ? (restore.parts[owner]?[s]).map { [$0] } ?? [] : ordered(owner) }
                    runner.restored = RestoredState(operators: Dictionary(uniqueKeysWithValues: runner.operatorIds.map { ($0, own($0)) }),
                                                    source: Self.sourceOwner(v).map(ordered) ?? [], sink: v.sink == nil ? [] : ordered("sink"),
                                                    ownPartsOnly: same)
                }
                if let coordinator {
                    let mailbox = Self.sourceOwner(v) == nil ? nil : TriggerMailbox()
                    if let mailbox { mailboxes.append(mailbox) }
                    runner.checkpoints = CheckpointHooks(coordinator: coordinator, mailbox: mailbox, vertex: vi)
                    if sink?.transactional != nil {
                        let completions = CompletionMailbox()
                        let gate = gatesByVertex[vi].isEmpty ? nil : gatesByVertex[vi][s]
                        completions.wake = { gate?.wake() }
                        runner.checkpoints?.completions = completions
                        sinkMailboxes.append(completions)
                    }
                }
                built.append((runner, "\(v.name) (\(s + 1)/\(v.parallelism))"))
            }
        }
        runners = built
        self.mailboxes = mailboxes
        self.sinkMailboxes = sinkMailboxes
    }

    /// The name a source vertex's positions have in snapshots: `source`, or `table:<topic>`.
    static func sourceOwner(_ v: JobGraph.Vertex) -> String? {
        if v.source != nil { return "source" }
        if let t = v.tableSource { return "table:\(t.table)" }
        return nil
    }

    /// Starts a thread per subtask. `failed` is called with a task's error (not for a cancel);
    /// `ended` once, after the last thread has ended.
    func start(failed: @escaping @Sendable (Error, String) -> Void, ended: @escaping @Sendable () -> Void) {
        lock.lock()
        remaining = runners.count
        for (runner, taskName) in runners {
            let t = Thread { [self] in
                do {
                    try runner.run()
                } catch is TaskCancelled {
                } catch {
                    if !flag.isSet { failed(error, taskName) }  // errors after a stop are its echoes
                }
                lock.lock()
                remaining -= 1
                let last = remaining == 0
                if last { lock.broadcast() }
                lock.unlock()
                if last { ended() }
            }
            t.name = String(taskName.prefix(15))
            t.stackSize = 4 << 20
            threads.append(t)
        }
        let toStart = threads
        runners = []  // the threads own them now
        lock.unlock()
        for t in toStart { t.start() }
    }

    /// Stops every task: they see the flag, and closed gates wake any that wait.
    func stop() {
        flag.raise()
        for g in gates { g.close() }
    }

    /// Blocks until every thread of this attempt has ended.
    func join() {
        lock.lock()
        while remaining > 0 { lock.wait() }
        lock.unlock()
    }
}
