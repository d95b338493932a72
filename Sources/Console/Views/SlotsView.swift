import ConsoleModel
import Display
import Services

/// Slots: a Postgres server's replication slots, the WAL each keeps with its trend and rate,
/// and the engine's capture reading it (docs/slots.md).
enum SlotsView {
    static let entry = ViewEntry(kind: .slots, route: .slots, key: "6", commands: ["slots", "slot", "pg"], title: { _ in "Slots" },
                                 table: { _ in spec }, emptyText: "no replication slots on this Postgres (or no Postgres: give --postgres or a context's postgres:)",
                                 help: "Slots (Postgres replication)")
    static let columns = [
        Column("SLOT", width: 14, flex: 3, priority: .identifier), Column("PLUGIN", width: 8, priority: .optional(rank: 1)),
        Column("ACTIVE", width: 7, priority: .optional(rank: 4)), Column("RETAINED", width: 10, right: true),
        Column("TREND", width: 12, priority: .optional(rank: 3)), Column("RATE/s", width: 10, right: true, priority: .optional(rank: 5)),
        Column("FLUSH LAG", width: 10, right: true, priority: .optional(rank: 2)), Column("WAL", width: 8, priority: .optional(rank: 2)),
        Column("CAPTURE", width: 14, priority: .optional(rank: 3)), Column("CAP LAG", width: 8, right: true),
        Column("STATUS", width: 10),
    ]

    static let spec = TableSpec(columns: columns, rows: { model in
        model.postgres.slots.map { s in
            let active = s.slot.active ? (s.slot.activePid.map { "\($0)" } ?? "yes") : "no"
            let capture = s.capture.map { "\($0.name) \($0.state == "RUNNING" ? "●" : $0.state)" } ?? "-"
            return TableRow(id: s.slot.name,
                            cells: [s.slot.name, s.slot.plugin ?? s.slot.slotType, active, s.retainedBytes.map(Format.bytes) ?? "-",
                                    Sparkline.render(s.trend, width: 12), SlotsReport.rate(s.retainedRate), s.flushLagBytes.map(Format.bytes) ?? "-",
                                    s.slot.walStatus ?? "-", capture, s.capture?.lagMs.map(Format.millis) ?? "-", s.status.rawValue],
                            sortKeys: [.text(s.slot.name), .text(s.slot.plugin ?? ""), .text(active), num(s.retainedBytes), num(s.trend.last),
                                       num(s.retainedRate), num(s.flushLagBytes), .text(s.slot.walStatus ?? ""), .text(capture),
                                       num(s.capture?.lagMs), .number(Double(SlotStatus.allCases.firstIndex(of: s.status)!))],
                            cellRoles: [nil, nil, s.slot.active ? nil : .dim, nil, .sparkline, nil, nil, nil,
                                        s.capture.map { $0.state == "RUNNING" ? nil : .statusErr } ?? nil, nil, role(s.status)])
        }
    }, preamble: { model in
        guard let s = model.postgres.latest else { return [] }
        var lines = ["postgres \(s.server) · WAL at \(SlotSnapshot.lsnText(s.currentLSN)) · max_slot_wal_keep_size "
            + (s.maxSlotWalKeepSize.map(Format.bytes) ?? "unlimited")]
        // The worst slot's remedy, so the fix is on screen next to the alert.
        // One clause a line, so it reads whole at 80 columns.
        if let worst = model.postgres.slots.filter({ $0.status.isAlert }).max(by: { $0.status < $1.status }), let remedy = worst.remedy {
            let clauses = remedy.components(separatedBy: "; ").flatMap(split)
            lines.append("\(worst.status.rawValue) \(worst.slot.name): \(clauses[0])")
            lines += clauses.dropFirst().map { "  " + $0 }
        }
        for s in model.postgres.slots { if let c = s.capture, let e = c.lastError { lines.append("capture \(c.name) \(c.state): \(e)") } }
        return lines
    })

    /// A clause with a statement in it, "drop it (SELECT …) now", as two lines: the words, then
    /// the statement indented on its own, so it can be read whole and copied at 80 columns.
    static func split(_ clause: String) -> [String] {
        guard let open = clause.range(of: " (SELECT ") else { return [clause] }
        var depth = 1
        var end = open.upperBound
        while end < clause.endIndex, depth > 0 {
            if clause[end] == "(" { depth += 1 } else if clause[end] == ")" { depth -= 1 }
            if depth > 0 { end = clause.index(after: end) }
        }
        guard end < clause.endIndex else { return [clause] }
        let words = String(clause[..<open.lowerBound]) + String(clause[clause.index(after: end)...]) + ":"
        let statement = "  " + String(clause[clause.index(open.lowerBound, offsetBy: 2)..<end]) + ";"
        return [words, statement]
    }

    static func role(_ s: SlotStatus) -> Role {
        switch s {
        case .ok: .statusOK
        case .growing: .statusWarn
        case .high, .unreserved, .lost: .statusErr
        }
    }
}
