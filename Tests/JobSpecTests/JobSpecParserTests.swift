import Dataflow
import Testing
@testable import JobSpec

@Suite struct JobSpecParserTests {
    static let revenue = """
    name: revenue-per-customer
    parallelism: 2
    source: {topic: orders, format: json, timestamp: ts, watermark: {outOfOrderness: 5s, idleAfter: 30s}}
    steps:
      - filter: "status == 'paid'"
      - keyBy: customer
      - window: {tumbling: 1m, allowedLateness: 30s, lateOutput: orders-late}
      - aggregate: {revenue: sum(amount), orders: count()}
    sink: {topic: revenue-per-minute}
    """

    @Test func theIssueExampleReadsAsWritten() throws {
        let job = try JobSpecParser.parse(Self.revenue)
        #expect(job.name == "revenue-per-customer" && job.parallelism == 2)
        guard case .topic(let t) = job.source else { Issue.record("not a topic source"); return }
        #expect(t.topic == "orders" && t.timestampField == ["ts"] && t.watermark == .init(outOfOrderness: 5000, idleAfter: 30_000))
        #expect(job.steps.count == 3)
        guard case .window(let w) = job.steps[2].operation else { Issue.record("no window"); return }
        #expect(w.assigner == .tumbling(size: 60_000) && w.allowedLateness == 30_000 && w.lateOutput == "orders-late")
        #expect(w.aggregation.outputs.map(\.name) == ["revenue", "orders"])
        #expect(job.sink.topic == "revenue-per-minute")
        #expect(job.deadLetterTopic == "revenue-per-customer-dead-letter")
    }

    @Test func everyStepKindParses() throws {
        let job = try JobSpecParser.parse("""
        name: all
        source: {generator: {rate: 500/s, keys: 10, late: 0.05, outOfOrder: 0.2, maxDelay: 2s, count: 1000, seed: 3}}
        steps:
          - map: {customer: key, amount: "value * 2", ts: ts}
          - dedupe: {key: customer, ttl: 10m}
          - join: {table: customers, key: customer, as: info, type: left}
          - window: {sliding: 1m, every: 10s}
          - aggregate: {n: count()}
          - keyBy: n
          - window: {session: 30s}
          - aggregate: {sessions: count()}
          - delay: 5ms
        sink: {topic: out, key: n, throttle: 200/s, parallelism: 1}
        deadLetter: all-bad
        """)
        #expect(job.steps.count == 7)
        #expect(job.deadLetterTopic == "all-bad")
        #expect(job.sink.throttle == 200 && job.sink.parallelism == 1)
        guard case .generator(let g) = job.source else { Issue.record("no generator"); return }
        #expect(g.rate == 500 && g.lateFraction == 0.05 && g.maxDelay == 2000 && g.count == 1000)
    }

