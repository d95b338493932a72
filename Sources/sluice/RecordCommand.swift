import ArgumentParser
import Connectors
import ConsoleModel
import Foundation
import Recording
import Services
import Synchronization

/// `sluice record`: what the console would see, written to a file without a terminal — for a box
/// that records through an incident. docs/recording.md describes the file.
struct RecordCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Record the readings of a cluster to a file, without a terminal (replay it with the console later).",
        discussion: """
        The file is JSON Lines (docs/recording.md), gzip-compressed when its name ends in .gz. It is
        flushed as readings arrive: a crash or kill -9 loses at most the last reading.

        Examples:
          sluice record -o incident.jsonl.gz --kafka 127.0.0.1:9092 --duration 1h
          sluice record -o demo.jsonl --context prod-eu --flink http://jm:8081 --redact
        """
    )

    @Option(name: [.short, .long], help: "File to write (.jsonl, or .jsonl.gz for gzip). An existing file is never overwritten.")
    var output: String

    @OptionGroup var endpoints: EndpointOptions

    @Option(name: .long, help: "Flink REST address (JobManager web port), e.g. http://127.0.0.1:8081. Overrides the context's flink.")
    var flink: String?

    @Option(name: .long, help: "Postgres URL whose replication slots to record (the Slots view), postgres://user[:password]@host:port/db. Overrides the context's postgres.")
    var postgres: String?

    @Option(name: .long, help: "Stop after this long: 90s, 15m, 1h, 1h30m (default: until Ctrl-C or SIGTERM).")
    var duration: String?

    @Option(name: .long, help: "Seconds between readings (0.5 to 60), or auto (default).")
    var refresh: String?

    @Flag(name: .long, help: "Replace topic, group, member, client and host names with stable pseudonyms, so the file can be shared.")
    var redact = false

    func validate() throws {
        if let d = duration, Self.seconds(d) == nil { throw ValidationError("--duration must look like 90s, 15m, 1h or 1h30m, not '\(d)'") }
        if let r = refresh, RefreshPolicy(parsing: r) == nil { throw ValidationError("--refresh must be auto or seconds between 0.5 and 60, not '\(r)'") }
    }

    /// "90s", "15m", "1h30m", or plain seconds; more than zero.
    static func seconds(_ text: String) -> Double? { ReplayControl.duration(text).flatMap { $0 > 0 ? $0 : nil } }

    func run() async throws {
        let resolved: EndpointOptions.Resolved
        do { resolved = try endpoints.resolve() } catch {
            FileHandle.standardError.write(Data("sluice record: \(error)\n".utf8))
            throw ExitCode(2)
        }
        let contextFlink = try? resolved.config.context(named: endpoints.context, path: endpoints.target.configPath)?.context
        let flinkURL = flink ?? contextFlink?.flink
        let policy = refresh.flatMap(RefreshPolicy.init(parsing:)) ?? RefreshPolicy()
        let connector = LiveConnector(kafkaContexts: [:], flinkContexts: [:], clientConfiguration: endpoints.clientConfiguration(resolved), refresh: policy)
        let postgresURL: String?
        do { postgresURL = try checkedPostgresURL(flag: postgres, context: contextFlink) } catch {
            FileHandle.standardError.write(Data("sluice record: \(error)\n".utf8))
            throw ExitCode(2)
        }
        let kafkaEnabled = (flinkURL == nil && postgresURL == nil) || endpoints.kafka != nil || contextFlink?.kafka != nil
        let connection = connector.connection(kafka: kafkaEnabled ? endpoints.clientConfiguration(resolved) : nil, kafkaLabel: resolved.bootstrapText,
                                              flink: flinkURL, savepoints: nil, postgres: postgresURL)
        var sources: [RecordingHeader.Source] = []
        if kafkaEnabled { sources.append(.init(name: "kafka", address: resolved.bootstrapText)) }
        if let flinkURL { sources.append(.init(name: "flink", address: flinkURL)) }
        // The address without user or password: a recording may be shared.
        if let postgresURL { sources.append(.init(name: "postgres", address: PostgresSlotPoller.label(postgresURL))) }
        let writer: RecordingWriter
        do {
            writer = try RecordingWriter(path: output, header: RecordingHeader(started: Date().timeIntervalSince1970, sluice: SluiceVersion.current,
                                                                             sources: sources, context: resolved.contextName), redact: redact)
        } catch {
            FileHandle.standardError.write(Data("sluice record: \(error)\n".utf8))
            throw ExitCode(2)
        }
        let marking = MarkingRecorder(writer: writer)
        let tasks = connection.sources.map { source in
            Task { await source.run(ClosureSink(receive: { marking.record($0) })) }
        }
        FileHandle.standardError.write(Data("sluice record: recording \(sources.map { "\($0.name) \($0.address)" }.joined(separator: " · ")) to \(output)\(duration.map { " for \($0)" } ?? " until Ctrl-C")\n".utf8))
        let limit = duration.flatMap(Self.seconds)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { _ = await Signals.waitForStop() }
            if let limit { group.addTask { try? await Task.sleep(nanoseconds: UInt64(limit * 1e9)) } }
            // Also stop when the file can no longer be written (a full disk).
            group.addTask {
                while writer.failure == nil && !Task.isCancelled { try? await Task.sleep(nanoseconds: 500_000_000) }
            }
            _ = await group.next()
            group.cancelAll()
        }
        for t in tasks { t.cancel() }
        for s in connection.sources { await s.shutdown() }
        writer.close()
        if let failure = writer.failure {
            FileHandle.standardError.write(Data("sluice record: recording stopped: \(failure); \(output) holds what was written before\n".utf8))
            throw ExitCode(1)
        }
        FileHandle.standardError.write(Data("sluice record: wrote \(writer.lines) lines, \(writer.size) bytes to \(output)\n".utf8))
    }
}

/// Writes readings, and follows them with a model so alerts are marked as the console marks them.
final class MarkingRecorder: Sendable {
    private let writer: RecordingWriter
    private let state = Mutex((model: ConsoleModel(), marks: AlertMarks()))
    init(writer: RecordingWriter) { self.writer = writer }

    func record(_ observation: Observation) {
        state.withLock { s in
            writer.record(observation)
            s.model.apply(observation)
            for marker in s.marks.changes(s.model.alerts, at: observation.time) { writer.mark(marker) }
        }
    }
}
