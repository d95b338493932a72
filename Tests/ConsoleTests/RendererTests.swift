import Testing
import ConsoleModel
import Terminal
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
        for b in KeyMap.bindings { #expect(text.contains(b.help.prefix(40)), "help at \(size) lacks '\(b.help)'") }
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
