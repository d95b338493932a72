import ConsoleModel
import Connectors
import FlinkClient
import Foundation
import Testing

/// The Flink connector and model against a real Flink 2.3 cluster: backpressure upstream of a
/// slow operator named as the bottleneck, a failed checkpoint with Flink's cause, the request budget.
@Suite(.serialized, .enabled(if: Peer.flinkEnabled)) struct FlinkPollerTests {
    func launch(_ client: FlinkClient, jar: String, _ args: [String]) async throws -> String {
        let id = try await client.uploadJar(path: jar)
        return try await client.run(jar: id, JarRun(arguments: args, parallelism: 2))
    }

    /// Reads until `done` holds for the model (or the deadline passes), the way the console would.
    func readUntil(_ poller: FlinkPoller, seconds: Double, _ done: (ConsoleModel) -> Bool) async throws -> ConsoleModel {
        var model = ConsoleModel()
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            model.apply(await poller.poll(now: { Date().timeIntervalSince1970 }))
            if done(model) { return model }
            try await Task.sleep(nanoseconds: 500_000_000)
        }
        return model
    }

    @Test func slowOperatorIsTheBottleneckAndItsUpstreamIsBackpressured() async throws {
        let (url, jar) = try Peer.requireFlink()
        let client = FlinkClient(baseURL: url)
        // "slow" takes 8 ms a record: 250 records/s at parallelism 2, against 2,000 offered.
        let jid = try await launch(client, jar: jar, ["--name", "it-backpressure", "--rate", "2000", "--slowMs", "8"])
        defer { Task { try? await client.cancel(job: jid) } }
        let poller = FlinkPoller(client: client)
        await poller.setFocus([jid])
        let model = try await readUntil(poller, seconds: 90) { m in
            guard let j = m.flink.job(jid) else { return false }
            return j.bottleneck == "slow" && j.vertices.first { $0.vertex.name == "counter" }?.backpressure == .high
        }
        let job = try #require(model.flink.job(jid))
        #expect(job.bottleneck == "slow", "vertices: \(job.vertices.map { ($0.vertex.name, $0.backpressure, $0.busyRatio ?? -1) })")
        #expect(job.vertices.first { $0.vertex.name == "counter" }?.backpressure == .high)
        #expect(job.vertices.first { $0.vertex.name == "slow" }?.isBottleneck == true)
        #expect((job.vertices.first { $0.vertex.name == "slow" }?.busyRatio ?? 0) >= 0.5)
        #expect(job.parallelism == 2)
        #expect(model.alerts.contains { $0.key == "backpressure:\(jid)" && $0.message.contains("bottleneck slow") })

        // The budget: overview + job list, then for the job in focus its detail, checkpoints,
        // restarts and 3 per vertex (the checkpoint config was read once already).
        // Other suites run jobs on the same cluster: one may start or end around the reading, so
        // the others are counted before and after it.
        let othersBefore = try await client.jobs().filter { !$0.state.isTerminal && $0.jid != jid }.count
        client.resetRequestCount()
        _ = await poller.poll(now: { Date().timeIntervalSince1970 })
        let counted = client.requestCount
        let others = max(othersBefore, try await client.jobs().filter { !$0.state.isTerminal && $0.jid != jid }.count)
        let vertices = job.vertices.count
        let expected = 2 + (3 + 3 * vertices) + (others > 0 ? 3 + 3 * vertices + 1 : 0)
        #expect(vertices == 4)
        #expect(others > 0 ? counted <= expected : counted == expected, "requests: \(counted)")
        try await client.cancel(job: jid)
    }

    @Test func failedCheckpointShowsFlinksCause() async throws {
        let (url, jar) = try Peer.requireFlink()
        let client = FlinkClient(baseURL: url)
        let jid = try await launch(client, jar: jar, ["--name", "it-checkpoint-fails", "--rate", "100", "--checkpointMs", "1000",
                                                      "--failCheckpoints", "true", "--checkpointTimeoutMs", "1500"])
        defer { Task { try? await client.cancel(job: jid) } }
        let poller = FlinkPoller(client: client)
        await poller.setFocus([jid])
        let model = try await readUntil(poller, seconds: 60) { m in
            m.flink.job(jid)?.checkpoints?.history.contains { $0.status == "FAILED" && $0.failureMessage != nil } ?? false
        }
        let job = try #require(model.flink.job(jid))
        let failed = try #require(job.checkpoints?.history.first { $0.status == "FAILED" })
        #expect(failed.failureMessage == "Checkpoint expired before completing.")
        #expect(job.checkpointHealth.status != .ok)
        #expect(job.checkpointHealth.lastFailure == "Checkpoint expired before completing.")
        #expect(job.job.state == "RUNNING")
        try await client.cancel(job: jid)
    }

    @Test func flinkDownIsAnErrorObservationNotACrash() async throws {
        let poller = FlinkPoller(client: FlinkClient(baseURL: "http://127.0.0.1:1", timeoutSeconds: 1))
        var model = ConsoleModel()
        let o = await poller.poll(now: { 10 })
        guard case let .flinkError(time, message) = o else { Issue.record("expected an error observation, got \(o)"); return }
        #expect(time == 10 && message.contains("unreachable"))
        model.apply(o)
        #expect(model.alerts.contains { $0.key == "flink" })
    }
}
