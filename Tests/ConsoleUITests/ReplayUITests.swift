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
}
