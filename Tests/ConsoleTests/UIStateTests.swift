import Testing
import ConsoleModel
import Display
@testable import Console

@Suite struct UIStateTests {
    let model = Fixtures.model()

    func press(_ ui: inout UIState, _ keys: Key...) -> Effect {
        var last = Effect.none
        for k in keys { last = ui.handle(k, rows: ui.visibleRows(ui.route, model: model), page: 10) }
        return last
    }

    @Test func numberKeysSwitchViewsAndEnterDrillsDown() {
        var ui = UIState(contextName: "x")
        _ = press(&ui, .character("3"))
        #expect(ui.route == .groups)
        _ = press(&ui, .character("j"), .enter)
        #expect(ui.route == .groupDetail(group: "evil\u{1B}[31m\u{1B}]0;title\u{07}") || ui.route == .groupDetail(group: "orders-enricher"))
        _ = press(&ui, .escape)
        #expect(ui.route == .groups)
    }

    @Test func switchingViewsKeepsEachViewsOwnSort() {
        var ui = UIState(contextName: "x", initial: .groups)
        _ = press(&ui, .character(">"), .character("4"))
        // Rebalances open newest first (DETECTED, descending), not with the Groups view's sort.
        #expect(ui.tableState(.rebalances).sortColumn == 1)
        #expect(ui.tableState(.rebalances).ascending == false)
        #expect(ui.tableState(.groups).sortColumn == 1)
    }

    @Test func qGoesBackThenQuits() {
        var ui = UIState(contextName: "x", initial: .groups)
        _ = press(&ui, .enter)
        #expect(press(&ui, .character("q")) == .none)
        #expect(ui.route == .groups)
        #expect(press(&ui, .character("q")) == .quit)
    }

    @Test func filterNarrowsRowsAndEscClearsIt() {
        var ui = UIState(contextName: "x", initial: .groups)
        _ = press(&ui, .character("/"), .character("b"), .character("i"), .character("l"))
        #expect(ui.visibleRows(.groups, model: model).map(\.id) == ["billing-writer"])
        _ = press(&ui, .enter)
        #expect(ui.input == .none)
        #expect(ui.visibleRows(.groups, model: model).count == 1)
        _ = press(&ui, .escape)
        #expect(ui.visibleRows(.groups, model: model).count == 3)
    }

    @Test func sortByLagDescending() {
        var ui = UIState(contextName: "x", initial: .groups)
        _ = press(&ui, .character(">"), .character(">"), .character(">"), .character(">"), .character("i"))
        #expect(ui.tableState(.groups).sortColumn == 4)
        let ids = ui.visibleRows(.groups, model: model).map(\.id)
        // 4 × 1195 for the hostile (stopped) group, 4 × 1080 for the enricher, 0 for billing.
        #expect(ids == ["evil\u{1B}[31m\u{1B}]0;title\u{07}", "orders-enricher", "billing-writer"])
    }

    @Test func selectionFollowsTheItemWhenRowsReorder() {
        var ui = UIState(contextName: "x", initial: .groups)
        _ = press(&ui, .character("G"))
        let selected = ui.tableState(.groups).selectedId
        _ = press(&ui, .character("i"))
        var t = ui.tableState(.groups)
        t.reconcile(ids: ui.visibleRows(.groups, model: model).map(\.id))
        #expect(t.selectedId == selected)
        #expect(t.selectedIndex == 0)
    }

    @Test func freezeAndRefreshKeys() {
        var ui = UIState(contextName: "x", refreshSeconds: 2)
        _ = press(&ui, .character(" "))
        #expect(ui.frozen)
        #expect(press(&ui, .character("+")) == .refreshChanged(1))
        #expect(press(&ui, .character("-")) == .refreshChanged(2))
        _ = press(&ui, .character(" "))
        #expect(!ui.frozen)
        // Auto refresh: + or - pins the interval, starting from what auto had chosen.
        var auto = UIState(contextName: "x", refreshSeconds: 4, refreshAuto: true)
        #expect(press(&auto, .character("+")) == .refreshChanged(2))
        #expect(!auto.refreshAuto)
    }

    @Test func commands() {
        var ui = UIState(contextName: "x", contexts: ["prod", "local"], themes: ["default", "light", "mono"])
        #expect(press(&ui, .character(":"), .character("g"), .character("r"), .character("o"), .character("u"), .character("p"), .character("s"), .enter) == .none)
        #expect(ui.route == .groups)
        _ = press(&ui, .character(":"), .character("c"), .character("t"), .character("x"), .character(" "), .character("p"), .tab)
        #expect(ui.input == .command("ctx prod"))
        #expect(press(&ui, .enter) == .switchContext("prod"))
        _ = press(&ui, .character(":"), .character("c"), .character("t"), .character("x"), .character(" "), .character("z"), .enter)
        #expect(ui.message?.contains("no context 'z'") == true)
        #expect(press(&ui, .character(":"), .character("t"), .character("h"), .character("e"), .character("m"), .character("e"),
                      .character(" "), .character("l"), .character("i"), .character("g"), .character("h"), .character("t"), .enter) == .switchTheme("light"))
        _ = press(&ui, .character(":"), .character("x"), .enter)
        #expect(ui.message?.contains("unknown command ':x'") == true)
        #expect(press(&ui, .character(":"), .character("q"), .enter) == .quit)
    }
}
