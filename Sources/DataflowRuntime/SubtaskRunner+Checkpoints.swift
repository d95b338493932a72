import Dataflow
import Dispatch

/// What a subtask of a checkpointing job is given: the coordinator, its trigger mailbox (source
/// subtasks), its vertex, and the ids of its chain's operators.
struct CheckpointHooks {
    let coordinator: CheckpointCoordinator
    let mailbox: TriggerMailbox?
    let vertex: Int
    /// Exactly-once sinks: checkpoint outcomes, to commit on.
    var completions: CompletionMailbox? = nil
}

/// Ends a source's read loop after a stop-with-savepoint barrier (not a failure).
struct SourceStopped: Error {}

/// A subtask's share of a restored snapshot: every old subtask's state of each of its
/// operators (keys are sorted out on restore) and its source's positions.
struct RestoredState: Sendable {
    var operators: [String: [[UInt8]]]
    var source: [[UInt8]]
    var sink: [[UInt8]] = []
    /// The operators' parts are this subtask's own (same parallelism): every key in them is ours.
    var ownPartsOnly = false
}

extension SubtaskRunner {
    /// The checkpoint at this task (docs/checkpoints.md, Barriers): every operator's state,
    /// then the barrier downstream (after every record before it, the sink's and side outputs'
    /// writes durable), then the snapshot to the coordinator.
    func checkpoint(_ b: CheckpointBarrier, source: [UInt8]?, alignmentNanos: UInt64) throws {
        if b.stop { stopping = true }
        guard let hooks = checkpoints else { _ = try output.emitBarrier(b); return }
        lastBarrier = b.id
        try applyCompletions()  // a completed checkpoint's transactions commit before the next is taken
        var states: [(id: String, state: [UInt8])] = []
        for (op, id) in zip(operators, operatorIds) {
            var w = StateWriter()
            op.snapshotState(&w)
            if !w.bytes.isEmpty { states.append((id, w.bytes)) }
        }
        let sinkState = try output.emitBarrier(b)
        hooks.coordinator.acknowledge(TaskSnapshot(checkpoint: b.id, vertex: hooks.vertex, subtask: context.subtask, source: source,
                                                   operators: states, alignmentNanos: alignmentNanos, ackTime: TaskContext.nowMs(), sink: sinkState))
    }

    /// Commits what completed checkpoints hold (exactly-once sinks; between batches).
    func applyCompletions() throws {
        guard let t = output.transactional, let mailbox = checkpoints?.completions else { return }
        for case .completed(let id) in mailbox.take() { try t.checkpointComplete(id) }
    }

    /// The sink's transactions at the end of the input: after a stop with savepoint, those the
    /// savepoint holds commit once it completes (and stay uncommitted, to be aborted, if it
    /// fails); at the end of a bounded input everything commits, since nothing will replay.
    func finishSink() throws {
        guard let t = output.transactional else { return }
        try t.writer.drain()
        if stopping, let id = lastBarrier, let mailbox = checkpoints?.completions {
            guard case .completed? = mailbox.wait(for: id, timeoutMs: checkpoints?.coordinator.timeoutMs ?? 600_000) else { return }
            try t.checkpointComplete(id)
            return
        }
        try applyCompletions()
        try t.checkpointComplete(.max)
        try t.finishInput()
    }

    /// Before the first record: an exactly-once sink commits what its restored snapshots hold
    /// and fences the transactions written after them.
    func startSink() throws {
        guard let t = output.transactional else { return }
        try t.start(restoring: restored?.sink ?? [], parallelism: context.parallelism)
    }

    /// Restores the chain's operators before the first record: each keeps the keys this
    /// subtask owns now (the job may run at another parallelism than the snapshot's).
    func restoreOperators() throws {
        try startSink()
        guard let restored else { return }
        let s = context.subtask, p = context.parallelism
        for (op, id) in zip(operators, operatorIds) {
            for bytes in restored.operators[id] ?? [] {
                var r = StateReader(bytes)
                do {
                    if restored.ownPartsOnly {
                        try op.restoreState(&r, owns: { _ in true })
                    } else {
                        try op.restoreState(&r, owns: { KeyRouting.subtask(forHash: $0.stableHash, parallelism: p) == s })
                    }
                } catch {
                    throw RuntimeFailure("cannot restore the state of \(op.name): \(error)")
                }
            }
        }
    }
}
