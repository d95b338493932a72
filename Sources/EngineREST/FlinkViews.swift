import Dataflow
import Foundation
import DataflowRuntime
import FlinkWire

/// Engine jobs as Flink's REST API shows jobs: the same answers, from the shared wire types,
/// so FlinkClient (and the console) read the engine as they read Flink.
struct FlinkViews {
    let rates: MetricRates
    static let version = "2.3 (sluice engine)"

    static func state(_ s: RunningJob.State) -> JobState { JobState(s.rawValue) }

    static func now() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    func overview(_ jobs: [RunningJob], slots: Int) -> ClusterOverview {
        let states = jobs.map(\.state)
        let running = jobs.filter { !$0.state.isTerminal }
        let used = running.reduce(0) { $0 + ($1.vertices.map(\.vertex.parallelism).max() ?? 0) }
        return ClusterOverview(taskManagers: 1, slotsTotal: slots, slotsAvailable: max(0, slots - used),
                               jobsRunning: states.filter { !$0.isTerminal }.count, jobsFinished: states.filter { $0 == .finished }.count,
                               jobsCancelled: states.filter { $0 == .canceled }.count, jobsFailed: states.filter { $0 == .failed }.count,
                               flinkVersion: Self.version)
    }

    func jobOverview(_ job: RunningJob) -> JobOverview {
        let now = Self.now()
        let end = job.endTime
        return JobOverview(jid: job.id, name: job.name, state: Self.state(job.state), startTime: job.startTime, endTime: end,
                           duration: (end > 0 ? end : now) - job.startTime, lastModification: end > 0 ? end : job.startTime,
                           tasks: taskCounts(job))
    }

    private func taskCounts(_ job: RunningJob) -> [String: Int] {
        let n = job.vertices.reduce(0) { $0 + $1.vertex.parallelism }
        let key: String
        switch job.state {
        case .running, .created: key = "running"
        case .finished: key = "finished"
        case .failed, .failing: key = "failed"
        case .canceled, .cancelling: key = "canceled"
        case .restarting: key = "canceled"  // the failed attempt's tasks, as Flink counts them while it restarts
        }
        var out = ["running": 0, "finished": 0, "failed": 0, "canceled": 0, "total": n]
        out[key] = n
        return out
    }

    /// A vertex's status and task counts: subtasks of a running job still restoring state are
    /// INITIALIZING, as Flink's are (and the vertex with them).
    static func tasks(jobStatus: String, parallelism: Int, initializing: Int) -> (String, [String: Int]) {
        let n = jobStatus == "RUNNING" ? min(initializing, parallelism) : 0
        var tasks = [jobStatus: parallelism - n]
        if n > 0 { tasks["INITIALIZING"] = n }
        if tasks[jobStatus] == 0 { tasks[jobStatus] = nil }
        return (n > 0 ? "INITIALIZING" : jobStatus, tasks)
    }

