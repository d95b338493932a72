import Dataflow
import EngineCore
import EngineFixtures
import Foundation
import JobSpec
import Testing
@testable import DataflowRuntime

@Suite(.serialized) struct CheckpointTests {
    func spec(_ name: String, rate: Int, count: Int) -> String {
        """
        name: \(name)
        parallelism: 2
        source: {generator: {rate: \(rate), keys: 40, count: \(count), startTime: 0, timeStep: 1ms}}
        steps:
          - keyBy: key
          - window: {tumbling: 1s}
          - aggregate: {n: count(), total: sum(value)}
        sink: {topic: \(name)}
        """
    }

    func results(_ fx: EngineFixture, _ topic: String) async throws -> Set<String> {
        Set(try await fx.readAll(topic).compactMap(\.json).map { v in
            ["key", "windowStart", "n", "total"].map { v.lookup([$0])?.text ?? "?" }.joined(separator: " ")
        })
    }

    func waitFor(_ what: String, seconds: Double = 20, _ done: () -> Bool) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while !done() {
            guard Date() < deadline else { Issue.record("timed out waiting for \(what)"); return }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Checkpoints complete every interval, each a directory of state files under the job's,
    /// the newest `retained` kept; a checkpoint reads back whole, with the source's positions
    /// and the window's state for each subtask.
    @Test func checkpointsCompleteAndKeepTheNewest() async throws {
        let fx = try await EngineFixture.start()
        defer { Task { await fx.stop() } }
        let dir = fx.directory + "/checkpoints"
        let manager = JobManager(engine: fx.engine, checkpointDirectory: dir)
        var definition = try JobSpecParser.parse(spec("kept", rate: 20_000, count: 10_000_000))
        definition.checkpoints = .init(interval: 50, retained: 2)
        let job = try await manager.submit(definition)
        try await waitFor("4 checkpoints") { (job.checkpointStats?.completed ?? 0) >= 4 }
        job.cancel()  // stopped first: retention may not remove what is read below
        #expect(await job.waitUntilTerminal(timeout: 10))
        let stats = try #require(job.checkpointStats)
        let latest = try #require(stats.latestCompleted)
        #expect(latest.status == .completed && latest.numAcknowledged == 4 && latest.stateSize > 0)
        #expect(stats.history.first { $0.status == .completed }?.id ?? 0 >= 4)
        let loaded = try CheckpointStorage.read(try #require(latest.externalPath))
        #expect(loaded.metadata.checkpointId == latest.id)
        #expect(loaded.parts["source"]?.keys.sorted() == [0, 1], "both source subtasks' positions")
        let window = try #require(job.graph.vertices.flatMap(\.operators).first { $0.name.hasPrefix("Window") })
        #expect(loaded.parts[window.id]?.keys.sorted() == [0, 1], "both window subtasks' state")
        let kept = CheckpointStorage.checkpoints(in: dir + "/" + job.id)
        #expect(kept.count == 2, "the newest two are kept: \(kept.map(\.id))")
        await manager.shutdown()
    }

    /// A job stopped after a checkpoint and started again from it goes on where the checkpoint
    /// was: together the two runs' results are the uninterrupted run's (at least once: results
    /// after the checkpoint may come twice, always with the same values).
    @Test func aJobRestoredFromACheckpointGoesOnWithItsState() async throws {
        let fx = try await EngineFixture.start()
        defer { Task { await fx.stop() } }
        let manager = JobManager(engine: fx.engine, checkpointDirectory: fx.directory + "/checkpoints")
        let count = 120_000
        let reference = try await manager.submit(try JobSpecParser.parse(spec("reference", rate: 0, count: count)))
        #expect(await reference.waitUntilTerminal(timeout: 60))
        let expected = try await results(fx, "reference")
        #expect(expected.count > 40 * 100, "40 keys × 120 one-second windows")

        var definition = try JobSpecParser.parse(spec("restored", rate: 40_000, count: count))
        definition.checkpoints = .init(interval: 100)
        let first = try await manager.submit(definition)
        try await waitFor("a checkpoint") { (first.checkpointStats?.completed ?? 0) >= 2 }
        first.cancel()  // stopped first: a later checkpoint's retention may remove the one read below
        #expect(await first.waitUntilTerminal(timeout: 10))
        let path = try #require(first.checkpointStats?.latestCompleted?.externalPath)
        #expect(first.state == .canceled)
        let before = try await results(fx, "restored")
        #expect(before.count < expected.count, "stopped part way")

        let second = try await manager.submit(definition, restoreFrom: path)
        #expect(second.checkpointStats?.latestRestored?.externalPath == path)
        #expect(await second.waitUntilTerminal(timeout: 60))
        #expect(second.state == .finished)
        let read = second.vertices[0].subtasks.reduce(0) { $0 + $1.snapshot.recordsIn }
        #expect(read > 0 && read < Int64(count), "the restored run made only the events after the checkpoint (\(read))")
        let got = try await results(fx, "restored")
        #expect(got.count == expected.count && got.subtracting(expected).isEmpty,
                "\(got.subtracting(expected).count) results differ from the uninterrupted run, \(expected.subtracting(got).count) missing")
        await manager.shutdown()
    }

    /// Restoring state into a job without the operator it belongs to is refused, naming it,
    /// unless the caller accepts dropping it; a damaged file is refused with its path.
    @Test func aSnapshotThatDoesNotFitOrIsDamagedIsRefused() async throws {
        let fx = try await EngineFixture.start()
        defer { Task { await fx.stop() } }
        let manager = JobManager(engine: fx.engine, checkpointDirectory: fx.directory + "/checkpoints")
        var definition = try JobSpecParser.parse(spec("fits", rate: 20_000, count: 10_000_000))
        definition.checkpoints = .init(interval: 50)
        let job = try await manager.submit(definition)
        try await waitFor("a checkpoint") { (job.checkpointStats?.completed ?? 0) >= 1 }
        job.cancel()  // stopped first: a later checkpoint's retention may remove the one read below
        #expect(await job.waitUntilTerminal(timeout: 10))
        let path = try #require(job.checkpointStats?.latestCompleted?.externalPath)

        var changed = try JobSpecParser.parse(spec("fits", rate: 20_000, count: 1000).replacingOccurrences(of: "tumbling: 1s", with: "tumbling: 2s"))
        changed.checkpoints = .init(interval: 50)
        let refused = await #expect(throws: JobManager.SubmitError.self) { try await manager.submit(changed, restoreFrom: path) }
        #expect(refused?.description.contains("TumblingEventTimeWindows(1000)") == true, "\(refused?.description ?? "")")
        #expect(refused?.description.contains("allowNonRestoredState") == true)
        let allowed = try await manager.submit(changed, restoreFrom: path, allowNonRestoredState: true)
        #expect(await allowed.waitUntilTerminal(timeout: 20))

        let loaded = try CheckpointStorage.read(path)
        let victim = path + "/" + loaded.metadata.files[0].file
        let bytes = try #require(FileManager.default.contents(atPath: victim))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: victim))
        let damaged = await #expect(throws: JobManager.SubmitError.self) { try await manager.submit(definition, restoreFrom: path) }
        #expect(damaged?.description.contains(victim) == true && damaged?.description.contains("truncated") == true, "\(damaged?.description ?? "")")
        await manager.shutdown()
    }
}

@Suite(.serialized) struct SavepointTests {
    let helper = CheckpointTests()

