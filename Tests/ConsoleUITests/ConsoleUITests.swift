import Foundation
import Testing

/// The console driven through tmux against the real broker, asserting on what a person sees.
@Suite(.serialized, .enabled(if: UIPeer.enabled)) struct ConsoleUITests {
    @Test func navigateToLaggingGroupResizeAndQuitRestoresTerminal() throws {
        let kafka = try UIPeer.requireKafka()
        let t = try Tmux(width: 140, height: 36)
        try t.type("stty -g > /tmp/sluice-stty-before-\(t.socket)")
        try t.type("\(UIPeer.sluice) --kafka \(kafka) --refresh 0.5")
        #expect(try t.waitFor(timeout: 15) { $0.contains("Overview") && $0.contains("kafka ● 1 broker") }, "overview did not show")
        #expect(try t.alternateScreenOn())

        try t.keys("3")
        let lagging = "\(UIPeer.prefix)-lagging"
        #expect(try t.waitFor(timeout: 10) { $0.contains("Groups (") && $0.contains(lagging) })
        // Filter down to the lagging group, open it.
        try t.keys("/")
        for ch in lagging { try t.keys("-l", String(ch)) }
        try t.keys("Enter")
        #expect(try t.waitFor(timeout: 5) { s in
            let rows = s.split(separator: "\n").filter { $0.contains(" \(UIPeer.prefix)-") }
            return rows.count == 1 && rows[0].contains(lagging)
        }, "filter did not leave only the lagging group")
        // Its status turns WARN once a full window of readings shows lag growing (10 × 0.5 s + debounce).
        #expect(try t.waitFor(timeout: 30) { s in s.split(separator: "\n").contains { $0.contains(lagging) && $0.contains("WARN") } },
                "lagging group never showed WARN:\n\((try? t.screen()) ?? "")")
        let row = try #require(t.screen().split(separator: "\n").first { $0.contains(lagging) })
        let numbers = row.split(separator: " ").compactMap { Int($0.replacingOccurrences(of: ",", with: "")) }
        #expect(numbers.contains { $0 > 100 }, "no lag figure in row: \(row)")

        try t.keys("Enter")
        #expect(try t.waitFor(timeout: 5) { $0.contains("Groups ▸ \(lagging)") && $0.contains("COMMITTED") && $0.contains(" \(UIPeer.prefix)-t") },
                "group detail did not open:\n\((try? t.screen()) ?? "")")
        #expect(try t.waitFor(timeout: 10) { $0.contains("status WARN") })

        try t.resize(width: 90, height: 24)
        #expect(try t.waitFor(timeout: 5) { s in
            let lines = s.split(separator: "\n", omittingEmptySubsequences: true)
            return lines.count <= 24 && lines.allSatisfy { $0.count <= 90 } && s.contains("Groups ▸") && s.contains("COMMITTED")
        }, "did not redraw at 90×24:\n\((try? t.screen()) ?? "")")

        try t.resize(width: 50, height: 12)
        #expect(try t.waitFor(timeout: 5) { $0.contains("Terminal too small: 50×12") })
        try t.resize(width: 120, height: 30)
        #expect(try t.waitFor(timeout: 5) { $0.contains("COMMITTED") })

        // Esc goes back to the list; q on a top-level view quits.
        try t.keys("Escape")
        #expect(try t.waitFor(timeout: 5) { $0.contains("Groups (") && !$0.contains("COMMITTED") })
        try t.keys("1")
        #expect(try t.waitFor(timeout: 5) { $0.contains("▸ Overview") })
        try t.keys("q")
        #expect(try t.waitFor(timeout: 5) { $0.contains("READY$") && !$0.contains("Overview") }, "no shell prompt after quit")
        #expect(try !t.alternateScreenOn())
        // Markers are computed by the shell so the typed command line itself cannot match them.
        try t.type("stty -g | cmp - /tmp/sluice-stty-before-\(t.socket) && echo STTY-$((6*7))-SAME; rm -f /tmp/sluice-stty-before-\(t.socket)")
        #expect(try t.waitFor(timeout: 5) { $0.contains("STTY-42-SAME") }, "terminal modes not restored")
    }

    @Test func sigtermRestoresTerminal() throws {
        let kafka = try UIPeer.requireKafka()
        let t = try Tmux()
        try t.type("stty -g > /tmp/sluice-stty-\(t.socket); \(UIPeer.sluice) --kafka \(kafka); echo exit-status=$?")
        #expect(try t.waitFor(timeout: 15) { $0.contains("Overview") })
        _ = try run("/usr/bin/pkill", ["-TERM", "-f", "\(UIPeer.sluice) --kafka \(kafka)$"])
        #expect(try t.waitFor(timeout: 5) { $0.contains("READY$") && !$0.contains("Overview") })
        #expect(try !t.alternateScreenOn())
        try t.type("stty -g | cmp - /tmp/sluice-stty-\(t.socket) && echo STTY-$((6*7))-SAME")
        #expect(try t.waitFor(timeout: 5) { $0.contains("STTY-42-SAME") })
        #expect(try t.screen().contains("exit-status=143"), "exit status should be 128+SIGTERM:\n\((try? t.screen()) ?? "")")
    }

    @Test func dumbOrMissingTermFailsBeforeTouchingTheScreen() throws {
        let t = try Tmux()
        try t.type("TERM=dumb \(UIPeer.sluice) --kafka 127.0.0.1:1; echo status=$?")
        #expect(try t.waitFor(timeout: 10) { $0.contains("status=2\n") || $0.hasSuffix("status=2") })
        #expect(try t.screen().contains("TERM=dumb cannot address the cursor"))
        try t.type("clear; env -u TERM \(UIPeer.sluice) --kafka 127.0.0.1:1; echo status=$?")
        #expect(try t.waitFor(timeout: 10) { $0.contains("status=2\n") || $0.hasSuffix("status=2") })
        #expect(try t.screen().contains("TERM is not set"))
        #expect(try !t.alternateScreenOn())
    }

    @Test func brokerKilledMidSessionShowsBannerThenReconnects() throws {
        _ = try UIPeer.requireKafka()  // the peer install exists when the shared broker runs
        let script = UIPeer.root.appendingPathComponent("scripts/kafka-peer.sh").path
        let state = NSTemporaryDirectory() + "/sluice-ui-broker-\(getpid())"
        let port = 40000 + Int(getpid() % 20000)
        let env = "SLUICE_STATE=\(state) KAFKA_PORT=\(port)"
        defer { _ = try? spawn("/bin/sh", ["-c", "\(env) \(script) stop; rm -rf \(state)"]) }
        let start = try spawn("/bin/sh", ["-c", "\(env) \(script) start"])
        try #require(start.status == 0, "second broker did not start: \(start.stderr)")

        let t = try Tmux()
        try t.type("\(UIPeer.sluice) --kafka 127.0.0.1:\(port) --refresh 0.5")
        #expect(try t.waitFor(timeout: 15) { $0.contains("kafka ● 1 broker") && $0.contains("Kafka       connected") })
        _ = try spawn("/bin/sh", ["-c", "\(env) \(script) stop"])
        #expect(try t.waitFor(timeout: 15) { $0.contains("⚠ Kafka disconnected since") && $0.contains("kafka ✖ down") },
                "no banner after the broker died:\n\((try? t.screen()) ?? "")")
        let again = try spawn("/bin/sh", ["-c", "\(env) \(script) start"])
        try #require(again.status == 0, "broker did not restart: \(again.stderr)")
        // Back off at most a few seconds, then reconnect without a key press.
        #expect(try t.waitFor(timeout: 20) { !$0.contains("Kafka disconnected") && $0.contains("kafka ● 1 broker") },
                "did not reconnect:\n\((try? t.screen()) ?? "")")
        try t.keys("q")
        #expect(try t.waitFor(timeout: 5) { $0.contains("READY$") })
    }

    @Test func unreachableBrokerShowsBannerAndKeepsRunning() throws {
        let t = try Tmux()
        try t.type("\(UIPeer.sluice) --kafka 127.0.0.1:1 --refresh 0.5")
        #expect(try t.waitFor(timeout: 10) { $0.contains("Kafka disconnected since") && $0.contains("connection refused") },
                "no disconnected banner:\n\((try? t.screen()) ?? "")")
        try t.keys("3")
        #expect(try t.waitFor(timeout: 5) { $0.contains("no data: Kafka unreachable") })
        try t.keys("q")
        try t.keys("q")
        #expect(try t.waitFor(timeout: 5) { $0.contains("READY$") && !$0.contains("Groups") })
    }
}

/// Runs a program and waits for it.
@discardableResult
func run(_ path: String, _ args: [String]) throws -> Int32 {
    try spawn(path, args).status
}
