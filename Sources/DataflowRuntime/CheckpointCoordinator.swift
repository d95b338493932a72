import Dataflow
import Foundation

/// A job's checkpoint coordinator (Flink's CheckpointCoordinator): triggers a checkpoint every
/// interval (one at a time, at least `minPause` after the last one ended) by putting a barrier
/// in every source subtask's mailbox, and savepoints when asked; collects each subtask's
/// snapshot; when every subtask has acknowledged, writes the snapshot to disk on its own thread
/// and keeps the newest `retained` checkpoints. A checkpoint not complete within `timeout`, or
/// one that cannot be written, fails with its cause; more failures in a row than tolerated
/// fail the job. A failed savepoint is reported to whoever asked, and the job goes on
/// (docs/checkpoints.md).
public final class CheckpointCoordinator: @unchecked Sendable {  // guarded by `condition`
    /// What the coordinator knows of each vertex: the names its files get.
    struct VertexInfo: Sendable {
        var parallelism: Int
        /// `source` or `table:<topic>` for a source vertex; nil otherwise.
        var sourceOwner: String?
        var sourceName: String
        /// Operator id → display name, for the stateful operators of the chain.
        var operatorNames: [String: String]
    }

    /// Periodic checkpoints; nil: savepoints only.
    let spec: JobDefinition.CheckpointSpec?
    let jobName: String
    let jobId: String
    let directory: String
    private let vertices: [VertexInfo]
    private var mailboxes: [TriggerMailbox] = []
    private var sinkMailboxes: [CompletionMailbox] = []
    private let totalSubtasks: Int
    /// Called when failures pass the tolerable number (set once, before ``start()``).
    var failJob: (@Sendable (String) -> Void)?
    /// While a job restarts: nothing is triggered.
    private var suspended = true
    /// The snapshot the job was first started from: restarts fall back to it.
    private var initialRestore: String?

    private let condition = NSCondition()
    private var stats = CheckpointStats()
    private var nextId: Int64
    private var pending: Pending?
    private var lastEnded: UInt64 = 0
    private var consecutiveFailures = 0
    private var finishedTasks: Set<TaskKey> = []
    private var stopped = false
    private var thread: Thread?
    private var savepointQueue: [SavepointRequest] = []
    private var savepoints: [String: SavepointStatus] = [:]

    /// A savepoint asked for through REST or the CLI.
    struct SavepointRequest: Sendable {
        var triggerId: String
        var directory: String
        var stop: Bool
        var drain: Bool
    }

    public enum SavepointStatus: Sendable, Equatable {
        case inProgress
        case completed(path: String)
        case failed(String)
    }

    var timeoutMs: Int64 { spec?.timeout ?? 600_000 }

    struct TaskKey: Hashable { var vertex: Int; var subtask: Int }

    private struct Pending {
        var barrier: CheckpointBarrier
        var started: UInt64
        var snapshots: [TaskKey: TaskSnapshot] = [:]
        var written = false
        var savepoint: SavepointRequest?
    }

    init(spec: JobDefinition.CheckpointSpec?, jobName: String, jobId: String, directory: String, vertices: [VertexInfo], firstId: Int64 = 1) {
        self.spec = spec
        self.jobName = jobName
        self.jobId = jobId
        self.directory = directory
        self.vertices = vertices
        totalSubtasks = vertices.reduce(0) { $0 + $1.parallelism }
        nextId = firstId
    }

    /// An attempt's tasks are about to start: trigger into their mailboxes.
    func resume(mailboxes: [TriggerMailbox], sinks: [CompletionMailbox] = []) {
        condition.lock()
        self.mailboxes = mailboxes
        sinkMailboxes = sinks
        finishedTasks = []
        suspended = false
        condition.broadcast()
        condition.unlock()
    }

    /// The job is restarting: the checkpoint in progress is abandoned, nothing is triggered
    /// until ``resume(mailboxes:)``.
    func suspend() {
        condition.lock()
        suspended = true
        if let p = pending, !p.written {
            abandon(p, "a task failed: the job is restarting")
            pending = nil
            lastEnded = DispatchTime.now().uptimeNanoseconds
        }
        condition.broadcast()
        condition.unlock()
    }

    /// Snapshots a restart may start from, newest first: this job's completed checkpoints, then
    /// the snapshot it was first started from.
    func completedCheckpoints() -> [String] {
        condition.lock()
        let initial = initialRestore
        condition.unlock()
        return CheckpointStorage.checkpoints(in: directory).map(\.path) + (initial.map { [$0] } ?? [])
    }

    var statistics: CheckpointStats { condition.lock(); defer { condition.unlock() }; return stats }

