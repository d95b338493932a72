import ConsoleModel
import Terminal

/// Jobs: state, uptime, parallelism, restarts, last checkpoint age, worst backpressure (DESIGN §3).
enum JobsView {
    static let columns = [
        Column("JOB", width: 16, flex: 3), Column("STATE", width: 10), Column("UPTIME", width: 8, right: true),
        Column("P", width: 3, right: true), Column("RESTARTS", width: 8, right: true), Column("CHECKPOINT", width: 12),
        Column("BACKPR", width: 6), Column("BOTTLENECK", width: 12, flex: 1), Column("JID", width: 8),
    ]

    static let spec = TableSpec(columns: columns, defaultSort: (2, true), rows: { model in
        let now = model.flink.latest?.time ?? 0
        return model.flink.jobs.map { j in
            let uptime = j.job.state == "RUNNING" ? j.job.startTime.map { now - $0 } : j.job.durationSeconds
            return TableRow(id: j.job.jid,
                            cells: [j.job.name, j.job.state, Format.duration(uptime), j.parallelism.map(String.init) ?? "-",
                                    j.restarts.map(String.init) ?? "-", checkpointCell(j), j.worstBackpressure.rawValue,
                                    j.bottleneck ?? "-", String(j.job.jid.prefix(8))],
                            sortKeys: [.text(j.job.name), .text(j.job.state), num(uptime), num(j.parallelism.map(Double.init)),
                                       num(j.restarts.map(Double.init)), num(j.checkpointHealth.latestCompletedAge),
                                       .number(Double(Backpressure.allCases.firstIndex(of: j.worstBackpressure)!)), .text(j.bottleneck ?? ""),
                                       .text(j.job.jid)],
                            cellRoles: [nil, stateRole(j.job.state), nil, nil, (j.restarts ?? 0) > 0 ? .statusWarn : nil,
                                        healthRole(j.checkpointHealth.status), pressureRole(j.worstBackpressure), nil, .dim],
                            filterText: "\(j.job.name) \(j.job.jid) \(j.job.state)")
        }
    }, open: { .jobDetail(jid: $0) })

    static func checkpointCell(_ j: JobSummary) -> String {
        let h = j.checkpointHealth
        switch h.status {
        case .none: return j.detailTime == nil ? "…" : "-"
        case .failing:
            if h.consecutiveFailures > 0 { return "✖ \(h.consecutiveFailures) failed" }
            return h.latestCompletedAge.map { "✖ \(Format.duration($0)) ago" } ?? "✖ none done"
        case .warn: return h.consecutiveFailures > 0 ? "⚠ failed" : "⚠ \(Format.duration(h.latestCompletedAge)) ago"
        case .ok: return "\(Format.duration(h.latestCompletedAge)) ago"
        }
    }

    static func stateRole(_ s: String) -> Role? {
        switch s {
        case "RUNNING": .statusOK
        case "FAILED", "FAILING": .statusErr
        case "RESTARTING", "CANCELLING", "INITIALIZING", "CREATED": .statusWarn
        default: .dim
        }
    }

    static func healthRole(_ s: CheckpointHealth.Status) -> Role? {
        switch s {
        case .ok: nil
        case .warn: .statusWarn
        case .failing: .statusErr
        case .none: .dim
        }
    }

    static func pressureRole(_ b: Backpressure) -> Role? {
        switch b {
        case .high: .statusErr
        case .low: .statusWarn
        case .ok: .statusOK
        case .unknown: .dim
        }
    }
}

/// Job detail: one row per vertex — parallelism, rates, busy/backpressured/idle bars, level,
/// watermark lag, and the bottleneck marker.
enum JobDetailView {
    static let columns = [
        Column("VERTEX", width: 18, flex: 3), Column("P", width: 3, right: true), Column("IN/s", width: 8, right: true),
        Column("OUT/s", width: 8, right: true), Column("BUSY", width: 10), Column("BACKPRESSURED", width: 13), Column("IDLE", width: 10),
        Column("LEVEL", width: 5), Column("WM LAG", width: 7, right: true),
    ]

