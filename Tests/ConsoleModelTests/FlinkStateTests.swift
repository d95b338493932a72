import Testing
@testable import ConsoleModel

/// Backpressure levels, the bottleneck hint, checkpoint health and job alerts from synthetic readings.
@Suite struct FlinkStateTests {
    typealias V = FlinkSnapshot.Vertex

    /// source → counter → slow → window, shaped like a job whose "slow" operator cannot keep up.
    static func backpressuredJob(slowBusy: Double = 990) -> [V] {
        [V(id: "src", name: "Source: events", parallelism: 2, busyMsPerSecond: 0, backPressuredMsPerSecond: 900, idleMsPerSecond: 100),
         V(id: "cnt", name: "counter", parallelism: 2, inputs: ["src"], busyMsPerSecond: 60, backPressuredMsPerSecond: 850, idleMsPerSecond: 90),
         V(id: "slow", name: "slow", parallelism: 2, inputs: ["cnt"], busyMsPerSecond: slowBusy, backPressuredMsPerSecond: 0, idleMsPerSecond: 10),
         V(id: "win", name: "window", parallelism: 2, inputs: ["slow"], busyMsPerSecond: 5, backPressuredMsPerSecond: 0, idleMsPerSecond: 995)]
    }

    @Test func levelsFollowFlinksThresholds() {
        #expect(Backpressure(ratio: nil) == .unknown)
        #expect(Backpressure(ratio: 0.10) == .ok)
        #expect(Backpressure(ratio: 0.11) == .low)
        #expect(Backpressure(ratio: 0.50) == .low)
        #expect(Backpressure(ratio: 0.51) == .high)
    }

    @Test func bottleneckIsTheFirstBusyVertexBelowThePressure() {
        #expect(FlinkState.bottleneck(Self.backpressuredJob()) == "slow")
        // Listing order does not matter; depth from the sources does.
        #expect(FlinkState.bottleneck(Self.backpressuredJob().reversed()) == "slow")
        // Nobody busy: pressure without a culprit inside the job (a slow sink outside, say).
        #expect(FlinkState.bottleneck(Self.backpressuredJob(slowBusy: 100)) == nil)
        // No pressure at all.
        let calm = Self.backpressuredJob().map { v -> V in var v = v; v.backPressuredMsPerSecond = 0; return v }
        #expect(FlinkState.bottleneck(calm) == nil)
        // A cycle in inputs (malformed plan) neither hangs nor crashes.
        let cyclic = [V(id: "a", name: "a", parallelism: 1, inputs: ["b"], busyMsPerSecond: 900, backPressuredMsPerSecond: 900),
                      V(id: "b", name: "b", parallelism: 1, inputs: ["a"], busyMsPerSecond: 900, backPressuredMsPerSecond: 900)]
        #expect(FlinkState.bottleneck(cyclic) != nil)
    }

    static func checkpoints(_ history: [(Int64, String, Double, Int64)], failedMessage: String? = nil) -> FlinkSnapshot.Checkpoints {
        let cps = history.map { FlinkSnapshot.Checkpoint(id: $0.0, status: $0.1, triggerTime: $0.2, durationMs: $0.3,
                                                          failureMessage: $0.1 == "FAILED" ? failedMessage : nil) }
        return FlinkSnapshot.Checkpoints(total: cps.count, completed: cps.filter { $0.status == "COMPLETED" }.count,
                                         failed: cps.filter { $0.status == "FAILED" }.count,
                                         latestCompleted: cps.first { $0.status == "COMPLETED" }, latestFailed: cps.first { $0.status == "FAILED" },
                                         history: cps)
    }

