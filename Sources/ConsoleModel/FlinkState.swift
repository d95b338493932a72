/// How hard a vertex is held back by its downstream, after Flink's levels: OK ≤ 10 % of the time
/// backpressured, LOW ≤ 50 %, HIGH above (docs/design.md §3).
public enum Backpressure: String, Sendable, Codable, Comparable, CaseIterable {
    case unknown = "-", ok = "OK", low = "LOW", high = "HIGH"

    public init(ratio: Double?) {
        guard let r = ratio, r.isFinite else { self = .unknown; return }
        self = r <= 0.10 ? .ok : (r <= 0.50 ? .low : .high)
    }

    public static func < (a: Self, b: Self) -> Bool { allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)! }
}

/// One vertex as the console shows it.
public struct VertexSummary: Sendable, Equatable {
    public var vertex: FlinkSnapshot.Vertex
    /// Share of time backpressured: the larger of Flink's sampled ratio and the metric.
    public var backpressureRatio: Double?
    public var backpressure: Backpressure
    /// Busy share of the worst subtask (0…1).
    public var busyRatio: Double?
    /// Reading time minus the watermark, in seconds.
    public var watermarkLagSeconds: Double?
    /// The suspected bottleneck of its job (see ``FlinkState/bottleneck(_:)``).
    public var isBottleneck: Bool
}

/// Whether a job's checkpoints keep up with its interval.
public struct CheckpointHealth: Sendable, Equatable {
    public enum Status: String, Sendable { case ok = "OK", warn = "WARN", failing = "FAILING", none = "-" }
    public var status: Status
    /// Seconds since the latest completed checkpoint finished.
    public var latestCompletedAge: Double?
    /// Failures since the latest completed checkpoint, newest first in history.
    public var consecutiveFailures: Int
    /// Newest completed duration over the median of the ones before it (> 1: getting slower).
    public var durationTrend: Double?
    public var lastFailure: String?

    /// OK while a checkpoint completed within two intervals (plus its own duration); WARN when
    /// older or one failure in a row; FAILING from two failures in a row or nothing completed for
    /// five intervals. No checkpointing, or no detail read yet: `none`.
    /// `jobStart` dates a job that has not completed a checkpoint yet (Flink's very first trigger
    /// always fails while tasks deploy; that alone is not a problem).
    public static func evaluate(_ c: FlinkSnapshot.Checkpoints?, intervalMs: Int64?, now: Double, jobStart: Double? = nil) -> CheckpointHealth {
        guard let c, let intervalMs, intervalMs > 0, intervalMs < Int64.max / 2 else {
            return CheckpointHealth(status: .none, latestCompletedAge: nil, consecutiveFailures: 0, durationTrend: nil, lastFailure: nil)
        }
        var failures = 0
        for cp in c.history {
            if cp.status == "COMPLETED" { break }
            if cp.status == "FAILED" { failures += 1 }
        }
        let completed = c.latestCompleted
        let age = completed.flatMap { cp in cp.triggerTime.map { max(0, now - $0 - Double(cp.durationMs ?? 0) / 1000) } }
        let interval = Double(intervalMs) / 1000
        let durations = c.history.filter { $0.status == "COMPLETED" }.compactMap(\.durationMs)
        var trend: Double?
        if durations.count >= 3 {
            let older = durations.dropFirst().sorted()
            let median = Double(older[older.count / 2])
            if median > 0 { trend = Double(durations[0]) / median }
        }
        // Without a completed checkpoint, the time since the job started is how overdue it is.
        let overdue = age ?? jobStart.map { max(0, now - $0) } ?? 0
        let status: Status
        if failures >= 2 || overdue > 5 * interval { status = .failing }
        else if failures == 1 || overdue > 2 * interval + Double(completed?.durationMs ?? 0) / 1000 { status = .warn }
        else { status = completed == nil ? .none : .ok }
        return CheckpointHealth(status: status, latestCompletedAge: age, consecutiveFailures: failures, durationTrend: trend,
                                lastFailure: failures > 0 ? c.latestFailed?.failureMessage : nil)
    }
}

/// One job as the console shows it.
public struct JobSummary: Sendable, Equatable {
    public var job: FlinkSnapshot.Job
    /// Time of the latest detail reading, `nil` when the job was never read in detail.
    public var detailTime: Double?
    public var vertices: [VertexSummary]
    public var parallelism: Int?
    public var restarts: Int?
    public var checkpoints: FlinkSnapshot.Checkpoints?
    public var checkpointHealth: CheckpointHealth
    public var worstBackpressure: Backpressure
    public var bottleneck: String?
    public var exceptions: [FlinkSnapshot.ExceptionEntry]

    public var isHealthy: Bool { !["FAILED", "FAILING", "RESTARTING"].contains(job.state) }
}

