import Connectors
import ConsoleModel
import Display
import Recording
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

    /// Delivers readings only when told, so a test can record some of them.
    final class SteppedSource: ObservationSource {
        let name = "stepped"
        private let pending = Mutex<[Observation]>([])
        private let sink = Mutex<(any ObservationSink)?>(nil)
        func run(_ sink: any ObservationSink) async {
            self.sink.withLock { $0 = sink }
            while !Task.isCancelled { try? await Task.sleep(nanoseconds: 20_000_000) }
        }
        func deliver(_ o: Observation) {
            guard let s = sink.withLock({ $0 }) else { return }
            s.receive(o)
            s.settled()
        }
        var ready: Bool { sink.withLock { $0 != nil } }
        func setRefresh(_ policy: RefreshPolicy) {}
        var interval: Double { 2 }
    }

    @Test func rRecordsTheSessionWithMarkersAndAStopSaysWhere() async throws {
        let screen = HeadlessScreen(width: 120, height: 30)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-console-rec-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let source = SteppedSource()
        var options = ConsoleApp.Options(contextName: "prod eu", themeName: "mono", refresh: RefreshPolicy(),
                                         connection: Connection(sources: [source], kafkaLabel: "b1:9092"), connector: ScriptedConnector(),
                                         initialRoute: .groups)
        options.recordingDirectory = dir
        let app = ConsoleApp(options: options, clock: FixedClock())
        let status = Mutex<Int32?>(nil)
        Thread { let s = try? app.run { _ in screen }; status.withLock { $0 = s ?? -1 } }.start()
        for _ in 0..<200 where !source.ready { try? await Task.sleep(nanoseconds: 10_000_000) }
        source.deliver(.kafka(Fixtures.snapshot(1)))
        #expect(await waitFor("orders-enricher", on: screen))
        screen.send(.key(.character("M")))
        #expect(await waitFor("not recording", on: screen), "M before R explains")
        screen.send(.key(.character("R")))
        #expect(await waitFor("● REC prod-eu-", on: screen), "\(screen.lines.joined(separator: "\n"))")
        for t in 2...4 { source.deliver(.kafka(Fixtures.snapshot(Double(t)))) }
        #expect(await waitFor("as of 00:00:04", on: screen))
        screen.send(.key(.character("M")))
        for ch in "deploy 42" { screen.send(.key(.character(ch))) }
        screen.send(.key(.enter))
        #expect(await waitFor("marker added: deploy 42", on: screen))
        screen.send(.key(.character("R")))
        #expect(await waitFor("recording saved: \(dir)/prod-eu-", on: screen), "\(screen.lines.joined(separator: "\n"))")
        screen.send(.key(.character("q")))
        for _ in 0..<200 where status.withLock({ $0 }) == nil { try? await Task.sleep(nanoseconds: 10_000_000) }
        #expect(status.withLock { $0 } == 0)

        let files = try FileManager.default.contentsOfDirectory(atPath: dir)
        let file = try #require(files.first { $0.hasSuffix(".jsonl.gz") })
        let reader = try RecordingReader(path: dir + "/" + file)
        #expect(reader.header.sources == [.init(name: "kafka", address: "b1:9092")])
        #expect(reader.header.terminal == .init(width: 120, height: 30))
        let events = reader.readAll()
        #expect(reader.damage == nil)
        let readings = events.compactMap { e -> Double? in if case let .observation(.kafka(s)) = e { s.time } else { nil } }
        #expect(readings == [2, 3, 4], "only what arrived while recording")
        let markers = events.compactMap { e -> Marker? in if case let .marker(m) = e { m } else { nil } }
        #expect(markers.contains { $0.kind == .user && $0.text == "deploy 42" })
        #expect(markers.contains { $0.kind == .alert && $0.text.hasPrefix("raised: ") }, "\(markers)")
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
