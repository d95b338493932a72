import ConsoleModel
import Display
import Testing
@testable import Console

/// Every view is declared once, and the key map, commands, titles and tables come from there.
@Suite struct ViewRegistryTests {
    @Test func everyKindOfPlaceHasExactlyOneView() {
        #expect(Set(ViewRegistry.entries.map(\.kind)) == Set(Route.Kind.allCases))
        #expect(ViewRegistry.entries.count == Route.Kind.allCases.count)
    }

    @Test func keysAndCommandsAreUniqueAndOpenTheirView() {
        let keys = ViewRegistry.entries.compactMap(\.key)
        #expect(Set(keys).count == keys.count)
        let commands = ViewRegistry.entries.flatMap(\.commands)
        #expect(Set(commands).count == commands.count)
        for e in ViewRegistry.entries {
            for c in e.commands { #expect(Route(command: c) == e.route, "\(c)") }
            if let key = e.key, let route = e.route { #expect(KeyMap.action(for: .character(key)) == .view(route), "\(key)") }
        }
        #expect(Route(command: "nope") == nil)
    }

    @Test func titlesAndTablesFollowTheRoute() {
        #expect(Route.partitions(topic: "orders").title == "Topics ▸ orders")
        #expect(Route.checkpoints(jid: "0123456789abcdef").title == "Jobs ▸ 01234567 ▸ Checkpoints")
        #expect(TableSpec.forRoute(.overview) == nil)
        #expect(TableSpec.forRoute(.topics)?.columns.first?.title == "TOPIC")
        #expect(TableSpec.forRoute(.groupDetail(group: "g")) != nil)
    }

    @Test func columnsAreSizedToTheirContent() {
        let columns = [Column("TOPIC", width: 10, flex: 3, priority: .identifier), Column("PARTS", width: 5, right: true),
                       Column("ISR", width: 10, flex: 1, priority: .optional(rank: 1))]
        // Room to spare: no column grows past its content, title (with the sort marker) or minimum.
        #expect(layoutColumns(columns, content: [6, 1, 1], width: 170).widths == [10, 6, 10])
        #expect(layoutColumns(columns, content: [40, 1, 1], width: 170).widths == [40, 6, 10])
        // Not enough room: padding goes first, then a very long name gives back what is past 32 cells.
        #expect(layoutColumns(columns, content: [40, 1, 1], width: 44) == TableLayout(widths: [32, 6, 4], hidden: 0))
        // Narrower: the optional column is hidden before the name shrinks below 32.
        #expect(layoutColumns(columns, content: [40, 1, 1], width: 36) == TableLayout(widths: [29, 6, 0], hidden: 1))
        // Narrowest: the name stops at 16 readable cells; the essential column stays.
        #expect(layoutColumns(columns, content: [40, 1, 1], width: 10) == TableLayout(widths: [16, 6, 0], hidden: 1))
    }

    @Test func optionalColumnsGoLowestRankFirstThenRightmost() {
        let columns = [Column("NAME", width: 4, priority: .identifier), Column("A", width: 4, priority: .optional(rank: 2)),
                       Column("B", width: 4, priority: .optional(rank: 1)), Column("C", width: 4, priority: .optional(rank: 2)),
                       Column("S", width: 4)]
        // 5 + 4 × 4 + 4 gaps = 25: B goes first (the lowest rank), then C (the rightmost of rank 2).
        #expect(layoutColumns(columns, content: [4, 4, 4, 4, 4], width: 20).widths == [5, 4, 0, 4, 4])
        #expect(layoutColumns(columns, content: [4, 4, 4, 4, 4], width: 15).widths == [5, 4, 0, 0, 4])
    }

    @Test func longFreeTextShrinksBeforeAColumnIsHidden() {
        let columns = [Column("TOPIC", width: 6, priority: .identifier), Column("COMMITTED", width: 10, right: true, priority: .optional(rank: 2)),
                       Column("MEMBER", width: 12, flex: 2, priority: .optional(rank: 3)), Column("STATUS", width: 6)]
        // A 45-character member id: it is cut to 24 cells, and COMMITTED stays.
        #expect(layoutColumns(columns, content: [6, 4, 45, 4], width: 50) == TableLayout(widths: [6, 10, 24, 7], hidden: 0))
        #expect(layoutColumns(columns, content: [6, 4, 45, 4], width: 46).hidden == 1, "then an optional column goes")
    }

    @Test func wideModeKeepsEveryColumnAndScrollsAfterTheIdentifier() {
        let columns = [Column("NAME", width: 4, priority: .identifier), Column("A", width: 10), Column("B", width: 10), Column("C", width: 10)]
        let all = wideLayout(columns, content: [], width: 100, first: 0)
        #expect(all == TableLayout(widths: [5, 10, 10, 10], hidden: 0))
        let scrolled = wideLayout(columns, content: [], width: 100, first: 1)
        #expect(scrolled == TableLayout(widths: [5, 0, 10, 10], hidden: 1))
        // Too narrow for all: the ones cut at the right count as hidden.
        #expect(wideLayout(columns, content: [], width: 20, first: 0).hidden == 2)
    }
}
