import ArgumentParser
import Connectors
import Console
import Foundation
import Services

struct ConsoleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "console",
        abstract: "Open the interactive console (the default command).",
        discussion: """
        Keys: j/k move, Enter open, Esc back, 1-6 views, / filter, : command, ? help, q quit.

        Examples:
          sluice --kafka 127.0.0.1:9092
          sluice --context prod-eu --theme light
          sluice --view groups
          sluice --kafka 127.0.0.1:9092 --flink http://127.0.0.1:8081 --view jobs
          sluice --postgres postgres://monitor@db:5432/shop --view slots
        """
    )

    @OptionGroup var endpoints: EndpointOptions

    @Option(name: .long, help: "Flink REST address (JobManager web port), e.g. http://127.0.0.1:8081. Overrides the context's flink.")
    var flink: String?

    @Option(name: .long, help: "Postgres URL whose replication slots the Slots view (6) shows, postgres://user[:password]@host:port/db. Overrides the context's postgres.")
    var postgres: String?

    @Flag(name: .long, help: "Refuse job actions (savepoint, pause, resume, launch, cancel).")
    var readonly = false

    @Option(name: .long, help: "Theme name (themes/NAME.yaml): default, light, mono, or your own.")
    var theme: String?

    @Option(name: .long, help: "Seconds between readings (0.5 to 60), or auto: 2 s, longer on clusters large enough that reading them often would cost CPU (default).")
    var refresh: String?

    @Option(name: .long, help: "View to open first: overview, topics, groups, rebalances, jobs, slots.")
    var view: String = "overview"

    func validate() throws {
        if let r = refresh, RefreshPolicy(parsing: r) == nil { throw ValidationError("--refresh must be auto or seconds between 0.5 and 60, not '\(r)'") }
        if Route(command: view) == nil { throw ValidationError("unknown view '\(view)': use overview, topics, groups, rebalances, jobs or slots") }
    }

    func run() async throws {
        let resolved: EndpointOptions.Resolved
        do { resolved = try endpoints.resolve() } catch {
            FileHandle.standardError.write(Data("sluice: \(error)\n".utf8))
            throw ExitCode(2)
        }
        let defaults = resolved.config.defaults
        let contexts = resolved.config.contexts.compactMapValues(\.kafka)
        let env = ProcessInfo.processInfo.environment
        let themeName = theme ?? ((env["NO_COLOR"].map { !$0.isEmpty } ?? false) ? "mono" : (defaults?.theme ?? "default"))
        let contextFlink = try? resolved.config.context(named: endpoints.context, path: endpoints.target.configPath)?.context
        let flinkURL = flink ?? contextFlink?.flink
        if let f = flinkURL, URL(string: f.contains("://") ? f : "http://" + f)?.host == nil {
            FileHandle.standardError.write(Data("sluice: invalid Flink address '\(f)': expected http://host:port\n".utf8))
            throw ExitCode(2)
        }
        let postgresURL: String?
        do { postgresURL = try checkedPostgresURL(flag: postgres, context: contextFlink) } catch {
            FileHandle.standardError.write(Data("sluice: \(error)\n".utf8))
            throw ExitCode(2)
        }
        let policy = (refresh ?? defaults?.refresh).flatMap(RefreshPolicy.init(parsing:)) ?? RefreshPolicy()
        let connector = LiveConnector(kafkaContexts: contexts, flinkContexts: resolved.config.contexts.mapValues { ($0.flink, $0.savepoints) },
                                      postgresContexts: resolved.config.contexts.compactMapValues(\.postgres),
                                      clientConfiguration: endpoints.clientConfiguration(resolved), refresh: policy)
        // Only Flink or Postgres asked for: do not poll a Kafka nobody named.
        let kafkaEnabled = (flinkURL == nil && postgresURL == nil) || endpoints.kafka != nil || contextFlink?.kafka != nil
        let connection = connector.connection(kafka: kafkaEnabled ? endpoints.clientConfiguration(resolved) : nil, kafkaLabel: resolved.bootstrapText,
                                              flink: flinkURL, savepoints: contextFlink?.savepoints, postgres: postgresURL)
        var options = ConsoleApp.Options(contextName: resolved.contextName, themeName: themeName, refresh: policy, connection: connection,
                                         connector: connector, initialRoute: Route(command: view) ?? .overview)
        options.readonly = readonly || (defaults?.readonly ?? false)
        // Flink only, and no named context: the header names the Flink address.
        if !kafkaEnabled, endpoints.context == nil, contextFlink == nil, let f = flinkURL ?? postgresURL.map(PostgresSlotPoller.label) { options.contextName = f }
        let status: Int32
        do { status = try await ConsoleRunner.run(options) } catch {
            // The terminal is already restored (or was never taken) when an error gets here.
            FileHandle.standardError.write(Data("sluice: \(error)\n".utf8))
            throw ExitCode(2)
        }
        if status != 0 { throw ExitCode(status) }
    }
}
