import Connectors
import Services
import ConsoleModel
import Display

/// Composes one frame from the model and the UI state. Pure: the same inputs give the same grid,
/// so every view is tested without a terminal. Only visible rows are drawn.
public struct Renderer {
    public static let minimumWidth = 60
    public static let minimumHeight = 15

    public var bootstrap: String
    /// The Flink REST address, when the console has one.
    public var flink: String?
    public init(bootstrap: String, flink: String? = nil) { self.bootstrap = bootstrap; self.flink = flink }

    /// Draws the frame and returns how many table rows it showed (the page size for PgUp/PgDn),
    /// so paging uses the layout that was drawn rather than a second copy of its arithmetic.
    @discardableResult
    public func render(model: ConsoleModel, ui: inout UIState, rows: [TableRow], into grid: inout CellGrid, now: Double) -> Int {
        grid.clear()
        var page = 1
        let w = grid.width, h = grid.height
        if w < Self.minimumWidth || h < Self.minimumHeight {
            let lines = ["Terminal too small: \(w)×\(h).", "Sluice needs at least \(Self.minimumWidth)×\(Self.minimumHeight).", "Enlarge the window, or press q to quit."]
            for (i, l) in lines.enumerated() where i < h {
                grid.put(l, x: max(0, (w - DisplayText.width(l)) / 2), y: max(0, h / 2 - 1) + i, role: i == 0 ? .alert : .text, maxWidth: w)
            }
            return page
        }
        var y = 1   // the header (row 0) is drawn last, once the table knows what it hid
        // Before the first reading there is nothing to be disconnected from: the header says it waits.
        if !bootstrap.isEmpty && !model.health.connected && (model.health.lastError != nil || model.health.disconnectedSince != nil) {
            let since = model.health.disconnectedSince.map { "since \(Format.clock($0)) (\(Format.duration(now - $0)))" } ?? ""
            let reason = DisplayText.sanitize(model.health.lastError ?? "no answer")
            grid.fill(x: 0, y: y, width: w, role: .banner)
            grid.put(" ⚠ Kafka disconnected \(since): \(reason) — reconnecting", x: 0, y: y, role: .banner, maxWidth: w)
            y += 1
        }
        if flink != nil && !model.flink.connected, let since = model.flink.disconnectedSince {
            let reason = DisplayText.sanitize(model.flink.lastError ?? "no answer")
            grid.fill(x: 0, y: y, width: w, role: .banner)
            grid.put(" ⚠ Flink disconnected since \(Format.clock(since)) (\(Format.duration(now - since))): \(reason) — retrying", x: 0, y: y,
                     role: .banner, maxWidth: w)
            y += 1
        }
        if !model.postgres.connected, let since = model.postgres.disconnectedSince {
            let reason = DisplayText.sanitize(model.postgres.lastError ?? "no answer")
            grid.fill(x: 0, y: y, width: w, role: .banner)
            grid.put(" ⚠ Postgres unreachable since \(Format.clock(since)) (\(Format.duration(now - since))): \(reason) — retrying", x: 0, y: y,
                     role: .banner, maxWidth: w)
            y += 1
        }
        let bodyBottom = h - 3
        var position: String?
        var hiddenColumns = 0
        switch ui.route {
        case .overview:
            OverviewPanel.draw(model: model, bootstrap: bootstrap, contextName: ui.contextName, grid: &grid, top: y, bottom: bodyBottom, now: now)
        case .help:
            HelpPanel.draw(grid: &grid, top: y, bottom: bodyBottom, readonly: ui.readonly)
        case .actions:
            if ui.actionLog.isEmpty {
                grid.put(ui.readonly ? "read-only console: no job actions" : "no job actions yet (s savepoint · p pause · r resume · n launch · ^K cancel)",
                         x: 2, y: y + 1, role: .dim, maxWidth: w - 3)
            }
            for (i, e) in ui.actionLog.enumerated() where y + 1 + i < bodyBottom {
                let role: Role = switch e.state { case .running: .statusWarn; case .done: .statusOK; case .failed: .statusErr }
                let took = e.finished.map { "  (\(Format.duration(max(0, $0 - e.started))))" } ?? ""
                grid.put("\(Format.clock(e.started))  \(DisplayText.sanitize(e.summary))\(took)", x: 2, y: y + 1 + i, role: role, maxWidth: w - 3)
            }
        default:
            if let spec = TableSpec.forRoute(ui.route) {
                var table = ui.tableState(ui.route)
                if spec.followsTop && table.selectedIndex == 0 && table.scroll == 0 { table.selectedId = rows.first?.id }
                table.reconcile(ids: rows.map(\.id))
                for line in spec.preamble(model) where y < bodyBottom {
                    grid.put(DisplayText.sanitize(line), x: 1, y: y, role: .dim, maxWidth: w - 2)
                    y += 1
                }
                page = max(1, bodyBottom - y - 1)
                let drawn = TableWidget.draw(spec: spec, rows: rows, state: &table, grid: &grid, top: y, bottom: bodyBottom,
                                             emptyText: emptyText(ui.route, model: model, filter: ui.filters[ui.route]), wide: ui.wide)
                position = drawn.position
                hiddenColumns = drawn.hiddenColumns
                ui.tables[ui.route] = table
            }
        }
        grid.fill(x: 0, y: h - 3, width: w, role: .border, character: "─")
        if let position {
            grid.put(" \(position) ", x: w - DisplayText.width(position) - 4, y: h - 3, role: .dim)
        }
        if let alert = model.alerts.first {
            let icon = alert.severity == .critical ? "✖" : "⚠"
            let more = model.alerts.count > 1 ? "  (+\(model.alerts.count - 1) more on Overview)" : ""
            grid.put(" \(icon) \(DisplayText.sanitize(alert.message))\(more)", x: 0, y: h - 2, role: .alert, maxWidth: w)
        }
        drawHeader(model: model, ui: ui, rows: rows, hiddenColumns: hiddenColumns, grid: &grid, now: now)
        drawFooter(ui: ui, grid: &grid)
        if case let .form(form) = ui.input { drawForm(form, grid: &grid) }
        return page
    }

