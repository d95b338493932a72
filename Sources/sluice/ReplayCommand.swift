import ArgumentParser
import Connectors
import ConsoleModel
import Console
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

    func validate() throws {
        guard (0.25...64).contains(speed) else { throw ValidationError("--speed must be between 0.25 and 64, not \(speed)") }
        if json && !summary { throw ValidationError("--json goes with --summary") }
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
        let source = RecordingSource(observations: observations, speed: speed, markers: markers)
        let connection = Connection(sources: [source], jobControl: RefusingJobControl(reason: "this is a replay of \(file): job actions act on no cluster"),
                                    kafkaLabel: kafka ?? "", flinkLabel: flink, replay: source.control)
        let name = (file as NSString).lastPathComponent
        var options = ConsoleApp.Options(contextName: "replay \(name)", themeName: theme ?? "default", refresh: RefreshPolicy(),
                                         connection: connection, connector: NoOtherContexts(), initialRoute: Route(command: view) ?? .overview)
        options.recordingDirectory = nil
        options.message = damage ?? "replaying \(name) at \(speed == 1 ? "its recorded pace" : "\(speed)×"); job actions are refused"
        let status: Int32
        do { status = try await ConsoleRunner.run(options) } catch {
            FileHandle.standardError.write(Data("sluice replay: \(error)\n".utf8))
            throw ExitCode(2)
        }
        if status != 0 { throw ExitCode(status) }
    }
}

/// A replay is one recording: `:ctx` has nowhere to go.
struct NoOtherContexts: ContextConnector {
    var contextNames: [String] { [] }
    func connect(context name: String) throws -> Connection {
        throw ConnectError("a replay has no contexts to switch to (quit and run sluice --context \(name))")
    }
}
