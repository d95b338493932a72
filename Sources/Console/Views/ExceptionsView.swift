import Services
import ConsoleModel
import Display

/// Exceptions: the job's failures, newest first.
enum ExceptionsView {
    static let entry = ViewEntry(kind: .exceptions, title: { "Jobs ▸ \(($0.argument ?? "").prefix(8)) ▸ Exceptions" },
                                 table: { spec(jid: $0.argument ?? "") }, emptyText: "no exceptions")
    static let columns = [Column("TIME", width: 8), Column("TASK", width: 16, flex: 1, priority: .optional(rank: 1)), Column("EXCEPTION", width: 30, flex: 3, priority: .identifier)]

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
