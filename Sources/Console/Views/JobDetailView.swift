import Services
import ConsoleModel
import Display

/// Job detail: one row per vertex — parallelism, rates, busy/backpressured/idle bars, level,
/// watermark lag, and the bottleneck marker.
enum JobDetailView {
    static let entry = ViewEntry(kind: .jobDetail, title: { "Jobs ▸ \(($0.argument ?? "").prefix(8))" }, table: { spec(jid: $0.argument ?? "") },
                                 emptyText: "reading the job…")
    static let columns = [
        Column("VERTEX", width: 18, flex: 3, priority: .identifier), Column("P", width: 3, right: true, priority: .optional(rank: 2)), Column("IN/s", width: 8, right: true, priority: .optional(rank: 4)),
        Column("OUT/s", width: 8, right: true, priority: .optional(rank: 3)), Column("BUSY", width: 10), Column("BACKPRESSURED", width: 13), Column("IDLE", width: 10, priority: .optional(rank: 1)),
        Column("LEVEL", width: 5), Column("WM LAG", width: 7, right: true, priority: .optional(rank: 5)),
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
