import Foundation
import Testing

/// Change capture from a private Postgres 15 cluster into `sluice engine`, read back by
/// confluent-kafka as any consumer would (docs/capture.md): the initial snapshot, inserts,
/// updates with before images, deletes with tombstones, a multi-row transaction in order, a
/// truncate (keyed {}), a column added mid-stream; and after SIGKILLs mid-stream, every change at least
/// once in commit order per key.
@Suite(.serialized) struct EngineCaptureTests {
    func config(_ pg: PostgresPeer, name: String, slot: String, tables: [String]) -> String {
        """
        captures:
          - name: \(name)
            url: \(pg.url)
            publication: \(name)_pub
            slot: \(slot)
            tables: [\(tables.joined(separator: ", "))]
            pollMs: 50
        """
    }

    struct Change {
        var key: [String: Any]?
        var value: [String: Any]?
        var op: String? { value?["op"] as? String }
        var after: [String: Any]? { value?["after"] as? [String: Any] }
        var before: [String: Any]? { value?["before"] as? [String: Any] }
        var id: Int? { (key?["id"] as? Int) }
    }

    /// The topic's records once at least `count` are there.
    func read(_ engine: EngineProcess, _ topic: String, count: Int) throws -> [Change] {
        let found = try clientScenario("capture-read", engine, ["--topic", topic, "--count", "\(count)"], timeout: 120)
        let records = try #require(found["records"] as? [[Any]])
        return records.map { Change(key: $0[0] as? [String: Any], value: $0[1] as? [String: Any]) }
    }

