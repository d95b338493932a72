import CMalloc
import Foundation
import ConsoleModel
import KafkaClient
import Synchronization

/// A Kafka cluster as an observation source: a ``KafkaPoller`` read in a loop whose interval
/// follows the ``RefreshPolicy`` — in auto mode, longer when a reading costs more CPU.
public final class KafkaSource: ObservationSource {
    public let name = "kafka"
    public let poller: KafkaPoller
    private let policy: Mutex<RefreshPolicy>
    private let effective = Mutex(RefreshPolicy.autoFloor)
    private let clock: any SourceClock

    public init(poller: KafkaPoller, policy: RefreshPolicy = RefreshPolicy(), clock: any SourceClock = WallClock()) {
        self.poller = poller
        self.policy = Mutex(policy)
        self.clock = clock
    }

    /// A source over a new client for `configuration`.
    public convenience init(configuration: KafkaClientConfiguration, policy: RefreshPolicy = RefreshPolicy()) {
        self.init(poller: KafkaPoller(client: KafkaClient(configuration: configuration)), policy: policy)
    }

    public func setRefresh(_ p: RefreshPolicy) { policy.withLock { $0 = p } }
    public var interval: Double { effective.withLock { $0 } }

    public func run(_ sink: any ObservationSink) async {
        var cost: Double?
        let clock = self.clock
        while !Task.isCancelled {
            let cpu0 = Self.processCPUSeconds()
            let observation = await poller.poll(now: { clock.now() })
            guard !Task.isCancelled else { return }
            sink.receive(observation)
            // A reading of a large cluster allocates and frees its answers (megabytes); hand the
            // freed pages back rather than keep them resident until the next reading.
            Self.releaseFreeMemory()
            // Smoothed, so one slow reading (a discovery, a GC-like free) does not swing it.
            let spent = Self.processCPUSeconds() - cpu0
            cost = cost.map { 0.7 * $0 + 0.3 * spent } ?? spent
            let seconds = policy.withLock { $0 }.interval(readingCost: cost ?? 0)
            effective.withLock { $0 = seconds }
            sink.settled()
            await clock.sleep(seconds: seconds)
        }
    }

    public func shutdown() async { await poller.client.shutdown() }

    static func processCPUSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    static func releaseFreeMemory() {
        sl_release_free_memory()
    }
}