    /// A job action's confirmation or form, boxed in the middle of the screen.
    private func drawForm(_ form: JobForm, grid: inout CellGrid) {
        let w = grid.width, h = grid.height
        let boxW = min(w - 2, 96)
        let labelW = form.fields.map { DisplayText.width($0.label) }.max() ?? 0
        var lines: [(String, Role)] = [(form.title, form.isDestructive ? .statusErr : .header)]
        lines += form.preview.map { ($0, .dim) }
        lines.append(("", .text))
        for (i, f) in form.fields.enumerated() {
            let value = f.isToggle ? (f.isOn ? "[x]" : "[ ]") : DisplayText.sanitize(f.value) + (i == form.focus ? "▏" : "")
            let label = DisplayText.padded(f.label, width: labelW)
            lines.append(("\(i == form.focus ? "▸" : " ") \(label)  \(value)", i == form.focus ? .rowSelected : .text))
        }
        if let e = form.error { lines.append(("✖ \(e)", .statusErr)) }
        lines.append((form.hint, .footer))
        let boxH = min(h - 2, lines.count + 2)
        let x0 = max(0, (w - boxW) / 2), y0 = max(0, (h - boxH) / 2)
        for y in y0..<(y0 + boxH) { grid.fill(x: x0, y: y, width: boxW, role: .text, character: " ") }
        grid.fill(x: x0, y: y0, width: boxW, role: .border, character: "─")
        grid.fill(x: x0, y: y0 + boxH - 1, width: boxW, role: .border, character: "─")
        for (i, (text, role)) in lines.prefix(boxH - 2).enumerated() {
            grid.put(text, x: x0 + 2, y: y0 + 1 + i, role: role, maxWidth: boxW - 4)
        }
    }