    func detail(_ job: RunningJob) -> JobDetail {
        let now = Self.now()
        let end = job.endTime
        let status = job.state == .created ? "CREATED" : job.state.rawValue
        let vertices = job.vertices.map { v -> JobDetail.Vertex in
            let totals = v.subtasks.map(\.snapshot)
            let elapsedMs = Double(max(1, (end > 0 ? end : now) - job.startTime))
            let idle = totals.reduce(0.0) { $0 + Double($1.idleNanos) / 1e6 } / Double(max(1, totals.count))
            let bp = totals.reduce(0.0) { $0 + Double($1.backpressuredNanos) / 1e6 } / Double(max(1, totals.count))
            let metrics = JobDetail.Metrics(readRecords: totals.reduce(0) { $0 + $1.recordsIn }, writeRecords: totals.reduce(0) { $0 + $1.recordsOut },
                                            readBytes: nil, writeBytes: nil, accumulatedBackpressuredTime: bp, accumulatedIdleTime: idle,
                                            accumulatedBusyTime: max(0, elapsedMs - idle - bp))
            let (vertexStatus, tasks) = Self.tasks(jobStatus: status, parallelism: v.vertex.parallelism, initializing: totals.filter(\.initializing).count)
            return JobDetail.Vertex(id: v.vertex.id, name: v.vertex.name, parallelism: v.vertex.parallelism, maxParallelism: 128,
                                    status: vertexStatus, startTime: job.startTime, duration: (end > 0 ? end : now) - job.startTime,
                                    tasks: tasks, metrics: metrics)
        }
        let nodes = job.vertices.map { v in
            JobDetail.Plan.Node(id: v.vertex.id, parallelism: v.vertex.parallelism, description: v.vertex.name,
                                inputs: v.vertex.inputs.enumerated().map { i, input in
                                    JobDetail.Plan.Input(id: job.vertices[input.vertex].vertex.id, num: i, shipStrategy: input.partitioning.rawValue,
                                                         exchange: "pipelined_bounded")
                                })
        }
        return JobDetail(jid: job.id, name: job.name, state: Self.state(job.state), startTime: job.startTime, endTime: end,
                         duration: (end > 0 ? end : now) - job.startTime, now: now, vertices: vertices, plan: JobDetail.Plan(nodes: nodes))
    }

    /// Flink's levels: ratio ≤ 0.10 OK, ≤ 0.5 LOW, above HIGH.
    static func level(_ ratio: Double) -> BackpressureLevel { ratio <= 0.10 ? .ok : (ratio <= 0.5 ? .low : .high) }

    func backpressure(_ v: RunningJob.VertexRuntime) -> VertexBackpressure {
        let subtasks = v.subtasks.enumerated().map { i, m -> VertexBackpressure.Subtask in
            let r = rates.rates(m)
            let ratio = r.backPressuredMsPerSecond / 1000
            return .init(subtask: i, level: Self.level(ratio), ratio: ratio, idleRatio: r.idleMsPerSecond / 1000, busyRatio: r.busyMsPerSecond / 1000)
        }
        let worst = subtasks.compactMap(\.ratio).max() ?? 0
        return VertexBackpressure(status: "ok", level: Self.level(worst), endTimestamp: Self.now(), subtasks: subtasks)
    }

    /// `/subtasks/metrics?get=…`: min, max, avg and sum over the vertex's subtasks.
    func subtaskMetrics(_ v: RunningJob.VertexRuntime, names: [String]) -> [AggregatedMetric] {
        let perSubtask = v.subtasks.map { m -> [String: Double] in
            let r = rates.rates(m)
            let c = r.counters
            return c.operatorMetrics.merging(["busyTimeMsPerSecond": r.busyMsPerSecond, "backPressuredTimeMsPerSecond": r.backPressuredMsPerSecond,
                    "idleTimeMsPerSecond": r.idleMsPerSecond, "numRecordsInPerSecond": r.recordsInPerSecond,
                    "numRecordsOutPerSecond": r.recordsOutPerSecond, "numRecordsIn": Double(c.recordsIn), "numRecordsOut": Double(c.recordsOut),
                    "currentInputWatermark": Double(c.inputWatermark), "currentOutputWatermark": Double(c.outputWatermark),
                    "stateSize": Double(c.stateBytes), "numDeadLetters": Double(c.deadLetters),
                    "numLateRecordsDropped": Double(c.lateRecordsDropped), "numLateRecordsToSideOutput": Double(c.lateRecordsToSideOutput),
                    "inPoolUsage": Double(c.inputQueued) / Double(max(1, c.inputCapacity))]) { _, builtIn in builtIn }
        }
        let known = names.isEmpty ? Array(perSubtask.first?.keys.sorted() ?? []) : names
        return known.compactMap { name in
            let values = perSubtask.compactMap { $0[name] }
            guard !values.isEmpty else { return nil }
            return AggregatedMetric(id: name, min: values.min(), max: values.max(), avg: values.reduce(0, +) / Double(values.count),
                                    sum: values.reduce(0, +))
        }
    }

