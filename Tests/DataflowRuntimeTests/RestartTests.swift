import Dataflow
import EngineFixtures
import Foundation
import JobSpec
import Testing
@testable import DataflowRuntime

/// A failing task restarts the job from its latest checkpoint as its restart strategy allows;
/// past the strategy's attempts the job fails with the cause.
@Suite(.serialized) struct RestartTests {
    let helper = CheckpointTests()

    final class Trips: @unchecked Sendable {
        private let lock = NSLock()
        private var left: Int
        private(set) var directory: String?
        init(_ n: Int) { left = n }
        /// True (once per trip left) when the step should throw now.
        func trip() -> Bool { lock.withLock { if left > 0 { left -= 1; return true }; return false } }
    }
    struct Boom: Error, CustomStringConvertible { var description: String { "the step broke" } }

    /// The window job with a step that throws at `seq` while `trips` has trips left.
    func definition(_ name: String, rate: Int, count: Int, trips: Trips, at seq: Int64,
                    before: @escaping @Sendable () -> Void = {}) throws -> JobDefinition {
        var d = try JobSpecParser.parse(helper.spec(name, rate: rate, count: count))
        d.steps.insert(.init(.function(name: "Fragile") { v in
            if case .int(let n)? = v.lookup(["seq"]), n >= seq, trips.trip() { before(); throw Boom() }
            return v
        }), at: 0)
        d.checkpoints = .init(interval: 50, retained: 3)
        return d
    }

    @Test func aFailedTaskRestartsFromTheLatestCheckpointAndTheResultsAreWhole() async throws {
        let fx = try await EngineFixture.start()
        defer { Task { await fx.stop() } }
        let manager = JobManager(engine: fx.engine, checkpointDirectory: fx.directory + "/checkpoints")
        let count = 60_000
        var reference = try JobSpecParser.parse(helper.spec("reference", rate: 0, count: count))
        reference.steps.insert(.init(.function(name: "Fragile") { $0 }), at: 0)
        let ref = try await manager.submit(reference)
        #expect(await ref.waitUntilTerminal(timeout: 60))
        let expected = try await helper.results(fx, "reference")

        var d = try definition("restarted", rate: 30_000, count: count, trips: Trips(1), at: 30_000)
        d.restart = .fixedDelay(attempts: 3, delay: 100)
        let job = try await manager.submit(d)
        #expect(await job.waitUntilTerminal(timeout: 60))
        #expect(job.state == .finished)
        #expect(job.restarts == 1)
        #expect(job.failures.map(\.message) == ["the step broke"])
        #expect(job.checkpointStats?.latestRestored != nil, "restored from a checkpoint, not from the start")
        let got = try await helper.results(fx, "restarted")
        #expect(got == expected, "\(got.subtracting(expected).count) differ, \(expected.subtracting(got).count) missing")
    }

    @Test func pastTheStrategysAttemptsTheJobFailsWithTheCause() async throws {
        let fx = try await EngineFixture.start()
        defer { Task { await fx.stop() } }
        let manager = JobManager(engine: fx.engine, checkpointDirectory: fx.directory + "/checkpoints")
        var d = try definition("doomed", rate: 20_000, count: 10_000_000, trips: Trips(.max), at: 100)
        d.restart = .fixedDelay(attempts: 2, delay: 50)
        let job = try await manager.submit(d)
        #expect(await job.waitUntilTerminal(timeout: 30))
        #expect(job.state == .failed)
        #expect(job.restarts == 2)
        #expect(job.failures.count >= 3 && job.failures.allSatisfy { $0.message == "the step broke" && $0.task.contains("Fragile") })
    }