    @Test(arguments: [
        ("name: x\nsource: {topic: t}\nsink: {topic: o}\nsteps:\n  - filter: \"amount >\"\n", 5, "steps[0].filter: in \"amount >\": column 9: expected a value"),
        ("name: x\nsource: {topic: t}\nsink: {topic: o}\nsteps:\n  - filter: \"amount * 2\"\n", 5, "gives a number where a boolean is needed"),
        ("name: x\nsource: {topic: t}\nsink: {topic: o}\nsteps:\n  - window: {tumbling: 1x}\n  - aggregate: {n: count()}\n", 5, "'1x' is not a duration"),
        ("name: x\nsource: {topic: t}\nsink: {topic: o}\nsteps:\n  - keyBy: k\n  - window: {tumbling: 1m}\n", 6, "must be followed by an aggregate"),
        ("name: x\nsource: {topic: t}\nsink: {topic: o}\nsteps:\n  - window: {tumbling: 1m}\n  - aggregate: {n: count()}\n", 5, "needs a keyBy before it"),
        ("name: x\nsource: {topic: t, fromat: json}\nsink: {topic: o}\n", 2, "unknown key 'fromat'"),
        ("name: x\nsource: {topic: t}\n", 1, "missing 'sink'"),
        ("name: x\nsource: {topic: t}\nsink: {topic: o}\nsteps:\n  - keyBy: k\n  - window: {tumbling: 1m}\n  - aggregate: {n: total(v)}\n", 7, "an aggregate is one of count()"),
        ("name: x\nsource: [1, 2\n", 3, "not valid YAML"),
        ("name: 'bad name!'\nsource: {topic: t}\nsink: {topic: o}\n", 1, "not a usable name"),
        ("name: x\nsource: {generator: {late: 0.1}}\nsink: {topic: o}\n", 2, "need a maxDelay"),
        ("name: x\nsource: {topic: t}\nsink: {topic: o, discard: true}\n", 3, "either writes a topic or discards"),
        ("name: x\nsource: {topic: t}\nsink: {discard: false}\n", 3, "discard is true"),
        ("name: x\nsource: {topic: t}\nsink: {discard: true, format: text}\n", 3, "'format' has no effect"),
        ("name: x\nsource: {topic: t}\nsink: {name: out}\n", 3, "a sink needs 'topic' (or 'discard: true')"),
        ("name: x\nsource: {topic: t}\nsink: {topic: o}\ncheckpoints: {timeout: 1m}\n", 4, "missing 'interval'"),
        ("name: x\nsource: {topic: t}\nsink: {topic: o}\ncheckpoints: -1s\n", 4, "not a duration"),
        ("name: x\nsource: {topic: t}\nsink: {topic: o}\ncheckpoints: {interval: 1s, retained: 0}\n", 4, "retained"),
        ("name: x\nsource: {topic: t}\nsink: {topic: o}\nsteps:\n  - delay: {record: 1ms, expireCheckpoints: true}\n", 5, "turn checkpoints on"),
        ("name: x\nsource: {topic: t}\nsink: {postgres: {table: t}}\n", 3, "needs 'url'"),
        ("name: x\nsource: {topic: t}\nsink: {postgres: {url: 'mysql://h/d', table: t}}\n", 3, "is not a postgres:// URL"),
        ("name: x\nsource: {topic: t}\nsink: {postgres: {url: 'postgres://u@h/d', table: 'a;drop'}}\n", 3, "is not a table name"),
        ("name: x\nsource: {topic: t}\nsink: {topic: o, postgres: {url: 'postgres://u@h/d', table: t}}\n", 3, "give one"),
        ("name: x\nsource: {topic: t}\nsink: {postgres: {url: 'postgres://u@h/d', table: t}, delivery: exactly-once}\ncheckpoints: 1s\n", 3, "leave delivery at-least-once"),
        ("name: x\nsource: {topic: t}\nsink: {topic: o}\nsteps:\n  - delay: {record: 1ms, expireCheckpoints: 0}\n", 5, "expireCheckpoints is true, false or N"),
    ])
    func badSpecsNameTheLineAndTheReason(text: String, line: Int, reason: String) {
        do {
            _ = try JobSpecParser.parse(text)
            Issue.record("parsed: \(text)")
        } catch let e as JobSpecError {
            #expect(e.line == line, "\(e)")
            #expect(e.description.contains(reason), "\(e)")
        } catch { Issue.record("\(error)") }
    }

    @Test func checkpointsWithFlinksDefaultsOrAsWritten() throws {
        let short = try JobSpecParser.parse("name: c\nsource: {topic: t}\nsink: {topic: o}\ncheckpoints: 10s\n")
        #expect(short.checkpoints == .init(interval: 10_000, timeout: 600_000, minPause: 0, tolerableFailures: 0, retained: 1))
        let full = try JobSpecParser.parse("""
        name: c
        source: {topic: t}
        sink: {topic: o}
        checkpoints: {interval: 1s, timeout: 30s, minPause: 500ms, tolerableFailures: 3, retained: 5}
        """)
        #expect(full.checkpoints == .init(interval: 1000, timeout: 30_000, minPause: 500, tolerableFailures: 3, retained: 5))
        #expect(try JobSpecParser.parse("name: c\nsource: {topic: t}\nsink: {topic: o}\n").checkpoints == nil)
        #expect(try JobSpecParser.parse("name: c\nsource: {topic: t}\nsink: {topic: o}\ncheckpoints: 0ms\n").checkpoints == nil, "0: off")
        #expect(try JobSpecParser.parse("name: c\nsource: {topic: t}\nsink: {topic: o}\ncheckpoints: {interval: 0ms, timeout: 1s}\n").checkpoints == nil)
    }

