import Foundation
import Testing

/// A recording made with `sluice record` against the broker, replayed in the console under tmux.
@Suite(.serialized, .enabled(if: UIPeer.enabled)) struct ReplayUITests {
    @Test func theConsoleOnARecordingShowsTheRecordedGroupsAndRefusesJobActions() throws {
        let kafka = try UIPeer.requireKafka()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-replay-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/session.jsonl.gz"
        let recorded = try spawn(UIPeer.sluice, ["record", "-o", file, "--kafka", kafka, "--duration", "3s", "--refresh", "0.5"])
        try #require(recorded.status == 0, "sluice record failed: \(recorded.stderr)")

        let t = try Tmux(width: 140, height: 36)
        defer { t.close() }
        try t.type("\(UIPeer.sluice) replay \(file) --speed 8 --view groups")
        let stopped = "\(UIPeer.prefix)-stopped"
        #expect(try t.waitFor(timeout: 15) { s in
            let lines = s.split(separator: "\n")
            return lines.first?.contains("replay session.jsonl.gz") == true
                && lines.contains { $0.contains(" \(stopped) ") && $0.contains("STOP") }
        }, "replayed groups:\n\((try? t.screen()) ?? "")")
        // Drill-down works on the recorded past.
        try t.keys("/")
        for ch in stopped { try t.keys("-l", String(ch)) }
        try t.keys("Enter")
        #expect(try t.waitFor(timeout: 5) { $0.split(separator: "\n").dropFirst().contains { $0.hasPrefix(" \(stopped) ") } })
        try t.keys("Enter")
        #expect(try t.waitFor(timeout: 5) { $0.contains("Groups ▸ \(stopped)") && $0.contains("status STOP") }, "group detail:\n\((try? t.screen()) ?? "")")
        // Replay keys: pause (the footer's timeline says so), seek, resume faster.
        try t.keys("P")
        #expect(try t.waitFor(timeout: 5) { $0.contains("paused (P resumes") })
        try t.keys("j")
        #expect(try t.waitFor(timeout: 5) { s in s.split(separator: "\n").last { !$0.trimmingCharacters(in: .whitespaces).isEmpty }?.contains("❚❚ paused") == true },
                "no timeline:\n\((try? t.screen()) ?? "")")
        try t.keys(":")
        for ch in "seek start" { try t.keys("-l", String(ch)) }
        try t.keys("Enter")
        #expect(try t.waitFor(timeout: 5) { $0.contains(" at ") })
        try t.keys("P", "]")
        #expect(try t.waitFor(timeout: 5) { $0.contains("speed 16×") })
        // A replay has no other contexts to switch to, and says so.
        try t.keys(":")
        for ch in "ctx prod" { try t.keys("-l", String(ch)) }
        try t.keys("Enter")
        #expect(try t.waitFor(timeout: 5) { $0.contains("no context 'prod' (known: none)") })
        try t.keys("q", "q")
        #expect(try t.waitFor(timeout: 5) { !$0.contains("replay session") }, "did not quit")
        #expect(try !t.alternateScreenOn())
    }

    /// A recording in which the lagging group goes WARN: its alert marker takes the replay to that
    /// moment, where the group shows the lag the summary gives for the change; the replay keys
    /// work, job actions are refused; the export of the same file plays in asciinema.
    @Test func aGroupGoingWarnIsFoundByItsMarkerAndExportsToAsciicast() throws {
        let kafka = try UIPeer.requireKafka()
        let asciinema = try #require(ProcessInfo.processInfo.environment["SLUICE_TEST_ASCIINEMA"],
                                     "SLUICE_TEST_ASCIINEMA is not set: scripts/test.sh installs asciinema 2.4 beside confluent-kafka")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-warn-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/warn.jsonl.gz"
        let lagging = "\(UIPeer.prefix)-lagging"
        // Ten readings fill the status window; half-second readings for 12 s leave room after WARN.
        let recorded = try spawn(UIPeer.sluice, ["record", "-o", file, "--kafka", kafka, "--duration", "12s", "--refresh", "0.5"])
        try #require(recorded.status == 0, "sluice record failed: \(recorded.stderr)")
        let summary = try spawn(UIPeer.sluice, ["replay", file, "--summary", "--json"])
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(summary.stdout.utf8)) as? [String: Any], "\(summary.stderr)")
        let changes = try #require(doc["statusChanges"] as? [[String: Any]])
        let warn = try #require(changes.first { $0["group"] as? String == lagging && $0["status"] as? String == "WARN" }, "no WARN in \(changes)")
        let lag = try #require((warn["totalLag"] as? NSNumber)?.int64Value)
        let markers = try #require(doc["markers"] as? [[String: Any]])
        #expect(markers.contains { ($0["text"] as? String)?.hasPrefix("raised: \(lagging) lag") == true && $0["time"] as? Double == warn["time"] as? Double },
                "sluice record marks the alert at the reading that raised it: \(markers)")

        let t = try Tmux(width: 140, height: 36)
        defer { t.close() }
        try t.type("\(UIPeer.sluice) replay \(file) --view groups")
        #expect(try t.waitFor(timeout: 15) { $0.split(separator: "\n").first?.contains("replay warn.jsonl.gz") == true })
        try t.keys("P")
        #expect(try t.waitFor(timeout: 5) { $0.contains("paused (P resumes") })
        // Next marker until the lagging group's alert (the stopped group's comes first).
        var found = false
        for _ in 0..<6 where !found {
            try t.keys("}")
            found = try t.waitFor(timeout: 5) { $0.contains("alert: raised: \(lagging)") }
        }
        #expect(found, "no marker for \(lagging):\n\((try? t.screen()) ?? "")")
        try t.keys("/")
        for ch in "lagging" { try t.keys("-l", String(ch)) }
        try t.keys("Enter")
        #expect(try t.waitFor(timeout: 5) { $0.split(separator: "\n").dropFirst().contains { $0.hasPrefix(" \(lagging) ") } })
        try t.keys("Enter")
        let atMarker = "lag \(Self.grouped(lag))  ·"
        #expect(try t.waitFor(timeout: 5) { $0.contains("Groups ▸ \(lagging)") && $0.contains("status WARN") && $0.contains(atMarker) },
                "expected \(atMarker) and WARN:\n\((try? t.screen()) ?? "")")
        // One reading on, the lag moves; speed steps; job actions are refused.
        try t.keys(".")
        #expect(try t.waitFor(timeout: 5) { $0.contains("one reading on") && !$0.contains(atMarker) }, "\((try? t.screen()) ?? "")")
        try t.keys("]")
        #expect(try t.waitFor(timeout: 5) { $0.contains("speed 2×") })
        try t.keys("[", "[")
        #expect(try t.waitFor(timeout: 5) { $0.contains("speed 0.5×") })
        try t.keys("n")
        #expect(try t.waitFor(timeout: 5) { $0.contains("job actions are refused: this is a replay of warn.jsonl.gz") })
        // q leaves the group, then the console.
        try t.keys("q", "q")
        #expect(try t.waitFor(timeout: 5) { $0.contains("READY$") && !$0.contains("replay warn") }, "did not quit")
        #expect(try !t.alternateScreenOn())

        // The export: valid asciicast v2 with the markers, and asciinema's playback ends on the group.
        let cast = dir + "/warn.cast"
        let exported = try spawn(UIPeer.sluice, ["replay", file, "--export", cast, "--view", "groups", "--keys", "/ lagging ⏎ ⏎", "--size", "140x36"])
        #expect(exported.status == 0 && exported.stderr.contains("frames"), "\(exported.stderr)")
        let lines = try String(contentsOfFile: cast, encoding: .utf8).split(separator: "\n")
        let header = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(header["version"] as? Int == 2 && header["width"] as? Int == 140 && header["height"] as? Int == 36 && header["timestamp"] is Int)
        let events = try lines.dropFirst().map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [Any]) }
        let times = events.compactMap { $0.first as? Double }
        #expect(times.count == events.count && times == times.sorted(), "times go forward")
        #expect(events.contains { $0[1] as? String == "m" && ($0[2] as? String)?.contains("raised: \(lagging)") == true })
        // `read` holds the shell, so nothing it prints scrolls the cast's last screen away.
        try t.type("clear; \(asciinema) cat \(cast); read")
        #expect(try t.waitFor(timeout: 20) { s in
            let rows = s.split(separator: "\n", omittingEmptySubsequences: false)
            return rows.first?.contains("Groups ▸ \(lagging)") == true && s.contains("status WARN") && rows.contains { $0.hasPrefix(" \(UIPeer.prefix)-t0 ") }
        }, "asciinema cat ended on:\n\((try? t.screen()) ?? "")")
        try t.keys("Enter")
        let refused = try spawn(UIPeer.sluice, ["replay", file, "--export", dir + "/no/such/dir/x.cast"])
        #expect(refused.status == 2 && refused.stderr.contains("cannot write") && refused.stderr.contains("No such file or directory"), "\(refused.stderr)")
        let again = try spawn(UIPeer.sluice, ["replay", file, "--export", cast])
        #expect(again.status == 2 && again.stderr.contains("already exists"), "\(again.stderr)")
    }

    /// The console records (R) into a file that cannot grow past 4 KB (RLIMIT_FSIZE standing in
    /// for a full disk): it says recording stopped and why, keeps running, and the file replays.
    @Test func aFullDiskStopsTheConsolesRecordingNotTheConsole() throws {
        let kafka = try UIPeer.requireKafka()
        let prlimit = try #require(["/usr/bin/prlimit", "/bin/prlimit"].first { FileManager.default.isExecutableFile(atPath: $0) }, "prlimit (util-linux) is missing")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-full-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let t = try Tmux(width: 140, height: 36, environment: ["XDG_STATE_HOME": dir])
        defer { t.close() }
        try t.type("\(prlimit) --fsize=4096 \(UIPeer.sluice) --kafka \(kafka) --refresh 0.5 --view groups")
        #expect(try t.waitFor(timeout: 15) { $0.split(separator: "\n").dropFirst().contains { $0.hasPrefix(" \(UIPeer.prefix)-lagging ") } })
        try t.keys("R")
        #expect(try t.waitFor(timeout: 5) { $0.contains("recording to \(dir)/sluice/recordings/") }, "\((try? t.screen()) ?? "")")
        #expect(try t.waitFor(timeout: 60) { $0.contains("recording stopped:") && $0.contains("File too large") },
                "no stop message:\n\((try? t.screen()) ?? "")")
        #expect(try !t.screen().contains("● REC"), "the header still says it records")
        // Still a working console.
        try t.keys("2")
        #expect(try t.waitFor(timeout: 5) { $0.split(separator: "\n").first?.contains("Topics") == true })
        try t.keys("q")
        #expect(try t.waitFor(timeout: 5) { $0.contains("READY$") && !$0.contains("Topics (") }, "did not quit")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir + "/sluice/recordings")
        let file = try #require(files.first { $0.hasSuffix(".jsonl.gz") }, "\(files)")
        let size = try FileManager.default.attributesOfItem(atPath: dir + "/sluice/recordings/" + file)[.size] as! Int
        #expect(size <= 4096)
        let summary = try spawn(UIPeer.sluice, ["replay", dir + "/sluice/recordings/" + file, "--summary", "--json"])
        #expect(summary.status == 0, "\(summary.stderr)")
        let doc = try JSONSerialization.jsonObject(with: Data(summary.stdout.utf8)) as? [String: Any]
        #expect((doc?["readings"] as? Int ?? 0) >= 1, "what was written before the limit replays: \(summary.stdout)")
    }

    /// 59011 → "59,011", as the console shows counts.
    static func grouped(_ n: Int64) -> String {
        var s = String(n)
        var i = s.count - 3
        while i > 0 { s.insert(",", at: s.index(s.startIndex, offsetBy: i)); i -= 3 }
        return s
    }
}
