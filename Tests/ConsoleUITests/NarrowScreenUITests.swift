import Foundation
import Testing

/// The console in small terminals and on its first screen, under tmux against the real broker
/// and the load generator's groups (scripts/kafka-load.py).
@Suite(.serialized, .enabled(if: UIPeer.enabled)) struct NarrowScreenUITests {
    /// A 30-character group name with committed offsets, lag and no members (made with
    /// confluent-kafka), so it must show STOP and keep 16 characters of its name on screen.
    static let longGroup = "\(UIPeer.prefix)-a-group-with-a-30-char-name".prefix(30)

    static func commitLongGroup(_ kafka: String) throws {
        let python = try #require(ProcessInfo.processInfo.environment["SLUICE_TEST_PYTHON"],
                                  "SLUICE_TEST_PYTHON is not set: scripts/test.sh installs confluent-kafka (CI=true requires it)")
        let script = """
        from confluent_kafka import Consumer, TopicPartition
        c = Consumer({"bootstrap.servers": "\(kafka)", "group.id": "\(longGroup)", "enable.auto.commit": False})
        c.commit(offsets=[TopicPartition("\(UIPeer.prefix)-t0", p, 1) for p in range(4)], asynchronous=False)
        c.close()
        """
        let r = try spawn(python, ["-c", script])
        try #require(r.status == 0, "could not commit for \(longGroup): \(r.stderr)")
    }

    @Test(arguments: [(80, 24), (100, 30)])
    func everyKafkaViewKeepsItsNameAndEssentialColumns(size: (Int, Int)) throws {
        let kafka = try UIPeer.requireKafka()
        try Self.commitLongGroup(kafka)
        let t = try Tmux(width: size.0, height: size.1)
        defer { t.close() }
        try t.type("\(UIPeer.sluice) --kafka \(kafka) --refresh 0.5")
        #expect(try t.waitFor(timeout: 15) { $0.split(separator: "\n").first?.contains("▸ Overview") == true }, "overview:\n\((try? t.screen()) ?? "")")

        /// Filters the list down to `name`, waits until it is the one row shown, and opens it.
        func filterAndOpen(_ name: String) throws {
            try t.keys("/")
            for ch in name { try t.keys("-l", String(ch)) }
            try t.keys("Enter")
            #expect(try t.waitFor(timeout: 10) { s in
                s.split(separator: "\n").dropFirst().contains { $0.hasPrefix(" \(name) ") }
            }, "the filter did not show \(name):\n\((try? t.screen()) ?? "")")
            try t.keys("Enter")
        }
        func check(_ what: String, title: String, columns: [String], also: ((String) -> Bool)? = nil) throws {
            #expect(try t.waitFor(timeout: 10) { s in
                let lines = s.split(separator: "\n")
                return lines.first?.contains(title) == true && lines.contains { l in columns.allSatisfy { l.contains($0) } }
                    && lines.allSatisfy { $0.count <= size.0 } && (also?(s) ?? true)
            }, "\(what) at \(size.0)×\(size.1):\n\((try? t.screen()) ?? "")")
        }
        try t.keys("2")
        try check("Topics", title: "▸ Topics (", columns: ["TOPIC", "PARTS", "MESSAGES"])
        try filterAndOpen("\(UIPeer.prefix)-t0")
        try check("Partitions", title: "Topics ▸ \(UIPeer.prefix)-t0", columns: ["PART", "LEADER", "ISR", "HIGH WMARK"])
        try t.keys("3")
        // The 30-character name keeps at least 16 characters; narrow screens say columns are hidden.
        try check("Groups", title: "▸ Groups (", columns: ["GROUP", "STATE", "LAG", "STATUS"]) { s in
            s.contains(String(Self.longGroup.prefix(16))) && (size.0 > 80 || s.split(separator: "\n").first?.contains("(w)") == true)
        }
        try filterAndOpen("\(UIPeer.prefix)-lagging")
        try check("Group detail", title: "Groups ▸ \(UIPeer.prefix)-lagging", columns: ["TOPIC", "PART", "LAG", "STATUS"])
        try t.keys("4")
        try check("Rebalances", title: "▸ Rebalances (", columns: ["GROUP", "DETECTED", "DURATION", "CAUSE"])
        try t.keys("?")
        try check("Help", title: "▸ Help", columns: ["Keys"])
        try t.keys("q", "1", "q")
        #expect(try t.waitFor(timeout: 5) { !$0.contains("sluice ▸") && !$0.contains("▸ Overview") }, "did not quit")
    }

    /// A group with lag and no members is STOP on the first screen; a lagging group with members
    /// is PENDING until its window fills, then WARN — OK never shows for either.
    @Test func theFirstScreenNeverSaysOKForALaggingGroup() throws {
        let kafka = try UIPeer.requireKafka()
        let t = try Tmux(width: 140, height: 36)
        defer { t.close() }
        let stopped = "\(UIPeer.prefix)-stopped", lagging = "\(UIPeer.prefix)-lagging"
        try t.type("\(UIPeer.sluice) --kafka \(kafka) --refresh 0.5 --view groups")
        var sawFirst = false, sawWarn = false
        var seen: [String] = []
        let deadline = Date().addingTimeInterval(40)
        while Date() < deadline && !sawWarn {
            let lines = try t.screen().split(separator: "\n").map(String.init)
            let stoppedRow = lines.first { $0.contains(" \(stopped) ") }
            let laggingRow = lines.first { $0.contains(" \(lagging) ") }
            if let stoppedRow, let laggingRow {
                if !sawFirst {
                    sawFirst = true
                    #expect(stoppedRow.contains("STOP"), "first screen: \(stoppedRow)")
                }
                #expect(!stoppedRow.hasSuffix(" OK") && !stoppedRow.contains(" OK "), "stopped group said OK: \(stoppedRow)")
                #expect(laggingRow.contains("PENDING") || laggingRow.contains("WARN"), "lagging group said neither PENDING nor WARN: \(laggingRow)")
                seen.append(laggingRow.contains("PENDING") ? "PENDING" : "WARN")
                sawWarn = laggingRow.contains("WARN")
            }
            usleep(100_000)
        }
        #expect(sawFirst, "the groups never showed:\n\((try? t.screen()) ?? "")")
        #expect(seen.first == "PENDING", "the lagging group did not start PENDING: \(seen.prefix(3))")
        #expect(sawWarn, "the lagging group never turned WARN:\n\((try? t.screen()) ?? "")")
        try t.keys("q")
    }
}