    func waitForLog(_ engine: EngineProcess, _ text: String, seconds: Double = 60) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while !engine.log.contains(text) {
            try #require(Date() < deadline, "no \(text) in the engine's log:\n\(engine.log.suffix(1500))")
            usleep(50_000)
        }
    }

    @Test func snapshotThenEveryKindOfChangeInOrder() throws {
        let pg = try PostgresPeer()
        defer { pg.close() }
        _ = try pg.sql("""
            CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL, tier int, info jsonb);
            ALTER TABLE customers REPLICA IDENTITY FULL;
            CREATE TABLE orders (id bigint PRIMARY KEY, customer int, amount numeric(10,2));
            INSERT INTO customers VALUES (1, 'Ann', 1, '{"vip": true}'), (2, 'Bo', 2, NULL), (3, 'Cy', 1, NULL);
            CREATE PUBLICATION shop_pub FOR TABLE customers, orders;
            """)
        let engine = try EngineProcess(config: config(pg, name: "shop", slot: "sluice_shop", tables: ["public.customers", "orders"]))
        try engine.start()
        defer { engine.stop() }
        // The snapshot: the rows that were there, as reads.
        let snap = try read(engine, "shop.public.customers", count: 3)
        #expect(snap.count == 3 && snap.allSatisfy { $0.op == "r" }, "\(snap.map(\.op))")
        #expect(Set(snap.compactMap(\.id)) == [1, 2, 3])
        #expect((snap.first { $0.id == 1 }?.after?["info"] as? [String: Any])?["vip"] as? Bool == true, "jsonb as JSON")
        #expect(snap.contains { ($0.value?["source"] as? [String: Any])?["snapshot"] as? String == "last" })

        _ = try pg.sql("""
            INSERT INTO customers VALUES (4, 'Di', 3, NULL);
            UPDATE customers SET tier = 5 WHERE id = 2;
            DELETE FROM customers WHERE id = 3;
            BEGIN; INSERT INTO orders VALUES (10, 1, 9.99), (11, 2, 20.00), (12, 4, 5.50); UPDATE orders SET amount = 12.00 WHERE id = 11; COMMIT;
            TRUNCATE orders;
            ALTER TABLE customers ADD COLUMN email text;
            INSERT INTO customers VALUES (5, 'Ed', 1, NULL, 'ed@example.com');
            """)
        let customers = try read(engine, "shop.public.customers", count: 3 + 5)
        let changes = Array(customers.dropFirst(3))
        #expect(changes.map { $0.op ?? "tombstone" } == ["c", "u", "d", "tombstone", "c"],
                "\(changes.map { "\($0.op ?? "tombstone") \($0.id ?? -1) \((($0.value?["source"] as? [String: Any])?["lsn"]) ?? "-")" })")
        guard changes.count == 5 else { return }
        #expect(changes[0].id == 4 && changes[0].after?["name"] as? String == "Di")
        #expect(changes[1].before?["tier"] as? Int == 2 && changes[1].after?["tier"] as? Int == 5, "REPLICA IDENTITY FULL: the row before")
        #expect(changes[2].before?["name"] as? String == "Cy" && changes[2].value?["after"] is NSNull)
        #expect(changes[3].id == 3 && changes[3].value == nil, "the tombstone has the deleted row's key")
        #expect(changes[4].after?["email"] as? String == "ed@example.com", "a column added mid-stream")
        let orders = try read(engine, "shop.public.orders", count: 5)
        #expect(orders.map { $0.op ?? "tombstone" } == ["c", "c", "c", "u", "t"], "\(orders.map { $0.op ?? "tombstone" })")
        #expect(!engine.log.contains("level=error"), "\(engine.log.split(separator: "\n").filter { $0.contains("level=error") }.prefix(3))")
        let tx = orders.prefix(4).compactMap { ($0.value?["source"] as? [String: Any])?["txId"] as? Int }
        #expect(tx.count == 4 && Set(tx).count == 1, "one transaction's changes carry its id")
        #expect(orders.first?.after?["amount"] as? String == "9.99", "numeric keeps its digits")
        // The slot has moved on with the log.
        let confirmed = try pg.sql("SELECT confirmed_flush_lsn > '0/0' FROM pg_replication_slots WHERE slot_name = 'sluice_shop'")
        #expect(confirmed.trimmingCharacters(in: .whitespacesAndNewlines) == "t")
    }

    @Test func killedMidStreamEveryChangeArrivesInCommitOrderPerKey() throws {
        let pg = try PostgresPeer()
        defer { pg.close() }
        _ = try pg.sql("""
            CREATE TABLE counters (id int PRIMARY KEY, n int NOT NULL);
            CREATE PUBLICATION kill_pub FOR TABLE counters;
            """)
        let engine = try EngineProcess(config: config(pg, name: "kill", slot: "sluice_kill", tables: ["counters"]))
        try engine.start()
        try waitForLog(engine, "msg=\"capture running\"")
        // A writer in Postgres: 10 keys, each counted up 1…60 in its own transactions.
        let writer = try ChildProcess("/bin/bash", [pg.script, "psql", "-q", "-c", """
            DO $$ BEGIN
              FOR i IN 1..60 LOOP
                FOR k IN 1..10 LOOP
                  INSERT INTO counters VALUES (k, i) ON CONFLICT (id) DO UPDATE SET n = EXCLUDED.n;
                  COMMIT;
                  PERFORM pg_sleep(0.002);
                END LOOP;
              END LOOP;
            END $$;
            """], stdout: "/dev/null", stderr: "/dev/null", environment: pg.environment)
        var rng = SystemRandomNumberGenerator()
        for kill in 1...4 {
            usleep(UInt32.random(in: 200_000...600_000, using: &rng))
            #expect(engine.stop(signal: SIGKILL) != 0, "kill \(kill)")
            try engine.start()
        }
        #expect(writer.wait(timeout: 120) == 0, "the writer finished")
        let all = try read(engine, "kill.public.counters", count: 600)
        var seen: [Int: [Int]] = [:]
        for c in all { if let id = c.id, let n = c.after?["n"] as? Int { seen[id, default: []].append(n) } }
        for k in 1...10 {
            let ns = seen[k] ?? []
            #expect(Set(ns) == Set(1...60), "key \(k): every change at least once (missing \(Set(1...60).subtracting(ns).sorted().prefix(5)))")
            // In commit order, with repeats after a restart going back, never a step skipped forward.
            let skips = zip(ns, ns.dropFirst()).filter { $1 > $0 + 1 }
            #expect(skips.isEmpty && ns.first == 1, "key \(k) in commit order: skips \(skips.prefix(3)) in \(ns.prefix(20))")
        }
        #expect(!engine.log.contains("level=error"), "\(engine.log.split(separator: "\n").filter { $0.contains("level=error") }.prefix(3))")
        engine.stop()
    }

    /// With `synchronous_commit = off` a commit is acknowledged before its WAL is flushed, and a
    /// read of the slot decodes flushed WAL only. A read that finds nothing moves the idle slot
    /// on: to the flush position taken before it, never the write position — the WAL writer may
    /// flush commits the read did not see before the slot moves, and they would be skipped.
    /// Sparse commits of the captured table between busy asynchronous commits elsewhere.
    @Test func commitsNotYetFlushedAreNotSkipped() throws {
        let pg = try PostgresPeer()
        defer { pg.close() }
        _ = try pg.sql("CREATE TABLE notes (id int PRIMARY KEY, body text); CREATE TABLE noise (s text); CREATE PUBLICATION late_pub FOR TABLE notes;")
        let engine = try EngineProcess(config: config(pg, name: "late", slot: "sluice_late", tables: ["notes"]))
        try engine.start()
        defer { engine.stop() }
        try waitForLog(engine, "msg=\"capture running\"")
        func loop(_ body: String) throws -> ChildProcess {
            try ChildProcess("/bin/bash", [pg.script, "psql", "-q", "-c", "SET synchronous_commit = off", "-c", "DO $$ BEGIN \(body) END $$"],
                             stdout: "/dev/null", stderr: "/dev/null", environment: pg.environment)
        }
        let noise = try loop("FOR i IN 1..2000 LOOP INSERT INTO noise SELECT md5(random()::text) FROM generate_series(1, 200); COMMIT; END LOOP;")
        let notes = try loop("FOR i IN 1..150 LOOP INSERT INTO notes VALUES (i, 'note'); COMMIT; PERFORM pg_sleep(0.02); END LOOP;")
        #expect(notes.wait(timeout: 60) == 0 && noise.wait(timeout: 120) == 0, "the writers finished")
        let read = try self.read(engine, "late.public.notes", count: 150)
        let missing = Set(1...150).subtracting(read.compactMap(\.id))
        #expect(missing.isEmpty, "every commit arrives: missing \(missing.sorted().prefix(10))")
    }

    /// Each misconfiguration is refused with what to change, in the log, while the engine and
    /// its other captures go on.
    @Test func badSetupsAreRefusedWithTheFixAndTheEngineServesOn() throws {
        let pg = try PostgresPeer()
        defer { pg.close() }
        _ = try pg.sql("""
            CREATE TABLE good (id int PRIMARY KEY, v text);
            CREATE TABLE nokey (v text);
            CREATE TYPE pair AS (a int, b int);
            CREATE TABLE odd (id int PRIMARY KEY, p pair);
            CREATE PUBLICATION good_pub FOR TABLE good;
            CREATE PUBLICATION nokey_pub FOR TABLE nokey;
            CREATE PUBLICATION odd_pub FOR TABLE odd;
            """)
        _ = try pg.sql("SELECT pg_create_logical_replication_slot('held', 'pgoutput')")
        let wrongPassword = pg.url.replacingOccurrences(of: "sluice:sluice@", with: "sluice:wrong@")
        let entries: [(name: String, url: String, publication: String, slot: String, tables: String)] = [
            ("good", pg.url, "good_pub", "sluice_good", "[good]"),
            ("pw", wrongPassword, "good_pub", "sluice_pw", "[good]"),
            ("nopub", pg.url, "missing_pub", "sluice_nopub", "[good]"),
            ("nokey", pg.url, "nokey_pub", "sluice_nokey", "[nokey]"),
            ("odd", pg.url, "odd_pub", "sluice_odd", "[odd]"),
            ("held", pg.url, "good_pub", "held", "[good]"),
        ]
        let yaml = "captures:\n" + entries.map {
            "  - {name: \($0.name), url: \"\($0.url)\", publication: \($0.publication), slot: \($0.slot), tables: \($0.tables)}"
        }.joined(separator: "\n")
        // Another consumer holds slot `held` while the engine starts: Postgres's own pg_recvlogical.
        let holder = try ChildProcess("/usr/lib/postgresql/15/bin/pg_recvlogical",
                                      ["-d", "host=127.0.0.1 port=\(pg.port) user=sluice dbname=sluice", "--slot", "held", "--start",
                                       "-o", "proto_version=1", "-o", "publication_names=good_pub", "-f", "/dev/null"],
                                      stdout: "/dev/null", stderr: "/dev/null", environment: pg.environment.merging(["PGPASSWORD": "sluice"]) { _, b in b })
        let held = Date().addingTimeInterval(20)
        while try pg.sql("SELECT active FROM pg_replication_slots WHERE slot_name = 'held'").trimmingCharacters(in: .whitespacesAndNewlines) != "t" {
            try #require(Date() < held, "pg_recvlogical did not take the slot")
            usleep(50_000)
        }
        defer { holder.signal(SIGTERM); _ = holder.wait(timeout: 10) }
        let engine = try EngineProcess(config: yaml)
        try engine.start()
        defer { engine.stop() }
        try waitForLog(engine, "msg=\"capture running\" capture=good")
        _ = try pg.sql("INSERT INTO good VALUES (1, 'one')")
        #expect(try read(engine, "good.public.good", count: 1).first?.after?["v"] as? String == "one", "the good capture runs beside the bad ones")
        let expected = [("pw", "password authentication failed"), ("nopub", "publication missing_pub does not exist: CREATE PUBLICATION missing_pub"),
                        ("nokey", "has no primary key: add one"), ("odd", "has type pair, a composite type capture does not map"),
                        ("held", "slot held is active for PID")]
        for (name, words) in expected {
            try waitForLog(engine, "capture=\(name) error=", seconds: 30)
            let line = engine.log.split(separator: "\n").first { $0.contains("capture=\(name) error=") } ?? ""
            #expect(line.contains(words), "\(name): \(line)")
        }
        #expect(!engine.log.contains("sluice:wrong@"), "no password in the log")
    }

    @Test func aDatabaseWithoutLogicalDecodingIsRefusedWithTheSetting() throws {
        let pg = try PostgresPeer(walLevel: "replica")
        defer { pg.close() }
        _ = try pg.sql("CREATE TABLE t (id int PRIMARY KEY); CREATE PUBLICATION w_pub FOR TABLE t;")
        let engine = try EngineProcess(config: config(pg, name: "w", slot: "sluice_w", tables: ["t"]))
        try engine.start()
        defer { engine.stop() }
        try waitForLog(engine, "capture=w error=", seconds: 30)
        let line = engine.log.split(separator: "\n").first { $0.contains("capture=w error=") } ?? ""
        #expect(line.contains("wal_level is replica, not logical: set wal_level = logical"), "\(line)")
        #expect(try pg.sql("SELECT count(*) FROM pg_replication_slots").trimmingCharacters(in: .whitespacesAndNewlines) == "0", "no slot made")
    }
}
