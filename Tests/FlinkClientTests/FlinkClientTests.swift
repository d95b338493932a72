import Foundation
import Testing
@testable import FlinkClient

/// The client against a scripted server speaking Flink's REST shapes (as Flink 2.3 sends them).
@Suite struct FlinkClientTests {
    static let job = "77ae129715510a68ca133d61c910867c"

    static let jobDetail = """
    {"jid":"77ae129715510a68ca133d61c910867c","name":"bp","isStoppable":false,"state":"RUNNING","start-time":1795850067801,
     "end-time":-1,"duration":22799,"now":1795850090600,"some-future-field":{"x":1},
     "vertices":[{"id":"0c80f7e50ab54b30f6a2580946f9e942","name":"Source: events","maxParallelism":128,"parallelism":2,
       "status":"RUNNING","start-time":1795850068335,"end-time":-1,"duration":22265,"tasks":{"RUNNING":2,"FAILED":0},
       "metrics":{"read-bytes":0,"read-bytes-complete":true,"write-records":3014,"accumulated-backpressured-time":9175,
                  "accumulated-idle-time":"10480","accumulated-busy-time":"NaN"}}],
     "plan":{"jid":"x","name":"bp","type":"STREAMING","nodes":[{"id":"2c893a3eb04f42bf85ab34544f6f051f","parallelism":2,
       "description":"slow","inputs":[{"id":"0c80f7e50ab54b30f6a2580946f9e942","num":0,"exchange":"pipelined_bounded","ship_strategy":"HASH"}]}]}}
    """