    static func spec(jid: String) -> TableSpec {
        TableSpec(columns: columns, defaultSort: (0, true), rows: { model in
            guard let j = model.flink.job(jid) else { return [] }
            return j.vertices.enumerated().map { i, v in
                let name = (v.isBottleneck ? "★ " : "") + v.vertex.name
                return TableRow(id: v.vertex.id,
                                cells: [name, String(v.vertex.parallelism), Format.rate(v.vertex.recordsInPerSecond),
                                        Format.rate(v.vertex.recordsOutPerSecond), bar(v.busyRatio), bar(v.backpressureRatio),
                                        bar(v.vertex.idleMsPerSecond.map { $0 / 1000 }), v.backpressure.rawValue,
                                        v.watermarkLagSeconds.map { Format.duration($0) } ?? "-"],
                                // Graph order (sources first) is the natural order: sort column 0 keeps it.
                                sortKeys: [.number(Double(i)), .number(Double(v.vertex.parallelism)), num(v.vertex.recordsInPerSecond),
                                           num(v.vertex.recordsOutPerSecond), num(v.busyRatio), num(v.backpressureRatio),
                                           num(v.vertex.idleMsPerSecond), .number(Double(Backpressure.allCases.firstIndex(of: v.backpressure)!)),
                                           num(v.watermarkLagSeconds)],
                                cellRoles: [v.isBottleneck ? .statusErr : nil, nil, nil, nil, (v.busyRatio ?? 0) >= 0.5 ? .statusWarn : .sparkline,
                                            JobsView.pressureRole(v.backpressure) ?? .sparkline, .sparkline, JobsView.pressureRole(v.backpressure), nil],
                                filterText: v.vertex.name)
            }
        }, open: { _ in .checkpoints(jid: jid) }, preamble: { model in preamble(model, jid) })
    }

    static func preamble(_ model: ConsoleModel, _ jid: String) -> [String] {
        guard let j = model.flink.job(jid) else { return ["job \(jid) is not listed by Flink (finished long ago, or another cluster)"] }
        var first = "\(j.job.name) · \(j.job.state) · \(j.job.jid)"
        if let r = j.restarts { first += " · \(r) restart\(r == 1 ? "" : "s")" }
        var second = "checkpoints: " + JobsView.checkpointCell(j)
        if let f = j.checkpointHealth.lastFailure { second += " (\(f))" }
        if let b = j.bottleneck { second += " · bottleneck: \(b) (busy, with backpressure upstream)" }
        if j.detailTime == nil { second += " · reading detail…" }
        return [first, second, "c checkpoints · e exceptions · ⏎ checkpoints"]
    }

    /// A 10-cell bar with the percentage: "██▌   45%".
    static func bar(_ ratio: Double?) -> String {
        guard let r = ratio, r.isFinite else { return "-" }
        let clamped = min(1, max(0, r))
        let eighths = Int((clamped * 40).rounded())   // 5 cells × 8, leaving room for " 100%"
        let full = eighths / 8, part = eighths % 8
        let partial = part > 0 ? String(["▏", "▎", "▍", "▌", "▋", "▊", "▉"][part - 1]) : ""
        let barText = String(repeating: "█", count: full) + partial
        let pct = "\(Int((clamped * 100).rounded()))%"
        return barText + String(repeating: " ", count: max(1, 10 - barText.count - pct.count)) + pct
    }
}

/// Checkpoints: counts and latest in the preamble, history newest first with a duration bar and
/// the failure cause.
enum CheckpointsView {
    static let columns = [
        Column("ID", width: 6, right: true), Column("STATUS", width: 11), Column("TRIGGERED", width: 9), Column("DURATION", width: 8, right: true),
        Column("", width: 12), Column("SIZE", width: 9, right: true), Column("CAUSE", width: 20, flex: 3),
    ]

