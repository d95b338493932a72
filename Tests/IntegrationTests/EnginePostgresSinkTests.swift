import Foundation
import Testing

/// The Postgres upsert sink against a private Postgres 15 cluster (scripts/postgres-peer.sh):
/// after the engine is killed with SIGKILL five times mid-run, and after Postgres itself goes
/// away for a while, the table holds exactly the reference rows computed from the input
/// (scripts/engine_job_scenarios.py, job-pg-*): nothing lost, and no row twice (the key).
@Suite(.serialized) struct EnginePostgresSinkTests {
    func reference(_ engine: EngineProcess, _ tag: String) throws -> [String] {
        let found = try clientScenario("job-pg-reference", engine, ["--topic", tag])
        let rows = try #require(found["rows"] as? [[Any]])
        return rows.map { $0.map { "\($0)" }.joined(separator: " ") }.sorted { a, b in
            let x = a.split(separator: " "), y = b.split(separator: " ")
            return (x[0], Int(x[1]) ?? 0) < (y[0], Int(y[1]) ?? 0)
        }
    }

    /// Waits until the table holds `expected` (a restarted job catches up), or `seconds` pass.
    func waitForRows(_ pg: PostgresPeer, _ table: String, _ expected: [String], seconds: Double = 120) throws -> [String] {
        let deadline = Date().addingTimeInterval(seconds)
        var got: [String] = []
        repeat {
            got = try rows(pg, table)
            if got == expected { return got }
            usleep(200_000)
        } while Date() < deadline
        return got
    }

    /// The table's rows as the reference writes them: k windowStart windowEnd n s.
    func rows(_ pg: PostgresPeer, _ table: String) throws -> [String] {
        try pg.sql("SELECT k, windowstart, windowend, n, s FROM \(table) ORDER BY k, windowstart").split(separator: "\n").map(String.init)
    }

    func create(_ pg: PostgresPeer, _ table: String) throws {
        _ = try pg.sql("CREATE TABLE \(table) (k text, windowstart bigint, windowend bigint, n bigint, s bigint, PRIMARY KEY (k, windowstart))")
    }

    func explain(_ got: [String], _ expected: [String]) -> String {
        let g = Set(got), e = Set(expected)
        return "\(got.count) rows, \(expected.count) expected; missing \(e.subtracting(g).sorted().prefix(3)); unexpected \(g.subtracting(e).sorted().prefix(3))"
    }

    @Test func killedFiveTimesTheTableIsTheReference() throws {
        let pg = try PostgresPeer()
        defer { pg.close() }
        let engine = EngineProcess(extraArgs: ["--rest-listen", "127.0.0.1:0"])
        try engine.start()
        let tag = "pg\(UInt32.random(in: 0 ... .max))"
        try create(pg, "w_\(tag)")
        let rest = try #require(engine.restURL)
        _ = try clientScenario("job-pg-start", engine, ["--rest", rest, "--topic", tag, "--postgres", pg.url])
        var rng = SystemRandomNumberGenerator()
        for kill in 1...5 {
            usleep(UInt32.random(in: 200_000...900_000, using: &rng))
            #expect(engine.stop(signal: SIGKILL) != 0, "kill \(kill) ends the engine abruptly")
            let before = engine.log.components(separatedBy: "msg=\"job resumed\"").count
            try engine.start()
            #expect(engine.log.components(separatedBy: "msg=\"job resumed\"").count > before, "after kill \(kill) the engine resumed the job")
        }
        let expected = try reference(engine, tag)
        #expect(expected.count > 100, "the reference has windows (\(expected.count))")
        let got = try waitForRows(pg, "w_\(tag)", expected)
        #expect(got == expected, "\(explain(got, expected))")
        #expect(!engine.log.contains("could not be resumed"), "every resume worked")
        _ = engine.stop()
    }

    @Test func postgresGoneForAWhileTheJobRestartsAndNothingIsLost() throws {
        let pg = try PostgresPeer()
        defer { pg.close() }
        let engine = EngineProcess(extraArgs: ["--rest-listen", "127.0.0.1:0"])
        try engine.start()
        defer { _ = engine.stop() }
        let tag = "pgdown\(UInt32.random(in: 0 ... .max))"
        try create(pg, "w_\(tag)")
        let rest = try #require(engine.restURL)
        let jid = try #require(try clientScenario("job-pg-start", engine, ["--rest", rest, "--topic", tag, "--postgres", pg.url])["job"] as? String)
        // Rows arriving show the sink writing; then Postgres stops under it.
        let deadline = Date().addingTimeInterval(30)
        while (Int(try pg.sql("SELECT count(*) FROM w_\(tag)").trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0) == 0 && Date() < deadline { usleep(50_000) }
        #expect(try pg.control(["stop"]).status == 0)
        // The sink's task fails with Postgres's cause, and keeps failing (restarts) while it is gone.
        var exceptions = ""
        let failing = Date().addingTimeInterval(30)
        repeat {
            exceptions = ((try? String(contentsOf: URL(string: "\(rest)/jobs/\(jid)/exceptions")!, encoding: .utf8)) ?? "").replacingOccurrences(of: "\\/", with: "/")
            if exceptions.components(separatedBy: "Postgres sink w_\(tag)").count > 2 { break }
            usleep(100_000)
        } while Date() < failing
        #expect(exceptions.contains("Postgres sink w_\(tag) at postgres://sluice:***@127.0.0.1:\(pg.port)"), "the cause names the sink, without the password: \(exceptions.prefix(600))")
        #expect(exceptions.contains("cannot connect") || exceptions.contains("closed by the server"), "\(exceptions.prefix(600))")
        #expect(!exceptions.contains("sluice:sluice@"), "the password is not shown")
        #expect(try pg.control(["start"]).status == 0)
        let expected = try reference(engine, tag)
        let got = try waitForRows(pg, "w_\(tag)", expected)
        #expect(got == expected, "\(explain(got, expected))")
        let job = (try? String(contentsOf: URL(string: "\(rest)/jobs/\(jid)")!, encoding: .utf8)) ?? ""
        #expect(job.contains("\"state\":\"RUNNING\""), "the job runs on: \(job.prefix(200))")
    }
}
