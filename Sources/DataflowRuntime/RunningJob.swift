import Dataflow
import EngineCore
import Foundation

/// A job running in the engine: one thread per subtask, wired by its ``JobGraph``; its state
/// with Flink's names, the exceptions that ended it, and every subtask's counters. A task that
/// throws fails the job (no restart strategy without checkpoints, as Flink); cancel stops
/// every task and waits for them.
public final class RunningJob: @unchecked Sendable {  // mutable state guarded by `lock`
    public enum State: String, Sendable { case created = "CREATED", running = "RUNNING", failing = "FAILING", failed = "FAILED",
                                          cancelling = "CANCELLING", canceled = "CANCELED", finished = "FINISHED"
        public var isTerminal: Bool { self == .failed || self == .canceled || self == .finished }
    }

    public struct Failure: Sendable {
        public var time: Int64
        public var message: String
        public var task: String
    }

    public struct VertexRuntime: Sendable {
        public var vertex: JobGraph.Vertex
        public var subtasks: [TaskMetrics]
    }

    public let id: String
    public let name: String
    public let definition: JobDefinition
    public let graph: JobGraph
    public let startTime: Int64
    public let vertices: [VertexRuntime]

    private let lock = NSCondition()
    private var _state = State.created
    private var _endTime: Int64 = -1
    private var _failures: [Failure] = []
    private var running = 0
    private var cancelRequested = false
    private let flag = CancelFlag()
    private var gates: [InputGate] = []
    private var runners: [(SubtaskRunner, String)] = []
    private var threads: [Thread] = []
    /// Nil when the job does not checkpoint; set in init only.
    private(set) var coordinator: CheckpointCoordinator? = nil

    /// The job's checkpoints so far (Flink's checkpoint statistics); nil without checkpoints.
    public var checkpointStats: CheckpointStats? { coordinator?.statistics }

    public var state: State { lock.lock(); defer { lock.unlock() }; return _state }
    public var endTime: Int64 { lock.lock(); defer { lock.unlock() }; return _endTime }
    public var failures: [Failure] { lock.lock(); defer { lock.unlock() }; return _failures }

    /// Builds every subtask; `sinkPartitions` gives each sink topic's partitions (the topics
    /// exist: ``JobManager`` made them), `sourcePartitions` each source and table topic's.
    /// Nothing here blocks.
    /// `checkpointDirectory`: where this job's checkpoints go (under it, `chk-<id>`); `restore`:
    /// a snapshot to start from.
    init(id: String, definition: JobDefinition, graph: JobGraph, engine: Engine, sinkPartitions: [String: Int32],
         sourcePartitions: [String: Int32] = [:], checkpointDirectory: String? = nil, restore: CheckpointStorage.Loaded? = nil) throws {
        self.id = id
        name = definition.name
        self.definition = definition
        self.graph = graph
        startTime = TaskContext.nowMs()
        let vs = graph.vertices
        vertices = vs.map { VertexRuntime(vertex: $0, subtasks: (0..<$0.parallelism).map { _ in TaskMetrics() }) }

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
            if case .topic(let t)? = v.source { splits = t.partitions?.count ?? sourcePartitions[t.topic].map(Int.init) }
            if let table = v.tableSource { splits = sourcePartitions[table.table].map(Int.init) }
            guard let splits, splits < v.parallelism else { return 0..<0 }
            return splits..<v.parallelism
        }

