import Foundation
import Testing

/// The Jobs views under tmux against `sluice engine`'s own jobs (its Flink-compatible REST API),
/// with the assertions of the Flink backpressure test: what a person sees is the same.
@Suite(.serialized) struct EngineJobsUITests {
    /// A `sluice engine` with Kafka and REST on free ports; stopped by `stop()`.
    final class Engine {
        let process = Process()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-ui-engine-\(UUID().uuidString)").path
        var kafka = ""
        var rest = ""

        init() throws {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let log = dir + "/engine.log"
            _ = FileManager.default.createFile(atPath: log, contents: nil)
            process.executableURL = URL(fileURLWithPath: UIPeer.sluice)
            process.arguments = ["engine", "--data-dir", dir + "/data", "--kafka-listen", "127.0.0.1:0", "--rest-listen", "127.0.0.1:0"]
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
            process.standardOutput = handle
            process.standardError = handle
            try process.run()
            let deadline = Date().addingTimeInterval(30)
            while Date() < deadline {
                let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                if let line = text.split(separator: "\n").first(where: { $0.contains("msg=\"engine started\"") }) {
                    for field in line.split(separator: " ") {
                        if field.hasPrefix("kafka_listen=") { kafka = String(field.dropFirst("kafka_listen=".count)) }
                        if field.hasPrefix("rest_listen=") { rest = "http://" + field.dropFirst("rest_listen=".count) }
                    }
                    return
                }
                guard process.isRunning else { break }
                usleep(50_000)
            }
            stop()
            Issue.record("sluice engine did not start: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
            throw CancellationError()
        }

        func stop() {
            if process.isRunning { process.terminate(); process.waitUntilExit() }
            try? FileManager.default.removeItem(atPath: dir)
        }
    }

    @Test func aSlowSinkIsTheBottleneckOnScreen() throws {
        let engine = try Engine()
        defer { engine.stop() }
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-ui-\(UUID().uuidString)").path
        setenv("XDG_STATE_HOME", state, 1)
        let run = try spawn(UIPeer.sluice, ["job", "run", "sample_slow-sink.yaml", "-p", "2", "--flink", engine.rest])
        try #require(run.status == 0, "sluice job run failed: \(run.stderr)")

        let t = try Tmux(width: 150, height: 40)
        defer { t.close() }
        try t.type("\(UIPeer.sluice) --kafka \(engine.kafka) --flink \(engine.rest) --view jobs")
        #expect(try t.waitFor(timeout: 20) { $0.contains("Jobs (") && $0.contains("slow-sink") }, "jobs did not show:\n\((try? t.screen()) ?? "")")
        // The Jobs list names the bottleneck once backpressure has built up.
        #expect(try t.waitFor(timeout: 60) { s in
            s.split(separator: "\n").contains { $0.contains("slow-sink") && $0.contains("HIGH") && $0.contains("Sink: slow-sink-out") }
        }, "no HIGH backpressure with the sink as bottleneck:\n\((try? t.screen()) ?? "")")
        // Job detail: the sink's vertex is marked, its upstream is HIGH.
        try t.keys("Enter")
        #expect(try t.waitFor(timeout: 20) { s in
            let lines = s.split(separator: "\n")
            return lines.contains { $0.contains("★ Map -> Sink: slow-sink-out") }
                && lines.contains { $0.contains("Source: generator ") && $0.contains("HIGH") }
                && s.contains("bottleneck: Map -> Sink: slow-sink-out")
        }, "job detail did not show the bottleneck:\n\((try? t.screen()) ?? "")")
        // A job whose sink refuses its records fails: the Exceptions view shows the engine's reason.
        let python = try #require(UIPeer.env["SLUICE_TEST_PYTHON"], "SLUICE_TEST_PYTHON is not set: scripts/test.sh installs confluent-kafka (CI=true requires it)")
        let made = try spawn(python, ["-c", """
            from confluent_kafka.admin import AdminClient, NewTopic
            a = AdminClient({"bootstrap.servers": "\(engine.kafka)"})
            [f.result() for f in a.create_topics([NewTopic("tiny", 1, 1, config={"max.message.bytes": "100"})]).values()]
            """])
        try #require(made.status == 0, "could not create the topic: \(made.stderr)")
        let spec = engine.dir + "/too-big.yaml"
        try "name: too-big\nsource: {generator: {rate: 50/s, keys: 5}}\nsink: {topic: tiny}\n".write(toFile: spec, atomically: true, encoding: .utf8)
        let failing = try spawn(UIPeer.sluice, ["job", "run", spec, "--flink", engine.rest])
        try #require(failing.status == 0, "sluice job run failed: \(failing.stderr)")
        try t.keys("5")
        try t.keys("/")
        for ch in "too-big" { try t.keys("-l", String(ch)) }
        try t.keys("Enter")
        #expect(try t.waitFor(timeout: 20) { s in s.split(separator: "\n").contains { $0.contains("too-big") && $0.contains("FAILED") } },
                "the failed job did not show:\n\((try? t.screen()) ?? "")")
        try t.keys("Enter", "e")
        #expect(try t.waitFor(timeout: 20) { s in s.contains("Exceptions") && s.contains("MESSAGE_TOO_LARGE") },
                "no exception with the engine's reason:\n\((try? t.screen()) ?? "")")
        // At 80×24 the detail keeps its essential columns.
        try t.keys("v")
        try t.resize(width: 80, height: 24)
        #expect(try t.waitFor(timeout: 10) { s in
            s.split(separator: "\n").contains { l in ["VERTEX", "BUSY", "BACKPRESSURED", "LEVEL"].allSatisfy { l.contains($0) } }
        }, "job detail at 80×24:\n\((try? t.screen()) ?? "")")
        try t.keys("q", "q")
        #expect(try t.waitFor(timeout: 5) { $0.contains("READY$") && (try? t.alternateScreenOn()) == false }, "console did not quit")
    }
}
