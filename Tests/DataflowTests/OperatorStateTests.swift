import Testing
@testable import Dataflow

/// An operator restored from a snapshot taken mid-stream goes on exactly as the one that was
/// never stopped; restored at another parallelism, the new subtasks together do the same.
@Suite struct OperatorStateTests {
    struct Event { var key: String; var time: Int64; var v: Int64 }

    func events(_ n: Int, keys: Int) -> [Event] {
        var rng = SystemRandomNumberGenerator()
        var t: Int64 = 0
        return (0..<n).map { _ in
            t += Int64.random(in: 0...3, using: &rng)
            let late = Int.random(in: 0..<10, using: &rng) == 0 ? Int64.random(in: 0...40, using: &rng) : 0
            return Event(key: "k\(Int.random(in: 0..<keys, using: &rng))", time: t - late, v: Int64.random(in: -5...50, using: &rng))
        }
    }

    /// Feeds events with a watermark every 10 events (time − 5), as a source would.
    func feed(_ op: StreamOperator, _ events: ArraySlice<Event>, _ out: Capture, maxTime: inout Int64) throws {
        for (i, e) in zip(events.indices, events) {
            try op.process(rec(e.key, e.time, [("v", .int(e.v))]), out)
            maxTime = max(maxTime, e.time)
            if i % 10 == 9 { try op.advance(to: maxTime - 5, out) }
        }
    }

    func results(_ c: Capture) -> [String] {
        func text(_ v: Value) -> String { String(decoding: JSONWriter.bytes(v), as: UTF8.self) }
        return c.records.map { text($0.value) } + c.late.map { "late " + text($0.value) }
    }

    /// Runs `make()` over the events whole, and again stopped at `cut`: snapshotted, restored into
    /// `parallelism` new operators (each keeping the keys it owns), which take the rest by key.
    func check(_ make: () throws -> StreamOperator, parallelism: Int) throws {
        let input = events(3000, keys: 40)
        let whole = try make(), all = Capture()
        var maxTime = Int64.min
        try feed(whole, input[...], all, maxTime: &maxTime)
        try whole.advance(to: .max - 1, all)

        for cut in [0, 7, 1500, 2999] {
            let first = try make(), before = Capture()
            var m = Int64.min
            try feed(first, input[..<cut], before, maxTime: &m)
            var w = StateWriter()
            first.snapshotState(&w)
            let owner = { (key: Value) in Int(key.stableHash % UInt64(parallelism)) }
            let restored = try (0..<parallelism).map { p -> StreamOperator in
                let op = try make()
                var r = StateReader(w.bytes)
                try op.restoreState(&r, owns: { owner($0) == p })
                #expect(r.isAtEnd, "the whole snapshot is read")
                return op
            }
            let after = Capture()
            for (i, e) in zip(input.indices, input) where i >= cut {
                try restored[owner(.string(e.key))].process(rec(e.key, e.time, [("v", .int(e.v))]), after)
                m = max(m, e.time)
                if i % 10 == 9 { for op in restored { try op.advance(to: m - 5, after) } }
            }
            for op in restored { try op.advance(to: .max - 1, after) }
            let got = (results(before) + results(after)).sorted(), expected = results(all).sorted()
            if got != expected {
                let missing = Set(expected).subtracting(got).prefix(3), extra = Set(got).subtracting(expected).prefix(3)
                Issue.record("cut at \(cut), parallelism \(parallelism): \(got.count) results, not \(expected.count); missing \(missing), extra \(extra)")
            }
        }
    }

    func aggregation() throws -> Aggregation { try Aggregation([("n", "count()"), ("s", "sum(v)"), ("lo", "min(v)"), ("a", "avg(v)")].map { (name: $0.0, text: $0.1) }) }

    @Test(arguments: [1, 3]) func tumblingWindows(parallelism: Int) throws {
        try check({ WindowOperator(assigner: .tumbling(size: 20), aggregation: try aggregation(), allowedLateness: 10, keyName: "k") }, parallelism: parallelism)
    }

    @Test(arguments: [1, 2]) func slidingWindows(parallelism: Int) throws {
        try check({ WindowOperator(assigner: .sliding(size: 30, slide: 10), aggregation: try aggregation(), allowedLateness: 0, keyName: "k") }, parallelism: parallelism)
    }

    @Test(arguments: [1, 2]) func sessionWindows(parallelism: Int) throws {
        try check({ WindowOperator(assigner: .session(gap: 4), aggregation: try aggregation(), allowedLateness: 5, keyName: "k") }, parallelism: parallelism)
    }

    @Test(arguments: [1, 2]) func runningCount(parallelism: Int) throws {
        try check({ RunningCountOperator(field: "c") }, parallelism: parallelism)
        let op = RunningCountOperator(field: "c"), out = Capture()
        for t in 0..<5 { try op.process(rec("a", Int64(t)), out) }
        try op.process(rec("b", 9), out)
        #expect(out.records.map { $0.value.lookup(["c"]) } == [.int(1), .int(2), .int(3), .int(4), .int(5), .int(1)])
        #expect(op.metrics.first { $0.0 == "maxCount" }?.1 == 5)
    }

    @Test(arguments: [1, 2]) func dedupe(parallelism: Int) throws {
        try check({ DedupeOperator(ttl: 25, keyText: "k") }, parallelism: parallelism)
    }

    @Test(arguments: [1, 2]) func temporalJoin(parallelism: Int) throws {
        try check({
            let j = TemporalJoinOperator(table: "t", field: "row", kind: .left)
            for k in 0..<40 where k % 3 != 0 {
                j.processTable(key: .string("k\(k)"), row: .object([("since", .int(Int64(k * 10)))]), time: Int64(k * 10))
            }
            return j
        }, parallelism: parallelism)
    }
}
