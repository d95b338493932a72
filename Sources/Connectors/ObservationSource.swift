import Foundation
import ConsoleModel

/// Something that yields observations for the console's model: a cluster read over the network
/// (``KafkaSource``, ``FlinkSource``) today; a recording or a Postgres slot next. The console is
/// handed sources and never builds a network client itself.
public protocol ObservationSource: AnyObject, Sendable {
    /// Short name for logs and the header ("kafka", "flink").
    var name: String { get }
    /// Reads until the calling task is cancelled, handing each observation to `sink` as it
    /// arrives (on the source's task).
    func run(_ sink: any ObservationSink) async
    /// How often to read; auto lets the source lengthen its interval on large clusters.
    func setRefresh(_ policy: RefreshPolicy)
    /// Seconds between readings now (the pinned value, or auto's current choice).
    var interval: Double { get }
    /// The jobs on screen, read in detail on every reading (exceptions only for `exceptions`).
    func setFocus(jobs: [String], exceptions: Set<String>)
    /// Lets go of connections; the source is not run again.
    func shutdown() async
}

/// Where a source's observations go (the console's feed, a recorder, a test).
public protocol ObservationSink: Sendable {
    /// Folds one observation in; called on the source's task, so it must be quick and thread-safe.
    func receive(_ observation: Observation)
    /// The source is done with the reading it last handed over (its own bookkeeping, such as
    /// giving freed memory back, included): the moment to redraw, so a redraw is not counted
    /// in the reading's cost nor competes with it.
    func settled()
    /// Forget everything received so far: what follows starts over (a replay seeking backwards).
    func reset()
}

extension ObservationSink {
    public func reset() {}
}

/// A sink made of closures.
public struct ClosureSink: ObservationSink {
    let onReceive: @Sendable (Observation) -> Void
    let onSettled: @Sendable () -> Void
    let onReset: @Sendable () -> Void
    public init(receive: @escaping @Sendable (Observation) -> Void, settled: @escaping @Sendable () -> Void = {},
                reset: @escaping @Sendable () -> Void = {}) {
        onReceive = receive
        onSettled = settled
        onReset = reset
    }
    public func receive(_ observation: Observation) { onReceive(observation) }
    public func settled() { onSettled() }
    public func reset() { onReset() }
}

extension ObservationSource {
    public func setFocus(jobs: [String], exceptions: Set<String>) {}
    public func shutdown() async {}
}

/// The loop of a source that reads at a fixed pace: read, hand the observation over, say the
/// reading is done, wait `interval()`; until the task is cancelled.
func pollLoop(_ sink: any ObservationSink, clock: any SourceClock, interval: () -> Double,
              poll: (@escaping @Sendable () -> Double) async -> Observation) async {
    while !Task.isCancelled {
        let observation = await poll({ clock.now() })
        guard !Task.isCancelled else { return }
        sink.receive(observation)
        sink.settled()
        await clock.sleep(seconds: interval())
    }
}

/// Time for sources: now (epoch seconds) and a cancellable wait, injected so tests neither sleep
/// nor depend on the wall clock.
public protocol SourceClock: Sendable {
    func now() -> Double
    func sleep(seconds: Double) async
}

/// The wall clock and `Task.sleep`.
public struct WallClock: SourceClock {
    public init() {}
    public func now() -> Double { Date().timeIntervalSince1970 }
    public func sleep(seconds: Double) async { try? await Task.sleep(nanoseconds: UInt64(max(0, seconds) * 1e9)) }
}