    static func spec(jid: String) -> TableSpec {
        var spec = TableSpec(columns: columns, defaultSort: (0, false), rows: { model in
            guard let cps = model.flink.job(jid)?.checkpoints else { return [] }
            let longest = max(1, cps.history.compactMap(\.durationMs).max() ?? 1)
            return cps.history.map { c in
                let status = c.isSavepoint ? "\(c.status) SP" : c.status
                let barText = c.durationMs.map { String(repeating: "▇", count: max(1, Int(Double($0) / Double(longest) * 12))) } ?? ""
                return TableRow(id: String(c.id),
                                cells: [String(c.id), status, c.triggerTime.map(Format.clock) ?? "-", c.durationMs.map { Format.millis($0) } ?? "-",
                                        barText, c.stateSize.map(Format.bytes) ?? "-", c.failureMessage ?? ""],
                                sortKeys: [.number(Double(c.id)), .text(c.status), num(c.triggerTime), num(c.durationMs.map(Double.init)),
                                           num(c.durationMs.map(Double.init)), num(c.stateSize.map(Double.init)), .text(c.failureMessage ?? "")],
                                cellRoles: [nil, c.status == "FAILED" ? .statusErr : (c.status == "COMPLETED" ? .statusOK : .statusWarn), nil, nil,
                                            .sparkline, nil, c.status == "FAILED" ? .statusErr : nil],
                                filterText: "\(c.id) \(c.status) \(c.failureMessage ?? "")")
            }
        }, preamble: { model in preamble(model, jid) })
        spec.followsTop = true
        return spec
    }

    static func preamble(_ model: ConsoleModel, _ jid: String) -> [String] {
        guard let j = model.flink.job(jid) else { return ["job \(jid) is not listed by Flink"] }
        guard let c = j.checkpoints else { return ["\(j.job.name) · reading checkpoints…"] }
        var lines = ["\(j.job.name) · \(c.completed) completed · \(c.failed) failed · \(c.inProgress) in progress · \(c.restored) restored"]
        if let l = c.latestCompleted {
            var s = "latest completed #\(l.id)"
            if let age = j.checkpointHealth.latestCompletedAge { s += " \(Format.duration(age)) ago" }
            if let d = l.durationMs { s += " · took \(Format.millis(d))" }
            if let size = l.stateSize { s += " · \(Format.bytes(size))" }
            if let t = j.checkpointHealth.durationTrend, t >= 2 { s += " · \(String(format: "%.1f", t))× slower than usual" }
            lines.append(s)
        }
        if let f = c.latestFailed {
            lines.append("latest failed #\(f.id)" + (f.failureTime.map { " at \(Format.clock($0))" } ?? "") + ": \(f.failureMessage ?? "no cause given")")
        }
        return lines
    }
}

/// Exceptions: the job's failures, newest first.
enum ExceptionsView {
    static let columns = [Column("TIME", width: 8), Column("TASK", width: 16, flex: 1), Column("EXCEPTION", width: 30, flex: 3)]

    static func spec(jid: String) -> TableSpec {
        TableSpec(columns: columns, defaultSort: (0, false), rows: { model in
            (model.flink.job(jid)?.exceptions ?? []).enumerated().map { i, e in
                TableRow(id: "\(i)-\(e.time ?? 0)", cells: [e.time.map(Format.clock) ?? "-", e.task ?? "-", "\(e.name): \(e.message)"],
                         sortKeys: [num(e.time), .text(e.task ?? ""), .text(e.message)], cellRoles: [nil, nil, .statusErr],
                         filterText: "\(e.name) \(e.message) \(e.task ?? "")")
            }
        }, preamble: { model in
            guard let j = model.flink.job(jid) else { return ["job \(jid) is not listed by Flink"] }
            return ["\(j.job.name) · \(j.job.state)" + (j.restarts.map { " · \($0) restarts" } ?? "")]
        })
    }
}
