import Dataflow
import EngineCore
import Foundation

/// A job running in the engine: an attempt (one thread per subtask, wired by its ``JobGraph``)
/// at a time; its state with Flink's names, its exceptions, restarts and every subtask's
/// counters. A task that throws restarts the job from its latest checkpoint as the restart
/// strategy allows, else fails it; cancel stops every task.
public final class RunningJob: @unchecked Sendable {  // mutable state guarded by `lock`
    public enum State: String, Sendable { case created = "CREATED", running = "RUNNING", failing = "FAILING", failed = "FAILED",
                                          cancelling = "CANCELLING", canceled = "CANCELED", finished = "FINISHED", restarting = "RESTARTING"
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
    private var _restarts = 0
    private var cancelRequested = false
    private let plan: JobAttempt.Plan
    private var attempt: JobAttempt
    /// Restarts since the exponential strategy's reset, and when the last one began.
    private var attemptsSinceReset = 0
    private var lastRestartAt: UInt64 = 0
    /// Nil when the engine has no checkpoint directory; set in init only.
    private(set) var coordinator: CheckpointCoordinator? = nil

    /// The job's checkpoints so far (Flink's checkpoint statistics); nil without a coordinator.
    public var checkpointStats: CheckpointStats? { coordinator?.statistics }

    public var state: State { lock.lock(); defer { lock.unlock() }; return _state }
    public var endTime: Int64 { lock.lock(); defer { lock.unlock() }; return _endTime }
    public var failures: [Failure] { lock.lock(); defer { lock.unlock() }; return _failures }
    /// Called once when the job reaches a terminal state (set before ``start()``).
    var onTerminal: (@Sendable (RunningJob) -> Void)?

    /// Restarts so far (Flink's `numRestarts`).
    public var restarts: Int { lock.lock(); defer { lock.unlock() }; return _restarts }
    /// The strategy in force: the spec's, else Flink's default.
    public var restartStrategy: JobDefinition.RestartStrategy {
        definition.restart ?? (definition.checkpoints == nil ? .none : .flinkDefault)
    }

    /// Builds every subtask; `sinkPartitions` gives each sink topic's partitions (the topics
    /// exist: ``JobManager`` made them), `sourcePartitions` each source and table topic's.
    /// `checkpointDirectory`: where this job's checkpoints go (under it, `chk-<id>`); `restore`:
    /// a snapshot to start from. Nothing here blocks.
    init(id: String, definition: JobDefinition, graph: JobGraph, engine: Engine, sinkPartitions: [String: Int32],
         sourcePartitions: [String: Int32] = [:], checkpointDirectory: String? = nil, restore: CheckpointStorage.Loaded? = nil,
         externalSinks: ExternalSinkFactory? = nil) throws {
        self.id = id
        name = definition.name
        self.definition = definition
        self.graph = graph
        startTime = TaskContext.nowMs()
        let vs = graph.vertices
        let metrics = vs.map { v in (0..<v.parallelism).map { _ in TaskMetrics() } }
        vertices = zip(vs, metrics).map { VertexRuntime(vertex: $0, subtasks: $1) }
        plan = JobAttempt.Plan(jobName: definition.name, definition: definition, graph: graph, engine: engine, sinkPartitions: sinkPartitions,
                               sourcePartitions: sourcePartitions, metrics: metrics, externalSinks: externalSinks)
        var coordinator: CheckpointCoordinator? = nil
        if let checkpointDirectory {
            let infos = vs.map { v in
                CheckpointCoordinator.VertexInfo(parallelism: v.parallelism, sourceOwner: JobAttempt.sourceOwner(v), sourceName: v.name,
                                                 operatorNames: Dictionary(v.operators.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a }))
            }
            coordinator = CheckpointCoordinator(spec: definition.checkpoints, jobName: definition.name, jobId: id, directory: checkpointDirectory,
                                                vertices: infos, firstId: (restore?.metadata.checkpointId ?? 0) + 1)
        }
        attempt = JobAttempt(number: 0, plan: plan, restore: restore, coordinator: coordinator)
        self.coordinator = coordinator
        coordinator?.failJob = { [weak self] why in self?.fail(RuntimeFailure(why), task: "Checkpoint Coordinator") }
        if let restore {
            coordinator?.noteRestored(id: restore.metadata.checkpointId, path: restore.directory, isSavepoint: restore.metadata.isSavepoint)
        }
    }