/// The Flink half of the model: the latest summaries, plus each job's latest detail reading
/// (details arrive for a few jobs at a time and are kept until the job disappears).
public struct FlinkState: Sendable {
    public private(set) var connected = false
    public private(set) var disconnectedSince: Double?
    public private(set) var lastError: String?
    public private(set) var latest: FlinkSnapshot?
    public private(set) var jobs: [JobSummary] = []
    private var details: [String: (time: Double, detail: FlinkSnapshot.JobDetail)] = [:]

    public init() {}

    public func job(_ jid: String) -> JobSummary? { jobs.first { $0.job.jid == jid } }

    mutating func apply(_ s: FlinkSnapshot) {
        connected = true
        disconnectedSince = nil
        lastError = s.errors.first
        latest = s
        for d in s.details {
            var d = d
            // Exceptions are read only when asked for: keep the last ones read.
            if d.exceptions == nil { d.exceptions = details[d.jid]?.detail.exceptions }
            details[d.jid] = (s.time, d)
        }
        let live = Set(s.jobs.map(\.jid))
        details = details.filter { live.contains($0.key) }
        jobs = s.jobs.sorted { ($0.startTime ?? 0) > ($1.startTime ?? 0) }.map { Self.summary($0, details[$0.jid], now: s.time) }
    }

    mutating func fail(time: Double, message: String) {
        if connected || disconnectedSince == nil { disconnectedSince = time }
        connected = false
        lastError = message
    }

    static func summary(_ job: FlinkSnapshot.Job, _ read: (time: Double, detail: FlinkSnapshot.JobDetail)?, now: Double) -> JobSummary {
        guard let (time, d) = read else {
            return JobSummary(job: job, detailTime: nil, vertices: [], parallelism: nil, restarts: nil, checkpoints: nil,
                              checkpointHealth: CheckpointHealth.evaluate(nil, intervalMs: nil, now: now), worstBackpressure: .unknown,
                              bottleneck: nil, exceptions: [])
        }
        let bottleneck = bottleneck(d.vertices)
        let vertices = d.vertices.map { v -> VertexSummary in
            let ratio = [v.backpressureRatio, v.backPressuredMsPerSecond.map { $0 / 1000 }].compactMap { $0 }.max()
            return VertexSummary(vertex: v, backpressureRatio: ratio, backpressure: Backpressure(ratio: ratio),
                                 busyRatio: v.busyMsPerSecond.map { $0 / 1000 },
                                 watermarkLagSeconds: v.watermark.map { max(0, time - Double($0) / 1000) }, isBottleneck: v.id == bottleneck)
        }
        let running = job.state == "RUNNING"
        return JobSummary(job: job, detailTime: time, vertices: vertices, parallelism: d.vertices.map(\.parallelism).max(),
                          restarts: d.restarts, checkpoints: d.checkpoints,
                          checkpointHealth: running ? CheckpointHealth.evaluate(d.checkpoints, intervalMs: d.checkpointIntervalMs, now: now,
                                                                                jobStart: job.startTime)
                                                    : CheckpointHealth.evaluate(nil, intervalMs: nil, now: now),
                          worstBackpressure: running ? (vertices.map(\.backpressure).max() ?? .unknown) : .unknown,
                          bottleneck: running ? vertices.first { $0.isBottleneck }?.vertex.name : nil, exceptions: d.exceptions ?? [])
    }

    /// The suspected bottleneck: the most upstream vertex that is busy (≥ 50 % of the time, worst
    /// subtask) while a vertex feeding it is backpressured (LOW or HIGH). Backpressure shows
    /// upstream of the slow operator, so the first busy vertex below the pressure is the one to look at.
    public static func bottleneck(_ vertices: [FlinkSnapshot.Vertex]) -> String? {
        let byId = Dictionary(vertices.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        func pressured(_ v: FlinkSnapshot.Vertex) -> Bool {
            let ratio = [v.backpressureRatio, v.backPressuredMsPerSecond.map { $0 / 1000 }].compactMap { $0 }.max()
            return Backpressure(ratio: ratio) >= .low
        }
        // Depth from the sources, so "most upstream" does not depend on Flink's listing order.
        var depth: [String: Int] = [:]
        func depthOf(_ id: String, _ seen: Set<String> = []) -> Int {
            if let d = depth[id] { return d }
            guard let v = byId[id], !seen.contains(id) else { return 0 }
            let d = (v.inputs.map { depthOf($0, seen.union([id])) }.max() ?? -1) + 1
            depth[id] = d
            return d
        }
        let candidates = vertices.filter { v in
            (v.busyMsPerSecond ?? 0) >= 500 && v.inputs.contains { byId[$0].map(pressured) ?? false }
        }
        return candidates.min { depthOf($0.id) < depthOf($1.id) }?.id
    }
}
