import Connectors
import ConsoleModel
import Display
import Foundation
import Services
import Synchronization
import Testing
@testable import Console

/// The whole console loop without a terminal: a headless screen, scripted sources, a fixed clock.
@Suite(.serialized) struct HeadlessConsoleTests {
    /// Delivers fixed observations once, then waits to be cancelled.
    final class ScriptedSource: ObservationSource {
        let name = "scripted"
        let observations: [Observation]
        init(_ observations: [Observation]) { self.observations = observations }
        func run(_ sink: any ObservationSink) async {
            for o in observations { sink.receive(o) }
            sink.settled()
            while !Task.isCancelled { try? await Task.sleep(nanoseconds: 50_000_000) }
        }
        func setRefresh(_ policy: RefreshPolicy) {}
        var interval: Double { 2 }
    }

    /// Contexts whose sources are scripted: `other` has a topic named `payments`.
    struct ScriptedConnector: ContextConnector {
        var contextNames: [String] { ["local", "other"] }
        func connect(context name: String) throws -> Connection {
            guard name == "other" else { throw ConnectError("context \(name) has no valid kafka bootstrap and no flink address") }
            var snapshot = Fixtures.snapshot(5)
            snapshot.topics[0].name = "payments"
            return Connection(sources: [ScriptedSource([.kafka(snapshot)])], kafkaLabel: "other:9092")
        }
    }

    struct FixedClock: ConsoleClock { func now() -> Double { 12 } }

    /// Waits (bounded) until the screen shows `text`.
    func waitFor(_ text: String, on screen: HeadlessScreen) async -> Bool {
        for _ in 0..<200 {
            if screen.lines.contains(where: { $0.contains(text) }) { return true }
            try? await Task.sleep(nanoseconds: 10_000_000)
        }
        return false
    }

    @Test func drawsScriptedReadingsSwitchesContextAndQuits() async throws {
        let screen = HeadlessScreen(width: 80, height: 24)
        let readings = (1...12).map { Observation.kafka(Fixtures.snapshot(Double($0))) }
        let options = ConsoleApp.Options(contextName: "local", themeName: "mono", refresh: RefreshPolicy(),
                                         connection: Connection(sources: [ScriptedSource(readings)], kafkaLabel: "local:9092"),
                                         connector: ScriptedConnector(), initialRoute: .topics)
        let ledger = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-\(UUID().uuidString).json").path
        let app = ConsoleApp(options: options, clock: FixedClock(), ledgerPath: ledger)
        let status = Mutex<Int32?>(nil)
        let thread = Thread {
            let s = try? app.run { _ in screen }
            status.withLock { $0 = s ?? -1 }
        }
        thread.start()

        #expect(await waitFor("orders", on: screen), "\(screen.lines.joined(separator: "\n"))")
        #expect(screen.lines.contains { $0.contains("local") })
        screen.send(.key(.character(":")), .key(.character("c")), .key(.character("t")), .key(.character("x")), .key(.character(" ")),
                    .key(.character("o")), .key(.character("t")), .key(.character("h")), .key(.character("e")), .key(.character("r")), .key(.enter))
        #expect(await waitFor("context other: kafka other:9092", on: screen), "\(screen.lines.joined(separator: "\n"))")
        screen.send(.key(.character("2")))
        #expect(await waitFor("payments", on: screen), "\(screen.lines.joined(separator: "\n"))")
        #expect(!screen.lines.contains { $0.contains("orders") }, "the old context's topics are gone")
        screen.send(.key(.character("q")))
        for _ in 0..<200 where status.withLock({ $0 }) == nil { try? await Task.sleep(nanoseconds: 10_000_000) }
        #expect(status.withLock { $0 } == 0)
        #expect(screen.isRestored)
    }

    @Test func aSignalEndsTheLoopWithItsStatusAndRestoresTheScreen() async {
        let screen = HeadlessScreen(width: 80, height: 24)
        let options = ConsoleApp.Options(contextName: "local", themeName: "mono", refresh: RefreshPolicy(),
                                         connection: Connection(sources: []), connector: ScriptedConnector())
        screen.send(.signal(15))
        let status = try? ConsoleApp(options: options, clock: FixedClock()).run { _ in screen }
        #expect(status == Int32(128 + 15))
        #expect(screen.isRestored)
        #expect(screen.framesDrawn >= 1)
    }
}
