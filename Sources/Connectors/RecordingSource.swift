import ConsoleModel
import Synchronization

/// A recording played back as an observation source: its readings are handed over at the pace
/// they were taken (times `speed`), so the console shows the recorded past as it unfolded. When
/// the recording ends the source stays, and the last reading stays on screen.
public final class RecordingSource: ObservationSource {
    public let name = "recording"
    private let observations: [Observation]
    private let speed: Mutex<Double>
    private let clock: any SourceClock

    /// `observations` in recorded order; `speed` 1 is real time, 8 eight times faster.
    public init(observations: [Observation], speed: Double = 1, clock: any SourceClock = WallClock()) {
        self.observations = observations
        self.speed = Mutex(max(0.01, speed))
        self.clock = clock
    }

    public func setSpeed(_ s: Double) { speed.withLock { $0 = max(0.01, s) } }
    // Readings arrive on the recording's schedule; the console's refresh setting does not apply.
    public func setRefresh(_ policy: RefreshPolicy) {}
    public var interval: Double { RefreshPolicy.autoFloor }

    public func run(_ sink: any ObservationSink) async {
        var previous: Double?
        for o in observations {
            guard !Task.isCancelled else { return }
            let t = Self.time(of: o)
            if let previous, t > previous {
                await clock.sleep(seconds: (t - previous) / speed.withLock { $0 })
                guard !Task.isCancelled else { return }
            }
            previous = t
            sink.receive(o)
            sink.settled()
        }
        // The end of the recording: keep the last reading on screen until the console quits.
        while !Task.isCancelled { await clock.sleep(seconds: 3600) }
    }

    static func time(of o: Observation) -> Double {
        switch o {
        case let .kafka(s): s.time
        case let .flink(s): s.time
        case let .kafkaError(t, _), let .flinkError(t, _): t
        }
    }
}
