import Dataflow
import KafkaProtocol
import PostgresAccess
import Testing
@testable import PostgresCapture

/// pgoutput messages built byte by byte as Postgres 15 sends them, decoded; the Debezium
/// envelope they become; the names and positions around them.
struct PgOutputTests {
    struct Bytes {
        var b: [UInt8] = []
        mutating func c(_ ch: Character) { b.append(ch.asciiValue!) }
        mutating func u8(_ v: UInt8) { b.append(v) }
        mutating func u16(_ v: UInt16) { b += [UInt8(v >> 8), UInt8(v & 0xff)] }
        mutating func u32(_ v: UInt32) { u16(UInt16(v >> 16)); u16(UInt16(v & 0xffff)) }
        mutating func u64(_ v: UInt64) { u32(UInt32(v >> 32)); u32(UInt32(v & 0xffff_ffff)) }
        mutating func s(_ v: String) { b += Array(v.utf8) + [0] }
        mutating func tuple(_ values: [String?]) {
            u16(UInt16(values.count))
            for v in values {
                if let v { c("t"); u32(UInt32(v.utf8.count)); b += Array(v.utf8) } else { c("n") }
            }
        }
    }

    static func relation() -> [UInt8] {
        var m = Bytes()
        m.c("R"); m.u32(16385); m.s("public"); m.s("customers"); m.c("d"); m.u16(3)
        m.u8(1); m.s("id"); m.u32(23); m.u32(UInt32(bitPattern: -1))
        m.u8(0); m.s("name"); m.u32(25); m.u32(UInt32(bitPattern: -1))
        m.u8(0); m.s("info"); m.u32(3802); m.u32(UInt32(bitPattern: -1))
        return m.b
    }

