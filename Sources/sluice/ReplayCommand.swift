import ArgumentParser
import Connectors
import ConsoleModel
import Console
import Display
import Foundation
import Recording
import Services

/// `sluice replay FILE`: the console on a recording (every view, filter and drill-down works; job
/// actions are refused), or `--summary`, what happened, as a postmortem draft.
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Open the console on a recording made with `sluice record`, or summarise it.",
        discussion: """
        Examples:
          sluice replay incident.jsonl.gz                 the console, readings at their recorded pace
          sluice replay incident.jsonl.gz --speed 8       eight times faster
          sluice replay incident.jsonl.gz --summary       status changes, rebalances, failed checkpoints, markers
          sluice replay incident.jsonl.gz --summary --json
          sluice replay incident.jsonl.gz --export incident.cast --view groups --keys "/ payments ⏎ ⏎" --speed 8

        --export renders the console headlessly to asciicast v2 (asciinema play, or its web player):
        the first reading of each source, then the --keys pressed half a second apart (words separated by spaces;
        enter/⏎, esc, tab, space, up/down/left/right, pgup/pgdn, home/end, bs and ctrl-x are keys,
        any other word is typed), then the rest at --speed, with the recording's markers as
        asciicast markers.
        """
    )

    @Argument(help: "The recording (.jsonl or .jsonl.gz).")
    var file: String

    @Option(name: .long, help: "Playback speed: 1 is the recorded pace, 8 eight times faster (0.25 to 64).")
    var speed: Double = 1

    @Flag(name: .long, help: "Print what happened instead of opening the console.")
    var summary = false

    @Flag(name: .long, help: "With --summary: the summary as JSON.")
    var json = false

    @Option(name: .long, help: "View to open first: overview, topics, groups, rebalances, jobs.")
    var view: String = "overview"

    @Option(name: .long, help: "Theme name (themes/NAME.yaml): default, light, mono, or your own.")
    var theme: String?

    @Option(name: .long, help: "Render headlessly to this asciicast v2 file instead of opening the console.")
    var export: String?

    @Option(name: .long, help: "With --export: keys to press once every source has given a reading, e.g. \"3 j j ⏎\".")
    var keys: String?

    @Option(name: .long, help: "With --export: screen size as WIDTHxHEIGHT (default: the recording's, else 160x45).")
    var size: String?

    func validate() throws {
        guard (0.25...64).contains(speed) else { throw ValidationError("--speed must be between 0.25 and 64, not \(speed)") }
        if json && !summary { throw ValidationError("--json goes with --summary") }
        if summary && export != nil { throw ValidationError("--summary and --export are two different outputs: choose one") }
        if export == nil && (keys != nil || size != nil) { throw ValidationError("--keys and --size go with --export") }
        if let size, Self.parseSize(size) == nil {
            throw ValidationError("--size must look like 160x45 (at least \(Renderer.minimumWidth)x\(Renderer.minimumHeight)), not '\(size)'")
        }
        if let keys { do { _ = try KeyScript.parse(keys) } catch { throw ValidationError(error.description) } }
        if Route(command: view) == nil { throw ValidationError("unknown view '\(view)': use overview, topics, groups, rebalances or jobs") }
    }

    func run() async throws {
        let reader: RecordingReader
        do { reader = try RecordingReader(path: file) } catch {
            FileHandle.standardError.write(Data("sluice replay: \(error)\n".utf8))
            throw ExitCode(2)
        }
        let events = reader.readAll()
        let damage = reader.damage.map { "\(file) is damaged at \($0)" }
        if summary {
            let s = RecordingSummary.make(header: reader.header, events: events, damage: reader.damage)
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(s), as: UTF8.self))
            } else {
                print(s.text(), terminator: "")
            }
            if let damage { FileHandle.standardError.write(Data("sluice replay: \(damage)\n".utf8)) }
            return
        }
        let observations = events.compactMap { e -> Observation? in if case let .observation(o) = e { o } else { nil } }
        guard !observations.isEmpty else {
            FileHandle.standardError.write(Data("sluice replay: \(file) holds no readings\(damage.map { " (\($0))" } ?? "")\n".utf8))
            throw ExitCode(2)
        }
        let kafka = reader.header.sources.first { $0.name == "kafka" }?.address
        let flink = reader.header.sources.first { $0.name == "flink" }?.address
        let markers = events.compactMap { e -> (time: Double, text: String)? in if case let .marker(m) = e { (m.time, "\(m.kind.rawValue): \(m.text)") } else { nil } }
        if let export {
            try exportCast(to: export, header: reader.header, observations: observations, markers: markers, damage: damage)
            return
        }
        let source = RecordingSource(observations: observations, speed: speed, markers: markers)
        let connection = Connection(sources: [source], jobControl: RefusingJobControl(reason: "this is a replay of \(file): job actions act on no cluster"),
                                    kafkaLabel: kafka ?? "", flinkLabel: flink, replay: source.control)
        let name = (file as NSString).lastPathComponent
        var options = ConsoleApp.Options(contextName: "replay \(name)", themeName: theme ?? "default", refresh: RefreshPolicy(),
                                         connection: connection, connector: NoOtherContexts(), initialRoute: Route(command: view) ?? .overview)
        options.recordingDirectory = nil
        options.readonly = true
        options.readonlyReason = "job actions are refused: this is a replay of \(name), not a cluster"
        options.message = damage ?? "replaying \(name) at \(speed == 1 ? "its recorded pace" : "\(speed)×"); job actions are refused"
        let status: Int32
        do { status = try await ConsoleRunner.run(options, clock: ReplayClock(source.control)) } catch {
            FileHandle.standardError.write(Data("sluice replay: \(error)\n".utf8))
            throw ExitCode(2)
        }
        if status != 0 { throw ExitCode(status) }
    }
}

