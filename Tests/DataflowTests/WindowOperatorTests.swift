import Testing
@testable import Dataflow

@Suite struct WindowOperatorTests {
    func op(_ assigner: WindowAssigner, lateness: Int64 = 0, _ aggs: [(String, String)] = [("n", "count()")]) throws -> WindowOperator {
        WindowOperator(assigner: assigner, aggregation: try Aggregation(aggs.map { (name: $0.0, text: $0.1) }), allowedLateness: lateness, keyName: "k")
    }

    @Test func tumblingWindowsFireWhenTheWatermarkReachesTheirEnd() throws {
        let w = try op(.tumbling(size: 10))
        let out = Capture()
        for (k, t) in [("a", 1), ("b", 3), ("a", 9), ("a", 12)] { try w.process(rec(k, Int64(t)), out) }
        try w.advance(to: 8, out)
        #expect(out.records.isEmpty, "window [0,10) is due at 9")
        try w.advance(to: 9, out)
        #expect(Set(out.windows()) == ["a@0-10=2", "b@0-10=1"])
        #expect(out.records.allSatisfy { $0.time == 9 }, "results carry the window's max timestamp")
        try w.process(rec("a", 5), out)  // past the window, no lateness: late
        #expect(out.late.map(\.time) == [5])
        try w.advance(to: 100, out)
        #expect(out.windows().last == "a@10-20=1")
        #expect(out.watermarks == [8, 9, 100])
        #expect(w.stateSize == 0)
    }

    @Test func allowedLatenessUpdatesResultsThenSendsToTheSideOutput() throws {
        let w = try op(.tumbling(size: 10), lateness: 5, [("n", "count()"), ("s", "sum(v)")])
        let out = Capture()
        try w.process(rec("a", 2, [("v", .int(10))]), out)
        try w.advance(to: 9, out)
        #expect(out.windows() == ["a@0-10=1"])
        try w.process(rec("a", 4, [("v", .int(5))]), out)  // within lateness: fires again at once, accumulated
        #expect(out.windows() == ["a@0-10=1", "a@0-10=2"])
        #expect(out.records.last?.value.lookup(["s"]) == .int(15))
        try w.advance(to: 14, out)  // 9 + 5 = 14: the window is gone
        try w.process(rec("a", 7, [("v", .int(1))]), out)
        #expect(out.late.count == 1 && out.records.count == 2)
    }

    @Test func slidingWindowsCountAnEventInEachWindowThatHoldsIt() throws {
        let w = try op(.sliding(size: 10, slide: 5))
        let out = Capture()
        try w.process(rec("a", 7), out)
        try w.advance(to: 100, out)
        #expect(out.windows() == ["a@0-10=1", "a@5-15=1"])
    }

    @Test func sessionWindowsMergeWithinTheGap() throws {
        let w = try op(.session(gap: 10), [("n", "count()"), ("lo", "min(t)"), ("hi", "max(t)")])
        let out = Capture()
        for t in [1, 5, 30, 14] as [Int64] { try w.process(rec("a", t), out) }  // 1,5,14 chain (gaps < 10); 30 alone
        try w.process(rec("b", 3), out)
        try w.advance(to: 23, out)
        #expect(Set(out.windows()) == ["a@1-24=3", "b@3-13=1"])
        try w.advance(to: 40, out)
        #expect(out.windows().last == "a@30-40=1")
    }

    @Test func sessionBridgedByALateRecordWithinLatenessMerges() throws {
        let w = try op(.session(gap: 5), lateness: 20)
        let out = Capture()
        try w.process(rec("a", 0), out)
        try w.process(rec("a", 10), out)
        try w.advance(to: 16, out)  // both sessions [0,5) and [10,15) fired
        #expect(Set(out.windows()) == ["a@0-5=1", "a@10-15=1"])
        try w.process(rec("a", 5), out)  // bridges them: [0,15) with 3
        #expect(out.windows().last == "a@0-15=3")
    }

    @Test func aggregatesKeepIntegersAndSkipNulls() throws {
        let w = try op(.tumbling(size: 10), [("n", "count(v)"), ("s", "sum(v)"), ("a", "avg(v)"), ("lo", "min(v)"), ("hi", "max(v)")])
        let out = Capture()
        for v in [Value.int(4), .null, .int(8), .double(0.5)] { try w.process(rec("a", 1, [("v", v)]), out) }
        try w.advance(to: 9, out)
        let r = try #require(out.records.first?.value)
        #expect(r.lookup(["n"]) == .int(3))
        #expect(r.lookup(["s"]) == .double(12.5))
        #expect(r.lookup(["a"]) == .double(12.5 / 3))
        #expect(r.lookup(["lo"]) == .double(0.5))
        #expect(r.lookup(["hi"]) == .int(8))
    }
}

extension WindowOperatorTests {
    /// A window whose first record comes after the watermark passed it (within the lateness)
    /// fires at once, and not again when the watermark moves on.
    @Test func aWindowFirstSeenLateFiresOnce() throws {
        let w = try op(.tumbling(size: 10), lateness: 100)
        let out = Capture()
        try w.advance(to: 50, out)
        try w.process(rec("a", 5), out)
        #expect(out.windows() == ["a@0-10=1"])
        try w.advance(to: 60, out)
        #expect(out.windows() == ["a@0-10=1"])
    }
}

/// Many keys in one pane (its slot table grows several times), against a dictionary count.
@Suite struct WindowManyKeysTests {
    @Test func everyKeysCountMatchesAReferenceAcrossPanes() throws {
        let w = WindowOperator(assigner: .tumbling(size: 100), aggregation: try Aggregation([(name: "n", text: "count()")]),
                               allowedLateness: 0, keyName: "k")
        let out = Capture()
        var expected: [String: Int] = [:]
        var rng = SystemRandomNumberGenerator()
        for i in 0..<20_000 {
            let key = "key-\(Int.random(in: 0..<3_000, using: &rng))", t = Int64(i / 100)
            try w.process(rec(key, t), out)
            expected["\(key)@\(t / 100 * 100)", default: 0] += 1
        }
        try w.advance(to: .max - 1, out)
        var got: [String: Int] = [:]
        for r in out.records {
            let k = try #require(r.value.lookup(["k"])?.string), s = try #require(r.value.lookup(["windowStart"]))
            guard case .int(let n)? = r.value.lookup(["n"]) else { Issue.record("no count in \(r.value)"); continue }
            #expect(got["\(k)@\(s.text)"] == nil, "one result per key and window")
            got["\(k)@\(s.text)"] = Int(n)
        }
        #expect(got == expected)
        #expect(w.stateSize == 0)
    }
}
