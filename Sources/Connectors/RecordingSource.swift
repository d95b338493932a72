import ConsoleModel
import Synchronization

/// A recording played back as an observation source. A virtual clock runs from the recording's
/// start at the replay's speed, and every reading whose time it has passed is handed over, so the
/// console shows the recorded past as it unfolded. ``ReplayControl`` pauses it, steps it, changes
/// its speed and seeks; a seek rebuilds the console's model from the start up to the target (the
/// model is a pure function of the readings, docs/design.md §2). At the end the last reading stays.
public final class RecordingSource: ObservationSource {
    public let name = "recording"
    public let control: ReplayControl
    private let observations: [Observation]
    private let clock: any SourceClock
    /// Longest real time between two looks at the control (pause, speed and seek act this fast).
    public static let slice = 0.25

    /// `observations` in recorded order; `speed` 1 is real time, 8 eight times faster.
    public init(observations: [Observation], speed: Double = 1, markers: [(time: Double, text: String)] = [],
                clock: any SourceClock = WallClock()) {
        self.observations = observations
        self.clock = clock
        let times = observations.map(\.time)
        control = ReplayControl(start: times.first ?? 0, end: times.last ?? 0, speed: max(0.25, speed), markers: markers)
    }

    // Readings arrive on the recording's schedule; the console's refresh setting does not apply.
    public func setRefresh(_ policy: RefreshPolicy) {}
    public var interval: Double { RefreshPolicy.autoFloor }

    public func run(_ sink: any ObservationSink) async {
        var next = 0
        func deliver(through t: Double) {
            var any = false
            while next < observations.count && observations[next].time <= t {
                sink.receive(observations[next])
                next += 1
                any = true
            }
            if any { sink.settled() }
        }
        deliver(through: control.status.start)
        while !Task.isCancelled {
            if let target = control.takeSeek() {
                sink.reset()
                next = 0
                control.setPosition(target)
                deliver(through: target)
                sink.settled()
                continue
            }
            let status = control.status
            if status.paused || next >= observations.count {
                if status.paused, next < observations.count, control.takeStep() {
                    let t = observations[next].time
                    control.setPosition(t)
                    deliver(through: t)
                } else {
                    await clock.sleep(seconds: Self.slice)
                }
                continue
            }
            // Wait until the next reading is due, a slice at most, then move the virtual clock.
            let due = (observations[next].time - status.position) / status.speed
            let wait = min(Self.slice, max(0, due))
            if wait > 0 { await clock.sleep(seconds: wait) }
            guard !Task.isCancelled else { return }
            let position = status.position + wait * status.speed
            control.setPosition(due <= wait ? max(position, observations[next].time) : position)
            deliver(through: control.status.position)
        }
    }

}