    @Test func everyMessageKindDecodes() throws {
        var begin = Bytes(); begin.c("B"); begin.u64(0x16_B374_D848); begin.u64(800_000_000_000_000); begin.u32(742)
        #expect(try PgOutput.decode(begin.b) == .begin(finalLSN: 0x16_B374_D848, commitTime: 800_000_000_000_000, xid: 742))
        guard case .relation(let r) = try PgOutput.decode(Self.relation()) else { Issue.record("no relation"); return }
        #expect(r.oid == 16385 && r.namespace == "public" && r.name == "customers" && r.replicaIdentity == "d")
        #expect(r.columns.map(\.name) == ["id", "name", "info"] && r.columns.map(\.isKey) == [true, false, false] && r.columns[2].typeOid == 3802)
        var insert = Bytes(); insert.c("I"); insert.u32(16385); insert.c("N"); insert.tuple(["7", "Ann", nil])
        #expect(try PgOutput.decode(insert.b) == .insert(relation: 16385, new: [.text("7"), .text("Ann"), .null]))
        var update = Bytes(); update.c("U"); update.u32(16385); update.c("O"); update.tuple(["7", "Ann", nil]); update.c("N"); update.tuple(["7", "Bo", nil])
        #expect(try PgOutput.decode(update.b) == .update(relation: 16385, old: [.text("7"), .text("Ann"), .null], oldIsKeyOnly: false,
                                                         new: [.text("7"), .text("Bo"), .null]))
        var plain = Bytes(); plain.c("U"); plain.u32(16385); plain.c("N"); plain.tuple(["7", "Cy", nil])
        #expect(try PgOutput.decode(plain.b) == .update(relation: 16385, old: nil, oldIsKeyOnly: false, new: [.text("7"), .text("Cy"), .null]))
        var delete = Bytes(); delete.c("D"); delete.u32(16385); delete.c("K"); delete.tuple(["7", nil, nil])
        #expect(try PgOutput.decode(delete.b) == .delete(relation: 16385, old: [.text("7"), .null, .null], oldIsKeyOnly: true))
        var truncate = Bytes(); truncate.c("T"); truncate.u32(2); truncate.u8(3); truncate.u32(16385); truncate.u32(16390)
        #expect(try PgOutput.decode(truncate.b) == .truncate(relations: [16385, 16390], cascade: true, restartIdentity: true))
        var commit = Bytes(); commit.c("C"); commit.u8(0); commit.u64(100); commit.u64(200); commit.u64(300)
        #expect(try PgOutput.decode(commit.b) == .commit(commitLSN: 100, endLSN: 200, commitTime: 300))
    }

    @Test func damagedMessagesAreErrorsNotCrashes() {
        let whole = Self.relation()
        for cut in 1..<whole.count {
            #expect(throws: PgOutput.Malformed.self) { _ = try PgOutput.decode(Array(whole.prefix(cut))) }
        }
        #expect(throws: PgOutput.Malformed.self) { _ = try PgOutput.decode(Array("Z".utf8)) }
        #expect(throws: PgOutput.Malformed.self) { _ = try PgOutput.decode([]) }
        var huge = Bytes(); huge.c("I"); huge.u32(1); huge.c("N"); huge.u16(1); huge.c("t"); huge.u32(.max)
        #expect(throws: PgOutput.Malformed.self) { _ = try PgOutput.decode(huge.b) }
        var many = Bytes(); many.c("T"); many.u32(.max); many.u8(0)
        #expect(throws: PgOutput.Malformed.self) { _ = try PgOutput.decode(many.b) }
    }

    func relation() throws -> PgOutput.Relation {
        guard case .relation(let r) = try PgOutput.decode(Self.relation()) else { throw PgOutput.Malformed(description: "no relation") }
        return r
    }

    func json(_ bytes: [UInt8]?) throws -> Value { try JSONReader.parse(try #require(bytes)) }

    @Test func changesBecomeDebeziumRecords() throws {
        let env = ChangeEnvelope(name: "shop", database: "sales")
        let r = try relation()
        let at = ChangeEnvelope.Position(txId: 742, lsn: 0x10, commitMs: 1_700_000_000_000)
        let insert = env.records(.create, r, before: nil, after: [.text("7"), .text("Ann"), .text(#"{"vip": true}"#)], at: at, nowMs: 5)
        #expect(insert.count == 1 && insert[0].topic == "shop.public.customers")
        #expect(String(decoding: insert[0].key!, as: UTF8.self) == #"{"id":7}"#)
        let v = try json(insert[0].value)
        #expect(v.lookup(["op"]) == .string("c") && v.lookup(["before"]) == .null && v.lookup(["ts_ms"]) == .int(5))
        #expect(v.lookup(["after", "id"]) == .int(7) && v.lookup(["after", "name"]) == .string("Ann") && v.lookup(["after", "info", "vip"]) == .bool(true))
        #expect(v.lookup(["source", "table"]) == .string("customers") && v.lookup(["source", "db"]) == .string("sales")
                && v.lookup(["source", "txId"]) == .int(742) && v.lookup(["source", "snapshot"]) == .string("false"))

        let delete = env.records(.delete, r, before: [.text("7"), .null, .null], beforeIsKeyOnly: true, after: nil, at: at, nowMs: 5)
        #expect(delete.count == 2 && delete[1].value == nil && delete[1].key == delete[0].key, "a delete, then its tombstone")
        #expect(try json(delete[0].value).lookup(["op"]) == .string("d"))

        let rekey = env.records(.update, r, before: [.text("7"), .null, .null], beforeIsKeyOnly: true, after: [.text("8"), .text("Ann"), .null], at: at, nowMs: 5)
        #expect(rekey.count == 3, "a key change: delete, tombstone, create")
        #expect(try json(rekey[2].value).lookup(["op"]) == .string("c") && String(decoding: rekey[2].key!, as: UTF8.self) == #"{"id":8}"#)

        let toast = env.records(.update, r, before: [.text("7"), .text("Ann"), .text("{}")], after: [.text("7"), .text("Bo"), .unchangedToast], at: at, nowMs: 5)
        #expect(try json(toast[0].value).lookup(["after", "info"]) == .object([]), "an unchanged TOASTed value is taken from the old row")
        let noOld = env.records(.update, r, before: nil, after: [.text("7"), .text("Bo"), .unchangedToast], at: at, nowMs: 5)
        #expect(try json(noOld[0].value).lookup(["after", "info"]) == .string(ChangeEnvelope.unavailable))

        let read = env.records(.read, r, before: nil, after: [.text("1"), .text("Al"), .null], at: .init(txId: nil, lsn: 0, commitMs: 1, snapshot: "last"), nowMs: 5)
        #expect(try json(read[0].value).lookup(["source", "snapshot"]) == .string("last"))
        let truncate = env.records(.truncate, r, before: nil, after: nil, at: at, nowMs: 5)
        #expect(truncate.count == 1 && truncate[0].key == Array("{}".utf8), "keyed {}: compacted topics refuse keyless records")
        #expect(try json(truncate[0].value).lookup(["op"]) == .string("t"))
    }

    @Test func columnTypesMapToJSON() {
        #expect(ChangeEnvelope.json(.text("t"), typeOid: 16) == .bool(true))
        #expect(ChangeEnvelope.json(.text("-42"), typeOid: 20) == .int(-42))
        #expect(ChangeEnvelope.json(.text("2.5"), typeOid: 701) == .double(2.5))
        #expect(ChangeEnvelope.json(.text("NaN"), typeOid: 701) == .string("NaN"))
        #expect(ChangeEnvelope.json(.text("12345678901234567890.12"), typeOid: 1700) == .string("12345678901234567890.12"), "numeric keeps every digit")
        #expect(ChangeEnvelope.json(.text("2026-12-02 10:00:00+00"), typeOid: 1184) == .string("2026-12-02 10:00:00+00"))
        #expect(ChangeEnvelope.json(.null, typeOid: 23) == .null)
        #expect(ChangeEnvelope.json(.text("[1,2]"), typeOid: 114) == .array([.int(1), .int(2)]))
    }

    @Test func topicsAreSafeNames() {
        let env = ChangeEnvelope(name: "shop", database: "d")
        let r = PgOutput.Relation(oid: 1, namespace: "Sales Dept", name: "ordres\u{1b}[31m", replicaIdentity: "d", columns: [])
        #expect(env.topic(r) == "shop.Sales_Dept.ordres__31m")
    }

    @Test func lsnsReadAndWriteAsPostgresDoes() {
        #expect(LSN.parse("16/B374D848") == 0x16_B374_D848)
        #expect(LSN.format(0x16_B374_D848) == "16/B374D848")
        #expect(LSN.parse("0/0") == 0 && LSN.parse("nonsense") == nil && LSN.parse("1/2/3") == nil)
    }

    @Test func badConfigsAreRefusedWithTheRule() {
        let good = CaptureConfig(name: "shop", url: "postgres://u@h/d", publication: "pub", slot: "sluice_shop", tables: ["public.customers", "orders"])
        #expect(throws: Never.self) { try good.validate() }
        #expect(good.qualifiedTables == ["public.customers", "public.orders"])
        for (change, words) in [({ (c: inout CaptureConfig) in c.slot = "Sluice" }, "lower-case"),
                                ({ $0.publication = "pub;drop" }, "not a plain Postgres name"),
                                ({ $0.tables = ["a.b.c"] }, "not schema.table"),
                                ({ $0.name = "" }, "capture name"),
                                ({ $0.pollMs = 1 }, "pollMs")] as [((inout CaptureConfig) -> Void, String)] {
            var c = good
            change(&c)
            #expect { try c.validate() } throws: { "\($0)".contains(words) }
        }
    }

    /// Kafka's own murmur2 test vectors (its UtilsTest), so keys land where Kafka's clients put them.
    @Test func kafkasPartitionerMatchesKafka() {
        for (text, want) in [("21", -973932308), ("foobar", -790332482), ("a-little-bit-long-string", -985981536),
                             ("a-little-bit-longer-string", -1486304829), ("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971),
                             ("abc", 479470107)] as [(String, Int32)] {
            #expect(Int32(bitPattern: KafkaPartitioner.murmur2(Array(text.utf8))) == want, "\(text)")
        }
    }
}
