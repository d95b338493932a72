import Foundation
import Synchronization

/// What the console can do to a replay, shared by the console's loop and the ``RecordingSource``
/// that plays it: pause, speed, step, and seek (to a time, a marker, the start or the end).
public final class ReplayControl: Sendable {
    /// Where the replay stands, for the footer's timeline.
    public struct Status: Sendable, Equatable {
        public var start: Double
        public var end: Double
        /// Time of the last reading handed to the console.
        public var position: Double
        public var speed: Double
        public var paused: Bool
        /// Marker times (their notes are in ``markers``).
        public var markerTimes: [Double]
        public var finished: Bool { position >= end }
    }

    public static let speeds: [Double] = [0.25, 0.5, 1, 2, 4, 8, 16, 32, 64]

    struct State {
        var status: Status
        /// A seek the source has not carried out yet.
        var seek: Double?
        var steps = 0
    }
    let state: Mutex<State>
    public let markers: [(time: Double, text: String)]

    public init(start: Double, end: Double, speed: Double, markers: [(time: Double, text: String)]) {
        self.markers = markers.sorted { $0.time < $1.time }
        state = Mutex(State(status: Status(start: start, end: end, position: start, speed: speed, paused: false,
                                           markerTimes: self.markers.map(\.time))))
    }

    public var status: Status { state.withLock { $0.status } }

    /// Pauses or resumes; returns true when now paused.
    @discardableResult
    public func togglePause() -> Bool { state.withLock { $0.status.paused.toggle(); return $0.status.paused } }

    /// One step along `speeds`; returns the new speed.
    @discardableResult
    public func changeSpeed(faster: Bool) -> Double {
        state.withLock { s in
            let i = Self.speeds.lastIndex { $0 <= s.status.speed } ?? 0
            s.status.speed = Self.speeds[max(0, min(Self.speeds.count - 1, i + (faster ? 1 : -1)))]
            return s.status.speed
        }
    }

    /// While paused, hands over the next reading.
    public func step() { state.withLock { $0.steps += 1 } }

    // The source's side.
    func takeSeek() -> Double? { state.withLock { s in defer { s.seek = nil }; return s.seek } }
    func takeStep() -> Bool { state.withLock { s in guard s.steps > 0 else { return false }; s.steps -= 1; return true } }
    func setPosition(_ t: Double) { state.withLock { $0.status.position = min(max(t, $0.status.start), $0.status.end) } }

    /// Moves to `time` (clamped to the recording); the model is rebuilt from the start up to it.
    public func seek(to time: Double) {
        state.withLock { s in s.seek = min(max(time, s.status.start), s.status.end) }
    }

    /// The next marker after the position (or the previous one before it), if any; seeks there.
    @discardableResult
    public func seekMarker(next: Bool) -> (time: Double, text: String)? {
        let position = status.position
        let found = next ? markers.first { $0.time > position + 0.001 } : markers.last { $0.time < position - 0.001 }
        if let found { seek(to: found.time) }
        return found
    }

    /// Parses `:seek` arguments: `03:12:30` (UTC time of day on the recording's day), `+5m`,
    /// `-30s`, `start`, `end`. Returns the target time, or nil when it cannot be read.
    public func target(of text: String) -> Double? {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        let s = status
        if t == "start" { return s.start }
        if t == "end" { return s.end }
        if let sign = t.first, sign == "+" || sign == "-", let d = Self.duration(String(t.dropFirst())) {
            return s.position + (sign == "+" ? d : -d)
        }
        let parts = t.split(separator: ":").map { Double($0) }
        guard (2...3).contains(parts.count), parts.allSatisfy({ $0 != nil }) else { return nil }
        let seconds = parts.map { $0! }.reduce(0) { $0 * 60 + $1 } * (parts.count == 2 ? 60 : 1)
        let day = (s.start / 86_400).rounded(.down) * 86_400
        var target = day + seconds
        if target < s.start - 1 { target += 86_400 }   // a recording that crossed midnight
        return target
    }

    /// "90s", "5m", "1h30m" or plain seconds, as `:seek` and `sluice record --duration` take them.
    public static func duration(_ text: String) -> Double? {
        if let plain = Double(text) { return plain }
        var total = 0.0, number = ""
        for ch in text {
            if ch.isNumber || ch == "." { number.append(ch); continue }
            guard let n = Double(number) else { return nil }
            switch ch {
            case "s": total += n
            case "m": total += n * 60
            case "h": total += n * 3600
            default: return nil
            }
            number = ""
        }
        return number.isEmpty ? total : nil
    }
}
