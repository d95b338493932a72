import Services
import ConsoleModel
import Display

/// Group detail: one row per partition the group has committed or owns.
enum GroupDetailView {
    static let entry = ViewEntry(kind: .groupDetail, title: { "Groups ▸ \($0.argument ?? "")" }, table: { spec(group: $0.argument ?? "") })
    static let columns = [
        Column("TOPIC", width: 14, flex: 2, priority: .identifier), Column("PART", width: 4, right: true), Column("COMMITTED", width: 10, right: true, priority: .optional(rank: 2)),
        Column("HIGH WMARK", width: 10, right: true, priority: .optional(rank: 2)), Column("LAG", width: 9, right: true), Column("TIME LAG", width: 9, right: true, priority: .optional(rank: 4)),
        Column("MEMBER", width: 12, flex: 2, priority: .optional(rank: 3)), Column("CLIENT", width: 8, flex: 1, priority: .optional(rank: 1)), Column("HOST", width: 8, flex: 1, priority: .optional(rank: 1)),
        Column("STATUS", width: 6),
    ]

    static func spec(group: String) -> TableSpec {
        TableSpec(columns: columns, rows: { model in
            guard let g = model.groups.first(where: { $0.groupId == group }) else { return [] }
            return g.partitions.map { p in
                TableRow(id: "\(p.topic)\u{0}\(p.partition)",
                         cells: [p.topic, "\(p.partition)", Format.count(p.committed), Format.count(p.endOffset), Format.count(p.lag),
                                 Format.timeLag(p.timeLag), dash(p.owner?.memberId), dash(p.owner?.clientId), dash(p.owner?.clientHost),
                                 p.status.rawValue],
                         sortKeys: [.text(p.topic), .number(Double(p.partition)), num(p.committed), num(p.endOffset), num(p.lag),
                                    num(p.timeLag?.seconds), .text(p.owner?.memberId ?? ""), .text(p.owner?.clientId ?? ""),
                                    .text(p.owner?.clientHost ?? ""), .number(Double(LagStatus.allCases.firstIndex(of: p.status)!))],
                         cellRoles: [nil, nil, nil, nil, nil, nil, nil, nil, nil, statusRole(p.status)],
                         filterText: "\(p.topic) \(p.partition) \(p.owner?.memberId ?? "")")
            }
        }, preamble: { model in
            guard let g = model.groups.first(where: { $0.groupId == group }) else { return ["group \(group) is not in the latest reading"] }
            var lines = ["state \(g.state.isEmpty ? "Unknown" : g.state)  ·  assignor \(g.assignor.isEmpty ? "unknown" : g.assignor)  ·  "
                         + "\(g.members.count) member\(g.members.count == 1 ? "" : "s")  ·  lag \(Format.count(g.totalLag))  ·  "
                         + "time lag \(Format.timeLag(g.maxTimeLag))  ·  rate \(Format.rate(g.consumeRate))/s  ·  "
                         + "ETA \(Format.catchUp(g.catchUp))  ·  status \(g.status.rawValue)"]
            if g.status == .pending {
                lines.append("status pending: \(g.readings) of \(model.configuration.statusWindow) readings needed to tell WARN or STALL from OK")
            }
            if let e = g.error { lines.append("error: \(e)") }
            let members = g.members.prefix(3).map { m in
                let parts = m.assignment.map { "\($0.count) partitions" } ?? "assignment unknown"
                return "\(m.memberId) (\(m.clientId.isEmpty ? "client ?" : m.clientId)@\(m.clientHost.isEmpty ? "?" : m.clientHost), \(parts))"
            }
            if !members.isEmpty {
                lines.append("members: " + members.joined(separator: ", ") + (g.members.count > 3 ? ", +\(g.members.count - 3) more" : ""))
            }
            return lines
        })
    }

    static func dash(_ s: String?) -> String { (s?.isEmpty ?? true) ? "—" : s! }
}
