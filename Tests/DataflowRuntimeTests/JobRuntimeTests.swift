import Dataflow
import EngineCore
import EngineFixtures
import Foundation
import JobSpec
import KafkaProtocol
import Testing
@testable import DataflowRuntime

@Suite(.serialized) struct JobRuntimeTests {
    /// Out-of-order and late events, one partition: the job's window results and late output
    /// equal the reference model's, updates within the allowed lateness included.
    @Test func tumblingWindowsMatchTheReferenceWithLateUpdatesAndSideOutput() async throws {
        let fx = try await EngineFixture.start()
        defer { Task { await fx.stop() } }
        try await fx.engine.createTopic("clicks", partitions: 1)
        var rng = SystemRandomNumberGenerator()
        var input: [(key: String, time: Int64)] = []
        var t: Int64 = 1_000_000
        for _ in 0..<3000 {
            t += Int64.random(in: 0...40, using: &rng)
            let roll = Int.random(in: 0..<100, using: &rng)
            var time = t
            if roll < 10 { time -= Int64.random(in: 0...500, using: &rng) }        // out of order, within the bound
            else if roll < 14 { time -= Int64.random(in: 501...3000, using: &rng) } // behind the watermark
            input.append(("u\(Int.random(in: 0..<7, using: &rng))", time))
        }
        input.append(("zz", t + 100_000))  // moves the watermark past every real window
        for chunk in stride(from: 0, to: input.count, by: 500) {
            let part = input[chunk..<min(chunk + 500, input.count)]
            try await fx.produce("clicks", part.map { #"{"user":"\#($0.key)","at":\#($0.time)}"# })
        }
        let spec = """
        name: clicks-per-second
        parallelism: 2
        source: {topic: clicks, timestamp: at, watermark: {outOfOrderness: 500ms}}
        steps:
          - keyBy: user
          - window: {tumbling: 1s, allowedLateness: 1s, lateOutput: clicks-late}
          - aggregate: {n: count()}
        sink: {topic: clicks-per-second}
        """
        let expected = ReferenceWindows(size: 1000, slide: 1000, outOfOrderness: 500, lateness: 1000).run(input)
        #expect(expected.late.count > 20 && expected.emitted.count > 100, "the input exercises late data")
        let manager = JobManager(engine: fx.engine)
        let job = try await manager.submit(try JobSpecParser.parse(spec))
        _ = try await fx.readUntil("clicks-per-second") { $0.count >= expected.emitted.count }
        _ = try await fx.readUntil("clicks-late") { $0.count >= expected.late.count }
        job.cancel()
        #expect(await job.waitUntilTerminal(timeout: 10))
        #expect(job.state == .canceled)
        let got = try await fx.readAll("clicks-per-second").compactMap { r -> ReferenceWindows.Emission? in
            guard let v = r.json, case .string(let k)? = v.lookup(["user"]), case .int(let s)? = v.lookup(["windowStart"]),
                  case .int(let e)? = v.lookup(["windowEnd"]), case .int(let n)? = v.lookup(["n"]) else { return nil }
            #expect(r.key == k, "results are keyed by the window's key")
            #expect(r.time == e - 1, "a result carries its window's max timestamp")
            return .init(key: k, start: s, end: e, count: n)
        }
        #expect(got.sorted { $0.description < $1.description } == expected.emitted.sorted { $0.description < $1.description })
        let late = try await fx.readAll("clicks-late").compactMap { $0.json?.lookup(["at"]) }
        #expect(late.sorted { ($0.number ?? 0) < ($1.number ?? 0) } == expected.late.sorted().map { .int($0) })
        await manager.shutdown()
    }

    /// Records that are not JSON or lack their time go to the dead letters with the reason;
    /// the job keeps running and processes what follows.
    @Test func badRecordsGoToTheDeadLettersAndTheJobGoesOn() async throws {
        let fx = try await EngineFixture.start()
        defer { Task { await fx.stop() } }
        try await fx.engine.createTopic("in", partitions: 1)
        try await fx.produce("in", [#"{"id":1,"ts":5}"#, "not json", #"{"id":2}"#, #"{"id":3,"ts":"2024-05-01T10:00:00Z"}"#, #"{"ts":7}"#])
        let manager = JobManager(engine: fx.engine)
        let job = try await manager.submit(JobDefinition(name: "pass", source: .topic(.init(topic: "in", timestampField: ["ts"])), steps: [
            .init(.keyBy(try CompiledExpression.compile("id"))),
        ], sink: .init(topic: "out")))
        let out = try await fx.readUntil("out") { $0.count >= 2 }
        let dead = try await fx.readUntil("pass-dead-letter") { $0.count >= 3 }
        #expect(out.map(\.key) == ["1", "3"])
        #expect(dead.map(\.text) == ["not json", #"{"id":2}"#, #"{"ts":7}"#])
        let reasons = dead.map { String(decoding: $0.headers.first { $0.key == "sluice.error" }?.value ?? [], as: UTF8.self) }
        #expect(reasons[0].contains("not JSON") && reasons[1].contains("field 'ts' is missing") && reasons[2].contains("no key"))
        #expect(job.state == .running)
        let metrics = job.vertices[0].subtasks[0].snapshot
        #expect(metrics.deadLetters == 3 && metrics.recordsIn == 3, "the keyless record came in, then went to the dead letters")
        await manager.shutdown()
    }

    /// A step that throws fails the job with the error in its exceptions; the engine serves on.
    @Test func aThrowingStepFailsTheJobNotTheEngine() async throws {
        struct Boom: Error, CustomStringConvertible { var description: String { "price must be positive" } }
        let fx = try await EngineFixture.start()
        defer { Task { await fx.stop() } }
        let manager = JobManager(engine: fx.engine)
        let job = try await manager.submit(JobDefinition(name: "thrower", parallelism: 2, source: .generator(.init(rate: 0, keys: 10, count: 100_000)), steps: [
            .init(.function(name: "CheckPrice") { v in
                if case .int(let seq)? = v.lookup(["seq"]), seq == 5000 { throw Boom() }
                return v
            }),
        ], sink: .init(topic: "prices")))
        #expect(await job.waitUntilTerminal(timeout: 20))
        #expect(job.state == .failed)
        #expect(job.failures.first?.message == "price must be positive")
        #expect(job.failures.first?.task.contains("CheckPrice") == true)
        try await fx.engine.createTopic("still-serving", partitions: 1)
        #expect(try await fx.engine.partitionCount("still-serving") == 1)
    }

    /// A bounded generator runs to its end: the final watermark fires every window and the job
    /// finishes; every event is counted once.
    @Test func aBoundedGeneratorFinishesAndEveryEventIsCounted() async throws {
        let fx = try await EngineFixture.start()
        defer { Task { await fx.stop() } }
        let manager = JobManager(engine: fx.engine)
        let job = try await manager.submit(try JobSpecParser.parse("""
        name: counts
        parallelism: 2
        source: {generator: {rate: 0, keys: 50, count: 20000, startTime: 0, timeStep: 1ms}}
        steps:
          - keyBy: key
          - window: {tumbling: 1s}
          - aggregate: {n: count(), total: sum(value)}
        sink: {topic: counts}
        """))
        #expect(await job.waitUntilTerminal(timeout: 30))
        #expect(job.state == .finished)
        let results = try await fx.readAll("counts").compactMap(\.json)
        #expect(results.reduce(0) { $0 + ($1.lookup(["n"])?.number ?? 0) } == 20000)
        #expect(Set(results.compactMap { $0.lookup(["windowStart"]) }).count == 20, "20 s of event time in 1 s windows")
    }

    /// A discarding sink counts every record out and writes none: no topic is made for it.
    @Test func aDiscardingSinkCountsAndWritesNothing() async throws {
        let fx = try await EngineFixture.start()
        defer { Task { await fx.stop() } }
        let manager = JobManager(engine: fx.engine)
        let job = try await manager.submit(JobDefinition(name: "dry", parallelism: 2, source: .generator(.init(rate: 0, keys: 10, count: 5_000)),
                                                         steps: [], sink: .init(topic: nil)))
        #expect(await job.waitUntilTerminal(timeout: 30))
        #expect(job.state == .finished)
        #expect(job.vertices[0].subtasks.reduce(0) { $0 + $1.snapshot.recordsOut } == 5_000)
        #expect(job.vertices[0].vertex.name == "Source: generator -> Sink: discard")
        #expect(try await fx.engine.partitionCount("discard") == nil, "no sink topic")
    }

    /// A paced generator never runs ahead of its rate, however small its rate is against its
    /// batch size (the rate is what a demo's load or a backpressure test is built on).
    @Test func aPacedGeneratorKeepsItsRate() async throws {
        let fx = try await EngineFixture.start()
        defer { Task { await fx.stop() } }
        let manager = JobManager(engine: fx.engine)
        let started = Date()
        let job = try await manager.submit(JobDefinition(name: "paced", parallelism: 2, source: .generator(.init(rate: 300, keys: 10)),
                                                         steps: [], sink: .init(topic: "paced-out")))
        try await Task.sleep(for: .seconds(2))  // the rate under test is per unit of time
        let made = job.vertices[0].subtasks.reduce(0) { $0 + $1.snapshot.recordsIn }
        let elapsed = Date().timeIntervalSince(started)
        // Each subtask's first event is due at once, then one every 1/150 s.
        #expect(Double(made) <= elapsed * 300 + 2, "\(made) events in \(elapsed) s at 300/s")
        #expect(made >= 150, "the source runs (\(made) events)")
        job.cancel()
        #expect(await job.waitUntilTerminal(timeout: 10))
        await manager.shutdown()
    }

    /// A sink throttled far below the source's pace: the source's subtasks spend most of each
    /// second backpressured, and the sink is busy.
    @Test func aSlowSinkBackpressuresTheSource() async throws {
        let fx = try await EngineFixture.start()
        defer { Task { await fx.stop() } }
        let manager = JobManager(engine: fx.engine)
        let job = try await manager.submit(JobDefinition(name: "slow", parallelism: 2, source: .generator(.init(rate: 0, keys: 100)), steps: [
            .init(.keyBy(try CompiledExpression.compile("key"))),
        ], sink: .init(topic: "slow-out", throttle: 200)))
        let before = job.vertices[0].subtasks.map(\.snapshot)
        try await Task.sleep(for: .seconds(3))
        let after = job.vertices[0].subtasks.map(\.snapshot)
        for (b, a) in zip(before, after) {
            let share = Double(a.backpressuredNanos - b.backpressuredNanos) / 3e9
            #expect(share > 0.5, "source subtask backpressured \(share * 100)% of the time")
        }
        job.cancel()
        #expect(await job.waitUntilTerminal(timeout: 10))
        await manager.shutdown()
    }
}
