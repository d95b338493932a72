import Dataflow
import DataflowRuntime
import EngineCore
import EngineFixtures
import FlinkClient
import Foundation
import JobSpec
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import Testing
@testable import EngineREST

/// The engine's REST front read and driven by FlinkClient — the same client the console and
/// `sluice job` use against Flink — with an engine, its jobs and the server in-process.
@Suite(.serialized) struct EngineRESTTests {
    struct Running {
        let fx: EngineFixture
        let jobs: JobManager
        let server: EngineRESTServer
        let client: FlinkClient
        let specs: String
        func stop() async {
            await server.stop()
            await jobs.shutdown()
            await fx.stop()
            try? FileManager.default.removeItem(atPath: specs)
        }
    }

    func start(host: String = "127.0.0.1", token: String? = nil, clientToken: String? = nil) async throws -> Running {
        let fx = try await EngineFixture.start()
        let jobs = JobManager(engine: fx.engine, checkpointDirectory: fx.directory + "/checkpoints", savepointDirectory: fx.directory + "/savepoints")
        let specs = FileManager.default.temporaryDirectory.appendingPathComponent("specs-\(UUID().uuidString)").path
        let server = try await EngineRESTServer.start(.init(host: host, port: 0, token: token, specDirectory: specs, slots: 4), jobs: jobs,
                                                      samples: SampleJobs.all, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        return Running(fx: fx, jobs: jobs, server: server, client: FlinkClient(baseURL: "http://127.0.0.1:\(server.port)", bearerToken: clientToken),
                       specs: specs)
    }

    func specFile(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("spec-\(UUID().uuidString).yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Polls `body` until it gives a value or `seconds` pass.
    func eventually<T>(_ seconds: Double = 15, _ body: () async throws -> T?) async throws -> T? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let v = try await body() { return v }
            try await Task.sleep(for: .milliseconds(100))
        }
        return nil
    }

    /// The samples the engine ships (and `make demo` runs) are valid specs that plan.
    @Test(arguments: SampleJobs.all.map(\.id)) func everySampleParsesAndPlans(id: String) throws {
        let text = try #require(SampleJobs.all.first { $0.id == id }?.text)
        let job = try JobSpecParser.parse(text)
        #expect(try JobGraph(job).vertices.count >= 1)
        #expect("sample_\(job.name).yaml" == id, "a sample's id names its job")
    }

    @Test func aSlowSinkJobIsListedDetailedAndShowsHighBackpressureUpstream() async throws {
        let r = try await start()
        defer { Task { await r.stop() } }
        let jars = try await r.client.jars()
        #expect(Set(jars.map(\.id)).isSuperset(of: ["sample_revenue-per-customer.yaml", "sample_orders-enriched.yaml", "sample_dedupe-events.yaml", "sample_slow-sink.yaml"]))
        let path = try specFile("""
        name: throttled
        source: {generator: {rate: 0, keys: 20}}
        steps:
          - keyBy: key
        sink: {topic: throttled-out, throttle: 50/s}
        """)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let jar = try await r.client.uploadJar(path: path)
        #expect(jar.hasSuffix("_throttled.yaml"))
        #expect(try await r.client.jars().contains { $0.id == jar })
        let jid = try await r.client.run(jar: jar, JarRun(parallelism: 2))
        let listed = try await r.client.jobs()
        #expect(listed.first { $0.jid == jid }?.state == .running)
        let detail = try await r.client.job(jid)
        #expect(detail.vertices.map(\.name) == ["Source: generator", "Sink: throttled-out"])
        #expect(detail.vertices.allSatisfy { $0.parallelism == 2 })
        let plan = try #require(detail.plan)
        #expect(plan.nodes.last?.inputs?.first?.id == detail.vertices[0].id && plan.nodes.last?.inputs?.first?.shipStrategy == "HASH")
        let source = detail.vertices[0].id, sink = detail.vertices[1].id
        let high = try await eventually { () -> VertexBackpressure? in
            let b = try await r.client.backpressure(job: jid, vertex: source)
            return b.level == .high ? b : nil
        }
        #expect(high?.subtasks?.count == 2)
        let sinkMetrics = try await r.client.subtaskMetrics(job: jid, vertex: sink, names: ["busyTimeMsPerSecond", "numRecordsInPerSecond"])
        #expect((sinkMetrics.first { $0.id == "busyTimeMsPerSecond" }?.max ?? 0) > 500, "the sink is busy: \(sinkMetrics)")
        #expect(try await r.client.backpressure(job: jid, vertex: sink).level == .ok)
        let overview = try await r.client.overview()
        #expect(overview.jobsRunning == 1 && overview.flinkVersion?.contains("sluice engine") == true)
        try await r.client.cancel(job: jid)
        let state = try await eventually { () -> JobState? in
            let s = try await r.client.job(jid).state
            return s.isTerminal ? s : nil
        }
        #expect(state == .canceled)
    }

    @Test func badSpecsAndRunsAreRefusedWithTheReason() async throws {
        let r = try await start()
        defer { Task { await r.stop() } }
        let bad = try specFile("name: x\nsource: {topic: t}\nsink: {topic: o}\nsteps:\n  - filter: \"amount >\"\n")
        defer { try? FileManager.default.removeItem(atPath: bad) }
        await #expect { try await r.client.uploadJar(path: bad) } throws: { error in
            guard let e = error as? FlinkClientError, e.status == 400 else { return false }
            return "\(e)".contains("line 5") && "\(e)".contains("expected a value")
        }
        let unknown = try specFile("name: reads-nothing\nsource: {topic: no-such-topic}\nsink: {topic: o}\n")
        defer { try? FileManager.default.removeItem(atPath: unknown) }
        let jar = try await r.client.uploadJar(path: unknown)
        // A run that cannot start is Flink's HTTP 500 with the reason; a malformed request is 400.
        await #expect { try await r.client.run(jar: jar, JarRun(parallelism: 1)) } throws: { error in
            guard let e = error as? FlinkClientError, e.status == 500 else { return false }
            return "\(e)".contains("topic 'no-such-topic' does not exist")
        }
        await #expect { try await r.client.run(jar: "nope.yaml", JarRun(parallelism: 1)) } throws: { error in
            guard let e = error as? FlinkClientError, e.status == 500 else { return false }
            return "\(e)".contains("job spec 'nope.yaml' does not exist")
        }
        await #expect { try await r.client.run(jar: jar, JarRun(entryClass: "no.such.Main", parallelism: 1)) } throws: { error in
            guard let e = error as? FlinkClientError, e.status == 500 else { return false }
            return "\(e)".contains("no entry class: drop -c no.such.Main")
        }
        await #expect { try await r.client.run(jar: jar, JarRun(parallelism: 0)) } throws: { error in
            (error as? FlinkClientError)?.status == 400
        }
        await #expect { try await r.client.job("0123456789abcdef0123456789abcdef") } throws: { error in
            (error as? FlinkClientError)?.status == 404
        }
        #expect(try await r.client.jobs().isEmpty)
    }

    @Test func aFailingJobShowsItsExceptionAndTheEngineServesOn() async throws {
        let r = try await start()
        defer { Task { await r.stop() } }
        try await r.fx.engine.createTopic("tiny", partitions: 1, configs: ["max.message.bytes": "100"])
        let path = try specFile("name: too-big\nsource: {generator: {rate: 100/s, keys: 5}}\nsink: {topic: tiny}\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let jid = try await r.client.run(jar: try await r.client.uploadJar(path: path), JarRun(parallelism: 1))
        let failed = try await eventually { () -> JobState? in
            let s = try await r.client.job(jid).state
            return s == .failed ? s : nil
        }
        #expect(failed == .failed)
        let history = try await r.client.exceptions(job: jid)
        #expect(history.entries.first?.stacktrace?.contains("MESSAGE_TOO_LARGE") == true, "\(history)")
        #expect(history.entries.first?.taskName?.contains("Sink: tiny") == true)
        #expect(try await r.client.overview().jobsFailed == 1)
        #expect(try await r.client.jars().count >= 5, "the server answers after the failure")
    }

    @Test func beyondLoopbackChangesNeedTheToken() async throws {
        let bare = try await EngineFixture.start()
        await #expect(throws: EngineRESTServer.StartError.self) {
            _ = try await EngineRESTServer.start(.init(host: "0.0.0.0", port: 0, token: nil), jobs: JobManager(engine: bare.engine),
                                                 samples: [], logger: Logger(label: "t"))
        }
        await bare.stop()
        let r = try await start(host: "0.0.0.0", token: "s3cret")
        defer { Task { await r.stop() } }
        #expect(try await r.client.jars().count == SampleJobs.all.count, "reading needs no token")
        await #expect { try await r.client.run(jar: "sample_dedupe-events.yaml", JarRun(parallelism: 1)) } throws: { error in
            (error as? FlinkClientError)?.status == 401
        }
        let withToken = FlinkClient(baseURL: "http://127.0.0.1:\(r.server.port)", bearerToken: "s3cret")
        let jid = try await withToken.run(jar: "sample_dedupe-events.yaml", JarRun(parallelism: 1))
        #expect(try await withToken.job(jid).state == .running)
    }

    @Test func prometheusMetricsNameEveryRunningSubtask() async throws {
        let r = try await start()
        defer { Task { await r.stop() } }
        let jid = try await r.client.run(jar: "sample_dedupe-events.yaml", JarRun(parallelism: 1))
        let (data, _) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(r.server.port)/metrics")!)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("sluice_job_up{job=\"dedupe-events\",job_id=\"\(jid)\",state=\"RUNNING\"} 1"))
        #expect(text.contains("sluice_task_records_in_total{job=\"dedupe-events\",job_id=\"\(jid)\",vertex=\"Source: generator\",subtask=\"0\"}"))
    }
}
