import Foundation
import Testing

/// `make demo` (scripts/demo.sh) under tmux as a newcomer runs it, on the engine alone: live
/// lag on the groups, a job with HIGH backpressure, a checkpoint that failed and then one that
/// completed; with `java` on the PATH replaced by a stub that records any call, so the demo is
/// shown to need no Java. Fast readings (`--refresh 0.5`) keep it short.
@Suite(.serialized, .enabled(if: UIPeer.enabled)) struct DemoUITests {
    /// A free TCP port on the loopback (bound, read, released).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        try #require(bound, "no free port")
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    /// The LAG column of `group`'s row, or nil when it is not on screen.
    static func lag(of group: String, in screen: String) -> Int? {
        guard let line = screen.split(separator: "\n").first(where: { $0.contains(" \(group) ") }) else { return nil }
        let fields = line.split(separator: " ")
        // GROUP STATE PROTO MEMB LAG …: the lag is the first field after the member count.
        guard fields.count > 4 else { return nil }
        return Int(fields[4].replacingOccurrences(of: ",", with: ""))
    }

    @Test func theDemoRunsOnTheEngineAloneAndShowsLagBackpressureAndCheckpoints() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-demo-\(UUID().uuidString)").path
        let stubs = dir + "/no-java"
        try FileManager.default.createDirectory(atPath: stubs, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let called = dir + "/java-was-called"
        for tool in ["java", "javac", "jar", "mvn"] {
            let path = stubs + "/" + tool
            try "#!/bin/sh\necho \"$0 $*\" >> \(called)\nexit 127\n".write(toFile: path, atomically: true, encoding: .utf8)
            chmod(path, 0o755)
        }
        let kafkaPort = try Self.freePort(), restPort = try Self.freePort()
        let home = UIPeer.env["HOME"] ?? "/root"
        let t = try Tmux(width: 150, height: 40, environment: [
            "HOME": home, "PATH": "\(stubs):/usr/bin:/bin:/usr/sbin:/sbin", "SLUICE_BIN": UIPeer.sluice, "SLUICE_STATE": dir + "/state",
            "KAFKA_PORT": "\(kafkaPort)", "ENGINE_REST_PORT": "\(restPort)", "SLUICE_DEMO_FLINK": "0",
        ].merging(UIPeer.env.filter { $0.key == "SLUICE_PEERS_HOME" || $0.key == "XDG_CACHE_HOME" }) { a, _ in a })
        defer { t.close() }
        try t.type("cd \(UIPeer.root.path) && bash scripts/demo.sh --refresh 0.5; echo demo-exit=$?")

        // The groups: the lagging group's lag is on screen and moves (live readings).
        #expect(try t.waitFor(timeout: 120) { s in (Self.lag(of: "demo-lagging", in: s) ?? 0) > 0 && s.contains("demo-stopped") },
                "the demo's groups did not show:\n\((try? t.screen()) ?? "")")
        let first = Self.lag(of: "demo-lagging", in: try t.screen())
        #expect(try t.waitFor(timeout: 20) { s in Self.lag(of: "demo-lagging", in: s).map { $0 != first } ?? false },
                "the lag did not change:\n\((try? t.screen()) ?? "")")

        // The jobs: the slow sink's job is HIGH with its sink as the bottleneck.
        try t.keys("5")
        #expect(try t.waitFor(timeout: 60) { s in
            s.split(separator: "\n").contains { $0.contains("slow-sink") && $0.contains("HIGH") && $0.contains("Sink: slow-sink-out") }
        }, "no HIGH backpressure:\n\((try? t.screen()) ?? "")")
        for job in ["revenue-per-customer", "orders-enriched", "customers", "flaky-checkpoints"] {
            #expect(try t.screen().split(separator: "\n").contains { $0.contains(job) && $0.contains("RUNNING") }, "\(job) is not running")
        }

        // The flaky job's checkpoints: one failed with Flink's cause, a later one completed.
        try t.keys("/")
        for ch in "flaky" { try t.keys("-l", String(ch)) }
        try t.keys("Enter", "Enter", "c")
        #expect(try t.waitFor(timeout: 60) { s in
            let rows = s.split(separator: "\n").compactMap { l -> (id: Int, failed: Bool)? in
                let f = l.split(separator: " ")
                guard f.count >= 2, let id = Int(f[0]) else { return nil }
                if f[1] == "FAILED" && l.contains("Checkpoint expired before completing.") { return (id, true) }
                return f[1] == "COMPLETED" ? (id, false) : nil
            }
            guard let failed = rows.filter(\.failed).map(\.id).min() else { return false }
            return rows.contains { !$0.failed && $0.id > failed }
        }, "no failed then completed checkpoint:\n\((try? t.screen()) ?? "")")

        // With Postgres installed (scripts/install-deps.sh), the customers table comes through
        // change capture: the Slots view shows the capture's slot, read by the running capture.
        if FileManager.default.isExecutableFile(atPath: "/usr/lib/postgresql/15/bin/postgres") {
            try t.keys("6")
            #expect(try t.waitFor(timeout: 30) { s in
                s.split(separator: "\n").contains { $0.contains("demo_customers") && $0.contains("demo ●") && $0.contains("OK") }
            }, "the Slots view did not show the demo's capture:\n\((try? t.screen()) ?? "")")
            try t.keys("5", "/", "Escape")   // the Jobs view without its filter
            #expect(try t.waitFor(timeout: 10) { s in
                s.split(separator: "\n").contains { $0.contains("customers-from-postgres") && $0.contains("RUNNING") }
            }, "the customers job does not read the capture:\n\((try? t.screen()) ?? "")")
        } else {
            #expect(UIPeer.env["CI"] != "true", "CI installs Postgres 15 (scripts/install-deps.sh): the demo's capture must be tested there")
        }

        // Quitting the console ends the demo and stops what it started.
        try t.keys("q", "q")
        #expect(try t.waitFor(timeout: 30) { $0.contains("demo-exit=0") }, "the demo did not end cleanly:\n\((try? t.screen()) ?? "")")
        let pidFile = dir + "/state/engine/engine.pid"
        #expect(!FileManager.default.fileExists(atPath: pidFile), "the demo's engine was left running")
        #expect(!FileManager.default.fileExists(atPath: "/tmp/sluice-postgres-\(kafkaPort + 2)/data/postmaster.pid"), "the demo's Postgres was left running")
        #expect(!FileManager.default.fileExists(atPath: called),
                "the demo called Java: \((try? String(contentsOfFile: called, encoding: .utf8)) ?? "")")
    }
}
