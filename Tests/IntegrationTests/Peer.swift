import Foundation
import Testing

/// The real broker started by scripts/test.sh, or why there is none.
enum Peer {
    static let env = ProcessInfo.processInfo.environment
    static var kafka: String? { env["SLUICE_TEST_KAFKA"] }
    static var prefix: String { env["SLUICE_TEST_PREFIX"] ?? "it" }
    static var python: String? { env["SLUICE_TEST_PYTHON"] }
    static var isCI: Bool { env["CI"] == "true" }
    /// Run the test when the peer is there, and also under CI, where a missing peer must fail.
    static var enabled: Bool { kafka != nil || isCI }

    static var root: URL { URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent() }
    static var sluice: String { env["SLUICE_BIN"] ?? root.appendingPathComponent(".build/debug/sluice").path }

    static var flink: String? { env["SLUICE_TEST_FLINK"] }
    static var flinkJar: String? { env["SLUICE_TEST_FLINK_JAR"] }
    static var flinkEnabled: Bool { flink != nil || isCI }

    static func requireFlink() throws -> (url: String, jar: String) {
        let url = try #require(flink, "SLUICE_TEST_FLINK is not set: scripts/test.sh starts Flink (CI=true requires it)")
        return (url, try #require(flinkJar, "SLUICE_TEST_FLINK_JAR is not set: scripts/flink-peer.sh build-job makes it"))
    }

    static func requireKafka() throws -> String {
        try #require(kafka, "SLUICE_TEST_KAFKA is not set: scripts/test.sh starts the broker (CI=true requires it)")
    }

    static var groups: [String] { ["caughtup", "lagging", "stopped", "rebalancing"].map { "\(prefix)-\($0)" } }
}

struct ProcessResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs a program to completion (killed after `timeout` seconds) and captures its output.
/// Output goes through temporary files, so a large output can never block the child.
func run(_ path: String, _ args: [String], timeout: Double = 60, environment: [String: String]? = nil) throws -> ProcessResult {
    let dir = FileManager.default.temporaryDirectory
    let outURL = dir.appendingPathComponent("sluice-test-\(UUID().uuidString).out")
    let errURL = dir.appendingPathComponent("sluice-test-\(UUID().uuidString).err")
    _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
    defer { try? FileManager.default.removeItem(at: outURL); try? FileManager.default.removeItem(at: errURL) }
    let child = try ChildProcess(path, args, stdout: outURL.path, stderr: errURL.path, environment: environment)
    return ProcessResult(status: child.wait(timeout: timeout), stdout: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
                         stderr: (try? String(contentsOf: errURL, encoding: .utf8)) ?? "")
}

/// One independent reading by confluent-kafka (scripts/kafka-load.py lag).
struct IndependentReading: Decodable {
    struct Row: Decodable { var topic: String; var partition: Int32; var committed: Int64; var endOffset: Int64? }
    var groups: [String: [Row]]

    static func take(bootstrap: String, groups: [String]) throws -> IndependentReading {
        let python = try #require(Peer.python, "SLUICE_TEST_PYTHON is not set")
        let script = Peer.root.appendingPathComponent("scripts/kafka-load.py").path
        let r = try run(python, [script, "lag", "--bootstrap", bootstrap] + groups.flatMap { ["--group", $0] })
        try #require(r.status == 0, "kafka-load.py lag failed: \(r.stderr)")
        return try JSONDecoder().decode(IndependentReading.self, from: Data(r.stdout.utf8))
    }

    func row(_ group: String, _ topic: String, _ partition: Int32) -> Row? {
        groups[group]?.first { $0.topic == topic && $0.partition == partition }
    }
}
