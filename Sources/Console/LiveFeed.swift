import Foundation
import Synchronization
import ConsoleModel
import Connectors
import FlinkClient
import KafkaClient
import Terminal
import CNCursesW

/// Polls a cluster on its own task and folds each observation into the shared model, then wakes
/// the UI loop. The UI reads value copies of the model, so the two never block each other long.
public final class LiveFeed: Sendable {
    private let model = Mutex(ConsoleModel())
    private let policy: Mutex<RefreshPolicy>
    private let effective = Mutex(RefreshPolicy.autoFloor)
    private let task = Mutex<Task<Void, Never>?>(nil)
    private let client = Mutex<KafkaClient?>(nil)
    private let flinkTask = Mutex<Task<Void, Never>?>(nil)
    private let flinkPoller = Mutex<FlinkPoller?>(nil)
    private let flinkFocus = Mutex<(jobs: [String], exceptions: Set<String>)>(([], []))
    private let wake: @Sendable () -> Void

    public init(policy: RefreshPolicy, wake: @escaping @Sendable () -> Void) {
        self.policy = Mutex(policy)
        self.wake = wake
    }

    public var current: ConsoleModel { model.withLock { $0 } }

    public func setPolicy(_ p: RefreshPolicy) { policy.withLock { $0 = p } }

    /// Seconds the feed waits between readings now (the pinned value, or auto's current choice).
    public var interval: Double { effective.withLock { $0 } }

    /// Starts (or restarts, for a new context) polling Flink at `url` alongside Kafka.
    public func startFlink(_ url: String, timeoutSeconds: Double) {
        flinkTask.withLock { $0?.cancel(); $0 = nil }
        let poller = FlinkPoller(client: FlinkClient(baseURL: url, timeoutSeconds: timeoutSeconds))
        flinkPoller.withLock { $0 = poller }
        let focus = flinkFocus.withLock { $0 }
        let t = Task { [weak self] in
            await poller.setFocus(focus.jobs, exceptions: focus.exceptions)
            while !Task.isCancelled {
                let observation = await poller.poll(now: { Date().timeIntervalSince1970 })
                guard let self, !Task.isCancelled else { return }
                self.model.withLock { $0.apply(observation) }
                self.wake()
                // Flink answers from caches and costs little to read: every 2 s unless pinned.
                let seconds = self.policy.withLock { $0.pinned } ?? RefreshPolicy.autoFloor
                try? await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
            }
        }
        flinkTask.withLock { $0 = t }
    }

    /// The jobs on screen, read in detail on every Flink reading (exceptions only for `exceptions`).
    public func setFlinkFocus(_ jobs: [String], exceptions: Set<String>) {
        let changed = flinkFocus.withLock { old in
            defer { old = (jobs, exceptions) }
            return old.jobs != jobs || old.exceptions != exceptions
        }
        guard changed else { return }
        guard let poller = flinkPoller.withLock({ $0 }) else { return }
        Task { await poller.setFocus(jobs, exceptions: exceptions) }
    }

    /// Starts (or restarts, for a new context) polling `configuration`'s cluster with a fresh model.
    public func start(_ configuration: KafkaClientConfiguration) {
        stop()
        let c = KafkaClient(configuration: configuration)
        let poller = KafkaPoller(client: c)
        model.withLock { $0 = ConsoleModel() }
        client.withLock { $0 = c }
        let t = Task { [weak self] in
            var cost: Double?
            while !Task.isCancelled {
                let cpu0 = Self.processCPUSeconds()
                let observation = await poller.poll(now: { Date().timeIntervalSince1970 })
                guard let self, !Task.isCancelled else { return }
                self.model.withLock { $0.apply(observation) }
                // A reading of a large cluster allocates and frees its answers (megabytes); hand the
                // freed pages back rather than keep them resident until the next reading.
                sl_release_free_memory()
                // Smoothed, so one slow reading (a discovery, a GC-like free) does not swing it.
                let spent = Self.processCPUSeconds() - cpu0
                cost = cost.map { 0.7 * $0 + 0.3 * spent } ?? spent
                let seconds = self.policy.withLock { $0 }.interval(readingCost: cost ?? 0)
                self.effective.withLock { $0 = seconds }
                self.wake()
                try? await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
            }
        }
        task.withLock { $0 = t }
    }

    static func processCPUSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    /// A fresh, empty model (a context without Kafka).
    public func resetModel() { model.withLock { $0 = ConsoleModel() } }

    public func stopFlink() {
        flinkTask.withLock { $0?.cancel(); $0 = nil }
        flinkPoller.withLock { $0 = nil }
    }

    public func stop() {
        task.withLock { $0?.cancel(); $0 = nil }
        if let c = client.withLock({ c in defer { c = nil }; return c }) {
            Task { await c.shutdown() }
        }
    }
}
