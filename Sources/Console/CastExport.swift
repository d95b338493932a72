import ConsoleModel
import Display
import Foundation

/// `sluice replay FILE --export OUT.cast`: a recording played headlessly into asciicast v2. The
/// readings are shown until every source has given its first, the scripted keys are pressed one
/// every ``Options/keyGap`` seconds, then the rest of the recording plays at `speed`; a frame is written whenever the screen
/// changes, and the recording's markers become asciicast markers at their moments.
public enum CastExport {
    public struct Options: Sendable {
        public var width: Int
        public var height: Int
        public var ui: UIState
        public var kafkaLabel: String
        public var flinkLabel: String?
        public var keys: [Key] = []
        public var speed: Double = 1
        /// Seconds of the cast between two scripted keys.
        public var keyGap = 0.5
        public var theme: Theme
        public init(width: Int, height: Int, ui: UIState, kafkaLabel: String, flinkLabel: String?, theme: Theme) {
            self.width = width; self.height = height; self.ui = ui; self.kafkaLabel = kafkaLabel; self.flinkLabel = flinkLabel
            self.theme = theme
        }
    }

    public struct Result: Sendable, Equatable {
        /// Frames written (screens that differed from the one before).
        public var frames: Int
        /// Length of the cast in seconds.
        public var duration: Double
        public var markers: Int
    }

    public static func run(observations: [Observation], markers: [(time: Double, text: String)], options: Options,
                           writer: AsciicastWriter) throws -> Result {
        guard let first = observations.first else { return Result(frames: 0, duration: 0, markers: 0) }
        var replay = HeadlessReplay(ui: options.ui, kafkaLabel: options.kafkaLabel, flinkLabel: options.flinkLabel,
                                    width: options.width, height: options.height)
        var encoder = AnsiEncoder(theme: options.theme)
        var result = Result(frames: 0, duration: 0, markers: 0)
        let start = first.time
        var pending = markers.sorted { $0.time < $1.time }[...]
        var offset = 0.0   // cast time spent on the scripted keys
        func castTime(_ t: Double) -> Double { offset + max(0, t - start) / options.speed }
        func emit(at time: Double) throws {
            let text = encoder.encode(replay.frame())
            guard !text.isEmpty else { return }
            try writer.output(time, text)
            result.frames += 1
            result.duration = max(result.duration, time)
        }
        func markersThrough(_ t: Double) throws {
            while let m = pending.first, m.time <= t {
                try writer.marker(castTime(m.time), DisplayText.sanitize(m.text))
                result.markers += 1
                pending.removeFirst()
            }
        }

        // The keys are pressed once every source has given its first reading (the views the keys
        // open have their rows), then the rest of the recording plays.
        func source(_ o: Observation) -> Int { switch o { case .kafka, .kafkaError: 0; case .flink, .flinkError: 1; case .postgres, .postgresError: 2 } }
        let sources = Set(observations.map(source))
        var seen = Set<Int>()
        var next = 0
        while next < observations.count && (next == 0 || !seen.isSuperset(of: sources)) {
            let o = observations[next]
            try markersThrough(o.time)
            replay.apply(o)
            seen.insert(source(o))
            try emit(at: castTime(o.time))
            next += 1
        }
        let ready = observations[next - 1].time
        var playing = true
        for key in options.keys {
            offset += options.keyGap
            playing = replay.press(key)
            try emit(at: castTime(ready))
            if !playing { break }
        }
        if playing {
            for o in observations[next...] {
                try markersThrough(o.time)
                replay.apply(o)
                try emit(at: castTime(o.time))
            }
            try markersThrough(.infinity)
        }
        try writer.finish()
        return result
    }
}
