import Foundation
import Testing

/// A capture added to a running engine from the command line (`sluice capture`, the engine's
/// REST `/captures`), and `sluice slots` reading the slot it uses (docs/capture.md, docs/slots.md),
/// against a private Postgres 15 cluster.
@Suite(.serialized) struct CaptureCLITests {
    func sluice(_ args: [String]) throws -> ProcessResult { try run(Peer.sluice, args, timeout: 90) }

    func records(_ engine: EngineProcess, _ topic: String, count: Int) throws -> Int {
        let found = try clientScenario("capture-read", engine, ["--topic", topic, "--count", "\(count)"], timeout: 120)
        return (found["records"] as? [Any])?.count ?? 0
    }

    @Test func aCaptureAddedFromTheCLIRunsIsReportedWithItsSlotAndSurvivesARestart() throws {
        let pg = try PostgresPeer()
        defer { pg.close() }
        _ = try pg.sql("""
            CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL);
            INSERT INTO customers VALUES (1, 'Ann'), (2, 'Bo');
            CREATE PUBLICATION shop_pub FOR TABLE customers;
            """)
        let engine = EngineProcess(extraArgs: ["--rest-listen", "127.0.0.1:0"])
        try engine.start()
        defer { _ = engine.stop() }
        let rest = try #require(engine.restURL)
        let add = ["capture", "add", "shop", "--url", pg.url, "--publication", "shop_pub", "--slot", "sluice_shop",
                   "--table", "public.customers", "--flink", rest]
        let added = try sluice(add)
        #expect(added.status == 0, "\(added.stdout) \(added.stderr)")
        #expect(added.stdout.contains("shop") && (added.stdout.contains("RUNNING") || added.stdout.contains("SNAPSHOT")), "\(added.stdout)")
        #expect(!added.stdout.contains("sluice:sluice@"), "the password is not printed: \(added.stdout)")
        _ = try pg.sql("INSERT INTO customers VALUES (3, 'Cy')")
        #expect(try records(engine, "shop.public.customers", count: 3) >= 3, "the snapshot and the insert")

        let listed = try sluice(["capture", "list", "--flink", rest, "--json"])
        #expect(listed.status == 0, "\(listed.stderr)")
        let captures = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
        #expect(captures.count == 1 && captures.first?["state"] as? String == "RUNNING" && captures.first?["slot"] as? String == "sluice_shop")

        let slots = try sluice(["slots", "--postgres", pg.url, "--engine", rest, "--json"])
        #expect(slots.status == 0, "\(slots.stdout) \(slots.stderr)")
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(slots.stdout.utf8)) as? [String: Any])
        let slot = try #require((doc["slots"] as? [[String: Any]])?.first { $0["slot"] as? String == "sluice_shop" })
        #expect(slot["plugin"] as? String == "pgoutput" && slot["status"] as? String == "OK")
        #expect((slot["capture"] as? [String: Any])?["name"] as? String == "shop")
        #expect((slot["capture"] as? [String: Any])?["lagMs"] is Int, "the commit-to-topic lag of the insert")

        // Bad input: a name taken, a bad slot name, an unknown capture; the engine serves on.
        let again = try sluice(add)
        #expect(again.status == 2 && again.stderr.contains("already runs"), "\(again.stderr)")
        var badSlot = add
        badSlot[2] = "other"
        badSlot[badSlot.firstIndex(of: "sluice_shop")!] = "Bad-Slot"
        let refused = try sluice(badSlot)
        #expect(refused.status == 2 && refused.stderr.contains("lower-case"), "\(refused.stderr)")
        let unknown = try sluice(["capture", "remove", "nope", "--flink", rest])
        #expect(unknown.status == 2 && unknown.stderr.contains("no capture named nope"), "\(unknown.stderr)")

        // An added capture is kept: after a restart it runs again and goes on from its slot.
        _ = engine.stop()
        try engine.start()
        #expect(engine.log.components(separatedBy: "msg=\"capture started\"").count - 1 == 2, "started again after the restart")
        _ = try pg.sql("INSERT INTO customers VALUES (4, 'Di')")
        #expect(try records(engine, "shop.public.customers", count: 4) >= 4)

        let removed = try sluice(["capture", "remove", "shop", "--flink", try #require(engine.restURL)])
        #expect(removed.status == 0, "\(removed.stderr)")
        #expect(removed.stdout.contains("pg_drop_replication_slot('sluice_shop')"), "the slot stays and keeps WAL: \(removed.stdout)")
        let none = try sluice(["capture", "list", "--flink", try #require(engine.restURL)])
        #expect(none.status == 0 && none.stdout.contains("no captures"), "\(none.stdout)")
        #expect(!engine.log.contains("level=error"), "\(engine.log.split(separator: "\n").filter { $0.contains("level=error") }.prefix(3))")
    }

    @Test func slotsReportsAnAbandonedSlotWithTheFixAndRefusesBadInput() throws {
        let pg = try PostgresPeer()
        defer { pg.close() }
        // One statement each: psql -c runs several as one transaction, and a slot is made outside any that wrote.
        _ = try pg.sql("CREATE TABLE t (id int PRIMARY KEY, pad text)")
        _ = try pg.sql("SELECT pg_create_logical_replication_slot('abandoned', 'pgoutput')")
        _ = try pg.sql("INSERT INTO t SELECT g, repeat(md5(g::text), 4) FROM generate_series(1, 30000) g")
        let high = try sluice(["slots", "--postgres", pg.url, "--max-retained", "1MiB"])
        #expect(high.status == 1, "a slot over the threshold: exit 1 (\(high.stderr))")
        #expect(high.stdout.contains("abandoned") && high.stdout.contains("HIGH"), "\(high.stdout)")
        #expect(high.stdout.contains("what to do:") && high.stdout.contains("pg_drop_replication_slot('abandoned')"), "\(high.stdout)")
        let fine = try sluice(["slots", "--postgres", pg.url])
        #expect(fine.status == 0 && fine.stdout.contains("OK"), "under the default 1 GiB: \(fine.stdout) \(fine.stderr)")

        let wrongPassword = try sluice(["slots", "--postgres", pg.url.replacingOccurrences(of: "sluice:sluice@", with: "sluice:wrong@")])
        #expect(wrongPassword.status == 2 && wrongPassword.stderr.contains("password authentication failed"), "\(wrongPassword.stderr)")
        #expect(!wrongPassword.stderr.contains("wrong"), "the password is not printed: \(wrongPassword.stderr)")
        let nothing = try sluice(["slots", "--postgres", "postgres://sluice@127.0.0.1:1/sluice?sslmode=disable"])
        #expect(nothing.status == 2 && nothing.stderr.contains("connection refused"), "\(nothing.stderr)")
        let notAURL = try sluice(["slots", "--postgres", "db.example:5432"])
        #expect(notAURL.status == 2 && notAURL.stderr.contains("postgres://"), "\(notAURL.stderr)")
    }
}
