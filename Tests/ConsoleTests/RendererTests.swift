import Services
import Testing
import ConsoleModel
import Display
@testable import Console

@Suite struct RendererTests {
    func frame(_ ui: inout UIState, model: ConsoleModel, width: Int = 120, height: Int = 30) -> CellGrid {
        var grid = CellGrid(width: width, height: height)
        let rows = ui.visibleRows(ui.route, model: model)
        Renderer(bootstrap: "b1:9092").render(model: model, ui: &ui, rows: rows, into: &grid, now: 12)
        return grid
    }

    @Test func groupsViewShowsLagStatusAndTrend() {
        let model = Fixtures.model()
        var ui = UIState(contextName: "prod", initial: .groups)
        let text = frame(&ui, model: model).text
        #expect(text.contains("sluice ▸ prod ▸ Groups (3)"))
        let row = text.split(separator: "\n").first { $0.contains("orders-enricher") }.map(String.init) ?? ""
        #expect(row.contains("4,320"))        // 4 × (1200 − 120)
        #expect(row.contains("WARN"))
        #expect(row.contains("coop-sticky"))
        #expect(row.contains("▁"))            // a sparkline
        #expect(text.contains("billing-writer"))
        // The header dates the data on screen (the 12th reading, t = 12 s), not the wall clock.
        #expect(text.contains("as of 00:00:12"))
        #expect(!frame(&ui, model: ConsoleModel()).text.contains("as of"))
        #expect(text.contains("⟳ 2s   as of"))
        var auto = UIState(contextName: "prod", refreshSeconds: 4, refreshAuto: true, initial: .groups)
        #expect(frame(&auto, model: model).text.contains("⟳ 4s auto   as of"))
    }

