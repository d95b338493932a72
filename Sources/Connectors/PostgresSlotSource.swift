import ConsoleModel
import Synchronization

/// A Postgres server's replication slots as an observation source: a ``PostgresSlotPoller``
/// read every 2 s (or the pinned refresh). Two catalog reads cost Postgres next to nothing.
public final class PostgresSlotSource: ObservationSource {
    public let name = "postgres"
    public let poller: PostgresSlotPoller
    private let policy: Mutex<RefreshPolicy>
    private let clock: any SourceClock

    public init(poller: PostgresSlotPoller, policy: RefreshPolicy = RefreshPolicy(), clock: any SourceClock = WallClock()) {
        self.poller = poller
        self.policy = Mutex(policy)
        self.clock = clock
    }

    public func setRefresh(_ p: RefreshPolicy) { policy.withLock { $0 = p } }
    public var interval: Double { policy.withLock { $0.pinned } ?? RefreshPolicy.autoFloor }

    public func run(_ sink: any ObservationSink) async {
        let poller = self.poller
        await pollLoop(sink, clock: clock, interval: { interval }) { now in await poller.poll(now: now) }
    }

    public func shutdown() async { await poller.shutdown() }
}