    func waitForSavepoint(_ job: RunningJob, _ trigger: String) async throws -> String {
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            switch job.savepointStatus(trigger) {
            case .completed(let path)?: return path
            case .failed(let why)?: throw RuntimeFailure("savepoint failed: \(why)")
            case nil: throw RuntimeFailure("no such savepoint trigger")
            case .inProgress?: try await Task.sleep(for: .milliseconds(20))
            }
        }
        throw RuntimeFailure("savepoint not done within 20 s")
    }

    /// A savepoint of a job without periodic checkpoints lands in its own directory under the
    /// one asked for; the job goes on. Stopped with a savepoint, the job ends FINISHED exactly
    /// there, and a job started from it completes the uninterrupted run's results.
    @Test func aStoppedJobResumesFromItsSavepoint() async throws {
        let fx = try await EngineFixture.start()
        defer { Task { await fx.stop() } }
        let manager = JobManager(engine: fx.engine, checkpointDirectory: fx.directory + "/checkpoints")
        let count = 100_000
        let reference = try await manager.submit(try JobSpecParser.parse(helper.spec("reference", rate: 0, count: count)))
        #expect(await reference.waitUntilTerminal(timeout: 60))
        let expected = try await helper.results(fx, "reference")

        let definition = try JobSpecParser.parse(helper.spec("paused", rate: 40_000, count: count))
        let first = try await manager.submit(definition)
        try await helper.waitFor("events") { first.vertices[0].subtasks.allSatisfy { $0.snapshot.recordsIn > 1000 } }
        let target = fx.directory + "/savepoints"
        let plain = try await waitForSavepoint(first, try first.triggerSavepoint(directory: target))
        #expect(plain.hasPrefix(target + "/savepoint-") && FileManager.default.fileExists(atPath: plain + "/_metadata"))
        #expect(first.state == .running)
        #expect(first.checkpointStats?.latestSavepoint?.externalPath == plain)

        let stopPath = try await waitForSavepoint(first, try first.triggerSavepoint(directory: target, stop: true))
        #expect(await first.waitUntilTerminal(timeout: 10))
        #expect(first.state == .finished, "stop with savepoint ends the job FINISHED")
        let before = try await helper.results(fx, "paused")
        #expect(before.count < expected.count)

        let second = try await manager.submit(definition, restoreFrom: stopPath)
        #expect(await second.waitUntilTerminal(timeout: 60))
        #expect(second.state == .finished)
        let got = try await helper.results(fx, "paused")
        #expect(got.count == expected.count && got.subtracting(expected).isEmpty,
                "\(got.subtracting(expected).count) results differ from the uninterrupted run, \(expected.subtracting(got).count) missing")
    }

    /// `drain`: the final watermark goes first, so every event the sources sent is counted in a
    /// fired window; without it, windows still open at the stop do not fire.
    @Test(arguments: [true, false]) func drainFiresEveryWindowBeforeTheSavepoint(drain: Bool) async throws {
        let fx = try await EngineFixture.start()
        defer { Task { await fx.stop() } }
        let manager = JobManager(engine: fx.engine, checkpointDirectory: fx.directory + "/checkpoints")
        let job = try await manager.submit(try JobSpecParser.parse(helper.spec("drained", rate: 40_000, count: 10_000_000)))
        try await helper.waitFor("events") { job.vertices[0].subtasks.allSatisfy { $0.snapshot.recordsIn > 5000 } }
        let trigger = try job.triggerSavepoint(directory: fx.directory + "/sp", stop: true, drain: drain)
        do { _ = try await waitForSavepoint(job, trigger) } catch { Issue.record("\(error); job \(job.state): \(job.failures.map(\.message))"); return }
        #expect(await job.waitUntilTerminal(timeout: 10))
        let sent = job.vertices[0].subtasks.reduce(0) { $0 + $1.snapshot.recordsIn }
        let counted = try await fx.readAll("drained").compactMap { $0.json?.lookup(["n"])?.number }.reduce(0, +)
        if drain { #expect(Int64(counted) == sent, "every event sent is in a fired window") }
        else { #expect(Int64(counted) < sent, "the open windows did not fire") }
    }

    /// A savepoint is self-contained: copied to another directory (as to another machine) and
    /// the original removed, it restores there with its keyed state.
    @Test func aCopiedSavepointRestoresWithItsState() async throws {
        let fx = try await EngineFixture.start()
        defer { Task { await fx.stop() } }
        let manager = JobManager(engine: fx.engine, checkpointDirectory: fx.directory + "/checkpoints")
        let count = 60_000
        let reference = try await manager.submit(try JobSpecParser.parse(helper.spec("reference", rate: 0, count: count)))
        #expect(await reference.waitUntilTerminal(timeout: 60))
        let expected = try await helper.results(fx, "reference")

        let definition = try JobSpecParser.parse(helper.spec("moved", rate: 30_000, count: count))
        let first = try await manager.submit(definition)
        try await helper.waitFor("events") { first.vertices[0].subtasks.allSatisfy { $0.snapshot.recordsIn > 5000 } }
        let original = try await waitForSavepoint(first, try first.triggerSavepoint(directory: fx.directory + "/here", stop: true))
        #expect(await first.waitUntilTerminal(timeout: 10))
        let copy = fx.directory + "/elsewhere/copied-savepoint"
        try FileManager.default.createDirectory(atPath: fx.directory + "/elsewhere", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: original, toPath: copy)
        try FileManager.default.removeItem(atPath: original)

        let second = try await manager.submit(definition, restoreFrom: copy)
        #expect(second.checkpointStats?.latestRestored?.externalPath == copy)
        #expect(await second.waitUntilTerminal(timeout: 60))
        let read = second.vertices[0].subtasks.reduce(0) { $0 + $1.snapshot.recordsIn }
        #expect(read < Int64(count), "went on from the savepoint's positions (\(read) events made)")
        let got = try await helper.results(fx, "moved")
        #expect(got == expected, "\(got.subtracting(expected).count) differ, \(expected.subtracting(got).count) missing")
    }

    @Test func aSavepointDirectoryThatCannotBeMadeIsRefusedAtOnce() async throws {
        let fx = try await EngineFixture.start()
        defer { Task { await fx.stop() } }
        let manager = JobManager(engine: fx.engine, checkpointDirectory: fx.directory + "/checkpoints")
        let job = try await manager.submit(try JobSpecParser.parse(helper.spec("refused", rate: 1000, count: 10_000_000)))
        let file = fx.directory + "/a-file"
        FileManager.default.createFile(atPath: file, contents: Data("x".utf8))
        let under = #expect(throws: RunningJob.SavepointRefused.self) { try job.triggerSavepoint(directory: file + "/savepoints") }
        #expect(under?.description.contains(file) == true, "\(under?.description ?? "")")
        let relative = #expect(throws: RunningJob.SavepointRefused.self) { try job.triggerSavepoint(directory: "savepoints") }
        #expect(relative?.description.contains("absolute") == true)
        #expect(job.state == .running)
        await manager.shutdown()
    }
}

@Suite(.serialized) struct CheckpointFailureTests {
    let helper = CheckpointTests()

    /// A checkpoint that cannot be written fails with the cause and the job runs on (within its
    /// tolerable failures); once the storage is back, checkpoints complete. (A file stands where
    /// the checkpoint directory should be: nothing can be made under it.)
    @Test func anUnwritableCheckpointFailsWithItsCauseAndTheJobRunsOn() async throws {
        let fx = try await EngineFixture.start()
        defer { Task { await fx.stop() } }
        let root = fx.directory + "/checkpoints"
        FileManager.default.createFile(atPath: root, contents: Data("in the way".utf8))
        let manager = JobManager(engine: fx.engine, checkpointDirectory: root)
        var d = try JobSpecParser.parse(helper.spec("unwritable", rate: 20_000, count: 10_000_000))
        d.checkpoints = .init(interval: 50, tolerableFailures: 1000)
        let job = try await manager.submit(d)
        try await helper.waitFor("failed checkpoints") { (job.checkpointStats?.failed ?? 0) >= 2 }
        let failed = try #require(job.checkpointStats?.latestFailed)
        #expect(failed.failureMessage?.contains("could not be written") == true && failed.failureMessage?.contains(root) == true,
                "\(failed.failureMessage ?? "")")
        #expect(job.state == .running)
        try FileManager.default.removeItem(atPath: root)
        try await helper.waitFor("a completed checkpoint") { (job.checkpointStats?.completed ?? 0) >= 1 }
        #expect(job.state == .running && job.restarts == 0)
        job.cancel()
        #expect(await job.waitUntilTerminal(timeout: 10))
    }

    /// A full disk during a checkpoint: the kernel's ENOSPC (each state file of the first three
    /// checkpoints is a link to /dev/full, which takes nothing) fails the checkpoint with the path
    /// and "No space left on device"; the job runs on, and the next checkpoints complete.
    @Test func aFullDiskFailsTheCheckpointWithItsCauseAndTheJobRunsOn() async throws {
        let fx = try await EngineFixture.start()
        defer { Task { await fx.stop() } }
        let root = fx.directory + "/checkpoints"
        let id = "0000000000000000000000000000d15c"
        for chk in 1...3 {
            let dir = "\(root)/\(id)/chk-\(chk)"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: dir + "/_metadata.tmp", withDestinationPath: "/dev/full")
        }
        let manager = JobManager(engine: fx.engine, checkpointDirectory: root)
        var d = try JobSpecParser.parse(helper.spec("disk-full", rate: 20_000, count: 10_000_000))
        d.checkpoints = .init(interval: 50, tolerableFailures: 1000)
        let job = try await manager.submit(d, id: id)
        try await helper.waitFor("a completed checkpoint after the failed ones") { (job.checkpointStats?.completed ?? 0) >= 1 }
        let stats = try #require(job.checkpointStats)
        #expect(stats.failed == 3, "the three checkpoints written to a full disk failed")
        let failed = try #require(stats.latestFailed)
        #expect(failed.failureMessage?.contains("No space left on device") == true && failed.failureMessage?.contains("\(root)/\(id)/chk-") == true,
                "\(failed.failureMessage ?? "")")
        #expect(job.state == .running && job.restarts == 0)
        job.cancel()
        #expect(await job.waitUntilTerminal(timeout: 10))
    }

    /// Barriers stuck behind a step far slower than the timeout: the checkpoint expires with
    /// Flink's words, counted as failed, and the job runs on.
    @Test func aCheckpointThatCannotFinishInTimeExpires() async throws {
        let fx = try await EngineFixture.start()
        defer { Task { await fx.stop() } }
        let manager = JobManager(engine: fx.engine, checkpointDirectory: fx.directory + "/checkpoints")
        var d = try JobSpecParser.parse(helper.spec("stuck", rate: 2_000, count: 10_000_000))
        d.steps.insert(.init(.delay(microseconds: 200_000), chained: false), at: 1)
        d.checkpoints = .init(interval: 50, timeout: 150, tolerableFailures: 1000)
        let job = try await manager.submit(d)
        try await helper.waitFor("an expired checkpoint") { (job.checkpointStats?.failed ?? 0) >= 1 }
        #expect(job.checkpointStats?.latestFailed?.failureMessage == "Checkpoint expired before completing.")
        #expect(job.state == .running)
        job.cancel()
        #expect(await job.waitUntilTerminal(timeout: 10))
    }

    /// `delay: {expireCheckpoints: 2}` holds every second snapshot past the timeout: those
    /// checkpoints expire, the ones between complete, and the job runs on throughout.
    @Test func everyNthCheckpointExpiresAndTheOthersComplete() async throws {
        let fx = try await EngineFixture.start()
        defer { Task { await fx.stop() } }
        let manager = JobManager(engine: fx.engine, checkpointDirectory: fx.directory + "/checkpoints")
        let text = helper.spec("sometimes", rate: 2_000, count: 10_000_000).replacingOccurrences(
            of: "  - keyBy: key\n", with: "  - delay: {record: 0ms, expireCheckpoints: 2}\n  - keyBy: key\n")
            + "\ncheckpoints: {interval: 100ms, timeout: 300ms, tolerableFailures: 1000}\n"
        let job = try await manager.submit(try JobSpecParser.parse(text))
        try await helper.waitFor("an expired checkpoint followed by a completed one", seconds: 30) {
            guard let h = job.checkpointStats?.history, let failed = h.last(where: { $0.status == .failed }) else { return false }
            return h.contains { $0.status == .completed && $0.id > failed.id }
        }
        let stats = try #require(job.checkpointStats)
        #expect(stats.latestFailed?.failureMessage == "Checkpoint expired before completing.")
        #expect(stats.completed >= 1 && stats.failed >= 1)
        #expect(job.state == .running && job.restarts == 0)
        job.cancel()
        #expect(await job.waitUntilTerminal(timeout: 10))
    }

    @Test func pastTheTolerableFailuresTheJobFailsOver() async throws {
        let fx = try await EngineFixture.start()
        defer { Task { await fx.stop() } }
        let root = fx.directory + "/checkpoints"
        let manager = JobManager(engine: fx.engine, checkpointDirectory: root)
        var d = try JobSpecParser.parse(helper.spec("intolerant", rate: 20_000, count: 10_000_000))
        d.checkpoints = .init(interval: 50, tolerableFailures: 1)
        d.restart = JobDefinition.RestartStrategy.none
        FileManager.default.createFile(atPath: root, contents: Data("in the way".utf8))
        let job = try await manager.submit(d)
        #expect(await job.waitUntilTerminal(timeout: 20))
        #expect(job.state == .failed)
        #expect(job.failures.contains { $0.message.contains("tolerable failure threshold (1)") && $0.message.contains(root) }, "\(job.failures.map(\.message))")
    }
}
