import Dataflow
import Foundation

/// A job's checkpoint coordinator (Flink's CheckpointCoordinator): triggers a checkpoint every
/// interval (one at a time, at least `minPause` after the last one ended) by putting a barrier
/// in every source subtask's mailbox; collects each subtask's snapshot; when every subtask has
/// acknowledged, writes the checkpoint to disk on its own thread and keeps the newest
/// `retained`. A checkpoint not complete within `timeout`, or one that cannot be written,
/// fails with its cause; more failures in a row than tolerated fail the job
/// (docs/checkpoints.md).
final class CheckpointCoordinator: @unchecked Sendable {  // guarded by `condition`
    /// What the coordinator knows of each vertex: the names its files get.
    struct VertexInfo: Sendable {
        var parallelism: Int
        /// `source` or `table:<topic>` for a source vertex; nil otherwise.
        var sourceOwner: String?
        var sourceName: String
        /// Operator id → display name, for the stateful operators of the chain.
        var operatorNames: [String: String]
    }

    let spec: JobDefinition.CheckpointSpec
    let jobName: String
    let directory: String
    private let vertices: [VertexInfo]
    private let mailboxes: [TriggerMailbox]
    private let totalSubtasks: Int
    /// Called (once) when failures pass the tolerable number.
    private let failJob: @Sendable (String) -> Void

    private let condition = NSCondition()
    private var stats = CheckpointStats()
    private var nextId: Int64
    private var pending: Pending?
    private var lastEnded: UInt64 = 0
    private var consecutiveFailures = 0
    private var finishedTasks: Set<TaskKey> = []
    private var stopped = false
    private var thread: Thread?

    struct TaskKey: Hashable { var vertex: Int; var subtask: Int }

    private struct Pending {
        var barrier: CheckpointBarrier
        var started: UInt64
        var snapshots: [TaskKey: TaskSnapshot] = [:]
        var written = false
    }

    init(spec: JobDefinition.CheckpointSpec, jobName: String, directory: String, vertices: [VertexInfo], mailboxes: [TriggerMailbox],
         firstId: Int64 = 1, failJob: @escaping @Sendable (String) -> Void) {
        self.spec = spec
        self.jobName = jobName
        self.directory = directory
        self.vertices = vertices
        self.mailboxes = mailboxes
        totalSubtasks = vertices.reduce(0) { $0 + $1.parallelism }
        nextId = firstId
        self.failJob = failJob
    }

    var statistics: CheckpointStats { condition.lock(); defer { condition.unlock() }; return stats }

    /// Records that the job was restored from `path` (checkpoint or savepoint `id`).
    func noteRestored(id: Int64, path: String, isSavepoint: Bool) {
        condition.lock()
        stats.restored += 1
        stats.latestRestored = .init(id: id, restoreTimestamp: TaskContext.nowMs(), isSavepoint: isSavepoint, externalPath: path)
        if id >= nextId { nextId = id + 1 }
        condition.unlock()
    }

    func start() {
        let t = Thread { [self] in run() }
        t.name = "checkpoints"
        condition.lock(); thread = t; condition.unlock()
        t.start()
    }

    /// Stops triggering; a checkpoint in progress is abandoned (not counted as failed).
    func stop() {
        condition.lock()
        stopped = true
        if let p = pending { _ = stats.update(p.barrier.id) { $0.status = .failed; $0.failureMessage = "the job stopped"; $0.endTimestamp = TaskContext.nowMs() } }
        pending = nil
        condition.broadcast()
        condition.unlock()
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
        var nextTrigger = DispatchTime.now().uptimeNanoseconds + UInt64(spec.interval) * 1_000_000
        while !stopped {
            let now = DispatchTime.now().uptimeNanoseconds
            if let p = pending {
                if isComplete(p) && !p.written {
                    pending!.written = true
                    complete(p)
                    continue
                }
                if now - p.started >= UInt64(spec.timeout) * 1_000_000 {
                    failPending("Checkpoint expired before completing (timeout \(spec.timeout) ms)")
                    continue
                }
                _ = condition.wait(until: Date().addingTimeInterval(Double(p.started + UInt64(spec.timeout) * 1_000_000 - now) / 1e9))
                continue
            }
            let due = max(nextTrigger, lastEnded + UInt64(spec.minPause) * 1_000_000)
            if now < due {
                _ = condition.wait(until: Date().addingTimeInterval(Double(due - now) / 1e9))
                continue
            }
            nextTrigger = now + UInt64(spec.interval) * 1_000_000
            trigger(now: now)
        }
    }

    private func trigger(now: UInt64) {
        let b = CheckpointBarrier(id: nextId, timestamp: TaskContext.nowMs(), isSavepoint: false)
        nextId += 1
        pending = Pending(barrier: b, started: now)
        stats.begin(.init(id: b.id, status: .inProgress, isSavepoint: false, triggerTimestamp: b.timestamp, numSubtasks: totalSubtasks))
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
        }
        let path = directory + "/chk-\(id)"
        condition.unlock()
        let result = Result { try CheckpointStorage.write(parts, job: jobName, checkpointId: id, timestamp: p.barrier.timestamp, isSavepoint: false, to: path) }
        var removable: [String] = []
        if case .success = result {
            removable = CheckpointStorage.checkpoints(in: directory).dropFirst(max(1, spec.retained)).map(\.path)
        } else {
            CheckpointStorage.remove(path)
        }
        for old in removable { CheckpointStorage.remove(old) }
        condition.lock()
        guard pending?.barrier.id == id else { return }  // stopped meanwhile
        switch result {
        case .success(let size):
            pending = nil
            lastEnded = DispatchTime.now().uptimeNanoseconds
            consecutiveFailures = 0
            stats.completed += 1
            let e = stats.update(id) { e in
                e.status = .completed; e.stateSize = size; e.endTimestamp = TaskContext.nowMs(); e.externalPath = path
                e.numAcknowledged = e.numSubtasks
            }
            stats.latestCompleted = e
        case .failure(let error):
            failPending("Checkpoint could not be written: \(error)")
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
        consecutiveFailures += 1
        if consecutiveFailures > spec.tolerableFailures {
            let why = "Exceeded checkpoint tolerable failure threshold (\(spec.tolerableFailures)): \(message)"
            condition.unlock()
            failJob(why)
            condition.lock()
        }
    }
}

/// A source subtask's inbox for checkpoint triggers: posted by the coordinator, taken by the
/// task between records (at most the newest one is kept).
final class TriggerMailbox: @unchecked Sendable {  // guarded by `lock`
    private let lock = NSLock()
    private var barrier: CheckpointBarrier?
    func post(_ b: CheckpointBarrier) { lock.lock(); barrier = b; lock.unlock() }
    func take() -> CheckpointBarrier? {
        lock.lock(); defer { lock.unlock() }
        let b = barrier
        barrier = nil
        return b
    }
}

/// What one subtask hands the coordinator for a checkpoint.
struct TaskSnapshot: Sendable {
    var checkpoint: Int64
    var vertex: Int
    var subtask: Int
    /// A source's positions (source subtasks only).
    var source: [UInt8]?
    /// Each stateful operator of the chain: its id and state.
    var operators: [(id: String, state: [UInt8])]
    var alignmentNanos: UInt64
    var ackTime: Int64
}
