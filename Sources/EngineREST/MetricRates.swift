import DataflowRuntime
import Dispatch
import Foundation

/// Per-second rates from a subtask's cumulative counters, as Flink's meters give them: over
/// the last window of at least a second (reads closer together reuse it), or since the task
/// started before the first window closes.
final class MetricRates: @unchecked Sendable {  // guarded by `lock`
    struct Rates: Sendable {
        var recordsInPerSecond: Double
        var recordsOutPerSecond: Double
        var busyMsPerSecond: Double
        var backPressuredMsPerSecond: Double
        var idleMsPerSecond: Double
        /// The counters the rates were read with.
        var counters: TaskMetrics.Counters
    }

    private struct Sample { var at: UInt64; var counters: TaskMetrics.Counters }
    private let lock = NSLock()
    private var previous: [ObjectIdentifier: Sample] = [:]
    private var latest: [ObjectIdentifier: Sample] = [:]

    func rates(_ metrics: TaskMetrics) -> Rates {
        let now = DispatchTime.now().uptimeNanoseconds
        let c = metrics.snapshot
        let key = ObjectIdentifier(metrics)
        return lock.withLock {
            if let l = latest[key] {
                if now - l.at >= 1_000_000_000 { previous[key] = l; latest[key] = Sample(at: now, counters: c) }
            } else {
                latest[key] = Sample(at: now, counters: c)
            }
            let to = latest[key]!
            let from = previous[key] ?? Sample(at: c.startedNanos, counters: TaskMetrics.Counters())
            let seconds = max(Double(to.at &- from.at) / 1e9, 0.001)
            let idle = min(1000, Double(to.counters.idleNanos &- from.counters.idleNanos) / 1e6 / seconds)
            let bp = min(1000 - idle, Double(to.counters.backpressuredNanos &- from.counters.backpressuredNanos) / 1e6 / seconds)
            return Rates(recordsInPerSecond: Double(to.counters.recordsIn - from.counters.recordsIn) / seconds,
                         recordsOutPerSecond: Double(to.counters.recordsOut - from.counters.recordsOut) / seconds,
                         busyMsPerSecond: max(0, 1000 - idle - bp), backPressuredMsPerSecond: max(0, bp), idleMsPerSecond: max(0, idle),
                         counters: c)
        }
    }
}
