import ArgumentParser
import Connectors
import ConsoleModel
import Display
import FlinkClient
import Foundation
import Services

/// `sluice slots`: a Postgres server's replication slots, the WAL each keeps, and the engine's
/// captures reading through them (docs/slots.md).
struct SlotsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slots",
        abstract: "Report a Postgres server's replication slots: retained WAL, its trend, and the capture reading each.",
        discussion: """
        A slot whose consumer stops keeps every WAL segment since its position until the disk fills. \
        One reading tells OK, HIGH (over --max-retained), UNRESERVED and LOST apart; GROWING needs \
        several (--samples): the consumer further behind at each of the last 5 readings (all of them \
        when fewer), by at least 1 MiB in all (docs/slots.md).

        Exit status: 0 when every slot is OK, 1 when any is not, 2 on error.

        Examples:
          sluice slots --postgres postgres://monitor@db:5432/shop
          sluice slots --json
          sluice slots --samples 5 --interval 2 --max-retained 10GiB
          sluice slots --engine http://127.0.0.1:8081    # with the engine's capture lag
        """
    )

    @Option(name: .long, help: "Postgres URL, postgres://user[:password]@host[:port]/database (a missing password: PGPASSWORD). Overrides the context's postgres.")
    var postgres: String?

    @Option(name: .long, help: "The Sluice engine's REST address, for its captures' lag (default: the context's flink, when it has one).")
    var engine: String?

    @OptionGroup var target: ContextOptions

    @Flag(name: .long, help: "Print the documented JSON form (docs/slots.md).")
    var json = false

    @Option(name: .long, help: "Readings to take before reporting.")
    var samples: Int = 1

    @Option(name: .long, help: "Seconds between readings.")
    var interval: Double = 1

    @Option(name: .long, help: "Retained WAL above this is HIGH (bytes; K, M, G, T suffixes in powers of 1024).")
    var maxRetained: String = "1GiB"

    func validate() throws {
        guard samples >= 1 && samples <= 1000 else { throw ValidationError("--samples must be between 1 and 1000") }
        guard interval >= 0.1 else { throw ValidationError("--interval must be at least 0.1 s") }
        guard SlotsReport.parseBytes(maxRetained) != nil else { throw ValidationError("--max-retained '\(maxRetained)' is not a size such as 1GiB or 500MB") }
    }

    func run() async throws {
        let url: String
        let engineURL: String?
        do {
            let file = try SluiceConfig.load(path: target.configPath)
            let ctx = try file.context(named: target.context, path: target.configPath)?.context
            guard let u = try checkedPostgresURL(flag: postgres, context: ctx) else {
                throw ValidationError("no Postgres to read: give --postgres postgres://user@host:5432/db, or a context's postgres:")
            }
            url = u
            engineURL = engine ?? ctx?.flink
        } catch {
            FileHandle.standardError.write(Data("sluice slots: \(DisplayText.sanitize("\(error)"))\n".utf8))
            throw ExitCode(2)
        }
        let poller = PostgresSlotPoller(url: url, engine: engineURL.map { FlinkClient(baseURL: $0, timeoutSeconds: target.requestTimeout) })
        var config = ConsoleModel.Configuration()
        config.slots.retainedThreshold = SlotsReport.parseBytes(maxRetained)!
        config.slots.window = min(config.slots.window, samples)
        var state = SlotState(configuration: config.slots)
        for i in 0..<samples {
            if i > 0 { try await Task.sleep(nanoseconds: UInt64(interval * 1e9)) }
            switch await poller.poll(now: { Date().timeIntervalSince1970 }) {
            case let .postgres(s): state.apply(s)
            case let .postgresError(_, message):
                await poller.shutdown()
                FileHandle.standardError.write(Data("sluice slots: \(DisplayText.sanitize(message))\n".utf8))
                throw ExitCode(2)
            default: break
            }
        }
        await poller.shutdown()
        guard let doc = SlotsReport.document(state) else { throw ExitCode(2) }
        if json {
            do { print(try SlotsReport.json(doc)) } catch {
                FileHandle.standardError.write(Data("sluice slots: cannot encode the report as JSON: \(error)\n".utf8))
                throw ExitCode(2)
            }
        } else {
            print(SlotsReport.text(state), terminator: "")
        }
        throw ExitCode(state.slots.allSatisfy { $0.status == .ok } ? 0 : 1)
    }
}
