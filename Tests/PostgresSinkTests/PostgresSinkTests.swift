import Dataflow
import Testing
@testable import PostgresSink
import PostgresAccess

/// The upsert sink's pure parts: values into column text, statements, the URL.
struct PostgresSinkTests {
    let columns = [
        PostgresColumn(name: "customer", type: "text", category: "S"),
        PostgresColumn(name: "windowstart", type: "bigint", category: "N"),
        PostgresColumn(name: "revenue", type: "numeric(12,2)", category: "N"),
        PostgresColumn(name: "paid", type: "boolean", category: "B"),
        PostgresColumn(name: "at", type: "timestamp with time zone", category: "D"),
        PostgresColumn(name: "info", type: "jsonb", category: "U"),
    ]

    @Test func valuesBecomeTheTextPostgresReadsOrAreRefused() {
        let (text, int, num, bool, time, json) = (columns[0], columns[1], columns[2], columns[3], columns[4], columns[5])
        #expect(int.kind == .integer && num.kind == .numeric && bool.kind == .boolean && time.kind == .time && json.kind == .json && text.kind == .text)
        #expect(int.encode(.int(42)) == .value("42"))
        #expect(int.encode(.double(42)) == .value("42"))
        #expect(int.encode(.string("17")) == .value("17"))
        #expect(num.encode(.double(2.5)) == .value("2.5"))
        #expect(bool.encode(.bool(true)) == .value("true"))
        #expect(time.encode(.int(0)) == .value("1970-01-01T00:00:00.000Z"))
        #expect(json.encode(.string("a")) == .value("\"a\""), "a JSON column gets JSON, a string quoted")
        #expect(json.encode(.object([("k", .int(1))])) == .value("{\"k\":1}"))
        #expect(text.encode(.int(5)) == .value("5"))
        #expect(text.encode(.null) == .value(nil))
        for (c, v) in [(int, Value.double(1.5)), (int, .string("x")), (num, .string("ten")), (bool, .int(1)), (time, .bool(true))] {
            guard case .refused(let reason) = c.encode(v) else { Issue.record("\(c.name) took \(v)"); continue }
            #expect(reason.contains("column \(c.name) is \(c.type)"), "\(reason)")
        }
    }

    @Test func aBatchKeepsTheLastRowPerKeyAndGroupsByTheColumnsGiven() throws {
        var b = UpsertBatch(table: "\"rev\"", columns: columns, key: [0, 1])
        #expect(b.add(.object([("customer", .string("k1")), ("windowStart", .int(0)), ("revenue", .double(1))])) == nil)
        #expect(b.add(.object([("customer", .string("k1")), ("windowStart", .int(0)), ("revenue", .double(2))])) == nil, "an update of the same key")
        #expect(b.add(.object([("customer", .string("k2")), ("windowStart", .int(0)), ("revenue", .double(3))])) == nil)
        #expect(b.add(.object([("customer", .string("k3")), ("windowStart", .int(0)), ("paid", .bool(true))])) == nil, "other columns: a group of its own")
        #expect(b.add(.object([("customer", .string("k4"))])) == "the record has no field for key column windowstart")
        #expect(b.add(.object([("customer", .null), ("windowstart", .int(1))])) == "key column customer is null")
        #expect(b.add(.int(3))?.contains("objects") == true)
        #expect(b.count == 3)
        let statements = b.take().sorted { $0.sql < $1.sql }
        #expect(b.count == 0)
        #expect(statements.count == 2)
        let revenue = try #require(statements.first { $0.sql.contains("\"revenue\"") })
        #expect(revenue.sql == """
            INSERT INTO "rev" ("customer", "windowstart", "revenue") VALUES ($1::text::text, $2::text::bigint, $3::text::numeric(12,2)), \
            ($4::text::text, $5::text::bigint, $6::text::numeric(12,2)) ON CONFLICT ("customer", "windowstart") DO UPDATE SET "revenue" = EXCLUDED."revenue"
            """)
        #expect(revenue.parameters == ["k1", "0", "2.0", "k2", "0", "3.0"], "k1's last row only")
    }

    @Test func largeBatchesSplitUnderTheParameterLimitAndKeyOnlyRowsDoNothing() {
        var b = UpsertBatch(table: "\"t\"", columns: Array(columns.prefix(2)), key: [0, 1])
        for i in 0..<25 { _ = b.add(.object([("customer", .string("k\(i)")), ("windowstart", .int(0))])) }
        let statements = b.take(maxParameters: 20)
        #expect(statements.count == 3 && statements.map(\.parameters.count) == [20, 20, 10])
        #expect(statements.allSatisfy { $0.sql.hasSuffix("ON CONFLICT (\"customer\", \"windowstart\") DO NOTHING") })
    }

    @Test func urlsBecomeConfigurationsAndHideTheirPassword() throws {
        let c = try PostgresURL.configuration("postgres://ann:s%40cret@db.example:6543/sales?sslmode=disable", environment: [:])
        #expect(c.host == "db.example" && c.port == 6543 && c.username == "ann" && c.password == "s@cret" && c.database == "sales")
        #expect(try PostgresURL.configuration("postgresql://ann@db/sales?sslmode=disable", environment: ["PGPASSWORD": "pw"]).password == "pw")
        #expect(PostgresURL.redacted("postgres://ann:secret@db/sales") == "postgres://ann:***@db/sales")
        for bad in ["http://db/x", "postgres:///x", "postgres://db/x", "postgres://a@db/x?sslmode=sometimes"] {
            #expect(throws: PostgresURL.Invalid.self, "\(bad)") { try PostgresURL.configuration(bad, environment: [:]) }
        }
    }
}