    private func emptyText(_ route: Route, model: ConsoleModel, filter: String?) -> String {
        if let f = filter, !f.isEmpty { return "no rows match /\(DisplayText.sanitize(f))" }
        if route == .jobs || route.jobId != nil {
            guard flink != nil else { return "no Flink connection: start sluice with --flink URL, or set flink: in the context" }
            if model.flink.latest == nil {
                return model.flink.lastError.map { "no data: \(DisplayText.sanitize($0))" } ?? "waiting for the first Flink reading…"
            }
            return ViewRegistry.entry(route.kind).emptyText
        }
        if model.latest == nil { return model.health.lastError == nil ? "waiting for the first reading…" : "no data: Kafka unreachable" }
        return ViewRegistry.entry(route.kind).emptyText
    }

    /// The header: the breadcrumb on the left (the current view's name always whole), the
    /// connection, refresh and data time on the right. When both do not fit, the right side
    /// gives up its least important parts first: the refresh note, then the seconds of the time,
    /// then the connection details, then the refresh interval.
    private func drawHeader(model: ConsoleModel, ui: UIState, rows: [TableRow], hiddenColumns: Int, grid: inout CellGrid, now: Double) {
        let w = grid.width
        grid.fill(x: 0, y: 0, width: w, role: .title)
        var count = TableSpec.forRoute(ui.route) != nil ? " (\(rows.count))" : ""
        if let f = ui.filters[ui.route], !f.isEmpty, ui.input == .none { count += "  /\(DisplayText.sanitize(f))" }
        if hiddenColumns > 0 { count += "  +\(hiddenColumns) col\(hiddenColumns == 1 ? "" : "s") (w)" } else if ui.wide { count += "  wide" }
        let context = DisplayText.sanitize(ui.contextName)
        let view = DisplayText.sanitize(ui.route.title)
        let brokers = model.health.brokerCount
        let kafkaWaiting = model.latest == nil && model.health.lastError == nil && model.health.disconnectedSince == nil
        let kafkaFull = bootstrap.isEmpty ? "" : (model.health.connected ? "kafka ● \(brokers) broker\(brokers == 1 ? "" : "s")" : (kafkaWaiting ? "kafka …" : "kafka ✖ down"))
        let kafkaShort = bootstrap.isEmpty ? "" : (model.health.connected ? "kafka ●" : (kafkaWaiting ? "kafka …" : "kafka ✖"))
        var flinkFull = "", flinkShort = ""
        if flink != nil {
            let running = model.flink.jobs.filter { $0.job.state == "RUNNING" }.count
            let waiting = model.flink.latest == nil && model.flink.lastError == nil
            flinkFull = model.flink.connected ? "flink ● \(running) job\(running == 1 ? "" : "s")" : (waiting ? "flink …" : "flink ✖ down")
            flinkShort = model.flink.connected ? "flink ●" : (waiting ? "flink …" : "flink ✖")
        }
        func joined(_ parts: String...) -> String { parts.filter { !$0.isEmpty }.joined(separator: "   ") }
        // The time of the reading on screen, not a wall clock: it moves when data arrives, so a
        // live screen is visibly live, and the console has no reason to wake between readings.
        let newest = [model.health.lastReading, model.flink.latest?.time, model.postgres.latest?.time].compactMap { $0 }.max()
        let asOf = newest.map { "as of \(Format.clock($0))" } ?? "no reading yet"
        let asOfShort = newest.map { String(Format.clock($0).prefix(5)) } ?? "—"
        let running = ui.actionLog.filter { $0.state == .running }.count
        let busy = running == 0 ? "" : "⏳ \(running) action\(running == 1 ? "" : "s") running"
        let frozen = ui.frozen ? "❚❚ FROZEN" : ""
        let rec = ui.recordingNote.map { DisplayText.sanitize($0) } ?? ""
        let refresh = "⟳ \(Format.seconds(ui.refreshSeconds))"
        let refreshFull = refresh + (ui.refreshAuto ? " auto" : "")
        let rights = [
            joined(rec, busy, frozen, kafkaFull, flinkFull, refreshFull, asOf),
            joined(rec, busy, frozen, kafkaFull, flinkFull, refresh, asOf),
            joined(rec, busy, frozen, kafkaFull, flinkFull, refresh, asOfShort),
            joined(rec, busy, frozen, kafkaShort, flinkShort, refresh, asOfShort),
            joined(ui.recording ? "● REC" : "", busy.isEmpty ? "" : "⏳\(running)", ui.frozen ? "❚❚" : "", kafkaShort, flinkShort, asOfShort),
        ].map { $0 + " " }
        let lefts = [" sluice ▸ \(context) ▸ \(view)\(count)", " \(context) ▸ \(view)\(count)", " \(view)\(count)"]
        var chosen = (left: lefts[lefts.count - 1], right: rights[rights.count - 1])
        search: for left in lefts {
            for right in rights where DisplayText.width(left) + 1 + DisplayText.width(right) <= w {
                chosen = (left, right)
                break search
            }
        }
        let rw = DisplayText.width(chosen.right)
        grid.put(chosen.left, x: 0, y: 0, role: .title, maxWidth: max(0, w - rw - 1))
        grid.put(chosen.right, x: max(0, w - rw), y: 0, role: .title)
    }

