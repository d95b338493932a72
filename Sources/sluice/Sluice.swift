import ArgumentParser

@main
struct Sluice: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sluice",
        abstract: "A keyboard-driven operations console for Kafka-protocol streaming systems.",
        discussion: """
        Examples:
          sluice --kafka 127.0.0.1:9092        open the console on a broker
          sluice lag                           lag report of every group (like kafka-consumer-groups --describe)
          sluice lag orders-enricher --json    one group, machine-readable
        """,
        subcommands: [ConsoleCommand.self, LagCommand.self],
        defaultSubcommand: ConsoleCommand.self
    )
}