    @Test func aPostgresSinkNamesItsTableAndKey() throws {
        let job = try JobSpecParser.parse("name: c\nsource: {topic: t}\nsink: {postgres: {url: 'postgres://u:p@h:5433/d', table: sales.rev, key: [customer, windowStart]}}\n")
        #expect(job.sink.postgres == .init(url: "postgres://u:p@h:5433/d", table: "sales.rev", key: ["customer", "windowStart"]))
        #expect(job.sink.topic == nil)
        #expect(try JobGraph(job).vertices.last?.name == "Source: t -> Sink: sales.rev")
    }

    @Test func aDelayCanHoldSnapshotsPastTheTimeout() throws {
        func every(_ v: String) throws -> Int? {
            let job = try JobSpecParser.parse("name: c\nsource: {topic: t}\nsink: {topic: o}\ncheckpoints: 1s\nsteps:\n  - delay: {record: 2ms, expireCheckpoints: \(v)}\n")
            guard case .delay(let us, let n) = job.steps.first?.operation, us == 2000 else { return nil }
            return n
        }
        #expect(try every("true") == 1)
        #expect(try every("false") == 0)
        #expect(try every("3") == 3)
        #expect(throws: JobSpecError.self) { try every("sometimes") }
    }

    @Test func restartStrategies() throws {
        func parse(_ r: String) throws -> JobDefinition.RestartStrategy? {
            try JobSpecParser.parse("name: c\nsource: {topic: t}\nsink: {topic: o}\nrestart: \(r)\n").restart
        }
        #expect(try parse("none") == JobDefinition.RestartStrategy.none)
        #expect(try parse("{fixedDelay: {attempts: 3, delay: 10s}}") == .fixedDelay(attempts: 3, delay: 10_000))
        #expect(try parse("{exponentialDelay: {initialBackoff: 2s, maxBackoff: 1m, multiplier: 2, attempts: 5}}")
                == .exponentialDelay(initialDelay: 2000, maxDelay: 60_000, multiplier: 2, resetAfter: 3_600_000, attempts: 5))
        #expect(throws: JobSpecError.self) { try parse("always") }
        #expect(throws: JobSpecError.self) { try parse("{fixedDelay: {attempts: 3}, exponentialDelay: {attempts: 2}}") }
        #expect(throws: JobSpecError.self) { try parse("{exponentialDelay: {multiplier: 0.5}}") }
    }

    @Test func aDiscardingSinkHasNoTopicAndFlinksName() throws {
        let job = try JobSpecParser.parse("name: dry\nsource: {topic: t}\nsink: {discard: true}\n")
        #expect(job.sink.topic == nil)
        #expect(try JobGraph(job).vertices.last?.name == "Source: t -> Sink: discard")
    }

    @Test func durationsAndRates() {
        #expect(SpecValues.duration("500ms") == 500)
        #expect(SpecValues.duration("1.5s") == 1500)
        #expect(SpecValues.duration("2 min") == 120_000)
        #expect(SpecValues.duration("1d") == 86_400_000)
        #expect(SpecValues.duration("10") == nil)
        #expect(SpecValues.duration("-1s") == nil)
        #expect(SpecValues.rate("50/m") == 50.0 / 60)
        #expect(SpecValues.rate("fast") == nil)
    }
}

extension JobSpecParserTests {
    /// `params` are the spec's program arguments: `--rate 2000` replaces `${rate}`; `--name`
    /// renames the job; anything else is refused, naming what the spec takes.
    @Test func paramsComeFromProgramArguments() throws {
        let text = """
        name: ${name}
        params: {name: base, rate: 200}
        source: {generator: {rate: ${rate}/s}, name: events}
        steps:
          - delay: 1ms
            name: slow
            chain: false
        sink: {topic: out, name: discard}
        """
        let plain = try JobSpecParser.parse(text)
        #expect(plain.name == "base")
        let run = try JobSpecParser.parse(text, arguments: ["--name", "it-x", "--rate", "2000"])
        #expect(run.name == "it-x" && run.deadLetterTopic == "it-x-dead-letter")
        guard case .generator(let g) = run.source else { Issue.record("no generator"); return }
        #expect(g.rate == 2000)
        #expect(run.steps.first?.name == "slow" && run.steps.first?.chained == false && run.sourceName == "events")
        #expect(try JobGraph(run).vertices.map(\.name) == ["Source: events", "slow -> discard"])
        #expect(throws: JobSpecError.self) { try JobSpecParser.parse(text, arguments: ["--slowMs", "8"]) }
        #expect(throws: JobSpecError.self) { try JobSpecParser.parse(text, arguments: ["--rate", "1; rm"]) }
    }
}
