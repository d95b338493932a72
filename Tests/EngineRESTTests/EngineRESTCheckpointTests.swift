import DataflowRuntime
import FlinkClient
import FlinkWire
import Foundation
import Testing
@testable import EngineREST

/// Checkpoints, savepoints, stop and run-from-savepoint of engine jobs through Flink's REST
/// paths, driven by FlinkClient as the console and `sluice job` drive Flink.
@Suite(.serialized) struct EngineRESTCheckpointTests {
    let base = EngineRESTTests()

    func spec(_ name: String, checkpoints: String = "checkpoints: {interval: 100ms, tolerableFailures: 2}") -> String {
        """
        name: \(name)
        parallelism: 2
        source: {generator: {rate: 20000, keys: 20, startTime: 0, timeStep: 1ms}}
        steps:
          - keyBy: key
          - window: {tumbling: 1s}
          - aggregate: {n: count()}
        sink: {topic: \(name)}
        \(checkpoints)
        """
    }

    func awaitLocation(_ r: EngineRESTTests.Running, job: String, request: String) async throws -> String? {
        try await base.eventually {
            switch try await r.client.savepointStatus(job: job, request: request) {
            case .completed(let location): return location
            case .failed(let cause): Issue.record("savepoint failed: \(cause)"); return ""
            case .inProgress: return nil
            }
        }
    }

    @Test func checkpointsSavepointsStopAndResumeThroughRest() async throws {
        let r = try await base.start()
        defer { Task { await r.stop() } }
        let path = try base.specFile(spec("rest-checkpoints"))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let jar = try await r.client.uploadJar(path: path)
        let jid = try await r.client.run(jar: jar, JarRun(parallelism: 2))

        let config = try await r.client.checkpointConfig(job: jid)
        #expect(config.interval == 100 && config.tolerableFailedCheckpoints == 2 && config.mode == "exactly_once")
        let stats = try await base.eventually { () -> CheckpointStatistics? in
            let s = try await r.client.checkpoints(job: jid)
            return s.counts.completed >= 2 ? s : nil
        }
        let completed = try #require(stats?.latest.completed)
        #expect(completed.status == "COMPLETED" && completed.numAcknowledgedSubtasks == 4 && (completed.stateSize ?? 0) > 0)
        #expect(completed.externalPath?.hasPrefix("file:" + r.fx.directory + "/checkpoints/\(jid)/chk-") == true, "Flink's file: form")

        // A savepoint to the engine's default directory, then stop with one to a chosen directory.
        let plain = try #require(try await awaitLocation(r, job: jid, request: try await r.client.triggerSavepoint(job: jid, targetDirectory: nil)))
        #expect(plain.hasPrefix("file:" + r.fx.directory + "/savepoints/savepoint-"))
        let target = r.fx.directory + "/chosen"
        let stopped = try #require(try await awaitLocation(r, job: jid, request: try await r.client.stopWithSavepoint(job: jid, targetDirectory: target, drain: false)))
        #expect(stopped.hasPrefix("file:" + target + "/savepoint-"))
        let finished = try await base.eventually { try await r.client.job(jid).state == .finished ? true : nil }
        #expect(finished == true)
        let after = try await r.client.checkpoints(job: jid)
        #expect(after.latest.savepoint?.externalPath == stopped && after.latest.savepoint?.isSavepoint == true)

        // Resumed from the savepoint: a new job that says where it was restored from.
        let resumed = try await r.client.run(jar: jar, JarRun(parallelism: 2, savepointPath: stopped))
        let restored = try await base.eventually { try await r.client.checkpoints(job: resumed).latest.restored }
        #expect(restored?.externalPath == stopped && restored?.isSavepoint == true)
        try await r.client.cancel(job: resumed)
    }

    /// Subtasks restoring state show INITIALIZING, as Flink's do, so "every subtask RUNNING"
    /// means restored (what make bench times).
    @Test func restoringSubtasksAreInitializing() {
        #expect(FlinkViews.tasks(jobStatus: "RUNNING", parallelism: 2, initializing: 1) == ("INITIALIZING", ["RUNNING": 1, "INITIALIZING": 1]))
        #expect(FlinkViews.tasks(jobStatus: "RUNNING", parallelism: 2, initializing: 2) == ("INITIALIZING", ["INITIALIZING": 2]))
        #expect(FlinkViews.tasks(jobStatus: "RUNNING", parallelism: 2, initializing: 0) == ("RUNNING", ["RUNNING": 2]))
        #expect(FlinkViews.tasks(jobStatus: "CANCELED", parallelism: 2, initializing: 2) == ("CANCELED", ["CANCELED": 2]), "only a running job's")
    }

    @Test func savepointRequestsThatCannotWorkAreRefusedWithTheReason() async throws {
        let r = try await base.start()
        defer { Task { await r.stop() } }
        let path = try base.specFile(spec("rest-refusals", checkpoints: ""))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let jar = try await r.client.uploadJar(path: path)
        let jid = try await r.client.run(jar: jar, JarRun(parallelism: 1))
        await #expect { try await r.client.checkpointConfig(job: jid) } throws: { ($0 as? FlinkClientError)?.status == 404 }
        await #expect { try await r.client.triggerSavepoint(job: jid, targetDirectory: "relative/dir") } throws: { error in
            (error as? FlinkClientError)?.status == 400 && "\(error)".contains("absolute")
        }
        await #expect { try await r.client.savepointStatus(job: jid, request: "0123456789abcdef0123456789abcdef") } throws: {
            ($0 as? FlinkClientError)?.status == 404
        }
        await #expect { try await r.client.run(jar: jar, JarRun(parallelism: 1, savepointPath: r.fx.directory + "/no-such-savepoint")) } throws: { error in
            (error as? FlinkClientError)?.status == 500 && "\(error)".contains("_metadata is missing")
        }
        try await r.client.cancel(job: jid)
    }
}
