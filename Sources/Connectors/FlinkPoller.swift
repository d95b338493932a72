import ConsoleModel
import FlinkClient
import Foundation

/// Turns a ``FlinkClient``'s answers into one ``FlinkSnapshot`` per call, within a request budget:
/// every reading asks for the cluster overview and the job list (2 requests); the jobs on screen
/// (``setFocus(_:exceptions:)``) are read in detail — the job, its checkpoints, restarts, and per
/// vertex its metrics, backpressure and watermarks (4 + 3 × vertices requests) — and so is one other
/// running job, in turn, so the Jobs view's checkpoint and backpressure columns stay current
/// without reading every job every time.
public actor FlinkPoller {
    public let client: FlinkClient
    private var focus: [String] = []
    private var exceptionsFocus: Set<String> = []
    private var turn = 0
    /// Checkpoint intervals never change while a job runs: read once per job.
    private var intervals: [String: Int64?] = [:]

    public static let vertexMetrics = ["busyTimeMsPerSecond", "backPressuredTimeMsPerSecond", "idleTimeMsPerSecond",
                                       "numRecordsInPerSecond", "numRecordsOutPerSecond"]

    public init(client: FlinkClient) { self.client = client }

    /// The jobs on screen (read in detail every time) and those whose exceptions are shown.
    public func setFocus(_ jobs: [String], exceptions: Set<String> = []) {
        focus = jobs
        exceptionsFocus = exceptions
    }

    public func poll(now: @Sendable () -> Double) async -> Observation {
        do { return .flink(try await snapshot(now: now)) } catch {
            return .flinkError(time: now(), message: String(describing: error))
        }
    }

    public func snapshot(now: @Sendable () -> Double) async throws -> FlinkSnapshot {
        async let overview = client.overview()
        let list = try await client.jobs()
        let cluster = try? await overview
        var errors: [String] = []

        let running = list.filter { !$0.state.isTerminal }.map(\.jid)
        let listed = Set(list.map(\.jid))
        var chosen = focus.filter { listed.contains($0) }
        let others = running.filter { !chosen.contains($0) }
        if !others.isEmpty {
            chosen.append(others[turn % others.count])
            turn &+= 1
        }
        intervals = intervals.filter { listed.contains($0.key) }

        var details: [FlinkSnapshot.JobDetail] = []
        await withTaskGroup(of: (FlinkSnapshot.JobDetail?, [String]).self) { tasks in
            for jid in chosen {
                let withExceptions = exceptionsFocus.contains(jid)
                let knownInterval = intervals[jid]
                tasks.addTask { await self.detail(jid, exceptions: withExceptions, interval: knownInterval) }
            }
            for await (d, e) in tasks {
                if let d { details.append(d) }
                errors += e
            }
        }
        for d in details where d.checkpointIntervalMs != nil || intervals[d.jid] == nil { intervals[d.jid] = d.checkpointIntervalMs }
        let time = now()
        return FlinkSnapshot(time: time, taskManagers: cluster?.taskManagers, slotsTotal: cluster?.slotsTotal, slotsAvailable: cluster?.slotsAvailable,
                             flinkVersion: cluster?.flinkVersion,
                             jobs: list.map { j in
                                 FlinkSnapshot.Job(jid: j.jid, name: j.name, state: j.state.rawValue, startTime: j.startTime.map { Double($0) / 1000 },
                                                   endTime: j.endTime.flatMap { $0 > 0 ? Double($0) / 1000 : nil },
                                                   durationSeconds: j.duration.map { Double($0) / 1000 },
                                                   tasksRunning: j.tasks?["running"], tasksTotal: j.tasks?["total"])
                             },
                             details: details.sorted { $0.jid < $1.jid }, errors: errors)
    }

    /// One job in detail; a job that vanished between the list and now gives no detail, not an error.
    private func detail(_ jid: String, exceptions: Bool, interval: Int64??) async -> (FlinkSnapshot.JobDetail?, [String]) {
        async let checkpointsRead = client.checkpoints(job: jid)
        async let restartsRead = client.jobMetrics(job: jid, names: ["numRestarts"])
        async let configRead: CheckpointConfig? = interval == nil ? try? client.checkpointConfig(job: jid) : nil
        async let exceptionsRead: ExceptionHistory? = exceptions ? try? client.exceptions(job: jid, max: 20) : nil
        let job: JobDetail
        do { job = try await client.job(jid) } catch {
            _ = try? await (checkpointsRead, restartsRead)
            _ = await (configRead, exceptionsRead)
            if let e = error as? FlinkClientError, e.status == 404 { return (nil, []) }
            return (nil, ["job \(jid): \(error)"])
        }
        var errors: [String] = []
        let inputs = Dictionary((job.plan?.nodes ?? []).map { ($0.id, ($0.inputs ?? []).map(\.id)) }, uniquingKeysWith: { a, _ in a })
        let running = job.state == .running
        var vertices: [FlinkSnapshot.Vertex] = []
        await withTaskGroup(of: (Int, FlinkSnapshot.Vertex, String?).self) { tasks in
            for (i, v) in job.vertices.enumerated() {
                tasks.addTask {
                    var out = FlinkSnapshot.Vertex(id: v.id, name: v.name, parallelism: v.parallelism, status: v.status, inputs: inputs[v.id] ?? [])
                    guard running else { return (i, out, nil) }
                    async let m = self.client.subtaskMetrics(job: jid, vertex: v.id, names: Self.vertexMetrics)
                    async let b = self.client.backpressure(job: jid, vertex: v.id)
                    async let w = self.client.watermarks(job: jid, vertex: v.id)
                    var problem: String?
                    do {
                        let metrics = Dictionary(try await m.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
                        out.busyMsPerSecond = metrics["busyTimeMsPerSecond"]?.max
                        out.backPressuredMsPerSecond = metrics["backPressuredTimeMsPerSecond"]?.max
                        out.idleMsPerSecond = metrics["idleTimeMsPerSecond"]?.avg
                        out.recordsInPerSecond = metrics["numRecordsInPerSecond"]?.sum
                        out.recordsOutPerSecond = metrics["numRecordsOutPerSecond"]?.sum
                        // A running task splits every second into busy, backpressured and idle. Flink
                        // fetches metrics lazily and answers zeros (or nothing) before its first fetch:
                        // that is "not known yet", not "idle".
                        let split = [out.busyMsPerSecond, out.backPressuredMsPerSecond, out.idleMsPerSecond].compactMap { $0 }.reduce(0, +)
                        if split < 100 {
                            out.busyMsPerSecond = nil; out.backPressuredMsPerSecond = nil; out.idleMsPerSecond = nil
                            out.recordsInPerSecond = nil; out.recordsOutPerSecond = nil
                        }
                    } catch { problem = "vertex \(v.name): metrics: \(error)" }
                    if let bp = try? await b, bp.isSampled {
                        out.backpressureLevel = bp.level?.rawValue
                        out.backpressureRatio = bp.subtasks?.compactMap(\.ratio).max()
                    }
                    out.watermark = (try? await w)?.compactMap(\.milliseconds).min()
                    return (i, out, problem)
                }
            }
            var slots = [FlinkSnapshot.Vertex?](repeating: nil, count: job.vertices.count)
            for await (i, v, problem) in tasks {
                slots[i] = v
                if let problem { errors.append(problem) }
            }
            vertices = slots.compactMap { $0 }
        }
        let cp = try? await checkpointsRead
        let restarts = (try? await restartsRead)?.first { $0.id == "numRestarts" }?.number.map { Int($0) }
        let config = await configRead
        let intervalMs: Int64? = interval ?? config?.interval.flatMap { $0 > 0 && $0 < Int64.max / 2 ? $0 : nil }
        let history = await exceptionsRead
        return (FlinkSnapshot.JobDetail(jid: jid, vertices: vertices, checkpoints: cp.map(Self.checkpoints), checkpointIntervalMs: intervalMs,
                                        restarts: restarts, exceptions: history.map { $0.entries.map(Self.exception) }), errors)
    }

    static func checkpoints(_ s: CheckpointStatistics) -> FlinkSnapshot.Checkpoints {
        FlinkSnapshot.Checkpoints(total: s.counts.total, completed: s.counts.completed, failed: s.counts.failed, inProgress: s.counts.inProgress,
                                  restored: s.counts.restored, latestCompleted: s.latest.completed.map(checkpoint),
                                  latestFailed: s.latest.failed.map(checkpoint), history: s.history.map(checkpoint))
    }

    static func checkpoint(_ c: CheckpointStatistics.Checkpoint) -> FlinkSnapshot.Checkpoint {
        FlinkSnapshot.Checkpoint(id: c.id, status: c.status, isSavepoint: c.isSavepoint ?? false,
                                 triggerTime: c.triggerTimestamp.map { Double($0) / 1000 }, durationMs: c.endToEndDuration,
                                 stateSize: c.stateSize ?? c.checkpointedSize, failureTime: c.failureTimestamp.map { Double($0) / 1000 },
                                 failureMessage: c.failureMessage.map { FlinkClientError.summary([$0]) })
    }

    static func exception(_ e: ExceptionHistory.Entry) -> FlinkSnapshot.ExceptionEntry {
        let line = e.stacktrace.map { FlinkClientError.summary([$0]) } ?? e.exceptionName
        return FlinkSnapshot.ExceptionEntry(name: e.exceptionName, message: line, time: e.timestamp.map { Double($0) / 1000 }, task: e.taskName)
    }
}
