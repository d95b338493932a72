import FlinkClient
import Foundation
import Testing

/// `sluice job` against a real Flink 2.3 cluster running the project's test job
/// (scripts/flink-job): keyed counter state whose largest count is the metric counter.maxCount.
@Suite(.serialized, .enabled(if: Peer.flinkEnabled)) struct FlinkJobTests {
    /// A private job ledger per test, so runs never see each other's (or a user's) jobs.
    let state = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-flink-it-\(UUID().uuidString)").path

    func sluice(_ args: [String], timeout: Double = 120) throws -> ProcessResult {
        var env = ProcessInfo.processInfo.environment
        env["XDG_STATE_HOME"] = state
        return try run(Peer.sluice, ["job"] + args, timeout: timeout, environment: env)
    }

    /// Waits, with a deadline, until `/jobs/overview` shows `jid` in `state` with every task
    /// running (RUNNING) — the overview follows changes ~3 s sooner than `/jobs/:jid`.
    func waitFor(_ client: FlinkClient, _ jid: String, _ state: JobState, seconds: Double = 60) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        var last: JobOverview?
        while Date() < deadline {
            last = try await client.jobs().first { $0.jid == jid }
            if let j = last, j.state == state, state != .running || (j.tasks?["running"] ?? 0) == (j.tasks?["total"] ?? -1) { return }
            try await Task.sleep(nanoseconds: 200_000_000)
        }
        Issue.record("job \(jid) not \(state) within \(Int(seconds)) s (last: \(String(describing: last?.state)), tasks \(String(describing: last?.tasks)))")
        throw CancellationError()
    }

    /// counter.maxCount once Flink has a non-zero sample (it fetches metrics lazily, so the first
    /// answers after a start can be empty or zero).
    /// `/jobs/:jid`, read again while Flink still says its JobManager is initializing (HTTP 500).
    func detail(_ client: FlinkClient, _ jid: String, seconds: Double = 30) async throws -> JobDetail {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            do { return try await client.job(jid) } catch let e as FlinkClientError where e.status == 500 && Date() < deadline {
                try await Task.sleep(nanoseconds: 250_000_000)
            }
        }
    }

    func maxCount(_ client: FlinkClient, _ jid: String, seconds: Double = 60) async throws -> Double {
        let counter = try #require(try await detail(client, jid).vertices.first { $0.name == "counter" }, "no counter vertex")
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let m = try? await client.subtaskMetrics(job: jid, vertex: counter.id, names: ["counter.maxCount"])
            if let v = m?.first?.max, v > 0 { return v }
            try await Task.sleep(nanoseconds: 250_000_000)
        }
        Issue.record("counter.maxCount of \(jid) stayed 0 for \(Int(seconds)) s")
        throw CancellationError()
    }

    /// Launch → RUNNING → savepoint (files on disk) → pause (stop with savepoint) → resume from it
    /// with the counter's state restored → cancel, all through the CLI.
    @Test func launchSavepointPauseResumeCancelThroughTheCLI() async throws {
        let (url, jar) = try Peer.requireFlink()
        let client = FlinkClient(baseURL: url)
        let savepoints = state + "/savepoints"

        let launched = try sluice(["run", jar, "-p", "2", "--flink", url, "--", "--name", "it-lifecycle", "--rate", "1000", "--checkpointMs", "1000"])
        #expect(launched.status == 0, "run failed: \(launched.stderr)")
        let jid = launched.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(jid.count == 32)
        try await waitFor(client, jid, .running)
        _ = try await maxCount(client, jid)

        let sp = try sluice(["savepoint", jid, savepoints, "--flink", url, "--json"])
        #expect(sp.status == 0, "savepoint failed: \(sp.stderr)")
        let spDoc = try JSONSerialization.jsonObject(with: Data(sp.stdout.utf8)) as? [String: String]
        let location = try #require(spDoc?["savepoint"])
        #expect(location.hasPrefix("file:\(savepoints)/savepoint-"))
        #expect(FileManager.default.fileExists(atPath: String(location.dropFirst("file:".count)) + "/_metadata"), "no _metadata in \(location)")

        // Let the counts grow well past what a fresh start reaches before its first metric sample
        // (~62 records a second per key), so "carries on" cannot be confused with "started again".
        var before = try await maxCount(client, jid)
        let growDeadline = Date().addingTimeInterval(60)
        while before < 300 && Date() < growDeadline {
            try await Task.sleep(nanoseconds: 500_000_000)
            before = try await maxCount(client, jid)
        }
        #expect(before >= 300)
        let paused = try sluice(["stop", jid, "--savepointPath", savepoints, "--flink", url])
        #expect(paused.status == 0, "stop failed: \(paused.stderr)")
        let pausedAt = paused.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(FileManager.default.fileExists(atPath: String(pausedAt.dropFirst("file:".count)) + "/_metadata"))
        try await waitFor(client, jid, .finished)

        let resumed = try sluice(["resume", jid, "--flink", url])
        #expect(resumed.status == 0, "resume failed: \(resumed.stderr)")
        let newJid = resumed.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(newJid.count == 32 && newJid != jid)
        try await waitFor(client, newJid, .running)
        // Restored from the stop's savepoint, with the same parallelism and arguments. Right after
        // the switch to RUNNING, Flink can still answer "JobManager is initializing" (HTTP 500) here.
        var restored: CheckpointStatistics.Restored?
        let restoredBy = Date().addingTimeInterval(30)
        while restored == nil && Date() < restoredBy {
            restored = (try? await client.checkpoints(job: newJid))?.latest.restored
            if restored == nil { try await Task.sleep(nanoseconds: 250_000_000) }
        }
        #expect(restored?.isSavepoint == true)
        #expect(restored?.externalPath == pausedAt)
        #expect(try await detail(client, newJid).vertices.allSatisfy { $0.parallelism == 2 })
        // The counter carries on from its saved state instead of starting again at 1.
        let after = try await maxCount(client, newJid)
        #expect(after >= before, "counter restarted: \(after) after resume, \(before) before the pause")

        let cancelled = try sluice(["cancel", newJid, "--flink", url])
        #expect(cancelled.status == 0, "cancel failed: \(cancelled.stderr)")
        try await waitFor(client, newJid, .canceled)

        let list = try sluice(["list", "--flink", url, "--json"])
        #expect(list.status == 0)
        let jobs = try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]] ?? []
        #expect(jobs.first { $0["jid"] as? String == jid }?["state"] as? String == "FINISHED")
        #expect(jobs.first { $0["jid"] as? String == newJid }?["state"] as? String == "CANCELED")
    }

    /// Each bad input gets one clear line on stderr and the documented status, never a crash.
    @Test func badInputIsAClearErrorWithItsExitStatus() async throws {
        let (url, jar) = try Peer.requireFlink()
        let noFile = try sluice(["run", "/nonexistent/job.jar", "--flink", url])
        #expect(noFile.status == 2 && noFile.stderr.contains("no jar file at /nonexistent/job.jar"), "\(noFile)")

        let noJar = try sluice(["run", "nope.jar", "--flink", url])
        #expect(noJar.status == 1 && noJar.stderr.contains("does not exist"), "\(noJar)")

        let wrongClass = try sluice(["run", jar, "-c", "no.such.EntryClass", "--flink", url])
        #expect(wrongClass.status == 1 && wrongClass.stderr.contains("no.such.EntryClass"), "\(wrongClass)")
        #expect(!wrongClass.stderr.contains("\tat "), "a stack trace reached the terminal: \(wrongClass.stderr)")

        let noJob = try sluice(["savepoint", "00000000000000000000000000000000", "--flink", url])
        #expect(noJob.status == 2 && noJob.stderr.contains("no job 00000000000000000000000000000000 on Flink"), "\(noJob)")

        // A job that already finished cannot take a savepoint: Flink is not even asked.
        let bounded = try sluice(["run", jar, "--flink", url, "--", "--name", "it-bounded", "--count", "50", "--rate", "1000"])
        let done = bounded.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(bounded.status == 0)
        try await waitFor(FlinkClient(baseURL: url), done, .finished)
        let late = try sluice(["savepoint", done, "--flink", url])
        #expect(late.status == 1 && late.stderr.contains("is FINISHED, not running"), "\(late)")

        let unknown = try sluice(["resume", "0123456789abcdef0123456789abcdef", "--flink", url])
        #expect(unknown.status == 2 && unknown.stderr.contains("no record of job"), "\(unknown)")

        let down = try sluice(["list", "--flink", "http://127.0.0.1:1", "--request-timeout", "1"])
        #expect(down.status == 2 && down.stderr.contains("unreachable"), "\(down)")
    }
}