    @Test func decodesJobDetailToleratingUnknownFields() async throws {
        let flink = try await FakeFlink { r in r.uri == "/jobs/\(Self.job)" ? .json(200, Self.jobDetail) : .json(404, #"{"errors":["Not found: /x"]}"#) }
        let c = FlinkClient(baseURL: flink.url + "/")
        let j = try await c.job(Self.job)
        #expect(j.state == .running && !j.state.isTerminal)
        #expect(j.vertices.first?.parallelism == 2)
        #expect(j.vertices.first?.metrics?.writeRecords == 3014)
        #expect(j.vertices.first?.metrics?.accumulatedBackpressuredTime == 9175)
        // Flink sends a metric it cannot compute yet as "NaN", and some as numeric strings.
        #expect(j.vertices.first?.metrics?.accumulatedBusyTime == nil)
        #expect(j.vertices.first?.metrics?.accumulatedIdleTime == 10480)
        #expect(j.plan?.nodes.first?.inputs?.first?.shipStrategy == "HASH")
        #expect(c.requestCount == 1)
        await flink.stop()
    }

    @Test func backpressureNotYetSampledIsDeprecatedAndUnknownLevelsAreTolerated() async throws {
        let flink = try await FakeFlink { r in
            if r.uri.hasSuffix("/v1/backpressure") { return .json(200, #"{"status":"deprecated"}"#) }
            if r.uri.hasSuffix("/v2/backpressure") {
                return .json(200, #"{"status":"ok","backpressureLevel":"high","end-timestamp":5,"subtasks":[{"subtask":0,"backpressureLevel":"high","ratio":0.9,"idleRatio":0.1,"busyRatio":0.0},{"subtask":1,"backpressureLevel":"extreme","ratio":1.0}]}"#)
            }
            return .json(404, "{}")
        }
        let c = FlinkClient(baseURL: flink.url)
        let none = try await c.backpressure(job: Self.job, vertex: "v1")
        #expect(!none.isSampled && none.level == nil)
        let high = try await c.backpressure(job: Self.job, vertex: "v2")
        #expect(high.isSampled && high.level == .high)
        #expect(high.subtasks?.map(\.level) == [.high, nil])
        await flink.stop()
    }

    @Test func watermarksAreStringsAndMinValueMeansNone() async throws {
        let flink = try await FakeFlink { _ in
            .json(200, #"[{"id":"0.currentInputWatermark","value":"1795850087728"},{"id":"1.currentInputWatermark","value":"-9223372036854775808"}]"#)
        }
        let w = try await FlinkClient(baseURL: flink.url).watermarks(job: Self.job, vertex: "v")
        #expect(w.map(\.milliseconds) == [1795850087728, nil])
        await flink.stop()
    }

    @Test func checkpointsWithAFailedLatestAndHistory() async throws {
        let body = """
        {"counts":{"restored":1,"total":6,"in_progress":0,"completed":2,"failed":4},"summary":{},
         "latest":{"completed":{"className":"completed","id":11,"status":"COMPLETED","is_savepoint":false,"trigger_timestamp":10,
                                "latest_ack_timestamp":12,"end_to_end_duration":2195,"state_size":8664,"checkpointed_size":8664,
                                "num_subtasks":8,"num_acknowledged_subtasks":8,"external_path":"file:/cp/chk-11"},
                   "savepoint":null,
                   "failed":{"className":"failed","id":12,"status":"FAILED","failure_timestamp":20,"failure_message":"Checkpoint expired before completing.",
                             "num_subtasks":8,"num_acknowledged_subtasks":7},
                   "restored":{"id":8,"restore_timestamp":3,"is_savepoint":true,"external_path":"file:/sp/savepoint-1"}},
         "history":[{"id":12,"status":"FAILED","failure_message":"Checkpoint expired before completing."},{"id":11,"status":"COMPLETED"}]}
        """
        let flink = try await FakeFlink { _ in .json(200, body) }
        let s = try await FlinkClient(baseURL: flink.url).checkpoints(job: Self.job)
        #expect(s.counts.failed == 4 && s.counts.inProgress == 0)
        #expect(s.latest.failed?.failureMessage == "Checkpoint expired before completing.")
        #expect(s.latest.restored?.isSavepoint == true)
        #expect(s.history.map(\.id) == [12, 11])
        await flink.stop()
    }

    @Test func flinkErrorsBecomeTypedErrorsWithTheTellingLine() async throws {
        let notFound = #"{"errors":["org.apache.flink.runtime.rest.NotFoundException: Job 00 not found\n\tat org.apache.flink.X.y(X.java:1)\nCaused by: org.apache.flink.runtime.messages.FlinkJobNotFoundException: Could not find Flink job (00)\n\tat z"]}"#
        let noJar = #"{"errors":["Internal server error.","<Exception on server side:\njava.util.concurrent.CompletionException: org.apache.flink.runtime.rest.handler.RestHandlerException: Jar file /tmp/up/nope.jar does not exist\n\tat a.b(C.java:1)\n\nEnd of exception on server side>"]}"#
        let flink = try await FakeFlink { r in
            if r.uri.hasPrefix("/jars/") { return .json(500, noJar) }
            return .json(404, notFound)
        }
        let c = FlinkClient(baseURL: flink.url)
        await #expect { _ = try await c.job("00") } throws: { e in
            guard let e = e as? FlinkClientError, e.status == 404 else { return false }
            return e.description == "Flink GET /jobs/00 failed (HTTP 404): Could not find Flink job (00)"
        }
        await #expect { _ = try await c.run(jar: "nope.jar", JarRun(parallelism: 2)) } throws: { e in
            "\(e)" == "Flink POST /jars/nope.jar/run failed (HTTP 500): Jar file /tmp/up/nope.jar does not exist"
        }
        await flink.stop()
    }

    @Test func malformedJsonUnreachableAndSilentFlink() async throws {
        let flink = try await FakeFlink { r in r.uri == "/overview" ? .json(200, #"{"taskmanagers":"two"}"#) : .silence }
        let c = FlinkClient(baseURL: flink.url, timeoutSeconds: 0.5)
        await #expect { _ = try await c.overview() } throws: { e in
            guard case let .malformed(path, detail)? = e as? FlinkClientError else { return false }
            return path == "/overview" && detail.contains("taskmanagers")
        }
        let started = Date()
        await #expect { _ = try await c.jobs() } throws: { e in
            if case let .timeout(_, seconds)? = e as? FlinkClientError { return seconds == 0.5 }
            return false
        }
        // The reason names the configured deadline; the elapsed bound only rules out a hang
        // (a loaded CI run took 3.4 s to report a 0.5 s deadline).
        #expect(Date().timeIntervalSince(started) < 10)
        let port = flink.port
        await flink.stop()
        // AsyncHTTPClient retries a refused connection until the deadline, then reports why.
        await #expect { _ = try await FlinkClient(baseURL: "127.0.0.1:\(port)", timeoutSeconds: 1).overview() } throws: { e in
            guard case let .unreachable(url, reason)? = e as? FlinkClientError else { return false }
            return url == "http://127.0.0.1:\(port)" && reason == "connection refused"
        }
    }

    @Test func savepointProgressInProgressCompletedAndFailed() async throws {
        let flink = try await FakeFlink { r in
            switch r.uri.split(separator: "/").last.map(String.init) {
            case "t1": return .json(200, #"{"status":{"id":"IN_PROGRESS"},"operation":null}"#)
            case "t2": return .json(200, #"{"status":{"id":"COMPLETED"},"operation":{"location":"file:/sp/savepoint-32b0f9-23ea"}}"#)
            default:
                return .json(200, #"{"status":{"id":"COMPLETED"},"operation":{"failure-cause":{"class":"java.util.concurrent.CompletionException","stack-trace":"java.util.concurrent.CompletionException: org.apache.flink.runtime.messages.FlinkJobNotFoundException: Could not find Flink job (x)\n\tat a"}}}"#)
            }
        }
        let c = FlinkClient(baseURL: flink.url)
        #expect(try await c.savepointStatus(job: Self.job, request: "t1") == .inProgress)
        #expect(try await c.savepointStatus(job: Self.job, request: "t2") == .completed(location: "file:/sp/savepoint-32b0f9-23ea"))
        #expect(try await c.savepointStatus(job: Self.job, request: "t3") == .failed(cause: "Could not find Flink job (x)"))
        await flink.stop()
    }

    @Test func actionsSendWhatFlinkExpects() async throws {
        let seen = RequestLog()
        let flink = try await FakeFlink { r in
            seen.append(r)
            switch (r.method, r.uri) {
            case ("POST", "/jars/upload"): return .json(200, #"{"filename":"/tmp/up/flink-web-upload/abc_job.jar","status":"success"}"#)
            case ("POST", "/jars/abc_job.jar/run"): return .json(200, #"{"jobid":"\#(Self.job)"}"#)
            case ("POST", "/jobs/\(Self.job)/savepoints"), ("POST", "/jobs/\(Self.job)/stop"): return .json(202, #"{"request-id":"r1"}"#)
            case ("PATCH", "/jobs/\(Self.job)?mode=cancel"): return .json(202, "{}")
            default: return .json(404, #"{"errors":["Unable to load requested file \#(r.uri)."]}"#)
            }
        }
        let c = FlinkClient(baseURL: flink.url)
        let jar = NSTemporaryDirectory() + "/sluice-test-\(UUID().uuidString).jar"
        try Data([0x50, 0x4B, 3, 4, 1, 2, 3]).write(to: URL(fileURLWithPath: jar))
        defer { try? FileManager.default.removeItem(atPath: jar) }
        #expect(try await c.uploadJar(path: jar) == "abc_job.jar")
        #expect(try await c.run(jar: "abc_job.jar", JarRun(entryClass: "a.B", arguments: ["--rate", "5"], parallelism: 2,
                                                          savepointPath: "file:/sp/1", allowNonRestoredState: true)) == Self.job)
        #expect(try await c.triggerSavepoint(job: Self.job, targetDirectory: "/sp") == "r1")
        #expect(try await c.stopWithSavepoint(job: Self.job, targetDirectory: "/sp", drain: true) == "r1")
        try await c.cancel(job: Self.job)
        let log = seen.all
        #expect(log[0].contentType?.hasPrefix("multipart/form-data; boundary=") == true)
        #expect(String(decoding: log[0].body, as: UTF8.self).contains(#"name="jarfile""#))
        let run = try JSONSerialization.jsonObject(with: log[1].body) as? [String: Any]
        #expect(run?["entryClass"] as? String == "a.B" && run?["parallelism"] as? Int == 2)
        #expect(run?["programArgsList"] as? [String] == ["--rate", "5"] && run?["savepointPath"] as? String == "file:/sp/1")
        #expect(run?["allowNonRestoredState"] as? Bool == true)
        let sp = try JSONSerialization.jsonObject(with: log[2].body) as? [String: Any]
        #expect(sp?["target-directory"] as? String == "/sp" && sp?["cancel-job"] as? Bool == false)
        let stop = try JSONSerialization.jsonObject(with: log[3].body) as? [String: Any]
        #expect(stop?["targetDirectory"] as? String == "/sp" && stop?["drain"] as? Bool == true)
        #expect(log[4].method == "PATCH")
        await flink.stop()
    }

    @Test func badInputIsRefusedBeforeAnythingIsSent() async throws {
        let c = FlinkClient(baseURL: "http://127.0.0.1:1")
        await #expect { _ = try await c.job("../../etc") } throws: { e in "\(e)".contains("not a Flink id") }
        await #expect { _ = try await c.uploadJar(path: "/nonexistent/job.jar") } throws: { e in "\(e)".contains("no readable jar at /nonexistent/job.jar") }
        let notJar = NSTemporaryDirectory() + "/sluice-notjar-\(UUID().uuidString).jar"
        try Data("hello".utf8).write(to: URL(fileURLWithPath: notJar))
        defer { try? FileManager.default.removeItem(atPath: notJar) }
        await #expect { _ = try await c.uploadJar(path: notJar) } throws: { e in "\(e)".contains("is not a jar") }
        #expect(c.requestCount == 0)
    }

    @Test func summaryPicksTheDeepestCause() {
        #expect(FlinkClientError.summary(["a.b.C: outer\n\tat x\nCaused by: d.e.F: middle\nCaused by: g.h.I$J: the root"]) == "the root")
        #expect(FlinkClientError.summary(["Unable to load requested file /nope."]) == "Unable to load requested file /nope.")
        #expect(FlinkClientError.summary([]) == "")
    }
}

/// Requests seen by a fake server, from its event loop.
final class RequestLog: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [FakeFlink.Request] = []
    func append(_ r: FakeFlink.Request) { lock.lock(); items.append(r); lock.unlock() }
    var all: [FakeFlink.Request] { lock.lock(); defer { lock.unlock() }; return items }
}
