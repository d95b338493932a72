import ArgumentParser

struct ConsoleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "console", abstract: "Open the interactive console (the default).")
    @OptionGroup var endpoints: EndpointOptions
    func run() async throws {
        print("console: not yet")
    }
}
