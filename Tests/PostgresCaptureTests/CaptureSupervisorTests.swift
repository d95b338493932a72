import EngineFixtures
import Foundation
import Logging
import Testing
@testable import PostgresCapture

/// The engine's captures without Postgres: what the supervisor refuses before anything
/// connects, and that the list of added captures is never silently replaced.
@Suite struct CaptureSupervisorTests {
    func capture(_ name: String, slot: String = "s1") -> CaptureConfig {
        // Port 1: nothing listens; the runner only retries in the background.
        CaptureConfig(name: name, url: "postgres://u:pw@127.0.0.1:1/db?sslmode=disable", publication: "p", slot: slot)
    }

    @Test func addedCapturesAreKeptRefusalsNameTheFixAndADamagedListIsNeverReplaced() async throws {
        let fx = try await EngineFixture.start()
        defer { Task { await fx.stop() } }
        let dir = fx.directory + "/captures"
        let supervisor = CaptureSupervisor(engine: fx.engine, stateDirectory: dir, logger: Logger(label: "test"))
        try await supervisor.add(capture("shop"))
        let kept = try #require(FileManager.default.contents(atPath: dir + "/added.list"))
        #expect(try JSONDecoder().decode([CaptureConfig].self, from: kept).map(\.name) == ["shop"])
        let mode = try FileManager.default.attributesOfItem(atPath: dir + "/added.list")[.posixPermissions] as? Int
        #expect(mode == 0o600, "it may hold passwords")

        await #expect { try await supervisor.add(capture("shop", slot: "s2")) } throws: { "\($0)".contains("already runs") }
        await #expect { try await supervisor.add(capture("other")) } throws: { "\($0)".contains("already reads slot s1") }
        await #expect { try await supervisor.add(capture("Bad Name")) } throws: { "\($0)".contains("letters, digits") }
        await #expect { try await supervisor.remove("nope") } throws: { "\($0)".contains("no capture named nope") }
        #expect(await supervisor.list().map(\.config.name) == ["shop"])

        try await supervisor.remove("shop")
        #expect(await supervisor.list().isEmpty)
        let damaged = Data("{not json".utf8)
        FileManager.default.createFile(atPath: dir + "/added.list", contents: damaged)
        await #expect { try await supervisor.add(capture("late")) } throws: { "\($0)".contains("is damaged") }
        #expect(FileManager.default.contents(atPath: dir + "/added.list") == damaged, "the damaged file is left for the user")
        await supervisor.stopAll()
    }

    @Test func capturesOfTheConfigFileAreRemovedThere() async throws {
        let fx = try await EngineFixture.start()
        defer { Task { await fx.stop() } }
        let supervisor = CaptureSupervisor(engine: fx.engine, stateDirectory: fx.directory + "/captures", logger: Logger(label: "test"))
        await supervisor.start(configured: [capture("fromfile")])
        await #expect { try await supervisor.remove("fromfile") } throws: { "\($0)".contains("config file") }
        #expect(await supervisor.list().first?.origin == .configFile)
        await supervisor.stopAll()
    }
}