extension ReplayCommand {
    static func parseSize(_ text: String) -> (width: Int, height: Int)? {
        let parts = text.lowercased().split(separator: "x")
        guard parts.count == 2, let w = Int(parts[0]), let h = Int(parts[1]),
              (Renderer.minimumWidth...1000).contains(w), (Renderer.minimumHeight...500).contains(h) else { return nil }
        return (w, h)
    }

    /// The usual time between two readings of a source (the console's refresh when recorded).
    static func typicalInterval(_ observations: [Observation]) -> Double {
        var last: [String: Double] = [:]
        var gaps: [Double] = []
        for o in observations {
            let key = switch o { case .kafka: "kafka"; case .flink: "flink"; default: "other" }
            if let t = last[key], o.time > t { gaps.append(o.time - t) }
            last[key] = o.time
        }
        guard !gaps.isEmpty else { return RefreshPolicy.autoFloor }
        return (gaps.sorted()[gaps.count / 2] * 10).rounded() / 10
    }

    func exportCast(to path: String, header: RecordingHeader, observations: [Observation], markers: [(time: Double, text: String)],
                    damage: String?) throws {
        let size = size.flatMap(Self.parseSize) ?? header.terminal.map { (max($0.width, Renderer.minimumWidth), max($0.height, Renderer.minimumHeight)) }
            ?? (160, 45)
        let name = (file as NSString).lastPathComponent
        var loadedTheme: Theme
        do { loadedTheme = try ThemeLoader.load(name: theme ?? "default") } catch {
            FileHandle.standardError.write(Data("sluice replay: \(error)\n".utf8))
            throw ExitCode(2)
        }
        let ui = UIState(contextName: header.context ?? "replay \(name)", themeName: loadedTheme.name,
                         refreshSeconds: Self.typicalInterval(observations), initial: Route(command: view) ?? .overview)
        var options = CastExport.Options(width: size.0, height: size.1, ui: ui,
                                         kafkaLabel: header.sources.first { $0.name == "kafka" }?.address ?? "",
                                         flinkLabel: header.sources.first { $0.name == "flink" }?.address, theme: loadedTheme)
        options.keys = (try? KeyScript.parse(keys ?? "")) ?? []
        options.speed = speed
        let began = Date()
        do {
            let writer = try AsciicastWriter(path: path, width: size.0, height: size.1, timestamp: header.started,
                                             title: "sluice replay \(name)")
            let r = try CastExport.run(observations: observations, markers: markers, options: options, writer: writer)
            let took = Date().timeIntervalSince(began)
            FileHandle.standardError.write(Data(("sluice replay: wrote \(path): \(r.frames) frames, \(r.markers) markers, "
                + "\(Format.duration(r.duration)) at \(Format.speedFactor(speed)), \(size.0)x\(size.1), "
                + "in \(String(format: "%.1f", took)) s (\(Int(Double(r.frames) / max(took, 0.001))) frames/s)\n").utf8))
        } catch {
            FileHandle.standardError.write(Data("sluice replay: \(error)\n".utf8))
            throw ExitCode(2)
        }
        if let damage { FileHandle.standardError.write(Data("sluice replay: \(damage)\n".utf8)) }
    }
}

/// A replay is one recording: `:ctx` has nowhere to go.
struct NoOtherContexts: ContextConnector {
    var contextNames: [String] { [] }
    func connect(context name: String) throws -> Connection {
        throw ConnectError("a replay has no contexts to switch to (quit and run sluice --context \(name))")
    }
}
