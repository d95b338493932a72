import Foundation
import Testing

/// The Jobs views under tmux against a real Flink 2.3 cluster, asserting on what a person sees.
@Suite(.serialized, .enabled(if: UIPeer.flinkEnabled)) struct FlinkUITests {
    /// Launches the test job through the CLI; returns its id.
    func launch(_ flink: String, _ jar: String, _ args: [String], state: String) throws -> String {
        let r = try spawn(UIPeer.sluice, ["job", "run", jar, "-p", "2", "--flink", flink, "--"] + args)
        try #require(r.status == 0, "sluice job run failed: \(r.stderr)")
        return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func backpressureBottleneckAndFailedCheckpointOnScreen() throws {
        let flink = try #require(UIPeer.flink, "SLUICE_TEST_FLINK is not set: scripts/test.sh starts Flink (CI=true requires it)")
        let jar = try #require(UIPeer.flinkJar, "SLUICE_TEST_FLINK_JAR is not set")
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-ui-\(UUID().uuidString)").path
        setenv("XDG_STATE_HOME", state, 1)
        let slow = try launch(flink, jar, ["--name", "ui-backpressure", "--rate", "2000", "--slowMs", "8"], state: state)
        let failing = try launch(flink, jar, ["--name", "ui-checkpoint-fails", "--rate", "100", "--checkpointMs", "1000",
                                              "--failCheckpoints", "true", "--checkpointTimeoutMs", "1500"], state: state)
        defer {
            for jid in [slow, failing] { _ = try? spawn(UIPeer.sluice, ["job", "cancel", jid, "--flink", flink]) }
        }

        let t = try Tmux(width: 150, height: 40)
        defer { t.close() }
        try t.type("\(UIPeer.sluice) --flink \(flink) --view jobs")
        #expect(try t.waitFor(timeout: 20) { $0.contains("Jobs (") && $0.contains("ui-backpressure") && $0.contains("ui-checkpoint-fails") },
                "jobs did not show:\n\((try? t.screen()) ?? "")")
        // The Jobs list names the bottleneck once backpressure has built up.
        #expect(try t.waitFor(timeout: 90) { s in
            s.split(separator: "\n").contains { $0.contains("ui-backpressure") && $0.contains("HIGH") && $0.contains("slow") }
        }, "no HIGH backpressure with bottleneck slow:\n\((try? t.screen()) ?? "")")

        // Job detail: the slow vertex is marked, its upstream is HIGH.
        try t.keys("/")
        for ch in "ui-backpressure" { try t.keys("-l", String(ch)) }
        try t.keys("Enter", "Enter")
        #expect(try t.waitFor(timeout: 20) { s in
            let lines = s.split(separator: "\n")
            return lines.contains { $0.contains("★ slow") } && lines.contains { $0.contains("counter") && $0.contains("HIGH") }
                && s.contains("bottleneck: slow")
        }, "job detail did not show the bottleneck:\n\((try? t.screen()) ?? "")")

        // The other job's checkpoints: a failed one with Flink's cause.
        try t.keys("5")
        try t.keys("/", "Escape", "/")   // clear the Jobs filter, then type a new one
        for ch in "ui-checkpoint-fails" { try t.keys("-l", String(ch)) }
        try t.keys("Enter", "c")
        #expect(try t.waitFor(timeout: 30) { s in
            s.contains("Checkpoints") && s.split(separator: "\n").contains { $0.contains("FAILED") && $0.contains("Checkpoint expired before completing.") }
        }, "no failed checkpoint with its cause:\n\((try? t.screen()) ?? "")")

        try t.keys("q", "q", "q")
        #expect(try t.waitFor(timeout: 5) { !$0.contains("sluice ▸") }, "console did not quit")
        #expect(try !t.alternateScreenOn())
    }
}
