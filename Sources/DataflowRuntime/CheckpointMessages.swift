import Foundation

/// An exactly-once sink subtask's inbox for checkpoint outcomes: the coordinator posts each
/// completed (or failed) checkpoint and wakes the task; the task commits between batches.
final class CompletionMailbox: @unchecked Sendable {  // guarded by `condition`
    enum Outcome: Equatable { case completed(Int64), failed(Int64) }
    private let condition = NSCondition()
    private var outcomes: [Outcome] = []
    /// Wakes the task when it waits for input.
    var wake: (@Sendable () -> Void)?

    func post(_ o: Outcome) {
        condition.lock(); outcomes.append(o); condition.broadcast(); condition.unlock()
        wake?()
    }

    func take() -> [Outcome] {
        condition.lock(); defer { condition.unlock() }
        let o = outcomes
        outcomes = []
        return o
    }

    /// Waits (up to `timeoutMs`) for checkpoint `id`'s outcome; nil on timeout.
    func wait(for id: Int64, timeoutMs: Int64) -> Outcome? {
        let until = Date().addingTimeInterval(Double(timeoutMs) / 1000)
        condition.lock(); defer { condition.unlock() }
        while true {
            if let o = outcomes.first(where: { $0 == .completed(id) || $0 == .failed(id) }) { outcomes = []; return o }
            if !condition.wait(until: until) { return nil }
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
    /// An exactly-once sink's transactions.
    var sink: [UInt8]? = nil
}
