import Dataflow
import EngineFixtures
import Foundation
import JobSpec
import Testing
@testable import DataflowRuntime

/// The exactly-once topic sink: results become visible to `read_committed` readers when the
/// checkpoint holding them completes, and a restart from a checkpoint neither loses nor repeats
/// any of them.
@Suite(.serialized) struct ExactlyOnceTests {
    let helper = CheckpointTests()
    let restart = RestartTests()

    func results(_ fx: EngineFixture, _ topic: String) async throws -> [String] {
        try await fx.readAll(topic, committed: true).compactMap(\.json).map { v in
            ["key", "windowStart", "n", "total"].map { v.lookup([$0])?.text ?? "?" }.joined(separator: " ")
        }.sorted()
    }

    @Test func aRestartedJobCommitsEachResultOnce() async throws {
        let fx = try await EngineFixture.start()
        defer { Task { await fx.stop() } }
        let manager = JobManager(engine: fx.engine, checkpointDirectory: fx.directory + "/checkpoints")
        let count = 60_000
        let ref = try await manager.submit(try JobSpecParser.parse(helper.spec("reference", rate: 0, count: count)))
        #expect(await ref.waitUntilTerminal(timeout: 60))
        let expected = try await results(fx, "reference")

        // Fails twice, in the window's vertex (on a result), so results written since the last
        // checkpoint are in the aborted transaction; both restarts restore the same checkpoint
        // or a later one.
        var d = try JobSpecParser.parse(helper.spec("exactly", rate: 30_000, count: count))
        let broken = Broken()
        d.steps.append(.init(.function(name: "Fragile") { v in
            if case .int(let start)? = v.lookup(["windowStart"]), start == 21_000 || start == 42_000, broken.first(start) { throw RestartTests.Boom() }
            return v
        }))
        d.checkpoints = .init(interval: 400, retained: 3)
        d.sink.exactlyOnce = true
        d.restart = .fixedDelay(attempts: 3, delay: 50)
        let job = try await manager.submit(d)
        #expect(await job.waitUntilTerminal(timeout: 60))
        #expect(job.state == .finished && job.restarts == 2, "\(job.state), \(job.restarts) restarts: \(job.failures.map(\.message))")
        let all = try await fx.readAll("exactly")
        let got = try await results(fx, "exactly")
        // Results the failed attempts wrote after their last checkpoint are in the log, aborted
        // (none when a failure came right after a checkpoint).
        #expect(all.count >= got.count, "\(all.count) written, \(got.count) committed")
        #expect(got == expected, "\(got.count) committed results, \(expected.count) expected; each once; first extra \(Set(got).subtracting(expected).sorted().prefix(3)), first missing \(Set(expected).subtracting(got).sorted().prefix(3))")
    }

    @Test func resultsAreInvisibleUntilTheirCheckpointCompletes() async throws {
        let fx = try await EngineFixture.start()
        defer { Task { await fx.stop() } }
        let manager = JobManager(engine: fx.engine, checkpointDirectory: fx.directory + "/checkpoints")
        var d = try JobSpecParser.parse(helper.spec("pending", rate: 50_000, count: 10_000_000))
        d.sink.exactlyOnce = true
        d.checkpoints = .init(interval: 60_000)  // none completes during the test
        let job = try await manager.submit(d)
        _ = try await fx.readUntil("pending") { $0.count > 50 }
        #expect(try await fx.readAll("pending").count > 50, "results are written")
        #expect(try await fx.readAll("pending", committed: true).isEmpty, "but not committed")
        let trigger = try job.triggerSavepoint(directory: fx.directory + "/sp")
        _ = try await SavepointTests().waitForSavepoint(job, trigger)
        let visible = try await committedSoon(fx, "pending")
        #expect(!visible.isEmpty, "a completed savepoint commits what it holds")
        job.cancel()
        #expect(await job.waitUntilTerminal(timeout: 10))
    }

    /// Each window breaks the job once, whichever subtask meets it first.
    final class Broken: @unchecked Sendable {
        private let lock = NSLock()
        private var seen: Set<Int64> = []
        func first(_ start: Int64) -> Bool { lock.withLock { seen.insert(start).inserted } }
    }

    /// Polls the committed records of `topic` until there are some (at most 10 s).
    func committedSoon(_ fx: EngineFixture, _ topic: String) async throws -> [EngineFixture.Read] {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            let r = try await fx.readAll(topic, committed: true)
            if !r.isEmpty { return r }
            try await Task.sleep(for: .milliseconds(20))
        }
        return []
    }

    @Test func anExactlyOnceSinkNeedsCheckpoints() async throws {
        let fx = try await EngineFixture.start()
        defer { Task { await fx.stop() } }
        let manager = JobManager(engine: fx.engine, checkpointDirectory: fx.directory + "/checkpoints")
        var d = try JobSpecParser.parse(helper.spec("nocheckpoints", rate: 1000, count: 100))
        d.sink.exactlyOnce = true
        let e = await #expect(throws: JobManager.SubmitError.self) { try await manager.submit(d) }
        #expect(e?.description.contains("add checkpoints") == true)
    }
}
