import ConsoleModel
import Foundation
import Recording
import Testing

/// `sluice record` against the real broker and its load: a timed run, a stop by SIGTERM, and a
/// file that cannot grow (RLIMIT_FSIZE standing in for a full disk).
@Suite(.serialized, .enabled(if: Peer.enabled)) struct RecordCommandTests {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-record-\(UUID().uuidString)").path

    init() throws { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }

    func kafkaReadings(_ path: String) throws -> (reader: RecordingReader, readings: [KafkaSnapshot]) {
        let reader = try RecordingReader(path: path)
        let readings = reader.readAll().compactMap { e -> KafkaSnapshot? in if case let .observation(.kafka(s)) = e { s } else { nil } }
        return (reader, readings)
    }

    @Test func aTimedRecordingHoldsTheLoadGeneratorsGroups() throws {
        let kafka = try Peer.requireKafka()
        let path = dir + "/timed.jsonl.gz"
        let r = try run(Peer.sluice, ["record", "-o", path, "--kafka", kafka, "--duration", "4s", "--refresh", "0.5"], timeout: 60)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("wrote ") && r.stderr.contains(path), "\(r.stderr)")
        let (reader, readings) = try kafkaReadings(path)
        #expect(reader.damage == nil)
        #expect(reader.header.sources == [.init(name: "kafka", address: kafka)])
        #expect(readings.count >= 4, "\(readings.count) readings in 4 s at 0.5 s")
        let groups = Set(readings.last?.groups.map(\.groupId) ?? [])
        #expect(Peer.groups.allSatisfy(groups.contains), "\(groups)")
        // Replayed, the model judges the stopped group as the live console did.
        var model = ConsoleModel()
        for s in readings { model.apply(.kafka(s)) }
        #expect(model.groups.first { $0.groupId == "\(Peer.prefix)-stopped" }?.status == .stop)
        // The summary names the stopped group, as text and as JSON.
        let summary = try run(Peer.sluice, ["replay", path, "--summary"], timeout: 30)
        #expect(summary.status == 0, "\(summary.stderr)")
        #expect(summary.stdout.split(separator: "\n").contains { $0.contains("\(Peer.prefix)-stopped") && $0.contains("STOP") }, "\(summary.stdout)")
        let asJSON = try run(Peer.sluice, ["replay", path, "--summary", "--json"], timeout: 30)
        let parsed = try JSONDecoder().decode(RecordingSummary.self, from: Data(asJSON.stdout.utf8))
        #expect(parsed.statusChanges.contains { $0.group == "\(Peer.prefix)-stopped" && $0.status == "STOP" })
        #expect(parsed.readings == readings.count)
        // An existing file is never overwritten.
        let again = try run(Peer.sluice, ["record", "-o", path, "--kafka", kafka, "--duration", "1s"], timeout: 30)
        #expect(again.status == 2 && again.stderr.contains("already exists"), "\(again.stderr)")
    }

    @Test func sigtermStopsCleanlyWithAReadableFile() throws {
        let kafka = try Peer.requireKafka()
        let path = dir + "/until-stopped.jsonl"
        let log = dir + "/record.log"
        let child = try ChildProcess(Peer.sluice, ["record", "-o", path, "--kafka", kafka, "--refresh", "0.5"], stdout: log, stderr: log)
        // Ready once the file holds two readings (the header is written first, alert markers between).
        let deadline = Date().addingTimeInterval(30)
        func readingsWritten() -> Int {
            ((try? String(contentsOfFile: path, encoding: .utf8))?.split(separator: "\n").filter { $0.hasPrefix(#"{"kafka""#) }.count) ?? 0
        }
        while Date() < deadline, readingsWritten() < 2 { usleep(50_000) }
        child.signal(SIGTERM)
        #expect(child.wait(timeout: 20) == 0, "\((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
        let (reader, readings) = try kafkaReadings(path)
        #expect(reader.damage == nil)
        #expect(readings.count >= 2)
    }

    @Test func aFileThatCannotGrowStopsTheRecordingAndStaysReadable() throws {
        let kafka = try Peer.requireKafka()
        let prlimit = try #require(["/usr/bin/prlimit", "/bin/prlimit"].first { FileManager.default.isExecutableFile(atPath: $0) }, "prlimit (util-linux) is missing")
        let path = dir + "/full.jsonl"
        // 16 KB: the header and some readings fit, then writes fail with EFBIG, as on a full disk.
        let r = try run(prlimit, ["--fsize=16384", Peer.sluice, "record", "-o", path, "--kafka", kafka, "--refresh", "0.5", "--duration", "60s"],
                        timeout: 90)
        #expect(r.status == 1, "\(r.status): \(r.stderr)")
        #expect(r.stderr.contains("recording stopped") && r.stderr.contains("File too large"), "\(r.stderr)")
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int
        #expect(size <= 16384)
        let (reader, readings) = try kafkaReadings(path)
        #expect(readings.count >= 1, "what was written before the limit replays")
        _ = reader
    }

    /// `--redact` on the load generator's cluster: none of its topic, group, member or client
    /// names (all start with the prefix) nor the host appears in the file; the replayed model
    /// still joins groups to their topics and judges them as before.
    @Test func aRedactedRecordingNamesNothingAndStillReplays() throws {
        let kafka = try Peer.requireKafka()
        let path = dir + "/redacted.jsonl.gz"
        let r = try run(Peer.sluice, ["record", "-o", path, "--kafka", kafka, "--duration", "3s", "--refresh", "0.5", "--redact"], timeout: 60)
        #expect(r.status == 0, "\(r.stderr)")
        let text = try run("/bin/gzip", ["-dc", path], timeout: 30).stdout
        try #require(text.split(separator: "\n").count >= 4, "no readings in \(path)")
        let host = String(kafka.split(separator: ":").first ?? "")
        for name in ["\(Peer.prefix)-", host, kafka] {
            #expect(!text.contains(name), "'\(name)' left in a redacted recording")
        }
        let (reader, readings) = try kafkaReadings(path)
        #expect(reader.header.redacted && reader.damage == nil)
        var model = ConsoleModel()
        for s in readings { model.apply(.kafka(s)) }
        let topics = Set(model.topics.map(\.name))
        #expect(model.groups.count >= Peer.groups.count)
        #expect(model.groups.allSatisfy { g in g.partitions.allSatisfy { topics.contains($0.topic) } }, "a group refers to a topic the reading lacks")
        #expect(model.groups.contains { $0.status == .stop && $0.members.isEmpty }, "the stopped group is still judged STOP")
    }
}
