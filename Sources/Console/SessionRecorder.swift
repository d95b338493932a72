import ConsoleModel
import Display
import Foundation
import Recording
import Services

/// The console's own recording (`R`): where the file goes, the header it gets, and the markers
/// the loop adds — alerts raised and cleared, finished job actions, context switches, and the
/// user's own (`M`).
struct SessionRecorder {
    /// Where recordings started from the console go; `nil`: recording is not offered (a replay).
    let directory: String?
    private(set) var writer: RecordingWriter?
    private var alertMarks = AlertMarks()

    init(directory: String?) { self.directory = directory }

    var isRecording: Bool { writer != nil }

    /// "● REC ctx-20261201-2359.jsonl.gz 1.2 MB", or why recording stopped.
    var note: String? {
        guard let writer else { return nil }
        let name = (writer.path as NSString).lastPathComponent
        if let failure = writer.failure { return "REC stopped: \(failure)" }
        return "● REC \(name) \(Format.bytes(writer.size))"
    }

    /// Starts a recording named after the context and the time, in `directory`.
    mutating func start(context: String, connection: Connection, terminal: RecordingHeader.TerminalSize, now: Double) throws -> String {
        guard let directory else { throw RecordingError.unwritable(path: "", reason: "recording is not available here") }
        do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
            throw RecordingError.unwritable(path: directory, reason: error.localizedDescription)
        }
        let safe = String(context.map { $0.isLetter || $0.isNumber || "._-".contains($0) ? $0 : "-" }).prefix(40)
        let stamp = Self.stamp(now)
        let path = directory + "/\(safe.isEmpty ? "sluice" : String(safe))-\(stamp).jsonl.gz"
        var sources: [RecordingHeader.Source] = []
        if !connection.kafkaLabel.isEmpty { sources.append(.init(name: "kafka", address: connection.kafkaLabel)) }
        if let f = connection.flinkLabel { sources.append(.init(name: "flink", address: f)) }
        writer = try RecordingWriter(path: path, header: RecordingHeader(started: now, sluice: "console", sources: sources, context: context,
                                                                                 terminal: terminal))
        alertMarks = AlertMarks()
        return path
    }

    /// Stops recording; returns the file's path and size.
    mutating func stop() -> (path: String, size: Int64)? {
        guard let w = writer else { return nil }
        w.close()
        writer = nil
        return (w.path, w.size)
    }

    func mark(_ kind: Marker.Kind, _ text: String, at time: Double) {
        writer?.mark(Marker(time: time, kind: kind, text: text))
    }

    /// Marks alerts that appeared or went away since the last call.
    mutating func noteAlerts(_ alerts: [Alert], at time: Double) {
        guard let writer else { return }
        for m in alertMarks.changes(alerts, at: time) { writer.mark(m) }
    }

    static func stamp(_ t: Double) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyyMMdd-HHmmss"
        return f.string(from: Date(timeIntervalSince1970: t))
    }

    /// `$XDG_STATE_HOME/sluice/recordings` (default `~/.local/state`).
    static func defaultDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        JobLedger.stateDirectory(environment: environment) + "/recordings"
    }
}