    /// Records that the job was restored from `path` (checkpoint or savepoint `id`).
    func noteRestored(id: Int64, path: String, isSavepoint: Bool) {
        condition.lock()
        stats.restored += 1
        stats.latestRestored = .init(id: id, restoreTimestamp: TaskContext.nowMs(), isSavepoint: isSavepoint, externalPath: path)
        if id >= nextId { nextId = id + 1 }
        if initialRestore == nil && !path.hasPrefix(directory + "/") { initialRestore = path }
        condition.unlock()
    }

    func start() {
        let t = Thread { [self] in run() }
        t.name = "checkpoints"
        condition.lock(); thread = t; condition.unlock()
        t.start()
    }

    /// Asks for a savepoint into a new directory under `directory`; returns its trigger id
    /// (Flink's request id, for ``savepointStatus(_:)``).
    func requestSavepoint(directory: String, stop: Bool, drain: Bool) -> String {
        let id = JobManager.newId()
        condition.lock()
        savepointQueue.append(SavepointRequest(triggerId: id, directory: directory, stop: stop, drain: drain))
        savepoints[id] = .inProgress
        condition.broadcast()
        condition.unlock()
        return id
    }

    func savepointStatus(_ triggerId: String) -> SavepointStatus? {
        condition.lock(); defer { condition.unlock() }
        return savepoints[triggerId]
    }

    /// Stops triggering. The job's tasks have all ended when `finishing`: a snapshot every
    /// subtask has acknowledged (a stop-with-savepoint's) is written first. Otherwise one in
    /// progress is abandoned, and savepoints not taken fail with the reason.
    func stop(finishing: Bool = false) {
        condition.lock()
        if finishing, let p = pending, isComplete(p), !p.written {
            pending!.written = true
            complete(p)
        }
        while let p = pending, p.written { condition.wait() }  // being written on the coordinator's thread: let it finish
        stopped = true
        if let p = pending { abandon(p, "the job stopped before it completed") }
        pending = nil
        for r in savepointQueue { savepoints[r.triggerId] = .failed("the job stopped before the savepoint was taken") }
        savepointQueue = []
        condition.broadcast()
        condition.unlock()
    }

    private func abandon(_ p: Pending, _ why: String) {
        _ = stats.update(p.barrier.id) { $0.status = .failed; $0.failureMessage = why; $0.endTimestamp = TaskContext.nowMs() }
        if let s = p.savepoint { savepoints[s.triggerId] = .failed(why) }
        for m in sinkMailboxes { m.post(.failed(p.barrier.id)) }
    }

    /// A subtask's snapshot for a checkpoint (from its own thread).
    func acknowledge(_ s: TaskSnapshot) {
        condition.lock()
        defer { condition.unlock() }
        guard var p = pending, p.barrier.id == s.checkpoint else { return }  // a stale or abandoned one
        p.snapshots[TaskKey(vertex: s.vertex, subtask: s.subtask)] = s
        pending = p
        _ = stats.update(s.checkpoint) { e in
            e.numAcknowledged = p.snapshots.count
            e.latestAckTimestamp = s.ackTime
            e.alignmentNanos = max(e.alignmentNanos, s.alignmentNanos)
        }
        condition.broadcast()
    }

    /// A subtask finished its input: it acknowledges every later checkpoint with no state.
    func taskFinished(vertex: Int, subtask: Int) {
        condition.lock()
        finishedTasks.insert(TaskKey(vertex: vertex, subtask: subtask))
        condition.broadcast()
        condition.unlock()
    }

    private func isComplete(_ p: Pending) -> Bool {
        p.snapshots.count + finishedTasks.subtracting(p.snapshots.keys).count >= totalSubtasks
    }

    private func run() {
        condition.lock()
        defer { condition.unlock() }
        let timeout = UInt64(timeoutMs) * 1_000_000
        var nextTrigger = spec.map { DispatchTime.now().uptimeNanoseconds + UInt64($0.interval) * 1_000_000 } ?? .max
        while !stopped {
            let now = DispatchTime.now().uptimeNanoseconds
            if suspended {
                condition.wait()
                nextTrigger = spec.map { DispatchTime.now().uptimeNanoseconds + UInt64($0.interval) * 1_000_000 } ?? .max
                continue
            }
            if let p = pending {
                if isComplete(p) && !p.written {
                    pending!.written = true
                    complete(p)
                    continue
                }
                if now - p.started >= timeout {
                    failPending("Checkpoint expired before completing.")  // Flink's words, which consoles and scripts match
                    continue
                }
                _ = condition.wait(until: Date().addingTimeInterval(Double(p.started + timeout - now) / 1e9))
                continue
            }
            if !savepointQueue.isEmpty {  // a savepoint goes first, whatever the interval
                trigger(now: now, savepoint: savepointQueue.removeFirst())
                continue
            }
            let due = max(nextTrigger, lastEnded &+ UInt64(spec?.minPause ?? 0) * 1_000_000)
            if now < due {
                if due == .max { condition.wait() } else { _ = condition.wait(until: Date().addingTimeInterval(Double(due - now) / 1e9)) }
                continue
            }
            nextTrigger = now + UInt64(spec!.interval) * 1_000_000
            trigger(now: now, savepoint: nil)
        }
    }

