import Connectors
import Console
import ConsoleModel
import Display
import Foundation
import KafkaClient
import Recording
import Services
import Synchronization
import Testing

/// A replay is the console: a minute of the engine and Flink under load, recorded by
/// `sluice record` and exported twice (the casts are identical), and drawn live by a headless
/// console whose every frame a headless replay of its own readings draws again, cell for cell.
@Suite(.serialized, .enabled(if: Peer.enabled && Peer.flinkEnabled)) struct ReplayFrameTests {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-frames-\(UUID().uuidString)").path
    init() throws { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }

    /// The headless screen, keeping every frame with the number of keys the loop had taken.
    final class CapturingScreen: Screen, @unchecked Sendable {   // state behind `log`
        let inner: HeadlessScreen
        let log = Mutex<(keys: Int, frames: [(keys: Int, grid: CellGrid)])>((0, []))
        init(_ inner: HeadlessScreen) { self.inner = inner }
        var width: Int { inner.width }
        var height: Int { inner.height }
        func draw(_ grid: CellGrid) {
            inner.draw(grid)
            log.withLock { $0.frames.append(($0.keys, grid)) }
        }
        func nextEvent(timeoutMilliseconds: Int32) -> TerminalEvent {
            let e = inner.nextEvent(timeoutMilliseconds: timeoutMilliseconds)
            if case .key = e { log.withLock { $0.keys += 1 } }
            return e
        }
        func applyTheme(_ theme: Theme) { inner.applyTheme(theme) }
        func restore() { inner.restore() }
        var waker: @Sendable () -> Void { inner.waker }
    }

    /// Readings handed to the console so far; its lock orders them across the sources. It also
    /// keeps the newest reading's time: the live console's clock here, as a replay's clock is
    /// the reading on screen (so "disconnected for 3s" reads the same in both).
    final class Order: Sendable, ConsoleClock {
        let count = Mutex((n: 0, latest: 0.0))
        var value: Int { count.withLock { $0.n } }
        func now() -> Double { count.withLock { $0.latest } }
    }

    /// A live source whose readings are also written to a recording, in the order the model gets
    /// them (one lock across the sources).
    final class TeeSource: ObservationSource {
        let inner: any ObservationSource
        let writer: RecordingWriter
        let order: Order
        init(_ inner: any ObservationSource, writer: RecordingWriter, order: Order) { self.inner = inner; self.writer = writer; self.order = order }
        var name: String { inner.name }
        func run(_ sink: any ObservationSink) async {
            await inner.run(ClosureSink(receive: { [writer, order] o in
                order.count.withLock { c in writer.record(o); sink.receive(o); c.n += 1; c.latest = max(c.latest, o.time) }
            }, settled: { sink.settled() }, reset: { sink.reset() }))
        }
        func setRefresh(_ policy: RefreshPolicy) { inner.setRefresh(policy) }
        var interval: Double { inner.interval }
        func setFocus(jobs: [String], exceptions: Set<String>) { inner.setFocus(jobs: jobs, exceptions: exceptions) }
        func shutdown() async { await inner.shutdown() }
    }

    @Test func aMinuteRecordedReplaysToTheFramesTheLiveConsoleDrew() async throws {
        let kafka = try Peer.requireKafka()
        let (flink, jar) = try Peer.requireFlink()
        var env = ProcessInfo.processInfo.environment
        env["XDG_STATE_HOME"] = dir + "/state"
        let launched = try run(Peer.sluice, ["job", "run", jar, "-p", "1", "--flink", flink, "--", "--name", "it-replay-frames", "--rate", "200",
                                             "--checkpointMs", "1000"], timeout: 120, environment: env)
        try #require(launched.status == 0, "job run: \(launched.stderr)")
        let jid = launched.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        defer { _ = try? run(Peer.sluice, ["job", "cancel", jid, "--flink", flink], timeout: 60, environment: env) }

        // `sluice record` for a minute, while a live console reads the same clusters.
        let recorded = dir + "/minute.jsonl.gz"
        let recorder = try ChildProcess(Peer.sluice, ["record", "-o", recorded, "--kafka", kafka, "--flink", flink, "--duration", "60s", "--refresh", "1"],
                                        stdout: dir + "/record.log", stderr: dir + "/record.log")
        defer { recorder.signal(SIGKILL) }

        let own = dir + "/live.jsonl"
        let writer = try RecordingWriter(path: own, header: RecordingHeader(started: Date().timeIntervalSince1970, sluice: "test", sources: []))
        let order = Order()
        let policy = RefreshPolicy(pinned: 1)
        let connector = LiveConnector(kafkaContexts: [:], flinkContexts: [:],
                                      clientConfiguration: KafkaClientConfiguration(bootstrap: BrokerAddress.parseList(kafka)!), refresh: policy)
        var connection = connector.connection(kafka: connector.clientConfiguration, kafkaLabel: kafka, flink: flink, savepoints: nil)
        connection.sources = connection.sources.map { TeeSource($0, writer: writer, order: order) }
        let screen = CapturingScreen(HeadlessScreen(width: 160, height: 45))
        let options = ConsoleApp.Options(contextName: "frames", themeName: "mono", refresh: policy, connection: connection,
                                         connector: connector, initialRoute: .groups)
        let app = ConsoleApp(options: options, clock: order, ledgerPath: dir + "/ledger.json")
        let status = Mutex<Int32?>(nil)
        let thread = Thread { let s = try? app.run { _ in screen }; status.withLock { $0 = s ?? -1 } }
        thread.stackSize = 8 << 20
        thread.start()
        defer { screen.inner.send(.signal(SIGTERM)) }

        // A scripted navigation, each step once the screen shows the last one worked.
        let lagging = "\(Peer.prefix)-lagging"
        func waitFor(_ what: String, seconds: Double = 30, _ ok: ([String]) -> Bool) async throws {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if ok(screen.inner.lines) { return }
                try await Task.sleep(nanoseconds: 20_000_000)
            }
            Issue.record("waited \(Int(seconds)) s for \(what):\n\(screen.inner.lines.joined(separator: "\n"))")
            throw CancellationError()
        }
        func readings(_ n: Int) async throws {
            let target = order.value + n
            try await waitFor("\(n) more readings") { _ in order.value >= target }
        }
        var keys: [Key] = []
        func press(_ script: String) throws {
            let k = try KeyScript.parse(script)
            keys += k
            for key in k { screen.inner.send(.key(key)) }
        }
        try await waitFor("the lagging group") { $0.dropFirst().contains { $0.hasPrefix(" \(lagging) ") } }
        try press("/ lagging ⏎")
        try await waitFor("the filter") { $0.first?.contains("/lagging") == true }
        try press("⏎")
        try await waitFor("the group's detail") { $0.first?.contains("Groups ▸ \(lagging)") == true }
        try await readings(6)
        try press("esc esc 5")
        try await waitFor("the job") { $0.contains { $0.contains("it-replay-frames") } }
        // Earlier tests leave other jobs on the cluster: pick this one by name.
        try press("/ it-replay-frames ⏎")
        try await waitFor("the job filter") { $0.first?.contains("/it-replay-frames") == true }
        try press("⏎")
        try await waitFor("the job's vertices") { $0.contains { $0.contains("it-replay-frames · RUNNING") } && $0.contains { $0.contains("VERTEX") } }
        try await readings(6)
        try press("2 j")
        try await readings(4)
        #expect(recorder.wait(timeout: 120) == 0, "\((try? String(contentsOfFile: dir + "/record.log", encoding: .utf8)) ?? "")")
        screen.inner.send(.key(.character("q")))
        let deadline = Date().addingTimeInterval(30)
        while status.withLock({ $0 }) == nil && Date() < deadline { try await Task.sleep(nanoseconds: 20_000_000) }
        #expect(status.withLock { $0 } == 0)
        writer.close()

        // Every frame the live console drew is the headless replay's frame at the same readings
        // and keys: keys go in as the live loop took them, readings as far as the frame needs.
        let live = screen.log.withLock { $0.frames }
        let reader = try RecordingReader(path: own)
        let observations = reader.readAll().compactMap { e -> Observation? in if case let .observation(o) = e { o } else { nil } }
        #expect(reader.damage == nil)
        #expect(observations.count == order.value, "every reading came back from the file")
        var replay = HeadlessReplay(ui: UIState(contextName: "frames", refreshSeconds: 1, initial: .groups), kafkaLabel: kafka, flinkLabel: flink,
                                    width: 160, height: 45)
        var applied = 0, pressed = 0, matched = 0
        for (n, frame) in live.enumerated() {
            while pressed < frame.keys { _ = replay.press(keys[pressed]); pressed += 1 }
            var drawn = replay.frame()
            while drawn != frame.grid && applied < observations.count {
                replay.apply(observations[applied])
                applied += 1
                drawn = replay.frame()
            }
            guard drawn == frame.grid else {
                Issue.record("live frame \(n) of \(live.count) (after \(frame.keys) keys) is not the replay's:\nlive:\n\(frame.grid.text)\nreplay:\n\(drawn.text)")
                break
            }
            matched += 1
        }
        #expect(matched == live.count)
        #expect(live.count > 60 && pressed == keys.count, "\(live.count) frames, \(pressed) of \(keys.count) keys")

        // The recording made by `sluice record`, exported twice: the same cast, byte for byte.
        func export(_ name: String) throws -> String {
            let out = dir + "/" + name
            let r = try run(Peer.sluice, ["replay", recorded, "--export", out, "--view", "groups", "--keys", "/ lagging ⏎ ⏎", "--speed", "4"], timeout: 120)
            #expect(r.status == 0 && r.stderr.contains("frames"), "\(r.stderr)")
            return try String(contentsOfFile: out, encoding: .utf8)
        }
        let first = try export("a.cast"), second = try export("b.cast")
        #expect(first == second)
        let lines = first.split(separator: "\n")
        #expect(lines.count > 30, "\(lines.count) events in a minute at 1 s")
        #expect(first.contains("Groups ▸ \(lagging)"))
    }
}
