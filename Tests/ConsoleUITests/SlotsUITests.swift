import Foundation
import Testing

/// The Slots view (6) under tmux against a private Postgres 15 cluster and `sluice engine`
/// capturing from it (docs/slots.md): with the capture stopped and the database busy, the
/// slot's retained WAL grows and the GROWING alert shows with its remedy; once the capture is
/// back the slot moves, the retained WAL falls and the alert clears.
@Suite(.serialized) struct SlotsUITests {
    /// A Postgres cluster of the test's own (scripts/postgres-peer.sh).
    final class Postgres {
        let port = Int.random(in: 45_000...49_000)
        var url: String { "postgres://sluice:sluice@127.0.0.1:\(port)/sluice?sslmode=disable" }
        let script = UIPeer.root.appendingPathComponent("scripts/postgres-peer.sh").path

        init() throws {
            let r = try control(["start"])
            try #require(r.status == 0, "Postgres 15 could not start (scripts/postgres-peer.sh installs Debian's postgresql-15): \(r.stderr)")
        }
        func control(_ args: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
            try spawn("/usr/bin/env", ["PG_PORT=\(port)", "/bin/bash", script] + args)
        }
        @discardableResult func sql(_ text: String) throws -> String {
            let r = try control(["psql", "-Atq", "-c", text])
            try #require(r.status == 0, "psql: \(r.stderr)")
            return r.stdout
        }
        func close() { _ = try? control(["clean"]) }
    }

    /// The first size on the slot's row: its RETAINED column, in bytes.
    static func retained(_ screen: String, slot: String) -> Double? {
        guard let row = screen.split(separator: "\n").first(where: { $0.contains(slot) }),
              let m = row.firstMatch(of: /(\d+(?:\.\d+)?) (B|KiB|MiB|GiB)/), let n = Double(m.1) else { return nil }
        return n * ["B": 1, "KiB": 1024, "MiB": 1_048_576, "GiB": 1_073_741_824][String(m.2)]!
    }

    @Test func retainedWALGrowsWhileTheCaptureIsStoppedAndFallsAfterItResumes() throws {
        let pg = try Postgres()
        defer { pg.close() }
        try pg.sql("""
            CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL);
            CREATE TABLE events (id bigserial PRIMARY KEY, pad text);
            CREATE PUBLICATION shop_pub FOR TABLE customers;
            """)
        let engine = try EngineJobsUITests.Engine()
        defer { engine.stop() }
        let add = ["capture", "add", "shop", "--url", pg.url, "--publication", "shop_pub", "--slot", "sluice_shop", "--flink", engine.rest]
        let added = try spawn(UIPeer.sluice, add)
        try #require(added.status == 0, "sluice capture add: \(added.stdout) \(added.stderr)")

        let t = try Tmux(width: 160, height: 40)
        defer { t.close() }
        try t.type("\(UIPeer.sluice) --postgres '\(pg.url)' --flink \(engine.rest) --view slots --refresh 0.5")
        #expect(try t.waitFor(timeout: 30) { s in
            s.contains("Slots (1)") && s.split(separator: "\n").contains { $0.contains("sluice_shop") && $0.contains("shop ●") && $0.contains("OK") }
        }, "the slot and its running capture did not show:\n\((try? t.screen()) ?? "")")

        // The capture stops; the database stays busy (a table the capture does not read): WAL piles up for the slot.
        let removed = try spawn(UIPeer.sluice, ["capture", "remove", "shop", "--flink", engine.rest])
        try #require(removed.status == 0, "\(removed.stderr)")
        // Stopped through a file: the test's threads block signals, and a child started from one inherits that.
        let stop = NSTemporaryDirectory() + "/sluice-slots-writer-\(UUID().uuidString)"
        defer { FileManager.default.createFile(atPath: stop, contents: nil); usleep(300_000); unlink(stop) }
        let writer = Process()
        writer.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        writer.arguments = ["PG_PORT=\(pg.port)", "/bin/bash", "-c",
                            "for i in $(seq 1 600); do [ -e '\(stop)' ] && exit 0; bash '\(pg.script)' psql -q -c \"INSERT INTO events (pad) SELECT repeat('x', 200) FROM generate_series(1, 3000)\" || exit 1; sleep 0.1; done"]
        writer.standardOutput = FileHandle.nullDevice
        writer.standardError = FileHandle.nullDevice
        try writer.run()
        var peak = 0.0
        #expect(try t.waitFor(timeout: 90) { s in
            peak = max(peak, Self.retained(s, slot: "sluice_shop") ?? 0)
            return s.split(separator: "\n").contains { $0.contains("sluice_shop") && $0.contains("GROWING") }
                && s.contains("pg_drop_replication_slot('sluice_shop')")
        }, "no GROWING slot with its remedy while nothing reads it:\n\((try? t.screen()) ?? "")")
        let screen = try t.screen()
        #expect(screen.contains("no consumer"), "the alert says nothing reads the slot:\n\(screen)")
        #expect(!screen.split(separator: "\n").contains { $0.contains("sluice_shop") && $0.contains("shop ●") }, "the capture is gone from the row")
        FileManager.default.createFile(atPath: stop, contents: nil)
        writer.waitUntilExit()

        // The capture comes back on the same slot; a checkpoint lets Postgres move the slot's restart point.
        let again = try spawn(UIPeer.sluice, add)
        try #require(again.status == 0, "sluice capture add again: \(again.stdout) \(again.stderr)")
        var fell = false
        var lastCheckpoint = Date.distantPast
        #expect(try t.waitFor(timeout: 90) { s in
            if Date().timeIntervalSince(lastCheckpoint) > 2 {
                _ = try? pg.sql("CHECKPOINT")
                _ = try? pg.sql("INSERT INTO customers VALUES (\(Int.random(in: 1...1_000_000)), 'x') ON CONFLICT DO NOTHING")
                lastCheckpoint = Date()
            }
            let now = Self.retained(s, slot: "sluice_shop") ?? .infinity
            fell = fell || now < peak / 2
            return fell && s.split(separator: "\n").contains { $0.contains("sluice_shop") && $0.contains("shop ●") && $0.contains("OK") }
                && !s.contains("GROWING")
        }, "the retained WAL did not fall below half its peak (\(peak) B) or the alert did not clear:\n\((try? t.screen()) ?? "")")
        try t.keys("q")
    }
}