    func start() {
        lock.lock()
        _state = .running
        let a = attempt
        lock.unlock()
        coordinator?.resume(mailboxes: a.mailboxes, sinks: a.sinkMailboxes)
        launch(a)
        coordinator?.start()
    }

    private func launch(_ a: JobAttempt) {
        a.start(failed: { [weak self] error, task in self?.fail(error, task: task) },
                ended: { [weak self] in self?.attemptEnded(a) })
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
        let a = attempt
        lock.unlock()
        coordinator?.stop()
        a.stop()
        lock.lock(); lock.broadcast(); lock.unlock()  // a restart waiting out its delay sees the cancel
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

    /// A task failed (or checkpoints failed past the tolerable number): the job restarts from
    /// its latest checkpoint when the strategy has an attempt left, else it fails.
    private func fail(_ error: Error, task: String) {
        lock.lock()
        _failures.append(Failure(time: TaskContext.nowMs(), message: "\(error)", task: task))
        guard _state == .running else { lock.unlock(); return }  // already stopping: this is an echo
        let now = DispatchTime.now().uptimeNanoseconds
        if case .exponentialDelay(_, _, _, let resetAfter, _) = restartStrategy, lastRestartAt > 0,
           now - lastRestartAt >= UInt64(resetAfter) * 1_000_000 {
            attemptsSinceReset = 0
        }
        let delay = restartStrategy.delay(beforeAttempt: attemptsSinceReset + 1)
        _state = delay == nil ? .failing : .restarting
        let a = attempt
        lock.unlock()
        if delay == nil { coordinator?.stop() } else { coordinator?.suspend() }
        a.stop()
    }

    private func attemptEnded(_ a: JobAttempt) {
        lock.lock()
        let restarting = _state == .restarting && !cancelRequested
        lock.unlock()
        if restarting { return restart() }
        coordinator?.stop(finishing: true)  // a stop-with-savepoint's snapshot is written before the job ends
        lock.lock()
        _state = _state == .failing ? .failed : (cancelRequested ? .canceled : .finished)
        _endTime = TaskContext.nowMs()
        lock.broadcast()
        lock.unlock()
        onTerminal?(self)
    }

    /// On the failed attempt's last thread: waits the strategy's delay (a cancel cuts it short),
    /// then starts a new attempt from the newest checkpoint that reads back whole (a damaged one
    /// is logged in the exceptions and the one before it is used), or from the start.
    private func restart() {
        lock.lock()
        attemptsSinceReset += 1
        let delay = restartStrategy.delay(beforeAttempt: attemptsSinceReset) ?? 0
        let until = Date().addingTimeInterval(Double(delay) / 1000)
        while !cancelRequested && Date() < until { _ = lock.wait(until: until) }
        if cancelRequested {
            _state = .canceled
            _endTime = TaskContext.nowMs()
            lock.broadcast()
            lock.unlock()
            coordinator?.stop()
            onTerminal?(self)
            return
        }
        lock.unlock()
        let (restore, unusable) = CheckpointStorage.newestReadable(coordinator?.completedCheckpoints() ?? [])
        lock.lock()
        for why in unusable { _failures.append(Failure(time: TaskContext.nowMs(), message: why, task: "Checkpoint Coordinator")) }
        lock.unlock()
        let next = JobAttempt(number: attempt.number + 1, plan: plan, restore: restore, coordinator: coordinator)
        lock.lock()
        attempt = next
        _restarts += 1
        lastRestartAt = DispatchTime.now().uptimeNanoseconds
        _state = .running
        lock.unlock()
        if let restore {
            coordinator?.noteRestored(id: restore.metadata.checkpointId, path: restore.directory, isSavepoint: restore.metadata.isSavepoint)
        }
        coordinator?.resume(mailboxes: next.mailboxes, sinks: next.sinkMailboxes)
        launch(next)
    }
}
