import Services
import ConsoleModel
import Display

/// Groups: state, protocol, members, lag, time lag, trend, rate, ETA, status (docs/design.md §3).
enum GroupsView {
    static let entry = ViewEntry(kind: .groups, route: .groups, key: "3", commands: ["groups", "group", "grp", "g"], title: { _ in "Groups" },
                                 table: { _ in spec }, emptyText: "no consumer groups (some brokers list only groups that have committed offsets)",
                                 help: "Groups")
    static let columns = [
        Column("GROUP", width: 16, flex: 3, priority: .identifier), Column("STATE", width: 9), Column("PROTO", width: 11, priority: .optional(rank: 1)),
        Column("MEMB", width: 5, right: true, priority: .optional(rank: 4)), Column("LAG", width: 10, right: true), Column("TIME LAG", width: 9, right: true, priority: .optional(rank: 5)),
        Column("TREND", width: 12, priority: .optional(rank: 2)), Column("RATE/s", width: 8, right: true, priority: .optional(rank: 3)), Column("ETA", width: 7, right: true, priority: .optional(rank: 3)),
        Column("STATUS", width: 6),
    ]

    static let spec = TableSpec(columns: columns, rows: { model in
        model.groups.map { g in
            let members = g.membersBefore.map { "\($0)→\(g.members.count)" } ?? "\(g.members.count)"
            let state = g.error != nil && g.state.isEmpty ? "?" : (g.state.isEmpty ? "Unknown" : g.state)
            return TableRow(id: g.groupId,
                            cells: [g.groupId, shortState(state), shortAssignor(g.assignor), members, Format.count(g.totalLag),
                                    Format.timeLag(g.maxTimeLag), Sparkline.render(g.lagTrend, width: 12), Format.rate(g.consumeRate),
                                    Format.catchUp(g.catchUp), g.status.rawValue],
                            sortKeys: [.text(g.groupId), .text(state), .text(g.assignor), .number(Double(g.members.count)),
                                       num(g.totalLag), num(g.maxTimeLag?.seconds), num(g.lagTrend.last), num(g.consumeRate),
                                       etaSort(g.catchUp), .number(Double(LagStatus.allCases.firstIndex(of: g.status)!))],
                            cellRoles: [nil, g.isRebalancing ? .statusWarn : nil, nil, nil, nil, nil, .sparkline, nil, nil, statusRole(g.status)])
        }
    }, open: { .groupDetail(group: $0) })

    static func shortState(_ s: String) -> String {
        switch s {
        case "PreparingRebalance": "Rebal…"
        case "CompletingRebalance": "Complet…"
        default: s
        }
    }

    static func shortAssignor(_ a: String) -> String {
        switch a {
        case "": "—"
        case "cooperative-sticky": "coop-sticky"
        default: a
        }
    }

    static func etaSort(_ e: CatchUpEstimate) -> SortValue {
        switch e {
        case .caughtUp, .keepingUp: .number(0)
        case let .seconds(s): .number(s)
        case .never: .number(.infinity)
        case .unknown: .none
        }
    }
}
