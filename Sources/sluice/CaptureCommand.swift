import ArgumentParser
import Display
import FlinkClient
import FlinkWire
import Foundation
import Services

/// `sluice capture …`: the change captures of a running Sluice engine (docs/capture.md).
struct CaptureCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "capture",
        abstract: "List, add and remove the Postgres change captures of a running Sluice engine (its REST API).",
        discussion: """
        Exit status: 0 when the action succeeded (list: every capture runs), 1 when a capture failed \
        (it stays and retries; its reason is printed), 2 on bad input or when the engine cannot be reached.

        Examples:
          sluice capture list --flink http://127.0.0.1:8081
          sluice capture add shop --url postgres://capture:pw@db:5432/shop --publication shop_pub --slot sluice_shop --table public.customers
          sluice capture remove shop
        """,
        subcommands: [List.self, Add.self, Remove.self]
    )
}

private func printCaptures(_ list: [CaptureInfo]) {
    func pad(_ s: String, _ w: Int, right: Bool = false) -> String { DisplayText.padded(DisplayText.cell(s, width: w), width: w, alignRight: right) }
    print(pad("NAME", 20) + "  " + pad("STATE", 8) + "  " + pad("SLOT", 20) + "  " + pad("CHANGES", 10, right: true) + "  " + pad("LAG", 7, right: true) + "  DATABASE")
    for c in list {
        print(pad(c.name, 20) + "  " + pad(c.state, 8) + "  " + pad(c.slot, 20) + "  " + pad(Format.count(c.changes), 10, right: true) + "  "
              + pad(c.lagMs.map(Format.millis) ?? "-", 7, right: true) + "  " + DisplayText.cell(c.url, width: 80))
        if let e = c.lastError { print("  " + DisplayText.cell(e, width: 300)) }
    }
    if list.isEmpty { print("no captures") }
}

private func printJSON<T: Encodable>(_ value: T) {
    let enc = JSONEncoder()
    enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    print(String(decoding: (try? enc.encode(value)) ?? Data("null".utf8), as: UTF8.self))
}

extension CaptureCommand {
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Captures with state, slot, changes and commit-to-topic lag.")
        @OptionGroup var options: FlinkOptions

        func run() async throws {
            try await jobMain("capture list") {
                let list = try await options.client().captures()
                if options.json { printJSON(list) } else { printCaptures(list) }
                return list.allSatisfy { $0.state != "FAILED" } ? 0 : 1
            }
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a capture to the running engine: checked and started at once, kept across restarts.")
        @OptionGroup var options: FlinkOptions
        @Argument(help: "The capture's name: its topics are NAME.<schema>.<table>.") var name: String
        @Option(name: .long, help: "postgres://user[:password]@host[:port]/database (a missing password: the engine's PGPASSWORD).") var url: String
        @Option(name: .long, help: "The publication to read (CREATE PUBLICATION … FOR TABLE …).") var publication: String
        @Option(name: .long, help: "The replication slot (made when missing).") var slot: String
        @Option(name: .customLong("table"), help: "A table, schema.table (repeat; default: every table of the publication).") var tables: [String] = []
        @Option(name: .long, help: "Partitions of each topic the capture makes.") var partitions: Int32 = 1
        @Option(name: .long, help: "Seconds to wait for the capture to start or fail.") var wait: Double = 30

        func run() async throws {
            try await jobMain("capture add") {
                let client = try options.client()
                var info = try await client.addCapture(CaptureRequest(name: name, url: url, publication: publication, slot: slot,
                                                                      tables: tables.isEmpty ? nil : tables, partitions: partitions))
                // The engine checks Postgres on its own task: follow it until it runs or fails.
                let deadline = Date().addingTimeInterval(wait)
                while info.state == "STARTING" && Date() < deadline {
                    try await Task.sleep(nanoseconds: 200_000_000)
                    info = try await client.captures().first { $0.name == name } ?? info
                }
                if options.json { printJSON(info) } else { printCaptures([info]) }
                if info.state == "FAILED" {
                    FileHandle.standardError.write(Data("sluice capture add: \(name) was added but fails; the engine retries it. Fix the cause above, or remove it\n".utf8))
                    return 1
                }
                return 0
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop a capture added earlier and forget it. Its slot and topics stay.")
        @OptionGroup var options: FlinkOptions
        @Argument(help: "The capture's name.") var name: String

        func run() async throws {
            try await jobMain("capture remove") {
                let client = try options.client()
                let slot = try await client.captures().first { $0.name == name }?.slot
                try await client.removeCapture(name)
                print("capture \(DisplayText.sanitize(name)) removed")
                if let slot {
                    // A slot nobody reads keeps WAL until the disk fills (docs/slots.md).
                    print("its slot \(DisplayText.sanitize(slot)) stays and keeps WAL: if nothing will read it again, drop it: SELECT pg_drop_replication_slot('\(DisplayText.sanitize(slot))');")
                }
                return 0
            }
        }
    }
}
