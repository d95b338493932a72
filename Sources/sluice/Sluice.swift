import ArgumentParser
import CMalloc
import Foundation

@main
enum SluiceMain {
    static func main() async {
        // glibc gives each thread that allocates its own arena; NIO, the cooperative pool and the
        // UI thread would hold several mostly-empty ones. Two keep RSS ~20 % lower at no cost here.
        sl_limit_malloc_arenas(2)
        // A file that cannot grow (a size limit) must fail the write with EFBIG, which every
        // writer reports (a recording stops and says so), not kill the process.
        signal(SIGXFSZ, SIG_IGN)
        await Sluice.main()
    }
}

struct Sluice: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sluice",
        abstract: "A keyboard-driven operations console for Kafka-protocol streaming systems.",
        discussion: """
        Examples:
          sluice --kafka 127.0.0.1:9092        open the console on a broker
          sluice lag                           lag report of every group
          sluice lag orders-enricher --json    one group, machine-readable
          sluice job list --flink http://127.0.0.1:8081   Flink jobs
          sluice record -o incident.jsonl.gz   record the readings to a file, without a terminal
          sluice replay incident.jsonl.gz      the console on a recording (--summary: what happened)
          sluice slots --postgres postgres://monitor@db:5432/shop   replication slots and the WAL they keep
          sluice engine                        run the embedded engine on 127.0.0.1:9092
        """,
        version: SluiceVersion.current,
        subcommands: [ConsoleCommand.self, LagCommand.self, SlotsCommand.self, CaptureCommand.self, JobCommand.self, RecordCommand.self, ReplayCommand.self, EngineCommand.self],
        defaultSubcommand: ConsoleCommand.self
    )
}

/// The version recorded in recordings' headers and printed by `sluice --version`.
enum SluiceVersion {
    static let current = "0.5.0"
}