    /// `/watermarks`: each subtask's input watermark, as `<subtask>.currentInputWatermark`.
    func watermarks(_ v: RunningJob.VertexRuntime) -> [WatermarkMetric] {
        v.subtasks.enumerated().map { i, m in WatermarkMetric(id: "\(i).currentInputWatermark", value: String(m.snapshot.inputWatermark)) }
    }

    /// `/jobs/:jid/metrics?get=…`: restarts and uptime.
    func jobMetrics(_ job: RunningJob, names: [String]) -> [JobMetric] {
        let values: [String: String] = [
            "numRestarts": "\(job.restarts)",
            "uptime": job.state == .running ? String(Self.now() - job.startTime) : "0",
            "downtime": "0",
        ]
        return (names.isEmpty ? values.keys.sorted() : names).compactMap { n in values[n].map { JobMetric(id: n, value: $0) } }
    }

    func exceptions(_ job: RunningJob, max: Int) -> ExceptionHistory {
        let all = job.failures.reversed().map {
            ExceptionHistory.Entry(exceptionName: "JobFailure", stacktrace: $0.message, timestamp: $0.time, taskName: $0.task, endpoint: "engine")
        }
        return ExceptionHistory(entries: Array(all.prefix(max)), truncated: all.count > max)
    }

    func checkpoints(_ job: RunningJob) -> CheckpointStatistics {
        let s = job.checkpointStats ?? CheckpointStats()
        func wire(_ e: CheckpointStats.Entry) -> CheckpointStatistics.Checkpoint {
            CheckpointStatistics.Checkpoint(
                id: e.id, status: e.status.rawValue, isSavepoint: e.isSavepoint, triggerTimestamp: e.triggerTimestamp,
                latestAckTimestamp: e.latestAckTimestamp, failureTimestamp: e.status == .failed ? e.endTimestamp : nil,
                failureMessage: e.failureMessage, endToEndDuration: e.endToEndDuration, stateSize: e.stateSize, checkpointedSize: e.stateSize,
                numSubtasks: e.numSubtasks, numAcknowledgedSubtasks: e.numAcknowledged, externalPath: e.externalPath.map(Self.uri),
                checkpointType: e.isSavepoint ? "SAVEPOINT" : "CHECKPOINT")
        }
        return CheckpointStatistics(
            counts: .init(restored: s.restored, total: s.total, inProgress: s.inProgress, completed: s.completed, failed: s.failed),
            latest: .init(completed: s.latestCompleted.map(wire), savepoint: s.latestSavepoint.map(wire), failed: s.latestFailed.map(wire),
                          restored: s.latestRestored.map { .init(id: $0.id, restoreTimestamp: $0.restoreTimestamp, isSavepoint: $0.isSavepoint, externalPath: Self.uri($0.externalPath)) }),
            history: s.history.map(wire))
    }

    /// A snapshot's place as Flink writes it (`file:/…`), so clients that read Flink's paths read
    /// the engine's the same way; ``path(_:)`` takes either form back.
    static func uri(_ path: String) -> String { path.hasPrefix("/") ? "file:" + path : path }

    static func path(_ given: String) -> String {
        if given.hasPrefix("file://") { return String(given.dropFirst("file://".count)) }
        if given.hasPrefix("file:") { return String(given.dropFirst("file:".count)) }
        return given
    }

    func checkpointConfig(_ spec: JobDefinition.CheckpointSpec) -> CheckpointConfig {
        CheckpointConfig(mode: "exactly_once", interval: spec.interval, timeout: spec.timeout, minPause: spec.minPause, maxConcurrent: 1,
                         unalignedCheckpoints: false, tolerableFailedCheckpoints: spec.tolerableFailures)
    }
}
