import Foundation
import KafkaProtocol
import Testing

/// `sluice engine` as a child process on a free port with its own data directory, for tests
/// that drive it with real clients. Ready means its "engine started" log line has appeared.
final class EngineProcess {
    let dataDir: String
    let logPath: String
    private(set) var process: ChildProcess?
    private(set) var port: Int = 0
    let extraArgs: [String]

    var bootstrap: String { "127.0.0.1:\(port)" }

    /// The REST API's URL when started with `--rest-listen` (from its latest "engine started" line).
    var restURL: String? {
        let line = log.components(separatedBy: "msg=\"engine started\"").last?.split(separator: "\n").first ?? ""
        guard let field = line.split(separator: " ").first(where: { $0.hasPrefix("rest_listen=") && !$0.hasSuffix("=off") }) else { return nil }
        return "http://" + field.dropFirst("rest_listen=".count)
    }

    init(dataDir: String? = nil, extraArgs: [String] = []) {
        self.dataDir = dataDir ?? FileManager.default.temporaryDirectory.appendingPathComponent("sluice-engine-\(UUID().uuidString)").path
        self.logPath = self.dataDir + ".log"
        self.extraArgs = extraArgs
    }

    /// An engine run with `config` (YAML) as its config file, kept beside its log.
    convenience init(config: String) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-engine-\(UUID().uuidString)").path
        try config.write(toFile: dir + ".yaml", atomically: true, encoding: .utf8)
        self.init(dataDir: dir, extraArgs: ["--config", dir + ".yaml"])
    }

    /// Starts (or restarts, on the same port when it had one) and waits until it listens.
    func start(timeout: Double = 30) throws {
        let previous = (try? String(contentsOfFile: logPath, encoding: .utf8))?.components(separatedBy: "msg=\"engine started\"").count ?? 1
        let p = try ChildProcess(Peer.sluice, ["engine", "--data-dir", dataDir, "--kafka-listen", "127.0.0.1:\(port)"] + extraArgs,
                                 stdout: logPath, stderr: logPath)
        process = p
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            let starts = text.components(separatedBy: "msg=\"engine started\"")
            if starts.count > previous, let line = starts.last?.split(separator: "\n").first,
               let listen = line.split(separator: " ").first(where: { $0.hasPrefix("kafka_listen=") }),
               let p = Int(listen.split(separator: ":").last ?? "") {
                port = p
                return
            }
            guard p.isRunning else { throw EngineFailed(log: text) }
            usleep(20_000)
        }
        throw EngineFailed(log: "no 'engine started' within \(timeout) s:\n" + ((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""))
    }

    /// Stops it with `signal` (SIGTERM: clean; SIGKILL: a crash) and waits for it to exit.
    @discardableResult
    func stop(signal: Int32 = SIGTERM) -> Int32 {
        guard let p = process else { return 0 }
        p.signal(signal)
        return p.wait(timeout: 30)
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    deinit {
        stop(signal: SIGKILL)
        try? FileManager.default.removeItem(atPath: dataDir)
        try? FileManager.default.removeItem(atPath: logPath)
        try? FileManager.default.removeItem(atPath: dataDir + ".yaml")
    }

    struct EngineFailed: Error, CustomStringConvertible {
        let log: String
        var description: String { "the engine did not start:\n\(log)" }
    }
}

/// Runs a scenario of scripts/engine-clients.py and decodes its JSON findings.
/// `bootstrap` defaults to the engine's own address.
func clientScenario(_ scenario: String, _ engine: EngineProcess, _ args: [String] = [], bootstrap: String? = nil, timeout: Double = 180) throws -> [String: Any] {
    let python = try #require(Peer.python, "SLUICE_TEST_PYTHON is not set: scripts/test.sh installs confluent-kafka (CI=true requires it)")
    let script = Peer.root.appendingPathComponent("scripts/engine-clients.py").path
    let r = try run(python, [script, scenario, "--bootstrap", bootstrap ?? engine.bootstrap] + args, timeout: timeout)
    let lastLines = r.stderr.split(separator: "\n").filter { !$0.hasPrefix("%") }.suffix(15).joined(separator: "\n")
    try #require(r.status == 0, "\(scenario) failed (\(r.status)):\n\(lastLines)\n--- engine log tail ---\n\(engine.log.split(separator: "\n").suffix(15).joined(separator: "\n"))")
    let line = try #require(r.stdout.split(separator: "\n").last, "\(scenario) printed nothing")
    return try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
}

/// Debian's kcat (librdkafka 2.0.2), which `make deps` installs.
func kcat() throws -> String {
    try #require(["/usr/bin/kcat", "/usr/local/bin/kcat"].first { FileManager.default.isExecutableFile(atPath: $0) },
                 "kcat is not installed (make deps installs Debian's kcat)")
}

/// The codec ids of the batches the engine stored, per topic, read from its data directory's
/// segment files (every partition of every topic).
func storedCodecs(_ engine: EngineProcess) throws -> [String: Set<Int16>] {
    let topics = engine.dataDir + "/topics"
    var out: [String: Set<Int16>] = [:]
    for topic in try FileManager.default.contentsOfDirectory(atPath: topics) {
        for partition in (try? FileManager.default.contentsOfDirectory(atPath: "\(topics)/\(topic)")) ?? [] where Int(partition) != nil {
            for file in try FileManager.default.contentsOfDirectory(atPath: "\(topics)/\(topic)/\(partition)") where file.hasSuffix(".log") {
                let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: "\(topics)/\(topic)/\(partition)/\(file)")))
                for (batch, _) in try RecordBatch.split(bytes, allowTruncatedTail: true) { out[topic, default: []].insert(batch.attributes & 7) }
            }
        }
    }
    return out
}
