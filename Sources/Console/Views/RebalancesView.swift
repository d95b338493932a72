import Services
import ConsoleModel
import Display

/// Rebalances: the timeline, newest first.
enum RebalancesView {
    static let entry = ViewEntry(kind: .rebalances, route: .rebalances, key: "4", commands: ["rebalances", "rebalance", "reb", "r"],
                                 title: { _ in "Rebalances" }, table: { _ in spec }, emptyText: "no rebalances seen since the console started",
                                 help: "Rebalances")
    static let columns = [
        Column("GROUP", width: 16, flex: 2, priority: .identifier), Column("DETECTED", width: 8), Column("DURATION", width: 8, right: true),
        Column("MEMBERS", width: 7, right: true, priority: .optional(rank: 2)), Column("MOVED", width: 5, right: true, priority: .optional(rank: 1)), Column("CAUSE", width: 14, flex: 2),
    ]

    static let spec = TableSpec(columns: columns, defaultSort: (1, false), rows: { model in
        model.rebalances.events.enumerated().map { i, e in
            let members = "\(e.membersBefore)→\(e.membersAfter.map(String.init) ?? "?")"
            let duration = e.duration.map { $0 == 0 ? "<\(Format.duration(max(1, e.detectedAt - e.earliestStart)))" : Format.duration($0) } ?? "open"
            return TableRow(id: "\(i)", cells: [e.groupId, Format.clock(e.detectedAt), duration, members,
                                                e.partitionsMoved.map(String.init) ?? "?", e.cause],
                            sortKeys: [.text(e.groupId), .number(e.detectedAt), num(e.duration), .number(Double(e.membersBefore)),
                                       num(e.partitionsMoved.map(Int64.init)), .text(e.cause)],
                            cellRoles: [nil, nil, e.isOpen ? .statusWarn : nil, nil, nil, nil],
                            filterText: "\(e.groupId) \(e.cause)")
        }
    })
}
