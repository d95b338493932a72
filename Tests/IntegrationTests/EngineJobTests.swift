import Foundation
import Testing

/// Jobs in `sluice engine`: input written and results read with confluent-kafka, jobs uploaded
/// and run through the engine's REST API, results compared with a reference computed by the
/// scenario from the same input (scripts/engine_job_scenarios.py).
@Suite(.serialized) struct EngineJobTests {
    func engine() throws -> (EngineProcess, String) {
        let engine = EngineProcess(extraArgs: ["--rest-listen", "127.0.0.1:0"])
        try engine.start()
        return (engine, try #require(engine.restURL, "no rest_listen in the engine's log:\n\(engine.log)"))
    }

    /// Tumbling, sliding and session windows with out-of-order and late events: on-time results,
    /// updates within the allowed lateness, and the late side output all equal the reference.
    @Test func windowsEqualTheReference() throws {
        let (engine, rest) = try engine()
        let found = try clientScenario("job-windows", engine, ["--rest", rest], timeout: 240)
        for kind in ["tumbling", "sliding", "session"] {
            let f = try #require(found[kind] as? [String: Int], "no \(kind) results")
            #expect((f["results"] ?? 0) > 50 && (f["late"] ?? 0) > 10, "\(kind): \(f)")
        }
    }

    /// Repeats within the TTL are dropped, and pass again after it.
    @Test func dedupeDropsRepeatsWithinTheTTL() throws {
        let (engine, rest) = try engine()
        let found = try clientScenario("job-dedupe", engine, ["--rest", rest])
        #expect((found["passed"] as? Int ?? 0) < (found["input"] as? Int ?? 0))
        // SIGTERM with the REST API up and a job run: a clean exit, with nothing logged as an error.
        #expect(engine.stop() == 0)
        let errors = engine.log.split(separator: "\n").filter { $0.contains("level=error") }
        #expect(errors.isEmpty, "errors logged on a clean stop: \(errors)")
        #expect(engine.log.contains("msg=\"engine stopped\""))
    }

    /// Each order meets the customer row current at its time; a tombstone removes the customer.
    @Test func theJoinUsesTheTableAsOfEachRecord() throws {
        let (engine, rest) = try engine()
        let found = try clientScenario("job-join", engine, ["--rest", rest])
        #expect((found["joined"] as? Int ?? 0) > 100)
    }
}