    /// The replay's footer: state and speed, position on a bar with its markers, and the end.
    private func drawTimeline(_ r: ReplayControl.Status, grid: inout CellGrid, y: Int) {
        let w = grid.width
        let state = r.paused ? "❚❚ paused" : (r.finished ? "■ end" : "▶ \(Format.speedFactor(r.speed))")
        let left = " \(state)  \(Format.clock(r.position)) "
        let right = " \(Format.clock(r.end))  \(r.markerTimes.count) marker\(r.markerTimes.count == 1 ? "" : "s")  P [ ] . { } :seek "
        let barWidth = max(0, w - DisplayText.width(left) - DisplayText.width(right))
        var bar = Array(repeating: Character("─"), count: barWidth)
        let span = max(0.001, r.end - r.start)
        func cell(_ t: Double) -> Int { min(barWidth - 1, max(0, Int(((t - r.start) / span) * Double(barWidth)))) }
        if barWidth > 0 {
            for t in r.markerTimes { bar[cell(t)] = "◆" }
            bar[cell(r.position)] = "●"
        }
        var x = grid.put(left, x: 0, y: y, role: .key)
        x += grid.put(String(bar), x: x, y: y, role: .footer)
        grid.put(right, x: x, y: y, role: .footer, maxWidth: max(0, w - x))
    }

    private func drawFooter(ui: UIState, grid: inout CellGrid) {
        let w = grid.width, y = grid.height - 1
        switch ui.input {
        case let .filter(text):
            grid.put("/\(DisplayText.sanitize(text))▏", x: 0, y: y, role: .key, maxWidth: w)
            grid.put("  ⏎ keep  Esc clear", x: min(w, 2 + DisplayText.width(text) + 1), y: y, role: .dim)
            return
        case let .command(text):
            grid.put(":\(DisplayText.sanitize(text))▏", x: 0, y: y, role: .key, maxWidth: w)
            return
        case let .marker(text):
            grid.put("marker: \(DisplayText.sanitize(text))▏", x: 0, y: y, role: .key, maxWidth: w)
            grid.put("  ⏎ add  Esc cancel", x: min(w, 9 + DisplayText.width(text) + 1), y: y, role: .dim)
            return
        case .form:
            return   // drawn as a box over the view
        case .none:
            break
        }
        if let m = ui.message {
            grid.put(" \(DisplayText.sanitize(m))", x: 0, y: y, role: .text, maxWidth: w)
            return
        }
        if let r = ui.replay {
            drawTimeline(r, grid: &grid, y: y)
            return
        }
        var x = 1
        for hint in KeyMap.footerHints {
            let used = grid.put(hint.key, x: x, y: y, role: .key)
            x += used + 1
            x += grid.put(hint.text, x: x, y: y, role: .footer) + 2
        }
        let views = "[1]ovw [2]top [3]grp [4]reb" + (flink != nil ? " [5]job" : "")
        let vx = w - DisplayText.width(views) - 1
        if vx > x { grid.put(views, x: vx, y: y, role: .footer) }
    }
}
