import Services
import ConsoleModel
import Display

/// Jobs: state, uptime, parallelism, restarts, last checkpoint age, worst backpressure (docs/design.md §3).
enum JobsView {
    static let entry = ViewEntry(kind: .jobs, route: .jobs, key: "5", commands: ["jobs", "job", "j"], title: { _ in "Jobs" },
                                 table: { _ in spec }, emptyText: "no jobs on this cluster", help: "Jobs (Flink)")
    static let columns = [
        Column("JOB", width: 16, flex: 3, priority: .identifier), Column("STATE", width: 10), Column("UPTIME", width: 8, right: true, priority: .optional(rank: 3)),
        Column("P", width: 3, right: true, priority: .optional(rank: 2)), Column("RESTARTS", width: 8, right: true, priority: .optional(rank: 4)), Column("CHECKPOINT", width: 12),
        Column("BACKPR", width: 6), Column("BOTTLENECK", width: 12, flex: 1, priority: .optional(rank: 5)), Column("JID", width: 8, priority: .optional(rank: 1)),
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
