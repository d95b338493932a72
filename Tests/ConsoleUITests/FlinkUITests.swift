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

        // The job views at 80×24 and 100×30: the view's name whole in the header, essential columns on screen.
        for (w, h) in [(80, 24), (100, 30)] {
            try t.resize(width: w, height: h)
            for (key, title, columns) in [("c", "▸ Checkpoints", ["ID", "STATUS", "TRIGGERED", "DURATION", "CAUSE"]),
                                          ("e", "▸ Exceptions", ["TIME", "EXCEPTION"]),
                                          ("v", "Jobs ▸ ", ["VERTEX", "BUSY", "BACKPRESSURED", "LEVEL"])] {
                try t.keys(key)
                #expect(try t.waitFor(timeout: 10) { s in
                    let lines = s.split(separator: "\n")
                    return lines.first?.contains(title) == true && lines.contains { l in columns.allSatisfy { l.contains($0) } }
                }, "\(title) at \(w)×\(h):\n\((try? t.screen()) ?? "")")
            }
            try t.keys("5")
            #expect(try t.waitFor(timeout: 10) { s in
                let lines = s.split(separator: "\n")
                return lines.first?.contains("Jobs (") == true && lines.contains { l in ["JOB", "STATE", "CHECKPOINT", "BACKPR"].allSatisfy { l.contains($0) } }
                    && lines.contains { $0.contains("ui-checkpoint-fai") }
            }, "Jobs at \(w)×\(h):\n\((try? t.screen()) ?? "")")
            try t.keys("Enter")
        }

        // q leaves the job, then the console; at 100 columns the header may not say "sluice ▸",
        // so quitting is judged by the terminal itself: the alternate screen gone, the shell back.
        try t.keys("q", "q")
        #expect(try t.waitFor(timeout: 5) { $0.contains("READY$") && (try? t.alternateScreenOn()) == false }, "console did not quit")
    }

    /// Launch, savepoint, pause, resume and cancel with the keys (n, s, p, r, Ctrl-K), each
    /// confirmed in its form, results on the status line.
    @Test func jobActionsFromTheKeyboard() throws {
        let flink = try #require(UIPeer.flink, "SLUICE_TEST_FLINK is not set: scripts/test.sh starts Flink (CI=true requires it)")
        let jar = try #require(UIPeer.flinkJar, "SLUICE_TEST_FLINK_JAR is not set")
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-ui-keys-\(UUID().uuidString)").path
        let t = try Tmux(width: 160, height: 40)
        defer { t.close() }
        try t.type("XDG_STATE_HOME=\(state) \(UIPeer.sluice) --flink \(flink) --view jobs")
        #expect(try t.waitFor(timeout: 20) { $0.contains("Jobs (") || $0.contains("no jobs on this cluster") })
        func typeText(_ s: String) throws { for ch in s { try t.keys("-l", String(ch)) } }
        func jobId(after marker: String) throws -> String? {
            let screen = try t.screen()
            guard let line = screen.split(separator: "\n").first(where: { $0.contains(marker) }),
                  let r = line.range(of: #"[0-9a-f]{32}"#, options: .regularExpression) else { return nil }
            return String(line[r])
        }

        // n: the launch form.
        try t.keys("n")
        #expect(try t.waitFor(timeout: 5) { $0.contains("Launch a job") })
        try typeText(jar)
        try t.keys("Tab", "Tab")
        try typeText("--name ui-keys --rate 1000 --checkpointMs 1000")
        try t.keys("Tab", "BSpace")
        try typeText("2")
        try t.keys("Enter")
        #expect(try t.waitFor(timeout: 30) { $0.contains("launch of \(jar): done — running as") }, "launch:\n\((try? t.screen()) ?? "")")
        let jid = try #require(try jobId(after: "running as"))
        try t.keys("/")
        try typeText(String(jid.prefix(12)))
        try t.keys("Enter")
        #expect(try t.waitFor(timeout: 20) { s in s.split(separator: "\n").contains { $0.contains("ui-keys") && $0.contains("RUNNING") } })

        // s: savepoint, the job keeps running.
        try t.keys("s")
        #expect(try t.waitFor(timeout: 5) { $0.contains("Savepoint ui-keys") })
        try t.keys("Enter")
        #expect(try t.waitFor(timeout: 60) { $0.contains("savepoint of ui-keys: done — file:") }, "savepoint:\n\((try? t.screen()) ?? "")")
        // The savepoint is on disk where the status line says.
        let line = try #require(try t.screen().split(separator: "\n").first { $0.contains("savepoint of ui-keys: done") })
        let path = try #require(line.range(of: #"file:\S+"#, options: .regularExpression).map { String(line[$0].dropFirst("file:".count)) })
        #expect(FileManager.default.fileExists(atPath: path + "/_metadata"), "no _metadata under \(path)")

        // p: pause = stop with savepoint.
        try t.keys("p")
        #expect(try t.waitFor(timeout: 5) { $0.contains("Pause ui-keys: stop with a savepoint") })
        try t.keys("Enter")
        #expect(try t.waitFor(timeout: 60) { $0.contains("pause of ui-keys: done — stopped; savepoint file:") }, "pause:\n\((try? t.screen()) ?? "")")
        #expect(try t.waitFor(timeout: 20) { s in s.split(separator: "\n").contains { $0.contains("ui-keys") && $0.contains("FINISHED") } })

        // r: resume from that savepoint, as a new job.
        try t.keys("r")
        #expect(try t.waitFor(timeout: 5) { $0.contains("Resume ui-keys") })
        try t.keys("y")
        #expect(try t.waitFor(timeout: 30) { $0.contains("resume of ui-keys: done — running as") }, "resume:\n\((try? t.screen()) ?? "")")
        let resumed = try #require(try jobId(after: "running as"))
        #expect(resumed != jid)
        // Restored from the pause's savepoint: Flink's own checkpoint statistics say so.
        let pausedAt = try #require(try t.screen().split(separator: "\n").first { $0.contains("resume of ui-keys: done") }
            .flatMap { line in line.range(of: #"file:\S+"#, options: .regularExpression).map { String(line[$0]) } })
        // Right after RUNNING, Flink may still answer "JobManager is initializing": read until it has the stats.
        var restored: [String: Any]?
        var last = ""
        let by = Date().addingTimeInterval(30)
        while restored == nil && Date() < by {
            let stats = try spawn("/usr/bin/curl", ["-sf", "\(flink)/jobs/\(resumed)/checkpoints"])
            last = stats.stdout
            restored = (try? JSONSerialization.jsonObject(with: Data(stats.stdout.utf8)) as? [String: Any])
                .flatMap { $0["latest"] as? [String: Any] }.flatMap { $0["restored"] as? [String: Any] }
            if restored == nil { usleep(250_000) }
        }
        #expect(restored?["is_savepoint"] as? Bool == true, "resumed job not restored from a savepoint: \(last.prefix(300))")
        #expect(restored?["external_path"] as? String == pausedAt)

        // Ctrl-K: cancel the resumed job, after a confirmation.
        try t.keys("/", "Escape", "/")
        try typeText(String(resumed.prefix(12)))
        try t.keys("Enter")
        #expect(try t.waitFor(timeout: 20) { s in s.split(separator: "\n").contains { $0.contains(String(resumed.prefix(8))) && $0.contains("RUNNING") } })
        try t.keys("C-k")
        #expect(try t.waitFor(timeout: 5) { $0.contains("Cancel ui-keys") && $0.contains("without a savepoint") })
        try t.keys("y")
        #expect(try t.waitFor(timeout: 20) { $0.contains("cancel of ui-keys: done") }, "cancel:\n\((try? t.screen()) ?? "")")
        #expect(try t.waitFor(timeout: 20) { s in
            s.split(separator: "\n").contains { $0.contains(String(resumed.prefix(8))) && ($0.contains("CANCELED") || $0.contains("CANCELLING")) }
        })
        // The action log lists all five.
        try t.keys("L")
        #expect(try t.waitFor(timeout: 5) { s in
            ["launch of", "savepoint of ui-keys", "pause of ui-keys", "resume of ui-keys", "cancel of ui-keys"].allSatisfy { s.contains($0) }
        }, "action log:\n\((try? t.screen()) ?? "")")
        try t.keys("q", "q")
    }

    /// `:ctx NAME` follows a context to Kafka, Flink or both.
    @Test func contextSwitchFollowsFlinkToo() throws {
        let flink = try #require(UIPeer.flink, "SLUICE_TEST_FLINK is not set: scripts/test.sh starts Flink (CI=true requires it)")
        let kafka = try UIPeer.requireKafka()
        let config = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-ctx-\(UUID().uuidString).yaml").path
        try "contexts:\n  broker:\n    kafka: \(kafka)\n  jobs:\n    flink: \(flink)\n".write(toFile: config, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: config) }
        let t = try Tmux(width: 150, height: 30)
        defer { t.close() }
        try t.type("\(UIPeer.sluice) --config \(config) --context broker")
        #expect(try t.waitFor(timeout: 15) { s in s.split(separator: "\n").first.map { $0.contains("broker") && $0.contains("kafka ● 1 broker") } ?? false })
        try t.keys(":")
        for ch in "ctx jobs" { try t.keys("-l", String(ch)) }
        try t.keys("Enter")
        #expect(try t.waitFor(timeout: 15) { s in
            guard let header = s.split(separator: "\n").first else { return false }
            return header.contains("jobs") && header.contains("flink ●") && !header.contains("kafka")
        }, "context switch:\n\((try? t.screen()) ?? "")")
        try t.keys("5")
        #expect(try t.waitFor(timeout: 10) { $0.contains("Jobs (") })
        try t.keys("q", "q")
    }
}
