import ConsoleModel
import Connectors
import Foundation
import Testing
@testable import FlinkClient

/// The Flink connector against Flink's quirks, reproduced by a scripted server.
@Suite struct FlinkPollerQuirksTests {
    static let overview = #"{"taskmanagers":1,"slots-total":4,"slots-available":2,"jobs-running":1,"jobs-finished":0,"jobs-cancelled":0,"jobs-failed":0,"flink-version":"2.3.0"}"#

    static func job(_ jid: String, state: String) -> String {
        """
        {"jid":"\(jid)","name":"j","state":"\(state)","vertices":[
          {"id":"v1","name":"Source","parallelism":2,"status":"RUNNING"},
          {"id":"v2","name":"slow","parallelism":2,"status":"RUNNING"}],
         "plan":{"nodes":[{"id":"v1"},{"id":"v2","inputs":[{"id":"v1"}]}]}}
        """
    }

    /// Answers like Flink: `jobsOverview` gives the list; `/jobs/:jid` what `detail` says; metrics
    /// from `metrics` (zeros until `warm`).
    static func flink(jobsOverview: String, detail: @escaping @Sendable (String) -> (Int, String), warm: @escaping @Sendable () -> Bool) async throws -> FakeFlink {
        try await FakeFlink { r in
            let path = r.uri.split(separator: "?").first.map(String.init) ?? r.uri
            let parts = path.split(separator: "/").map(String.init)
            switch true {
            case path == "/overview": return .json(200, Self.overview)
            case path == "/jobs/overview": return .json(200, jobsOverview)
            case parts.count == 2 && parts[0] == "jobs": return .json(detail(parts[1]).0, detail(parts[1]).1)
            case path.hasSuffix("/checkpoints"):
                return .json(200, #"{"counts":{"restored":0,"total":1,"in_progress":0,"completed":0,"failed":1},"latest":{},"history":[]}"#)
            case path.hasSuffix("/checkpoints/config"): return .json(200, #"{"interval":5000}"#)
            case path.hasSuffix("/metrics") && parts.count == 3: return .json(200, #"[{"id":"numRestarts","value":"0"}]"#)
            case path.hasSuffix("/subtasks/metrics"):
                let busy = warm() ? (parts[3] == "v2" ? 990.0 : 0) : 0
                let bp = warm() ? (parts[3] == "v1" ? 900.0 : 0) : 0
                let idle = warm() ? 1000 - busy - bp : 0
                return .json(200, #"[{"id":"busyTimeMsPerSecond","max":\#(busy)},{"id":"backPressuredTimeMsPerSecond","max":\#(bp)},{"id":"idleTimeMsPerSecond","avg":\#(idle)},{"id":"numRecordsInPerSecond","sum":\#(warm() ? 250 : 0)}]"#)
            case path.hasSuffix("/backpressure"): return .json(200, #"{"status":"deprecated"}"#)
            case path.hasSuffix("/watermarks"): return .json(200, #"[{"id":"0.currentInputWatermark","value":"-9223372036854775808"}]"#)
            default: return .json(404, #"{"errors":["Not found"]}"#)
            }
        }
    }

    @Test func firstZeroMetricsAreUnknownThenReal() async throws {
        let warm = Flag()
        let f = try await Self.flink(jobsOverview: #"{"jobs":[{"jid":"aa","name":"j","state":"RUNNING","start-time":1000}]}"#,
                                     detail: { (200, Self.job($0, state: "RUNNING")) }, warm: { warm.value })
        let poller = FlinkPoller(client: FlinkClient(baseURL: f.url))
        await poller.setFocus(["aa"])
        var m = ConsoleModel()
        m.apply(await poller.poll(now: { 100 }))
        var j = try #require(m.flink.job("aa"))
        #expect(j.vertices.map(\.busyRatio) == [nil, nil])         // not "0 % busy"
        #expect(j.vertices.map(\.backpressure) == [.unknown, .unknown])
        #expect(j.bottleneck == nil)
        warm.value = true
        m.apply(await poller.poll(now: { 102 }))
        j = try #require(m.flink.job("aa"))
        #expect(j.vertices.map(\.backpressure) == [.high, .ok])
        #expect(j.bottleneck == "slow")
        await f.stop()
    }

    @Test func stateComesFromTheOverviewNotTheTrailingJobDetail() async throws {
        // 2 s after a cancel, /jobs/:jid still says RUNNING while /jobs/overview says CANCELED.
        let f = try await Self.flink(jobsOverview: #"{"jobs":[{"jid":"aa","name":"j","state":"CANCELED","start-time":1000,"end-time":90000}]}"#,
                                     detail: { (200, Self.job($0, state: "RUNNING")) }, warm: { true })
        let poller = FlinkPoller(client: FlinkClient(baseURL: f.url))
        await poller.setFocus(["aa"])
        var m = ConsoleModel()
        m.apply(await poller.poll(now: { 100 }))
        let j = try #require(m.flink.job("aa"))
        #expect(j.job.state == "CANCELED")
        #expect(j.worstBackpressure == .unknown && j.bottleneck == nil)
        #expect(!m.alerts.contains { $0.key.hasPrefix("backpressure:") })
        await f.stop()
    }

    @Test func jobVanishingBetweenListAndDetailIsNotAnError() async throws {
        let f = try await Self.flink(jobsOverview: #"{"jobs":[{"jid":"aa","name":"j","state":"RUNNING","start-time":1000}]}"#,
                                     detail: { _ in (404, #"{"errors":["org.apache.flink.runtime.rest.NotFoundException: Job aa not found"]}"#) },
                                     warm: { true })
        let poller = FlinkPoller(client: FlinkClient(baseURL: f.url))
        await poller.setFocus(["aa"])
        let o = await poller.poll(now: { 100 })
        guard case let .flink(s) = o else { Issue.record("expected a reading, got \(o)"); return }
        #expect(s.details.isEmpty && s.errors.isEmpty && s.jobs.count == 1)
        await f.stop()
    }

    @Test func requestBudgetPerReading() async throws {
        let f = try await Self.flink(jobsOverview: #"{"jobs":[{"jid":"aa","name":"j","state":"RUNNING"},{"jid":"bb","name":"k","state":"RUNNING"},{"jid":"cc","name":"l","state":"FINISHED"}]}"#,
                                     detail: { (200, Self.job($0, state: "RUNNING")) }, warm: { true })
        let client = FlinkClient(baseURL: f.url)
        let poller = FlinkPoller(client: client)
        await poller.setFocus(["aa"])
        _ = await poller.poll(now: { 100 })
        // overview + list; aa in focus and bb in turn: each job, checkpoints, config, restarts, 3 × 2 vertices.
        #expect(client.requestCount == 2 + 2 * (4 + 3 * 2))
        client.resetRequestCount()
        _ = await poller.poll(now: { 102 })
        // The checkpoint config is read once per job; the finished job is never read in detail.
        #expect(client.requestCount == 2 + 2 * (3 + 3 * 2))
        await f.stop()
    }
}

final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var v = false
    var value: Bool {
        get { lock.lock(); defer { lock.unlock() }; return v }
        set { lock.lock(); v = newValue; lock.unlock() }
    }
}
