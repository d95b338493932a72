import Foundation
import Testing

/// A private Postgres 15 cluster of a test's own, on a port of its own (scripts/postgres-peer.sh,
/// which installs Debian's postgresql-15 when missing): wal_level logical, user sluice/sluice.
final class PostgresPeer {
    let port = Int.random(in: 45_000...49_000)
    var url: String { "postgres://sluice:sluice@127.0.0.1:\(port)/sluice?sslmode=disable" }
    var environment: [String: String] { ProcessInfo.processInfo.environment.merging(["PG_PORT": "\(port)"]) { _, b in b } }
    let script = Peer.root.appendingPathComponent("scripts/postgres-peer.sh").path

    func control(_ args: [String], timeout: Double = 240) throws -> ProcessResult {
        try run("/bin/bash", [script] + args, timeout: timeout, environment: environment)
    }

    /// `walLevel`: the cluster's wal_level (logical, or replica to see capture refuse it).
    init(walLevel: String = "logical") throws {
        let r = try run("/bin/bash", [script, "start"], timeout: 600, environment: environment.merging(["PG_WAL_LEVEL": walLevel]) { _, b in b })
        try #require(r.status == 0, "Postgres 15 could not start (scripts/postgres-peer.sh installs Debian's postgresql-15): \(r.stderr)")
    }

    func sql(_ text: String) throws -> String {
        let r = try control(["psql", "-Atq", "-F", " ", "-c", text], timeout: 30)
        try #require(r.status == 0, "psql: \(r.stderr)")
        return r.stdout
    }

    func close() { _ = try? control(["clean"], timeout: 60) }
}