    @Test func checkpointHealth() {
        // Every 5 s, newest completed 2 s ago: OK; the newest took 4× the median before it: slower.
        let ok = CheckpointHealth.evaluate(Self.checkpoints([(4, "COMPLETED", 97, 1000), (3, "COMPLETED", 92, 250), (2, "COMPLETED", 87, 200), (1, "COMPLETED", 82, 300)]),
                                           intervalMs: 5000, now: 100)
        #expect(ok.status == .ok && ok.consecutiveFailures == 0)
        #expect(ok.latestCompletedAge == 2)
        #expect(ok.durationTrend == 4)
        // One failure since: WARN with the cause; two: FAILING.
        let one = CheckpointHealth.evaluate(Self.checkpoints([(5, "FAILED", 99, 0), (4, "COMPLETED", 97, 1000)], failedMessage: "Checkpoint expired before completing."),
                                            intervalMs: 5000, now: 100)
        #expect(one.status == .warn && one.lastFailure == "Checkpoint expired before completing.")
        let two = CheckpointHealth.evaluate(Self.checkpoints([(6, "FAILED", 99, 0), (5, "FAILED", 94, 0), (4, "COMPLETED", 88, 1000)], failedMessage: "x"),
                                            intervalMs: 5000, now: 100)
        #expect(two.status == .failing && two.consecutiveFailures == 2)
        // Overdue without failures: WARN. Checkpointing off: nothing to judge.
        let late = CheckpointHealth.evaluate(Self.checkpoints([(4, "COMPLETED", 80, 1000)]), intervalMs: 5000, now: 100)
        #expect(late.status == .warn && late.lastFailure == nil)
        #expect(CheckpointHealth.evaluate(Self.checkpoints([]), intervalMs: Int64.max, now: 100).status == .none)
        // A young job with nothing completed has not had its first checkpoint yet — even with
        // Flink's always-failing first trigger counted (failed 1, no history entry).
        var young = Self.checkpoints([])
        young.failed = 1
        young.total = 1
        #expect(CheckpointHealth.evaluate(young, intervalMs: 5000, now: 100, jobStart: 97).status == .none)
        // The same job 30 s on, still without a completed checkpoint: failing (stuck behind backpressure, say).
        #expect(CheckpointHealth.evaluate(young, intervalMs: 5000, now: 130, jobStart: 97).status == .failing)
    }

    @Test func jobSummariesKeepDetailsAndRaiseAlerts() {
        var m = ConsoleModel()
        let job = FlinkSnapshot.Job(jid: "j1", name: "orders", state: "RUNNING", startTime: 10)
        let other = FlinkSnapshot.Job(jid: "j2", name: "billing", state: "RESTARTING", startTime: 5)
        let detail = FlinkSnapshot.JobDetail(jid: "j1", vertices: Self.backpressuredJob(),
                                             checkpoints: Self.checkpoints([(6, "FAILED", 99, 0), (5, "FAILED", 94, 0), (4, "COMPLETED", 88, 1000)], failedMessage: "Checkpoint expired before completing."),
                                             checkpointIntervalMs: 5000, restarts: 0)
        m.apply(.flink(FlinkSnapshot(time: 100, jobs: [job, other], details: [detail])))
        let j = try! #require(m.flink.job("j1"))
        #expect(j.bottleneck == "slow" && j.worstBackpressure == .high)
        #expect(j.vertices.first { $0.vertex.id == "src" }?.backpressure == .high)
        #expect(j.vertices.first { $0.vertex.id == "slow" }?.isBottleneck == true)
        #expect(j.checkpointHealth.status == .failing)
        #expect(m.flink.jobs.map(\.job.jid) == ["j1", "j2"])   // newest first
        let keys = Set(m.alerts.map(\.key))
        #expect(keys == ["job:j2", "checkpoint:j1", "backpressure:j1"])
        #expect(m.alerts.first { $0.key == "checkpoint:j1" }?.message.contains("Checkpoint expired before completing.") == true)
        // The next reading has no detail for j1: the last one is kept; a vanished job is dropped.
        m.apply(.flink(FlinkSnapshot(time: 102, jobs: [job])))
        #expect(m.flink.job("j1")?.detailTime == 100)
        #expect(m.flink.job("j2") == nil)
        // Flink going away is an alert of its own; the jobs stay on screen.
        m.apply(.flinkError(time: 104, message: "Flink at http://x unreachable: connection refused"))
        #expect(m.alerts.contains { $0.key == "flink" && $0.severity == .critical })
        #expect(m.flink.job("j1") != nil)
        // …and the next good reading clears it: Flink restarted, Sluice reconnected by itself.
        m.apply(.flink(FlinkSnapshot(time: 106, jobs: [job])))
        #expect(m.flink.connected && m.flink.disconnectedSince == nil)
        #expect(!m.alerts.contains { $0.key == "flink" })
    }
}
