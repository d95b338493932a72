import Foundation
import Synchronization
import ConsoleModel
import Connectors
import KafkaClient
import Terminal

/// Polls a cluster on its own task and folds each observation into the shared model, then wakes
/// the UI loop. The UI reads value copies of the model, so the two never block each other long.
public final class LiveFeed: Sendable {
    private let model = Mutex(ConsoleModel())
    private let interval: Mutex<Double>
    private let task = Mutex<Task<Void, Never>?>(nil)
    private let client = Mutex<KafkaClient?>(nil)
    private let wake: @Sendable () -> Void

    public init(refreshSeconds: Double, wake: @escaping @Sendable () -> Void) {
        self.interval = Mutex(refreshSeconds)
        self.wake = wake
    }

    public var current: ConsoleModel { model.withLock { $0 } }

    public func setInterval(_ seconds: Double) { interval.withLock { $0 = seconds } }

    /// Starts (or restarts, for a new context) polling `configuration`'s cluster with a fresh model.
    public func start(_ configuration: KafkaClientConfiguration) {
        stop()
        let c = KafkaClient(configuration: configuration)
        let poller = KafkaPoller(client: c)
        model.withLock { $0 = ConsoleModel() }
        client.withLock { $0 = c }
        let t = Task { [weak self] in
            while !Task.isCancelled {
                let observation = await poller.poll(now: { Date().timeIntervalSince1970 })
                guard let self, !Task.isCancelled else { return }
                self.model.withLock { $0.apply(observation) }
                self.wake()
                let seconds = self.interval.withLock { $0 }
                try? await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
            }
        }
        task.withLock { $0 = t }
    }

    public func stop() {
        task.withLock { $0?.cancel(); $0 = nil }
        if let c = client.withLock({ c in defer { c = nil }; return c }) {
            Task { await c.shutdown() }
        }
    }
}