    /// The newest checkpoint is damaged when the task fails: the restart says so, uses the one
    /// before it, and the results are still whole.
    @Test func aDamagedCheckpointIsSkippedForThePreviousOne() async throws {
        let fx = try await EngineFixture.start()
        defer { Task { await fx.stop() } }
        let root = fx.directory + "/checkpoints"
        let manager = JobManager(engine: fx.engine, checkpointDirectory: root)
        let count = 60_000
        let ref = try await manager.submit(try JobSpecParser.parse(helper.spec("reference", rate: 0, count: count)))
        #expect(await ref.waitUntilTerminal(timeout: 60))
        let expected = try await helper.results(fx, "reference")

        let damaged = DamagedPath()
        var d = try definition("damaged", rate: 30_000, count: count, trips: Trips(1), at: 30_000) {
            // Just before the failure: cut the newest checkpoint's first state file in half.
            guard let job = (try? FileManager.default.contentsOfDirectory(atPath: root))?.first(where: { $0.count == 32 }),
                  let newest = CheckpointStorage.checkpoints(in: root + "/" + job).first,
                  let meta = try? CheckpointStorage.read(newest.path).metadata, let file = meta.files.first else { return }
            let path = newest.path + "/" + file.file
            if let bytes = FileManager.default.contents(atPath: path) { try? bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: path)) }
            damaged.set(path)
        }
        d.restart = .fixedDelay(attempts: 1, delay: 10)
        let job = try await manager.submit(d)
        #expect(await job.waitUntilTerminal(timeout: 60))
        #expect(job.state == .finished && job.restarts == 1)
        let path = try #require(damaged.get(), "a checkpoint was damaged")
        let restoredFrom = try #require(job.checkpointStats?.latestRestored?.externalPath)
        #expect(!path.hasPrefix(restoredFrom + "/"), "the damaged one was not restored")
        // A checkpoint in flight may complete between the damage and the failure, and then the
        // restart needs no older one; otherwise it says why it skipped the damaged one.
        func id(_ p: String) -> Int64 { Int64(p.components(separatedBy: "/chk-").last?.split(separator: "/").first ?? "") ?? -1 }
        if id(restoredFrom) < id(path) {
            #expect(job.failures.contains { $0.message.contains("not usable") && $0.message.contains(path) }, "\(job.failures.map(\.message))")
        }
        let got = try await helper.results(fx, "damaged")
        #expect(got == expected, "\(got.subtracting(expected).count) differ, \(expected.subtracting(got).count) missing")
    }

    final class DamagedPath: @unchecked Sendable {
        private let lock = NSLock()
        private var path: String?
        func set(_ p: String) { lock.withLock { path = p } }
        func get() -> String? { lock.withLock { path } }
    }

    /// The newest snapshot that reads back whole is chosen; each damaged one before it is named.
    @Test func theNewestReadableCheckpointIsChosen() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("chk-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for id: Int64 in 1...3 {
            _ = try CheckpointStorage.write([.init(owner: "op", name: "Op", subtask: 0, parallelism: 1, state: Array(repeating: UInt8(id), count: 100))],
                                           job: "j", checkpointId: id, timestamp: id, isSavepoint: false, to: dir + "/chk-\(id)")
        }
        let newest = dir + "/chk-3/op-0", middle = dir + "/chk-2/op-0"
        try Data(repeating: 9, count: 100).write(to: URL(fileURLWithPath: newest))  // same size, wrong checksum
        try Data(repeating: 2, count: 10).write(to: URL(fileURLWithPath: middle))   // truncated
        let (chosen, unusable) = CheckpointStorage.newestReadable(CheckpointStorage.checkpoints(in: dir).map(\.path))
        #expect(chosen?.metadata.checkpointId == 1)
        #expect(unusable.count == 2 && unusable[0].contains(newest) && unusable[0].contains("checksum") && unusable[1].contains(middle) && unusable[1].contains("truncated"),
                "\(unusable)")
        let (none, all) = CheckpointStorage.newestReadable([dir + "/chk-9"])
        #expect(none == nil && all.count == 1 && all[0].contains("_metadata is missing"))
    }

    @Test func restartDelays() {
        let fixed = JobDefinition.RestartStrategy.fixedDelay(attempts: 2, delay: 500)
        #expect([1, 2, 3].map { fixed.delay(beforeAttempt: $0) } == [500, 500, nil])
        let exp = JobDefinition.RestartStrategy.exponentialDelay(initialDelay: 100, maxDelay: 1000, multiplier: 2, resetAfter: 60_000, attempts: 6)
        #expect((1...7).map { exp.delay(beforeAttempt: $0) } == [100, 200, 400, 800, 1000, 1000, nil])
        #expect(JobDefinition.RestartStrategy.none.delay(beforeAttempt: 1) == nil)
    }
}
