import Testing
@testable import Dataflow

@Suite struct KeyedOperatorTests {
    @Test func dedupeDropsRepeatsWithinTheTTLAndPassesThemAfter() throws {
        let d = DedupeOperator(ttl: 100, keyText: "id")
        let out = Capture()
        for (k, t) in [("x", 0), ("x", 50), ("y", 60), ("x", 99), ("x", 100), ("x", 150)] as [(String, Int64)] { try d.process(rec(k, t), out) }
        #expect(out.records.map { "\($0.key!.text)@\($0.time)" } == ["x@0", "y@60", "x@100"])
        try d.advance(to: 199, out)
        #expect(d.keys == 1, "y expired at 160; x (first seen 100) lives to 200")
        try d.advance(to: 200, out)
        #expect(d.keys == 0)
        try d.process(rec("x", 201), out)
        #expect(out.records.count == 4)
    }

    @Test func theJoinUsesTheTableRowCurrentAtTheRecordsTime() throws {
        let j = TemporalJoinOperator(table: "customers", field: "customer", kind: .inner)
        let out = Capture()
        j.processTable(key: .string("c1"), row: .object([("tier", .string("silver"))]), time: 10)
        try j.process(rec("c1", 15), out)
        j.processTable(key: .string("c1"), row: .object([("tier", .string("gold"))]), time: 20)  // arrives after, but later in time
        try j.process(rec("c1", 25), out)
        try j.process(rec("c1", 5), out)   // before any version: an inner join drops it
        try j.process(rec("c2", 30), out)  // no such customer
        #expect(out.records.isEmpty, "records wait for the watermark")
        try j.advance(to: 30, out)
        #expect(out.records.map { "\($0.time):\($0.value.lookup(["customer", "tier"])?.text ?? "-")" } == ["15:silver", "25:gold"])
    }

    @Test func aTombstoneRemovesTheKeyAndALeftJoinKeepsTheRecord() throws {
        let j = TemporalJoinOperator(table: "customers", field: "customer", kind: .left)
        let out = Capture()
        j.processTable(key: .string("c1"), row: .object([("tier", .string("gold"))]), time: 10)
        j.processTable(key: .string("c1"), row: nil, time: 20)
        try j.process(rec("c1", 15), out)
        try j.process(rec("c1", 25), out)
        try j.advance(to: 40, out)
        #expect(out.records.map { $0.value.lookup(["customer"]) ?? .string("absent") } == [.object([("tier", .string("gold"))]), .null])
        #expect(j.stateSize == 0, "a tombstone below the watermark leaves nothing behind")
    }

    @Test func keyByWithoutAKeyGoesToTheDeadLetters() throws {
        let k = KeyByOperator(try CompiledExpression.compile("customer"))
        let out = Capture()
        try k.process(StreamRecord(value: .object([("customer", .string("c1"))]), time: 1), out)
        try k.process(StreamRecord(value: .object([("other", .int(1))]), time: 2), out)
        #expect(out.records.map(\.key) == [.string("c1")])
        #expect(out.dead.count == 1 && out.dead[0].0.contains("customer"))
    }
}
