import ArgumentParser
import Foundation
import Connectors
import Services
import ConsoleModel
import KafkaClient

struct LagCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lag",
        abstract: "Report consumer lag per group and partition, like kafka-consumer-groups --describe.",
        discussion: """
        Status needs history: one reading can show OK, STOP, REWIND or ERR; WARN and STALL need a full window, so take several readings with --samples (window = samples).

        Exit status: 0 when every group shown is OK, 1 when any is not, 2 on error.

        Examples:
          sluice lag
          sluice lag orders-enricher billing-writer
          sluice lag --json --kafka 10.0.0.5:9092
          sluice lag --samples 10 --interval 2     # 20 s of readings
        """
    )

    @OptionGroup var endpoints: EndpointOptions

    @Argument(help: "Groups to report (default: every group the cluster lists).")
    var groups: [String] = []

    @Flag(name: .long, help: "Print the documented JSON form (docs/lag-json.md).")
    var json = false

    @Option(name: .long, help: "Readings to take before reporting.")
    var samples: Int = 1

    @Option(name: .long, help: "Seconds between readings.")
    var interval: Double = 1

    func validate() throws {
        guard samples >= 1 && samples <= 1000 else { throw ValidationError("--samples must be between 1 and 1000") }
        guard interval >= 0.1 else { throw ValidationError("--interval must be at least 0.1 s") }
    }

    func run() async throws {
        let resolved: EndpointOptions.Resolved
        do { resolved = try endpoints.resolve() } catch {
            FileHandle.standardError.write(Data("sluice lag: \(error)\n".utf8))
            throw ExitCode(2)
        }
        let client = KafkaClient(configuration: endpoints.clientConfiguration(resolved))
        let poller = KafkaPoller(client: client, groups: groups)
        var modelConfig = ConsoleModel.Configuration()
        modelConfig.statusWindow = max(2, samples)
        // One reading tells only OK, STOP, REWIND and ERR apart (docs/lag-json.md); a short window is OK, as documented.
        modelConfig.reportsPending = false
        modelConfig.alertConfirmations = 1
        var model = ConsoleModel(configuration: modelConfig)
        var lastSnapshot: KafkaSnapshot?
        for i in 0..<samples {
            if i > 0 { try await Task.sleep(nanoseconds: UInt64(interval * 1e9)) }
            switch await poller.poll(now: { Date().timeIntervalSince1970 }) {
            case let .kafka(s):
                model.apply(.kafka(s))
                lastSnapshot = s
            case let .kafkaError(_, message):
                await client.shutdown()
                FileHandle.standardError.write(Data("sluice lag: \(message)\n".utf8))
                throw ExitCode(2)
            case .flink, .flinkError, .postgres, .postgresError:
                break   // a Kafka poller never produces these
            }
        }
        await client.shutdown()
        guard let snapshot = lastSnapshot else { throw ExitCode(2) }
        let missing = Set(groups).subtracting(model.groups.filter { $0.error == nil || !$0.state.isEmpty }.map(\.groupId))
        if json {
            do { print(try LagReport.json(LagReport.document(model.groups, bootstrap: resolved.bootstrapText, time: snapshot.time))) } catch {
                FileHandle.standardError.write(Data("sluice lag: cannot encode the report as JSON: \(error)\n".utf8))
                throw ExitCode(2)
            }
        } else {
            print(LagReport.text(model.groups), terminator: "")
        }
        if !missing.isEmpty {
            FileHandle.standardError.write(Data("sluice lag: could not read group(s): \(missing.sorted().joined(separator: ", "))\n".utf8))
            throw ExitCode(2)
        }
        throw ExitCode(model.groups.allSatisfy { $0.rawStatus == .ok } ? 0 : 1)
    }
}
