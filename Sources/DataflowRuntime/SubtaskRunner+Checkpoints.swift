import Dataflow
import Dispatch

/// What a subtask of a checkpointing job is given: the coordinator, its trigger mailbox (source
/// subtasks), its vertex, and the ids of its chain's operators.
struct CheckpointHooks {
    let coordinator: CheckpointCoordinator
    let mailbox: TriggerMailbox?
    let vertex: Int
}

/// Ends a source's read loop after a stop-with-savepoint barrier (not a failure).
struct SourceStopped: Error {}

/// A subtask's share of a restored snapshot: every old subtask's state of each of its
/// operators (keys are sorted out on restore) and its source's positions.
struct RestoredState: Sendable {
    var operators: [String: [[UInt8]]]
    var source: [[UInt8]]
}

extension SubtaskRunner {
    /// The checkpoint at this task (docs/checkpoints.md, Barriers): every operator's state,
    /// then the barrier downstream (after every record before it, the sink's and side outputs'
    /// writes durable), then the snapshot to the coordinator.
    func checkpoint(_ b: CheckpointBarrier, source: [UInt8]?, alignmentNanos: UInt64) throws {
        if b.stop { stopping = true }
        guard let hooks = checkpoints else { return try output.emitBarrier(b) }
        var states: [(id: String, state: [UInt8])] = []
        for (op, id) in zip(operators, operatorIds) {
            var w = StateWriter()
            op.snapshotState(&w)
            if !w.bytes.isEmpty { states.append((id, w.bytes)) }
        }
        try output.emitBarrier(b)
        hooks.coordinator.acknowledge(TaskSnapshot(checkpoint: b.id, vertex: hooks.vertex, subtask: context.subtask, source: source,
                                                   operators: states, alignmentNanos: alignmentNanos, ackTime: TaskContext.nowMs()))
    }

    /// Restores the chain's operators before the first record: each keeps the keys this
    /// subtask owns now (the job may run at another parallelism than the snapshot's).
    func restoreOperators() throws {
        guard let restored else { return }
        let s = context.subtask, p = context.parallelism
        for (op, id) in zip(operators, operatorIds) {
            for bytes in restored.operators[id] ?? [] {
                var r = StateReader(bytes)
                do {
                    try op.restoreState(&r, owns: { KeyRouting.subtask(forHash: $0.stableHash, parallelism: p) == s })
                } catch {
                    throw RuntimeFailure("cannot restore the state of \(op.name): \(error)")
                }
            }
        }
    }
}
