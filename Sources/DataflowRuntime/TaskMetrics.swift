import Foundation

/// One subtask's counters, written by its thread once per batch and read by the REST side.
/// Times are cumulative nanoseconds; ``JobMetrics`` turns them into Flink's per-second rates.
public final class TaskMetrics: @unchecked Sendable {  // guarded by `lock`
    public struct Counters: Sendable, Equatable {
        public var recordsIn: Int64 = 0
        public var recordsOut: Int64 = 0
        public var idleNanos: UInt64 = 0
        public var backpressuredNanos: UInt64 = 0
        /// The event time every input has reached (Long.MIN_VALUE before the first watermark, as Flink).
        public var inputWatermark: Int64 = .min
        public var outputWatermark: Int64 = .min
        public var stateBytes: Int64 = 0
        public var deadLetters: Int64 = 0
        public var lateRecordsDropped: Int64 = 0
        public var lateRecordsToSideOutput: Int64 = 0
        /// Queued input batches and the gate's size, for inPoolUsage.
        public var inputQueued: Int = 0
        public var inputCapacity: Int = 1
        public var startedNanos: UInt64 = 0
        /// Restoring state, not yet running (Flink's task state INITIALIZING).
        public var initializing = false
        /// Operators' own metrics by `<operator name>.<metric>` (Flink's user metrics).
        public var operatorMetrics: [String: Double] = [:]
        public init() {}
    }

    enum Wait { case idle, backpressured }

    private let lock = NSLock()
    private var counters = Counters()
    private var waiting: Wait?
    private var waitStart: UInt64 = 0

    init() { counters.startedNanos = DispatchTime.now().uptimeNanoseconds }

    /// The counters now, a wait still in progress included (a task blocked for seconds shows
    /// as blocked while it is, as Flink's timer gauges do).
    public var snapshot: Counters {
        lock.lock(); defer { lock.unlock() }
        var c = counters
        if let waiting {
            let ongoing = DispatchTime.now().uptimeNanoseconds - waitStart
            if waiting == .idle { c.idleNanos += ongoing } else { c.backpressuredNanos += ongoing }
        }
        return c
    }

    func beginWait(_ kind: Wait) {
        lock.lock()
        waiting = kind
        waitStart = DispatchTime.now().uptimeNanoseconds
        lock.unlock()
    }

    func endWait() {
        lock.lock()
        if let w = waiting {
            let spent = DispatchTime.now().uptimeNanoseconds - waitStart
            if w == .idle { counters.idleNanos += spent } else { counters.backpressuredNanos += spent }
        }
        waiting = nil
        lock.unlock()
    }

    /// Times `body` as a wait of `kind`.
    func wait<T>(_ kind: Wait, _ body: () throws -> T) rethrows -> T {
        beginWait(kind)
        defer { endWait() }
        return try body()
    }

    func update(_ body: (inout Counters) -> Void) {
        lock.lock()
        body(&counters)
        lock.unlock()
    }
}