    /// At 80×24 and 100×30 every table view keeps its name whole in the header and its essential
    /// columns on screen, and says when columns were hidden.
    @Test(arguments: [(80, 24), (100, 30)])
    func narrowScreensKeepTheViewNameAndEssentialColumns(size: (Int, Int)) {
        let model = Fixtures.model()
        let essentials: [(Route, [String])] = [
            (.topics, ["TOPIC", "PARTS", "MESSAGES"]), (.partitions(topic: "orders"), ["PART", "LEADER", "ISR", "HIGH WMARK"]),
            (.groups, ["GROUP", "STATE", "LAG", "STATUS"]), (.groupDetail(group: "orders-enricher"), ["TOPIC", "PART", "LAG", "STATUS"]),
            (.rebalances, ["GROUP", "DETECTED", "DURATION", "CAUSE"]),
        ]
        for (route, columns) in essentials {
            var ui = UIState(contextName: "prod-eu-west-1", refreshSeconds: 4, refreshAuto: true, initial: route)
            let lines = frame(&ui, model: model, width: size.0, height: size.1).text.split(separator: "\n", omittingEmptySubsequences: false)
            #expect(lines[0].contains(route.title), "\(route) header at \(size): \(lines[0])")
            let header = lines.first { line in columns.allSatisfy { line.contains($0) } }
            #expect(header != nil, "\(route) at \(size) lost an essential column:\n\(lines.joined(separator: "\n"))")
        }
        var groups = UIState(contextName: "prod", initial: .groups)
        let text = frame(&groups, model: model, width: size.0, height: size.1).text
        if size.0 == 80 { #expect(text.contains("col") && text.contains("(w)"), "no hidden-column note at 80:\n\(text)") }
        // Wide mode shows every column, and says so.
        groups.wide = true
        let wide = frame(&groups, model: model, width: size.0, height: size.1).text
        #expect(wide.contains("GROUP") && (wide.contains("+") || wide.contains("wide")))
    }

    /// At 200 columns every header is whole and no column is padded while another is cut.
    @Test func wideScreensTruncateNoHeader() {
        let model = Fixtures.model()
        for route in [Route.topics, .partitions(topic: "orders"), .groups, .groupDetail(group: "orders-enricher"), .rebalances] {
            var ui = UIState(contextName: "prod", initial: route)
            let lines = frame(&ui, model: model, width: 200, height: 50).text.split(separator: "\n").map(String.init)
            let spec = TableSpec.forRoute(route)!
            let header = lines.first { l in spec.columns.prefix(2).allSatisfy { l.contains($0.title) } } ?? ""
            for c in spec.columns where !c.title.isEmpty { #expect(header.contains(c.title), "\(route): '\(c.title)' cut in \(header)") }
            #expect(!lines.contains { $0.contains("…") }, "\(route): something truncated at 200 columns")
        }
    }

    @Test func a30CharacterNameKeepsAtLeast16CharactersAt80Columns() {
        var snapshot = Fixtures.snapshot(3)
        snapshot.groups[0].groupId = "billing-writer-with-a-long-nam"   // 30 characters
        var model = ConsoleModel()
        for t in 1...3 { var s = snapshot; s.time = Double(t); model.apply(.kafka(s)) }
        var ui = UIState(contextName: "prod", initial: .groups)
        let text = frame(&ui, model: model, width: 80, height: 24).text
        #expect(text.contains("billing-writer-w"), "\(text)")
        #expect(text.contains("STATUS"))
    }

    @Test func hostileGroupIdsReachTheGridSanitised() {
        let model = Fixtures.model()
        var ui = UIState(contextName: "prod", initial: .groups)
        let grid = frame(&ui, model: model)
        for cell in grid.cells {
            for s in cell.character.unicodeScalars { #expect(s.value >= 0x20 && !(0x7F...0x9F).contains(s.value)) }
        }
        #expect(grid.text.contains("evil?[31m?]0;title?"))
    }

    @Test func tinyTerminalGetsANoticeNotACrash() {
        var ui = UIState(contextName: "prod", initial: .groups)
        for (w, h) in [(59, 30), (120, 14), (10, 3), (1, 1), (0, 0)] {
            let text = frame(&ui, model: Fixtures.model(readings: 2), width: w, height: h).text
            if w >= 30 && h >= 3 { #expect(text.contains("Terminal too small: \(w)×\(h)")) }
        }
    }

    @Test func disconnectedBannerKeepsLastData() {
        var model = Fixtures.model(readings: 3)
        model.apply(.kafkaError(time: 5, message: "cannot connect to b1:9092: connection refused"))
        var ui = UIState(contextName: "prod", initial: .groups)
        let text = frame(&ui, model: model).text
        #expect(text.contains("⚠ Kafka disconnected since 00:00:05 (7s): cannot connect to b1:9092: connection refused"))
        #expect(text.contains("orders-enricher"))
        #expect(text.contains("kafka ✖ down"))
    }

    /// Before the first reading nothing has failed: the header waits, no banner cries "disconnected".
    @Test func beforeTheFirstReadingTheHeaderWaits() {
        var ui = UIState(contextName: "prod", initial: .groups)
        var text = frame(&ui, model: ConsoleModel()).text
        #expect(text.contains("kafka …") && !text.contains("kafka ✖") && !text.contains("disconnected"), "\(text)")
        var failed = ConsoleModel()
        failed.apply(.kafkaError(time: 5, message: "connection refused"))
        text = frame(&ui, model: failed).text
        #expect(text.contains("kafka ✖ down") && text.contains("⚠ Kafka disconnected since"))
    }

    @Test func groupDetailShowsPartitionsAndMembers() {
        let model = Fixtures.model()
        var ui = UIState(contextName: "prod", initial: .groupDetail(group: "orders-enricher"))
        let text = frame(&ui, model: model).text
        #expect(text.contains("Groups ▸ orders-enricher (4)"))
        #expect(text.contains("members: m2 (oe@/10.0.0.3, 4 partitions)"))
        #expect(text.contains("1,080"))   // per-partition lag 1200 − 120
    }

    @Test func overviewSummarisesHealth() {
        let model = Fixtures.model()
        var ui = UIState(contextName: "prod")
        let text = frame(&ui, model: model).text
        #expect(text.contains("c1 · 1 broker"))
        #expect(text.contains("3 groups"))
        #expect(text.contains("1 topics · 4 partitions"))
        #expect(text.contains("STOP"))
    }

    @Test(arguments: [(120, 40), (120, 20)]) func helpListsEveryBinding(size: (Int, Int)) {
        var ui = UIState(contextName: "prod", initial: .help)
        let text = frame(&ui, model: Fixtures.model(readings: 1), width: size.0, height: size.1).text
        // Every binding is listed (long descriptions may be cut to the column at small sizes).
        for b in KeyMap.bindings where b.listed { #expect(text.contains(b.help.prefix(26)), "help at \(size) lacks '\(b.help)'") }
        // Read-only: the job actions are hidden.
        var ro = UIState(contextName: "prod", initial: .help)
        ro.readonly = true
        let roText = frame(&ro, model: Fixtures.model(readings: 1), width: size.0, height: size.1).text
        #expect(!roText.contains("savepoint the job") && !roText.contains("cancel the job"))
        #expect(roText.contains("checkpoints of the job"))
    }

    @Test func tenThousandRowsRenderOnlyTheVisibleOnes() {
        var m = ConsoleModel()
        var s = Fixtures.snapshot(1)
        s.groups = (0..<10_000).map { KafkaSnapshot.Group(groupId: "g\($0)", state: "Stable", offsets: [CommittedOffset(topic: "orders", partition: 0, offset: 1)]) }
        m.apply(.kafka(s))
        var ui = UIState(contextName: "x", initial: .groups)
        let rows = ui.visibleRows(.groups, model: m)
        #expect(rows.count == 10_000)
        _ = ui.handle(.end, rows: rows, page: 20)
        var grid = CellGrid(width: 120, height: 30)
        Renderer(bootstrap: "b").render(model: m, ui: &ui, rows: rows, into: &grid, now: 1)
        #expect(grid.text.contains("g9999"))
        #expect(grid.text.contains("10000/10000"))
    }
}

/// The Flink views from a synthetic reading.
@Suite struct JobViewsTests {
    static func model() -> ConsoleModel {
        typealias V = FlinkSnapshot.Vertex
        let vertices = [V(id: "src", name: "Source: events", parallelism: 2, busyMsPerSecond: 0, backPressuredMsPerSecond: 900, idleMsPerSecond: 100,
                          recordsOutPerSecond: 520),
                        V(id: "slow", name: "slow", parallelism: 2, inputs: ["src"], busyMsPerSecond: 990, backPressuredMsPerSecond: 0,
                          idleMsPerSecond: 10, recordsInPerSecond: 250, recordsOutPerSecond: 250, watermark: 95_000)]
        let cps = FlinkSnapshot.Checkpoints(total: 3, completed: 1, failed: 2,
                                            latestCompleted: .init(id: 1, status: "COMPLETED", triggerTime: 80, durationMs: 900, stateSize: 9_800),
                                            latestFailed: .init(id: 3, status: "FAILED", triggerTime: 98, failureMessage: "Checkpoint expired before completing."),
                                            history: [.init(id: 3, status: "FAILED", triggerTime: 98, failureMessage: "Checkpoint expired before completing."),
                                                      .init(id: 2, status: "FAILED", triggerTime: 93, failureMessage: "Checkpoint expired before completing."),
                                                      .init(id: 1, status: "COMPLETED", triggerTime: 80, durationMs: 900, stateSize: 9_800)])
        var m = ConsoleModel()
        m.apply(.flink(FlinkSnapshot(time: 100, taskManagers: 1, slotsTotal: 4, slotsAvailable: 2, flinkVersion: "2.3.0",
                                     jobs: [.init(jid: "77ae129715510a68ca133d61c910867c", name: "orders-enrich", state: "RUNNING", startTime: 40)],
                                     details: [.init(jid: "77ae129715510a68ca133d61c910867c", vertices: vertices, checkpoints: cps,
                                                     checkpointIntervalMs: 5000, restarts: 1)])))
        return m
    }

    func frame(_ route: Route, model: ConsoleModel, flink: String? = "http://f:8081") -> String {
        var ui = UIState(contextName: "prod", initial: route)
        var grid = CellGrid(width: 150, height: 30)
        Renderer(bootstrap: "b1:9092", flink: flink).render(model: model, ui: &ui, rows: ui.visibleRows(route, model: model), into: &grid, now: 100)
        return grid.text
    }

    @Test func jobsListShowsUptimeCheckpointsAndTheBottleneck() {
        let text = frame(.jobs, model: Self.model())
        let row = text.split(separator: "\n").first { $0.contains("orders-enrich") }.map(String.init) ?? ""
        #expect(row.contains("RUNNING") && row.contains("1m00s") && row.contains("HIGH") && row.contains("slow"))
        #expect(row.contains("✖ 2 failed"))
        #expect(text.contains("flink ● 1 job"))
    }

    @Test func jobDetailMarksTheBottleneckAndDrawsBars() {
        let text = frame(.jobDetail(jid: "77ae129715510a68ca133d61c910867c"), model: Self.model())
        let lines = text.split(separator: "\n")
        #expect(lines.contains { $0.contains("★ slow") && $0.contains("99%") && $0.contains("OK") && $0.contains("5s") })
        #expect(lines.contains { $0.contains("Source: events") && $0.contains("HIGH") && $0.contains("90%") })
        #expect(text.contains("bottleneck: slow"))
        #expect(text.contains("1 restart"))
    }

    @Test func checkpointsShowHistoryNewestFirstWithTheCause() {
        let text = frame(.checkpoints(jid: "77ae129715510a68ca133d61c910867c"), model: Self.model())
        let rows = text.split(separator: "\n").filter { $0.contains("FAILED") || $0.contains("COMPLETED") }
        #expect(rows.count >= 3)
        #expect(rows.first?.contains("Checkpoint expired before completing.") == true)
        #expect(text.contains("1 completed · 2 failed"))
        #expect(text.contains("latest failed #3"))
    }

    @Test func withoutFlinkTheJobsViewSaysHowToConnect() {
        #expect(frame(.jobs, model: ConsoleModel(), flink: nil).contains("no Flink connection: start sluice with --flink URL"))
        var down = ConsoleModel()
        down.apply(.flinkError(time: 5, message: "Flink at http://f:8081 unreachable: connection refused"))
        let text = frame(.jobs, model: down)
        #expect(text.contains("⚠ Flink disconnected since 00:00:05"))
        #expect(text.contains("no data: Flink at http://f:8081 unreachable: connection refused"))
    }

    @Test func jobKeysNavigate() {
        let m = Self.model()
        var ui = UIState(contextName: "x", initial: .overview)
        _ = ui.handle(.character("5"), rows: [], page: 10)
        #expect(ui.route == .jobs)
        _ = ui.handle(.character("c"), rows: [], page: 10)
        #expect(ui.route == .jobs && ui.message?.contains("select a job") == true)
        let rows = ui.visibleRows(.jobs, model: m)
        _ = ui.handle(.character("c"), rows: rows, page: 10)
        #expect(ui.route == .checkpoints(jid: "77ae129715510a68ca133d61c910867c"))
        _ = ui.handle(.character("e"), rows: [], page: 10)
        #expect(ui.route == .exceptions(jid: "77ae129715510a68ca133d61c910867c"))
        _ = ui.handle(.escape, rows: [], page: 10)
        #expect(ui.route == .jobs)   // job views replace each other; Esc goes back to the list
    }
}

/// Job action keys: forms, confirmation, read-only, validation.
@Suite struct JobActionKeysTests {
    let jid = "77ae129715510a68ca133d61c910867c"

    func jobsUI(readonly: Bool = false) -> (UIState, [TableRow]) {
        let m = JobViewsTests.model()
        var ui = UIState(contextName: "x", initial: .jobs)
        ui.readonly = readonly
        ui.jobNames = [jid: "orders-enrich"]
        return (ui, ui.visibleRows(.jobs, model: m))
    }

    @Test func savepointFormTakesTheDirectoryAndRuns() {
        var (ui, rows) = jobsUI()
        _ = ui.handle(.character("s"), rows: rows, page: 10)
        guard case let .form(f) = ui.input else { Issue.record("no form"); return }
        #expect(f.title == "Savepoint orders-enrich")
        for c in "/sp" { _ = ui.handle(.character(c), rows: rows, page: 10) }
        #expect(ui.handle(.enter, rows: rows, page: 10) == .runJobAction(.savepoint(jid: jid, name: "orders-enrich", directory: "/sp")))
        #expect(ui.input == .none && ui.message == "savepoint of orders-enrich: started…")
    }

    @Test func pauseCanDrainAndCancelNeedsAYes() {
        var (ui, rows) = jobsUI()
        ui.savepointDir = "/ctx-sp"
        _ = ui.handle(.character("p"), rows: rows, page: 10)
        _ = ui.handle(.tab, rows: rows, page: 10)
        _ = ui.handle(.character(" "), rows: rows, page: 10)   // drain on
        #expect(ui.handle(.enter, rows: rows, page: 10) == .runJobAction(.pause(jid: jid, name: "orders-enrich", directory: "/ctx-sp", drain: true)))
        _ = ui.handle(.ctrl("k"), rows: rows, page: 10)
        #expect(ui.handle(.character("n"), rows: rows, page: 10) == .none)
        #expect(ui.input == .none && ui.message?.contains("not done") == true)
        _ = ui.handle(.ctrl("k"), rows: rows, page: 10)
        #expect(ui.handle(.character("y"), rows: rows, page: 10) == .runJobAction(.cancel(jid: jid, name: "orders-enrich")))
    }

    @Test func readOnlyRefusesEveryJobAction() {
        var (ui, rows) = jobsUI(readonly: true)
        for k: Key in [.character("s"), .character("p"), .character("r"), .character("n"), .ctrl("k")] {
            #expect(ui.handle(k, rows: rows, page: 10) == .none)
            #expect(ui.input == .none)
            #expect(ui.message?.contains("read-only") == true)
        }
    }

    @Test func launchFormValidatesAndSplitsArguments() throws {
        var (ui, rows) = jobsUI()
        _ = ui.handle(.character("n"), rows: rows, page: 10)
        #expect(ui.handle(.enter, rows: rows, page: 10) == .none)
        guard case let .form(f) = ui.input else { Issue.record("form closed on bad input"); return }
        #expect(f.error?.contains("a jar is needed") == true)
        func type(_ s: String) { for c in s { _ = ui.handle(.character(c), rows: rows, page: 10) } }
        type("/jobs/a.jar")
        _ = ui.handle(.tab, rows: rows, page: 10); type("com.acme.Job")
        _ = ui.handle(.tab, rows: rows, page: 10); type(#"--name "my job" --rate 5"#)
        _ = ui.handle(.tab, rows: rows, page: 10); _ = ui.handle(.backspace, rows: rows, page: 10); type("0")
        #expect(ui.handle(.enter, rows: rows, page: 10) == .none)
        guard case let .form(g) = ui.input else { Issue.record("form closed on parallelism 0"); return }
        #expect(g.error?.contains("parallelism") == true)
        _ = ui.handle(.backspace, rows: rows, page: 10); type("4")
        #expect(ui.handle(.enter, rows: rows, page: 10) == .runJobAction(.launch(LaunchRequest(
            jar: "/jobs/a.jar", entryClass: "com.acme.Job", arguments: ["--name", "my job", "--rate", "5"], parallelism: 4, savepoint: nil,
            allowNonRestoredState: false))))
        #expect(throws: (any Error).self) { try JobForm.splitArguments("--name 'open") }
        #expect(try JobForm.splitArguments(#"a\ b "c d" ''"#) == ["a b", "c d", ""])
    }

    @Test func formIsDrawnOverTheView() {
        var (ui, rows) = jobsUI()
        _ = ui.handle(.ctrl("k"), rows: rows, page: 10)
        var grid = CellGrid(width: 120, height: 30)
        Renderer(bootstrap: "", flink: "http://f").render(model: JobViewsTests.model(), ui: &ui, rows: rows, into: &grid, now: 100)
        #expect(grid.text.contains("Cancel orders-enrich"))
        #expect(grid.text.contains("without a savepoint"))
        #expect(grid.text.contains("y or ⏎ cancel the job"))
    }
}

/// The Checkpoints view follows the newest checkpoint unless the user moved down into the history.
@Suite struct CheckpointsFollowTests {
    static func model(ids: [Int64]) -> ConsoleModel {
        var m = ConsoleModel()
        let history = ids.map { FlinkSnapshot.Checkpoint(id: $0, status: "COMPLETED", triggerTime: Double($0), durationMs: 100) }
        m.apply(.flink(FlinkSnapshot(time: 100, jobs: [.init(jid: "j1", name: "n", state: "RUNNING", startTime: 1)],
                                     details: [.init(jid: "j1", checkpoints: .init(total: ids.count, completed: ids.count, history: history),
                                                     checkpointIntervalMs: 1000)])))
        return m
    }

    func render(_ ui: inout UIState, _ m: ConsoleModel) {
        var grid = CellGrid(width: 100, height: 20)
        Renderer(bootstrap: "", flink: "http://f").render(model: m, ui: &ui, rows: ui.visibleRows(ui.route, model: m), into: &grid, now: 100)
    }

    @Test func followsTheNewestUnlessScrolled() {
        var ui = UIState(contextName: "x", initial: .checkpoints(jid: "j1"))
        render(&ui, Self.model(ids: [3, 2, 1]))
        #expect(ui.tableState(ui.route).selectedId == "3")
        render(&ui, Self.model(ids: [4, 3, 2, 1]))
        #expect(ui.tableState(ui.route).selectedId == "4")
        // Moved down: the selection stays on its checkpoint as new ones arrive.
        let m = Self.model(ids: [4, 3, 2, 1])
        _ = ui.handle(.down, rows: ui.visibleRows(ui.route, model: m), page: 10)
        render(&ui, Self.model(ids: [5, 4, 3, 2, 1]))
        #expect(ui.tableState(ui.route).selectedId == "3")
        #expect(ui.tableState(ui.route).selectedIndex == 2)
    }
}

/// The action log lists what ran, newest first, with its outcome and how long it took.
@Suite struct ActionLogViewTests {
    @Test func actionLogShowsOutcomesAndDurations() {
        var ui = UIState(contextName: "x", initial: .actions)
        ui.actionLog = [
            .init(id: 2, started: 30, finished: nil, title: "pause of orders", state: .running),
            .init(id: 1, started: 10, finished: 13, title: "savepoint of orders", state: .done("file:/sp/savepoint-1")),
        ]
        var grid = CellGrid(width: 120, height: 20)
        Renderer(bootstrap: "", flink: "http://f").render(model: ConsoleModel(), ui: &ui, rows: [], into: &grid, now: 40)
        let text = grid.text
        #expect(text.contains("00:00:30  pause of orders: in progress…"))
        #expect(text.contains("00:00:10  savepoint of orders: done — file:/sp/savepoint-1  (3s)"))
        #expect(text.contains("⏳ 1 action running"))
    }
}
