import ConsoleModel
import FlinkClient
import Synchronization

/// A Flink REST API as an observation source: a ``FlinkPoller`` read every 2 s (or the pinned
/// refresh), with the jobs on screen read in detail.
public final class FlinkSource: ObservationSource {
    public let name = "flink"
    public let poller: FlinkPoller
    private let policy: Mutex<RefreshPolicy>
    private let clock: any SourceClock

    public init(poller: FlinkPoller, policy: RefreshPolicy = RefreshPolicy(), clock: any SourceClock = WallClock()) {
        self.poller = poller
        self.policy = Mutex(policy)
        self.clock = clock
    }

    public convenience init(url: String, timeoutSeconds: Double, policy: RefreshPolicy = RefreshPolicy()) {
        self.init(poller: FlinkPoller(client: FlinkClient(baseURL: url, timeoutSeconds: timeoutSeconds)), policy: policy)
    }

    public func setRefresh(_ p: RefreshPolicy) { policy.withLock { $0 = p } }
    // Flink answers from caches and costs little to read: every 2 s unless pinned.
    public var interval: Double { policy.withLock { $0.pinned } ?? RefreshPolicy.autoFloor }

    public func setFocus(jobs: [String], exceptions: Set<String>) {
        let poller = self.poller
        Task { await poller.setFocus(jobs, exceptions: exceptions) }
    }

    public func run(_ sink: any ObservationSink) async {
        let poller = self.poller
        await pollLoop(sink, clock: clock, interval: { interval }) { now in await poller.poll(now: now) }
    }
}
