import Foundation

/// A task's input: a bounded queue of batches from all its upstream channels. A full gate
/// blocks the sender — that wait is backpressure, and both sides time their waits (Flink's
/// backPressuredTime on the sender, idleTime on the receiver).
///
/// A batch the receiver has processed goes back to its sender (``recycle(_:from:)``), which
/// overwrites its records one by one with new ones on its own thread: records are freed by the
/// thread that made them (no contention on another thread's malloc arena) and batch buffers are
/// not reallocated.
final class InputGate: @unchecked Sendable {  // guarded by `condition`
    private let condition = NSCondition()
    private var batches: [(channel: Int, elements: [Element])] = []
    /// Processed batches waiting for their sender, per channel: up to the gate's capacity, so the
    /// batches a channel has in circulation are kept when the queue drains, not freed here (on the
    /// receiver's thread, with their records) and made again by the sender.
    private var spares: [Int: [[Element]]] = [:]
    private var head = 0
    private let capacity: Int
    private var closed = false
    /// Threads waiting in put or take: a wake-up is sent only when someone waits.
    private var waiting = 0
    /// ``wake()`` was called: the next take returns at once.
    private var woken = false
    /// The channel of the empty batch a woken take returns.
    static let woken = -1

    init(capacity: Int) { self.capacity = max(2, capacity) }

    /// Queued batches (for the inPoolUsage-like metric).
    var depth: Int { condition.lock(); defer { condition.unlock() }; return batches.count - head }
    var capacityInBatches: Int { capacity }

    /// Adds a batch, waiting while the gate is full (timed as the sender's backpressure), and
    /// hands back a processed batch of this channel's to refill, if one is waiting.
    /// Not accepted when the gate was closed (the job is stopping).
    func put(_ elements: consuming [Element], from channel: Int, sender: TaskMetrics) -> (accepted: Bool, spare: [Element]?) {
        condition.lock()
        defer { condition.unlock() }
        if batches.count - head >= capacity && !closed {
            sender.beginWait(.backpressured)
            waiting += 1
            while batches.count - head >= capacity && !closed { condition.wait() }
            waiting -= 1
            sender.endWait()
        }
        if closed { return (false, nil) }
        batches.append((channel, elements))
        if waiting > 0 { condition.broadcast() }
        return (true, spares[channel]?.popLast())
    }

    /// A batch the receiver is done with, back for its sender to empty and reuse.
    func recycle(_ elements: consuming [Element], from channel: Int) {
        condition.lock()
        defer { condition.unlock() }
        if closed || spares[channel, default: []].count >= capacity { return }
        spares[channel, default: []].append(elements)
    }

    /// Takes the oldest batch, waiting while there is none (timed as the receiver's idle time).
    /// Nil when the gate was closed.
    func take(receiver: TaskMetrics) -> (channel: Int, elements: [Element])? {
        condition.lock()
        defer { condition.unlock() }
        if head == batches.count && !closed && !woken {
            receiver.beginWait(.idle)
            waiting += 1
            while head == batches.count && !closed && !woken { condition.wait() }
            waiting -= 1
            receiver.endWait()
        }
        if closed { return nil }
        if head == batches.count { woken = false; return (Self.woken, []) }
        woken = false
        let batch = batches[head]
        batches[head] = (0, [])
        head += 1
        if head > 64 && head * 2 > batches.count { batches.removeFirst(head); head = 0 }
        if waiting > 0 { condition.broadcast() }
        return batch
    }

    /// The oldest batch if one is queued, without waiting.
    func poll() -> (channel: Int, elements: [Element])? {
        condition.lock()
        defer { condition.unlock() }
        guard head < batches.count, !closed else { return nil }
        let batch = batches[head]
        batches[head] = (0, [])
        head += 1
        if head > 64 && head * 2 > batches.count { batches.removeFirst(head); head = 0 }
        if waiting > 0 { condition.broadcast() }
        return batch
    }

    /// Makes the receiver's next (or current) take return, with an empty batch if none is queued:
    /// it has something else to do (commit a checkpoint's transactions).
    func wake() {
        condition.lock()
        woken = true
        condition.broadcast()
        condition.unlock()
    }

    /// Wakes every waiter and refuses further batches (cancel or failure).
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }
}