    private func trigger(now: UInt64, savepoint: SavepointRequest?) {
        let b = CheckpointBarrier(id: nextId, timestamp: TaskContext.nowMs(), isSavepoint: savepoint != nil,
                                  stop: savepoint?.stop ?? false, drain: savepoint?.drain ?? false)
        nextId += 1
        pending = Pending(barrier: b, started: now, savepoint: savepoint)
        stats.begin(.init(id: b.id, status: .inProgress, isSavepoint: b.isSavepoint, triggerTimestamp: b.timestamp, numSubtasks: totalSubtasks))
        for m in mailboxes { m.post(b) }
    }

    /// Writes the checkpoint outside the lock (the tasks go on), then records the outcome.
    private func complete(_ p: Pending) {
        let id = p.barrier.id
        var parts: [CheckpointStorage.Part] = []
        for (key, s) in p.snapshots.sorted(by: { ($0.key.vertex, $0.key.subtask) < ($1.key.vertex, $1.key.subtask) }) {
            let v = vertices[key.vertex]
            if let owner = v.sourceOwner, let state = s.source {
                parts.append(.init(owner: owner, name: v.sourceName, subtask: key.subtask, parallelism: v.parallelism, state: state))
            }
            for (opId, state) in s.operators {
                parts.append(.init(owner: opId, name: v.operatorNames[opId] ?? opId, subtask: key.subtask, parallelism: v.parallelism, state: state))
            }
            if let state = s.sink {
                parts.append(.init(owner: "sink", name: "Sink (transactions)", subtask: key.subtask, parallelism: v.parallelism, state: state))
            }
        }
        let path = p.savepoint.map { "\($0.directory)/savepoint-\(jobId.prefix(6))-\(JobManager.newId().prefix(12))" } ?? directory + "/chk-\(id)"
        condition.unlock()
        let result = Result { try CheckpointStorage.write(parts, job: jobName, checkpointId: id, timestamp: p.barrier.timestamp, isSavepoint: p.savepoint != nil, to: path) }
        var removable: [String] = []
        if case .success = result {
            if p.savepoint == nil { removable = CheckpointStorage.checkpoints(in: directory).dropFirst(max(1, spec?.retained ?? 1)).map(\.path) }
        } else {
            CheckpointStorage.remove(path)
        }
        for old in removable { CheckpointStorage.remove(old) }
        condition.lock()
        defer { condition.broadcast() }  // stop() may be waiting for this write
        guard pending?.barrier.id == id else { return }
        switch result {
        case .success(let size):
            pending = nil
            lastEnded = DispatchTime.now().uptimeNanoseconds
            stats.completed += 1
            let e = stats.update(id) { e in
                e.status = .completed; e.stateSize = size; e.endTimestamp = TaskContext.nowMs(); e.externalPath = path
                e.numAcknowledged = e.numSubtasks
            }
            if let s = p.savepoint {
                savepoints[s.triggerId] = .completed(path: path)
                stats.latestSavepoint = e
            } else {
                consecutiveFailures = 0
                stats.latestCompleted = e
            }
            for m in sinkMailboxes { m.post(.completed(id)) }  // exactly-once sinks commit its transactions
        case .failure(let error):
            failPending("\(p.savepoint == nil ? "Checkpoint" : "Savepoint") could not be written: \(error)")
        }
    }

    private func failPending(_ message: String) {
        guard let p = pending else { return }
        pending = nil
        lastEnded = DispatchTime.now().uptimeNanoseconds
        stats.failed += 1
        stats.latestFailed = stats.update(p.barrier.id) { e in
            e.status = .failed; e.failureMessage = message; e.endTimestamp = TaskContext.nowMs()
        }
        for m in sinkMailboxes { m.post(.failed(p.barrier.id)) }
        if let s = p.savepoint {  // reported to the caller; the job goes on
            savepoints[s.triggerId] = .failed(message)
            return
        }
        consecutiveFailures += 1
        let tolerable = spec?.tolerableFailures ?? 0
        if consecutiveFailures > tolerable {
            let why = "Exceeded checkpoint tolerable failure threshold (\(tolerable)): \(message)"
            consecutiveFailures = 0
            condition.unlock()
            failJob?(why)
            condition.lock()
        }
    }
}
