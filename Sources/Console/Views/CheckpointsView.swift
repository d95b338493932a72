import Services
import ConsoleModel
import Display

/// Checkpoints: counts and latest in the preamble, history newest first with a duration bar and
/// the failure cause.
enum CheckpointsView {
    static let entry = ViewEntry(kind: .checkpoints, title: { "Jobs ▸ \(($0.argument ?? "").prefix(8)) ▸ Checkpoints" },
                                 table: { spec(jid: $0.argument ?? "") }, emptyText: "no checkpoints yet")
    static let columns = [
        Column("ID", width: 6, right: true, priority: .identifier), Column("STATUS", width: 11), Column("TRIGGERED", width: 9), Column("DURATION", width: 8, right: true),
        Column("", width: 12, priority: .optional(rank: 1)), Column("SIZE", width: 9, right: true, priority: .optional(rank: 2)), Column("CAUSE", width: 20, flex: 3),
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
