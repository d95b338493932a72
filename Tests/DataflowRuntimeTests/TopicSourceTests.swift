import Dataflow
import Dispatch
import EngineCore
import EngineFixtures
import Foundation
import Testing
@testable import DataflowRuntime

@Suite(.serialized) struct TopicSourceTests {
    /// Records a source had not read yet are deleted (as retention would): the source goes on
    /// from the log's new start and the job keeps running, instead of failing on every read.
    @Test func aSourceBehindTheLogStartResumesAtItAndTheJobRunsOn() async throws {
        let fx = try await EngineFixture.start()
        defer { Task { await fx.stop() } }
        try await fx.engine.createTopic("in", partitions: 1)
        try await fx.produce("in", (1...3).map { #"{"n":\#($0)}"# })
        // The first record holds the source (the step is chained to it) until the test has cut
        // the log past where the source will read next.
        let entered = DispatchSemaphore(value: 0), proceed = DispatchSemaphore(value: 0)
        let manager = JobManager(engine: fx.engine)
        let job = try await manager.submit(JobDefinition(name: "behind", source: .topic(.init(topic: "in")), steps: [
            .init(.function(name: "Hold") { v in
                if case .int(1)? = v.lookup(["n"]) { entered.signal(); proceed.wait() }
                return v
            }),
        ], sink: .init(topic: "out")))
        await withCheckedContinuation { c in DispatchQueue.global().async { entered.wait(); c.resume() } }
        try await fx.produce("in", (4...6).map { #"{"n":\#($0)}"# })
        #expect(try await fx.engine.deleteRecords(topic: "in", partition: 0, before: 6) == 6)
        try await fx.produce("in", [#"{"n":7}"#])
        proceed.signal()
        let out = try await fx.readUntil("out") { $0.count >= 4 }
        #expect(out.compactMap { $0.json?.lookup(["n"]) } == [.int(1), .int(2), .int(3), .int(7)], "4–6 were deleted unread; 7 follows")
        #expect(job.state == .running)
        job.cancel()
        #expect(await job.waitUntilTerminal(timeout: 10))
        await manager.shutdown()
    }
}