        var hooked: [(runner: SubtaskRunner, mailbox: TriggerMailbox?, vertex: Int)] = []
        for (vi, v) in vs.enumerated() {
            // Where this vertex's records go: the vertex that lists it as an input.
            var route: (vertex: Int, input: Int)? = nil
            for (di, d) in vs.enumerated() { if let ii = d.inputs.firstIndex(where: { $0.vertex == vi }) { route = (di, ii) } }
            let partitions = v.sink.flatMap { $0.topic.flatMap { sinkPartitions[$0] } } ?? 1
            for s in 0..<v.parallelism {
                let context = TaskContext(engine: engine, jobName: name, vertexName: v.name, subtask: s, parallelism: v.parallelism,
                                          deadLetterTopic: definition.deadLetterTopic, metrics: vertices[vi].subtasks[s], flag: flag)
                let outRoute = route.map { r in
                    TaskOutput.Route(gates: gatesByVertex[r.vertex], partitioning: vs[r.vertex].inputs[r.input].partitioning,
                                     channel: channelBase[r.vertex][r.input] + s)
                }
                let sink = v.sink.map { spec in
                    SinkWriter(spec: spec, writer: spec.topic.map { TopicWriter(engine: engine, topic: $0, partitions: partitions, startPartition: Int32(s)) },
                               parallelism: v.parallelism)
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
                if let restore {
                    func ordered(_ owner: String) -> [[UInt8]] { (restore.parts[owner] ?? [:]).sorted { $0.key < $1.key }.map(\.value) }
                    runner.restored = RestoredState(operators: Dictionary(uniqueKeysWithValues: runner.operatorIds.map { ($0, ordered($0)) }),
                                                    source: Self.sourceOwner(v).map(ordered) ?? [])
                }
                hooked.append((runner, Self.sourceOwner(v) == nil ? nil : TriggerMailbox(), vi))
                runners.append((runner, "\(v.name) (\(s + 1)/\(v.parallelism))"))
            }
        }
        if let checkpointDirectory {
            let infos = vs.map { v in
                CheckpointCoordinator.VertexInfo(parallelism: v.parallelism, sourceOwner: Self.sourceOwner(v), sourceName: v.name,
                                                 operatorNames: Dictionary(v.operators.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a }))
            }
            let c = CheckpointCoordinator(spec: definition.checkpoints, jobName: definition.name, jobId: id, directory: checkpointDirectory, vertices: infos,
                                          mailboxes: hooked.compactMap(\.mailbox), firstId: (restore?.metadata.checkpointId ?? 0) + 1,
                                          failJob: { [weak self] why in self?.fail(RuntimeFailure(why), task: "Checkpoint Coordinator") })
            for h in hooked { h.runner.checkpoints = CheckpointHooks(coordinator: c, mailbox: h.mailbox, vertex: h.vertex) }
            coordinator = c
        }
        if let restore {
            coordinator?.noteRestored(id: restore.metadata.checkpointId, path: restore.directory, isSavepoint: restore.metadata.isSavepoint)
        }
    }

    /// The name a source vertex's positions have in snapshots: `source`, or `table:<topic>`.
    static func sourceOwner(_ v: JobGraph.Vertex) -> String? {
        if v.source != nil { return "source" }
        if let t = v.tableSource { return "table:\(t.table)" }
        return nil
    }

    func start() {
        lock.lock()
        _state = .running
        running = runners.count
        for (runner, taskName) in runners {
            let t = Thread { [self] in
                do {
                    try runner.run()
                } catch is TaskCancelled {
                } catch {
                    fail(error, task: taskName)
                }
                taskEnded()
            }
            t.name = String(taskName.prefix(15))
            t.stackSize = 4 << 20
            threads.append(t)
        }
        let toStart = threads
        runners = []  // the threads own them now
        lock.unlock()
        for t in toStart { t.start() }
        coordinator?.start()
    }

    public struct SavepointRefused: Error, CustomStringConvertible, Sendable { public var description: String }

    /// Asks for a savepoint under `directory` (made if missing); with `stop`, the job ends at
    /// it (Flink's stop-with-savepoint), after firing every window when `drain`. Returns the
    /// trigger id for ``savepointStatus(_:)``. Refused when the job is not running or the
    /// directory cannot be written.
    public func triggerSavepoint(directory: String, stop: Bool = false, drain: Bool = false) throws -> String {
        guard let coordinator else { throw SavepointRefused(description: "the engine has no checkpoint directory, so its jobs take no savepoints") }
        guard state == .running else { throw SavepointRefused(description: "job \(id) is \(state.rawValue), not RUNNING: only a running job takes a savepoint") }
        guard !directory.isEmpty, directory.hasPrefix("/") else {
            throw SavepointRefused(description: "the savepoint directory must be an absolute path, not '\(directory)'")
        }
        do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
            throw SavepointRefused(description: "cannot make the savepoint directory \(directory): \((error as NSError).localizedDescription)")
        }
        guard access(directory, W_OK) == 0 else {
            throw SavepointRefused(description: "cannot write to the savepoint directory \(directory): \(String(cString: strerror(errno)))")
        }
        return coordinator.requestSavepoint(directory: directory, stop: stop, drain: drain)
    }

    /// A savepoint's progress by trigger id; nil for an id this job never gave.
    public func savepointStatus(_ triggerId: String) -> CheckpointCoordinator.SavepointStatus? { coordinator?.savepointStatus(triggerId) }

    /// The checkpointing options (nil: no periodic checkpoints).
    public var checkpointSpec: JobDefinition.CheckpointSpec? { definition.checkpoints }

    /// Stops every task; returns at once (``waitUntilTerminal(timeout:)`` waits).
    public func cancel() {
        lock.lock()
        if !_state.isTerminal && _state != .failing {
            cancelRequested = true
            _state = .cancelling
        }
        lock.unlock()
        stopTasks()
    }

    /// Waits until the job reaches a terminal state; false on timeout. Suspends rather than
    /// blocks: the tasks it waits for may need the concurrency pool to finish.
    @discardableResult
    public func waitUntilTerminal(timeout: TimeInterval) async -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while !state.isTerminal {
            if Date() >= deadline { return false }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return true
    }

    private func fail(_ error: Error, task: String) {
        lock.lock()
        _failures.append(Failure(time: TaskContext.nowMs(), message: "\(error)", task: task))
        if !_state.isTerminal && !cancelRequested { _state = .failing }
        lock.unlock()
        stopTasks()
    }

    private func stopTasks() {
        coordinator?.stop()
        flag.raise()
        for g in gates { g.close() }
    }

    private func taskEnded() {
        lock.lock()
        running -= 1
        let last = running == 0
        lock.unlock()
        guard last else { return }
        coordinator?.stop(finishing: true)  // a stop-with-savepoint's snapshot is written before the job ends
        lock.lock()
        _state = _state == .failing ? .failed : (cancelRequested ? .canceled : .finished)
        _endTime = TaskContext.nowMs()
        threads = []
        lock.broadcast()
        lock.unlock()
    }
}
