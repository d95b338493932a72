import ConsoleModel
import Display
import Services
import Testing
@testable import Console

/// The Slots view (6) drawn headless: at 80×24 the slot's name, retained WAL, capture lag and
/// status stay on screen, the troubled slot's remedy is above the table, and a Postgres that
/// stops answering gets the banner.
@Suite struct SlotsViewTests {
    static let mib: UInt64 = 1 << 20

    func model() -> ConsoleModel {
        var m = ConsoleModel()
        for i in 0..<6 {
            let wal = 100 * Self.mib + UInt64(i) * 3 * Self.mib
            m.apply(.postgres(SlotSnapshot(time: Double(i * 2), server: "db:5432/shop", currentLSN: wal, slots: [
                .init(name: "debezium_orders_slot", plugin: "pgoutput", database: "shop", restartLSN: 90 * Self.mib, confirmedFlushLSN: 95 * Self.mib,
                      walStatus: "reserved"),
                .init(name: "sluice_shop", plugin: "pgoutput", database: "shop", restartLSN: wal - Self.mib / 2, confirmedFlushLSN: wal, walStatus: "reserved"),
            ], captures: [.init(name: "shop", slot: "sluice_shop", database: "shop", state: "RUNNING", lagMs: 35, changes: 10)])))
        }
        return m
    }

    func text(_ m: ConsoleModel, width: Int, height: Int) -> String {
        var ui = UIState(contextName: "prod", initial: .slots)
        var grid = CellGrid(width: width, height: height)
        Renderer(bootstrap: "").render(model: m, ui: &ui, rows: ui.visibleRows(.slots, model: m), into: &grid, now: 12)
        return grid.text
    }

    @Test func aGrowingSlotShowsItsStatusRetainedWALAndRemedyAt80x24() {
        let m = model()
        let screen = text(m, width: 80, height: 24)
        let lines = screen.split(separator: "\n")
        #expect(lines[0].contains("Slots (2)"), "\(lines[0])")
        #expect(lines.contains { l in ["SLOT", "RETAINED", "CAP LAG", "STATUS"].allSatisfy { l.contains($0) } }, "\(screen)")
        let growing = lines.first { $0.hasPrefix(" debezium_orders_s") }.map(String.init) ?? ""
        #expect(growing.contains("GROWING") && growing.contains("MiB"), "\(screen)")
        let ok = lines.first { $0.hasPrefix(" sluice_shop") }.map(String.init) ?? ""
        #expect(ok.contains("35ms") && ok.contains("OK"), "the capture's lag beside its slot:\n\(screen)")
        #expect(screen.contains("GROWING debezium_orders_slot: no consumer is connected"), "\(screen)")
        #expect(screen.contains("    SELECT pg_drop_replication_slot('debezium_orders_slot');"), "the statement whole on a line of its own:\n\(screen)")
        #expect(SlotsView.split("drop it (SELECT f('a')) now") == ["drop it now:", "  SELECT f('a');"])
        #expect(SlotsView.split("no statement here") == ["no statement here"])
        #expect(screen.contains("postgres db:5432/shop"), "\(screen)")
    }

    @Test func aPostgresThatStopsAnsweringGetsTheBanner() {
        var m = model()
        m.apply(.postgresError(time: 13, message: "db:5432/shop: connection refused (is Postgres running there?)"))
        let screen = text(m, width: 120, height: 30)
        #expect(screen.contains("⚠ Postgres unreachable since") && screen.contains("connection refused"), "\(screen)")
    }
}
