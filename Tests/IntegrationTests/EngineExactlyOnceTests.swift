import Foundation
import Testing

/// The exactly-once sink across crashes: `sluice engine` is killed with SIGKILL five times while
/// a windowed job writes through it (at random points, checkpoints every 200 ms, so some kills
/// land during one); each time the restarted engine resumes the job from its latest checkpoint.
/// Read with confluent-kafka `read_committed`, the output is the reference computed from the
/// input: every result, each once (scripts/engine_job_scenarios.py, job-eos-*).
@Suite(.serialized) struct EngineExactlyOnceTests {
    @Test func killedFiveTimesTheCommittedOutputIsTheReference() throws {
        let engine = EngineProcess(extraArgs: ["--rest-listen", "127.0.0.1:0"])
        try engine.start()
        let tag = "eos-\(UInt32.random(in: 0 ... .max))"
        let rest = try #require(engine.restURL)
        _ = try clientScenario("job-eos-start", engine, ["--rest", rest, "--topic", tag])
        var rng = SystemRandomNumberGenerator()
        for kill in 1...5 {
            // A random point of the run (the kill point itself is what is random, not a wait for a state).
            usleep(UInt32.random(in: 200_000...900_000, using: &rng))
            #expect(engine.stop(signal: SIGKILL) != 0, "kill \(kill) ends the engine abruptly")
            let resumedBefore = engine.log.components(separatedBy: "msg=\"job resumed\"").count
            try engine.start()
            let resumed = engine.log.components(separatedBy: "msg=\"job resumed\"").count
            #expect(resumed > resumedBefore, "after kill \(kill) the engine resumed the job:\n\(engine.log.split(separator: "\n").suffix(8).joined(separator: "\n"))")
        }
        let found = try clientScenario("job-eos-verify", engine, ["--rest", try #require(engine.restURL), "--topic", tag], timeout: 240)
        let results = found["results"] as? Int ?? 0, written = found["written"] as? Int ?? 0
        #expect(results > 100, "the job produced its results (\(results))")
        #expect(written >= results, "aborted transactions' records are in the log, invisible to read_committed (\(written) written)")
        #expect(!engine.log.contains("could not be resumed"), "every resume worked")
        let fromCheckpoints = engine.log.split(separator: "\n").filter { $0.contains("msg=\"job resumed\"") && $0.contains("/chk-") }.count
        #expect(fromCheckpoints >= 3, "most resumes start from a checkpoint, not from the start (\(fromCheckpoints) of 5)")
    }
}
