import Foundation
import ConsoleModel

/// Something that yields observations for the console's model: a cluster read over the network
/// (``KafkaSource``, ``FlinkSource``) today; a recording or a Postgres slot next. The console is
/// handed sources and never builds a network client itself.
public protocol ObservationSource: AnyObject, Sendable {
    /// Short name for logs and the header ("kafka", "flink").
    var name: String { get }
    /// Reads until the calling task is cancelled, handing each observation to `deliver` as it
    /// arrives (on the source's task; `deliver` must be quick and thread-safe).
    func run(_ deliver: @escaping @Sendable (Observation) -> Void) async
    /// How often to read; auto lets the source lengthen its interval on large clusters.
    func setRefresh(_ policy: RefreshPolicy)
    /// Seconds between readings now (the pinned value, or auto's current choice).
    var interval: Double { get }
    /// The jobs on screen, read in detail on every reading (exceptions only for `exceptions`).
    func setFocus(jobs: [String], exceptions: Set<String>)
    /// Lets go of connections; the source is not run again.
    func shutdown() async
}

extension ObservationSource {
    public func setFocus(jobs: [String], exceptions: Set<String>) {}
    public func shutdown() async {}
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
