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
        let columns = [Column("TOPIC", width: 10, flex: 3), Column("PARTS", width: 5, right: true), Column("ISR", width: 10, flex: 1)]
        // Room to spare: no column grows past its content, title (with the sort marker) or minimum.
        #expect(layoutColumns(columns, content: [6, 1, 1], width: 170) == [10, 6, 10])
        #expect(layoutColumns(columns, content: [40, 1, 1], width: 170) == [40, 6, 10])
        // Not enough room: the flexible name column gives width back first, then the others.
        #expect(layoutColumns(columns, content: [40, 1, 1], width: 40) == [22, 6, 10])
        #expect(layoutColumns(columns, content: [40, 1, 1], width: 20).reduce(0, +) <= 20 - 2)
    }
}
