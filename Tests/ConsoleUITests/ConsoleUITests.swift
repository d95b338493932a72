import Foundation
import Testing

/// The console driven through tmux against the real broker, asserting on what a person sees.
@Suite(.serialized, .enabled(if: UIPeer.enabled)) struct ConsoleUITests {
    @Test func navigateToLaggingGroupResizeAndQuitRestoresTerminal() throws {
        let kafka = try UIPeer.requireKafka()
        let t = try Tmux(width: 140, height: 36)
        defer { t.close() }
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
            // Table rows only: the alert line under the table may name another group (a STOP shows at once).
            let rows = s.split(separator: "\n").filter { $0.contains(" \(UIPeer.prefix)-") && !$0.hasPrefix(" ✖") && !$0.hasPrefix(" ⚠") }
            return rows.count == 1 && rows[0].contains(lagging)
        }, "filter did not leave only the lagging group")
        // Its status turns WARN once a full window of readings shows lag growing (10 × 0.5 s + debounce).
        #expect(try t.waitFor(timeout: 30) { s in s.split(separator: "\n").contains { $0.contains(lagging) && $0.contains("WARN") } },
                "lagging group never showed WARN:\n\((try? t.screen()) ?? "")")
        let row = try #require(t.screen().split(separator: "\n").first { $0.contains(lagging) && !$0.contains("sluice ▸") })
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

    @Test func topicsRebalancesAndThemesAgainstTheBroker() throws {
        let kafka = try UIPeer.requireKafka()
        let t = try Tmux(width: 120, height: 30, environment: ["NO_COLOR": "1"])
        defer { t.close() }
        try t.type("\(UIPeer.sluice) --kafka \(kafka) --refresh 0.5 --view topics")
        let topic = "\(UIPeer.prefix)-t0"
        #expect(try t.waitFor(timeout: 15) { $0.contains("Topics (") && $0.contains(topic) })
        // Open the first of the load generator's topics: its 4 partitions with leader and high watermark.
        try t.keys("/")
        for ch in topic { try t.keys("-l", String(ch)) }
        try t.keys("Enter", "Enter")
        #expect(try t.waitFor(timeout: 5) { s in
            s.contains("Topics ▸ \(topic) (4)") && s.contains("HIGH WMARK") && s.contains("4 partitions")
        }, "partitions view:\n\((try? t.screen()) ?? "")")
        // NO_COLOR: attributes only, no colour escape in what the terminal received.
        let styled = try t.tmux(["capture-pane", "-p", "-e", "-t", t.session]).stdout
        #expect(!styled.contains("[38;5;") && !styled.contains("[48;5;") && !styled.contains("[31m"), "colour used under NO_COLOR")
        // The rebalancing group's extra member joins and leaves every few seconds.
        try t.keys("4")
        #expect(try t.waitFor(timeout: 40) { $0.contains("\(UIPeer.prefix)-rebalancing") && ($0.contains("member joined") || $0.contains("member left")) },
                "no rebalance seen:\n\((try? t.screen()) ?? "")")
        try t.keys("?")
        #expect(try t.waitFor(timeout: 5) { $0.contains("freeze / unfreeze live updates") })
        try t.keys("Escape", "q")
        #expect(try t.waitFor(timeout: 5) { $0.contains("READY$") && !$0.contains("Rebalances") })
    }

    @Test func hostileGroupIdIsShownSanitised() throws {
        let kafka = try UIPeer.requireKafka()
        let python = try #require(UIPeer.env["SLUICE_TEST_PYTHON"])
        // A group id carrying a clear-screen and a title-setting sequence, committed for real.
        let code = """
        from confluent_kafka import Consumer, TopicPartition
        c = Consumer({"bootstrap.servers": "\(kafka)", "group.id": "evil\\x1b[2J\\x1b]0;pwned\\x07\\u202egroup", "enable.auto.commit": False})
        c.commit(offsets=[TopicPartition("\(UIPeer.prefix)-t0", 0, 1)], asynchronous=False)
        c.close()
        """
        let r = try spawn(python, ["-c", code])
        try #require(r.status == 0, "commit failed: \(r.stderr)")
        let t = try Tmux(width: 120, height: 30)
        defer { t.close() }
        try t.type("\(UIPeer.sluice) --kafka \(kafka) --view groups")
        // tansu hands the id back percent-encoded (docs/compatibility.md); the engine hands it
        // back as committed, escapes and all. Either way the row shows, the screen is not
        // cleared and the title is untouched.
        #expect(try t.waitFor(timeout: 15) { s in s.split(separator: "\n").contains { $0.hasPrefix(" evil") } },
                "hostile group not listed:\n\((try? t.screen()) ?? "")")
        #expect(try t.screen().contains("Groups ("))
        let title = try t.tmux(["display-message", "-p", "-t", t.session, "#{pane_title}"]).stdout
        #expect(!title.contains("pwned"))
        try t.keys("q")
        #expect(try t.waitFor(timeout: 5) { $0.contains("READY$") })
    }

    @Test func sigtermRestoresTerminal() throws {
        let kafka = try UIPeer.requireKafka()
        let t = try Tmux()
        defer { t.close() }
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
        defer { t.close() }
        try t.type("TERM=dumb \(UIPeer.sluice) --kafka 127.0.0.1:1; echo dumb-status=$?")
        #expect(try t.waitFor(timeout: 10) { $0.contains("dumb-status=2") })
        #expect(try t.screen().contains("TERM=dumb cannot address the cursor"))
        try t.type("clear; env -u TERM \(UIPeer.sluice) --kafka 127.0.0.1:1; echo unset-status=$?")
        #expect(try t.waitFor(timeout: 10) { $0.contains("unset-status=2") })
        #expect(try t.screen().contains("TERM is not set"))
        #expect(try !t.alternateScreenOn())
    }

    @Test func brokerKilledMidSessionShowsBannerThenReconnects() throws {
        _ = try UIPeer.requireKafka()  // the peer install exists when the shared broker runs
        // The same kind of broker the suite runs against (tansu, or the embedded engine).
        let script = UIPeer.root.appendingPathComponent(UIPeer.env["SLUICE_TEST_PEER_SCRIPT"] ?? "scripts/kafka-peer.sh").path
        let state = NSTemporaryDirectory() + "/sluice-ui-broker-\(getpid())"
        let port = 40000 + Int(getpid() % 20000)
        let env = "SLUICE_STATE=\(state) KAFKA_PORT=\(port)"
        defer { _ = try? spawn("/bin/sh", ["-c", "\(env) \(script) stop; rm -rf \(state)"]) }
        let start = try spawn("/bin/sh", ["-c", "\(env) \(script) start"])
        try #require(start.status == 0, "second broker did not start: \(start.stderr)")

        let t = try Tmux()

        defer { t.close() }
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
        defer { t.close() }
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
