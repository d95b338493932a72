import Services
import ConsoleModel
import Display

/// Overview: connection health, cluster size, group health, total lag trend, alerts.
enum OverviewPanel {
    static func draw(model: ConsoleModel, bootstrap: String, contextName: String, grid: inout CellGrid, top: Int, bottom: Int, now: Double) {
        let w = grid.width
        var y = top + 1
        func line(_ label: String, _ value: String, role: Role = .text) {
            guard y < bottom else { return }
            grid.put(label, x: 2, y: y, role: .header)
            grid.put(DisplayText.sanitize(value), x: 14, y: y, role: role, maxWidth: w - 15)
            y += 1
        }
        let h = model.health
        let conn: String
        if h.connected {
            conn = "connected · last reading \(Format.clock(h.lastReading ?? now))"
        } else if let since = h.disconnectedSince {
            conn = "DISCONNECTED since \(Format.clock(since)) · \(h.lastError ?? "")"
        } else {
            conn = h.lastError.map { "not connected · \($0)" } ?? "connecting…"
        }
        line("Context", bootstrap.isEmpty ? contextName : "\(contextName) · kafka \(bootstrap)")
        if !bootstrap.isEmpty {
            line("Kafka", conn, role: h.connected ? .statusOK : .statusErr)
            line("Cluster", "\(h.clusterId ?? "unknown id") · \(h.brokerCount) broker\(h.brokerCount == 1 ? "" : "s")")
            let partitions = model.topics.reduce(0) { $0 + $1.partitions.count }
            let rate = model.topics.compactMap(\.produceRate).reduce(0, +)
            line("Topics", "\(model.topics.count) topics · \(partitions) partitions · \(Format.rate(rate)) msg/s produced")
            var counts: [LagStatus: Int] = [:]
            for g in model.groups { counts[g.status, default: 0] += 1 }
            let byStatus = LagStatus.allCases.compactMap { s in counts[s].map { "\($0) \(s.rawValue)" } }.joined(separator: " · ")
            let rebalancing = model.groups.filter(\.isRebalancing).count
            line("Groups", "\(model.groups.count) groups" + (byStatus.isEmpty ? "" : " · \(byStatus)") + (rebalancing > 0 ? " · \(rebalancing) rebalancing" : ""))
            let total = model.totalLagHistory.last
            let trend = Sparkline.render(Array(model.totalLagHistory), width: min(40, max(8, w - 40)))
            if y < bottom {
                grid.put("Total lag", x: 2, y: y, role: .header)
                let t = Format.count(total)
                grid.put(t, x: 14, y: y, role: .text)
                grid.put(trend, x: 16 + DisplayText.width(t), y: y, role: .sparkline)
                y += 1
            }
            line("Rebalances", "\(model.rebalances.events.count) seen · \(model.rebalances.events.filter(\.isOpen).count) in progress")
        }
        let f = model.flink
        if f.latest != nil || f.lastError != nil {
            if f.connected, let s = f.latest {
                var states: [String: Int] = [:]
                for j in f.jobs { states[j.job.state, default: 0] += 1 }
                let byState = states.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: " · ")
                line("Flink", "\(s.flinkVersion.map { "Flink \($0)" } ?? "Flink") · \(s.taskManagers ?? 0) taskmanagers · \(s.slotsAvailable ?? 0)/\(s.slotsTotal ?? 0) slots free", role: .statusOK)
                line("Jobs", f.jobs.isEmpty ? "no jobs" : byState)
                let failing = f.jobs.filter { $0.checkpointHealth.status == .failing }.count
                let late = f.jobs.filter { $0.checkpointHealth.status == .warn }.count
                line("Checkpoints", failing + late == 0 ? "healthy" : "\(failing) failing · \(late) late or failed once",
                     role: failing > 0 ? .statusErr : (late > 0 ? .statusWarn : .statusOK))
                let high = f.jobs.filter { $0.worstBackpressure == .high }
                line("Pressure", high.isEmpty ? "no job backpressured HIGH"
                                                  : high.map { "\($0.job.name)" + ($0.bottleneck.map { " (bottleneck \($0))" } ?? "") }.joined(separator: " · "),
                     role: high.isEmpty ? .statusOK : .statusErr)
            } else {
                line("Flink", "DISCONNECTED" + (f.disconnectedSince.map { " since \(Format.clock($0))" } ?? "") + " · \(f.lastError ?? "")", role: .statusErr)
            }
        }
        y += 1
        guard y < bottom else { return }
        grid.put("Alerts", x: 2, y: y, role: .header)
        y += 1
        if model.alerts.isEmpty, y < bottom {
            grid.put("none", x: 4, y: y, role: .statusOK)
        }
        for a in model.alerts where y < bottom {
            let icon = a.severity == .critical ? "✖" : "⚠"
            grid.put("\(icon) \(Format.clock(a.since))  \(DisplayText.sanitize(a.message))", x: 4, y: y,
                     role: a.severity == .critical ? .statusErr : .statusWarn, maxWidth: w - 5)
            y += 1
        }
    }
}

/// Help: every binding of the key map, so help can never disagree with the keys. Two columns
/// when one does not fit the height.
enum HelpPanel {
    static func draw(grid: inout CellGrid, top: Int, bottom: Int, readonly: Bool = false) {
        // A read-only console hides the job actions it would refuse anyway.
        let bindings = KeyMap.bindings.filter { b in
            if readonly, case .job = b.action { return false }
            return b.listed
        }
        var y = top + 1
        grid.put("Keys", x: 2, y: y, role: .header)
        y += 1
        let rows = max(1, bottom - y - 2)
        // As many columns as the height needs and the width allows (at least 36 cells each).
        let needed = (bindings.count + rows - 1) / rows
        let columns = max(1, min(needed, (grid.width - 4) / 36))
        let perColumn = (bindings.count + columns - 1) / columns
        let columnWidth = (grid.width - 4) / columns
        for (i, b) in bindings.enumerated() {
            let col = i / perColumn, row = i % perColumn
            guard y + row < bottom else { continue }
            let x = 4 + col * columnWidth
            grid.put(b.label, x: x, y: y + row, role: .key)
            grid.put(b.help, x: x + 7, y: y + row, role: .text, maxWidth: columnWidth - 8)
        }
        let end = y + min(perColumn, bottom - y)
        if end + 1 < bottom {
            grid.put("Status: OK · WARN lag growing · STALL not moving · STOP no consumer · REWIND offset went back · ERR unreadable",
                     x: 2, y: end + 1, role: .dim, maxWidth: grid.width - 3)
        }
    }
}
