import ConsoleModel
import Foundation
import Testing
@testable import Recording

/// Recordings written and read back: unchanged parts as references, gzip, markers, redaction,
/// and every kind of bad file a person might hand the reader.
@Suite struct RecordingTests {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-rec-\(UUID().uuidString)").path

    init() throws { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }

    func header() -> RecordingHeader {
        RecordingHeader(started: 100, sluice: "test", sources: [.init(name: "kafka", address: "b1:9092")],
                        context: "prod-eu", terminal: .init(width: 160, height: 45))
    }

    /// Readings of a cluster whose second topic and second group never change.
    func readings(_ n: Int) -> [Observation] {
        (0..<n).map { i in
            let t = Double(100 + i * 2)
            let busy = KafkaSnapshot.Topic(name: "orders", partitions: (0..<4).map { .init(partition: $0, leader: 1, highWatermark: Int64(100 * i)) })
            let quiet = KafkaSnapshot.Topic(name: "audit", partitions: [.init(partition: 0, leader: 1, highWatermark: 7)])
            return .kafka(KafkaSnapshot(time: t, clusterId: "c1", brokers: [.init(nodeId: 1, host: "broker-a.internal", port: 9092)],
                                        topics: [busy, quiet], groups: [
                                            .init(groupId: "billing", state: "Stable", members: [.init(memberId: "m-1", clientId: "bill", clientHost: "/10.0.0.9")],
                                                  offsets: [CommittedOffset(topic: "orders", partition: 0, offset: Int64(50 * i))]),
                                            .init(groupId: "archiver", state: "Empty", offsets: [CommittedOffset(topic: "audit", partition: 0, offset: 7)]),
                                        ]))
        }
    }

    func write(_ name: String, _ observations: [Observation], markers: [Marker] = [], redact: Bool = false) throws -> String {
        let path = dir + "/" + name
        let w = try RecordingWriter(path: path, header: header(), redact: redact)
        for o in observations { w.record(o) }
        for m in markers { w.mark(m) }
        w.close()
        return path
    }

    @Test(arguments: ["plain.jsonl", "squeezed.jsonl.gz"])
    func readingsComeBackAsTheyWereWithUnchangedPartsWrittenOnce(name: String) throws {
        let observations = readings(5) + [.kafkaError(time: 111, message: "connection refused"),
                                          .flink(FlinkSnapshot(time: 112, jobs: [.init(jid: "j1", name: "enrich", state: "RUNNING")])),
                                          .flinkError(time: 113, message: "timed out"),
                                          .postgres(SlotSnapshot(time: 113.5, server: "db:5432/shop", currentLSN: 0x1_0000_2000, maxSlotWalKeepSize: 1 << 30,
                                                                 slots: [.init(name: "sluice_shop", plugin: "pgoutput", database: "shop", active: true, activePid: 77,
                                                                               restartLSN: 0x1_0000_0000, confirmedFlushLSN: 0x1_0000_1000, walStatus: "reserved")],
                                                                 captures: [.init(name: "shop", slot: "sluice_shop", database: "shop", state: "RUNNING", lagMs: 12)])),
                                          .postgresError(time: 113.7, message: "connection refused")]
        let marker = Marker(time: 114, kind: .user, text: "rollback started")
        let path = try write(name, observations, markers: [marker])
        let reader = try RecordingReader(path: path)
        #expect(reader.header == header())
        let events = reader.readAll()
        #expect(reader.damage == nil)
        #expect(events == observations.map { .observation($0) } + [.marker(marker)])
        if !name.hasSuffix(".gz") {
            let text = try String(contentsOfFile: path, encoding: .utf8)
            // The quiet topic and group are written whole once, then referred to.
            #expect(text.components(separatedBy: #"{"same":"audit"}"#).count - 1 == 4)
            #expect(text.components(separatedBy: #"{"same":"archiver"}"#).count - 1 == 4)
            #expect(text.split(separator: "\n").count == 1 + observations.count + 1)
            // The busy topic and group are patches of what moved after the first reading.
            #expect(text.components(separatedBy: #"{"hw":[100,100,100,100],"topic":"orders"}"#).count - 1 == 4)
            #expect(text.components(separatedBy: #"{"group":"billing","offsets":[50]}"#).count - 1 == 4)
        } else {
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)).prefix(2) == Data([0x1F, 0x8B]), "not gzip")
        }
    }

    @Test func aQuietClusterCostsAFlagAndOddNamesAndMovesComeBackExactly() throws {
        // Names with quotes, backslashes and control characters; partitions whose leader moves
        // (not a patch), a log start that moves, a group whose members change.
        let odd = "we\"ird\\name\u{1B}[31m\u{07}é"
        func reading(_ i: Int, leader: Int32 = 1, members: Int = 1) -> Observation {
            .kafka(KafkaSnapshot(time: Double(i), clusterId: nil, brokers: [], topics: [
                .init(name: odd, partitions: (0..<3).map { .init(partition: $0, leader: leader, replicas: [1, 2], isr: [1],
                                                                 highWatermark: Int64(1_000 * i), logStartOffset: Int64(10 * i)) }),
            ], groups: [
                .init(groupId: odd, state: "Stable", members: (0..<members).map { .init(memberId: "m\($0)\u{1B}") },
                      offsets: [CommittedOffset(topic: odd, partition: 0, offset: Int64(-5 + i))]),
            ]))
        }
        let observations = [reading(1), reading(2), reading(2, leader: 2), reading(3, leader: 2, members: 2), reading(4, leader: 2, members: 2)]
        var quiet = reading(4, leader: 2, members: 2)
        if case var .kafka(s) = quiet { s.time = 5; quiet = .kafka(s) }
        let path = try write("odd.jsonl", observations + [quiet])
        let reader = try RecordingReader(path: path)
        #expect(reader.readAll() == (observations + [quiet]).map { .observation($0) })
        #expect(reader.damage == nil)
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(!lines.contains { $0.contains("\u{1B}") }, "control characters are escaped")
        #expect(lines[2].contains(#""hw":[1000,1000,1000],"ls":[10,10,10]"#), "\(lines[2])")
        #expect(lines[3].contains(#""leader":2"#), "a moved leader writes the topic whole")
        #expect(lines[6].contains(#""sameGroups":true"#) && lines[6].contains(#""sameTopics":true"#) && lines[6].count < 120, "\(lines[6])")
    }

    @Test(arguments: ["cut.jsonl", "cut.jsonl.gz"])
    func aFileCutMidLineReplaysUpToTheCut(name: String) throws {
        let path = try write(name, readings(6))
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int
        // Cut in the middle of the last reading (for gzip: its compressed tail).
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.truncate(atOffset: UInt64(size - (name.hasSuffix(".gz") ? 20 : 40)))
        try handle.close()
        let reader = try RecordingReader(path: path)
        let events = reader.readAll()
        #expect(events.count == 5, "every whole reading before the cut")
        #expect(events == readings(5).map { .observation($0) })
        let damage = try #require(reader.damage)
        #expect(damage.line == 7)
        #expect(damage.description.contains("cut short"))
    }

    @Test func aCorruptLineStopsTheReplayThereAndSaysWhich() throws {
        let path = try write("corrupt.jsonl", readings(4))
        var lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        lines[3] = "{\"t\": 104, \"kafka\": {\"topics\": [oops"
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let reader = try RecordingReader(path: path)
        #expect(reader.readAll().count == 2)
        #expect(reader.damage?.line == 4)
        #expect(reader.damage?.description.contains("not a recording line") == true)
    }

    @Test func badFilesAreRefusedWithAReason() throws {
        let newer = dir + "/newer.jsonl"
        try #"{"format":"sluice-recording","version":99,"started":1,"sluice":"9.0","sources":[],"redacted":false}"#.write(toFile: newer, atomically: true, encoding: .utf8)
        #expect(throws: RecordingError.newerVersion(path: newer, version: 99, supported: RecordingHeader.currentVersion)) { try RecordingReader(path: newer) }
        let text = dir + "/notes.txt"
        try "shopping list\nmilk\n".write(toFile: text, atomically: true, encoding: .utf8)
        #expect(throws: RecordingError.notARecording(path: text, reason: "its first line is not a recording header")) { try RecordingReader(path: text) }
        let empty = dir + "/empty.jsonl"
        FileManager.default.createFile(atPath: empty, contents: Data())
        #expect(throws: RecordingError.notARecording(path: empty, reason: "it is empty")) { try RecordingReader(path: empty) }
        #expect(throws: RecordingError.self) { try RecordingReader(path: dir + "/missing.jsonl") }
        // Writing: a directory that does not exist, and a file that is already there.
        do {
            _ = try RecordingWriter(path: "/nonexistent-dir/rec.jsonl", header: header())
            Issue.record("wrote into a missing directory")
        } catch let e as RecordingError {
            #expect("\(e)".contains("/nonexistent-dir/rec.jsonl") && "\(e)".contains("No such file or directory"), "\(e)")
        }
        let existing = try write("kept.jsonl", readings(1))
        #expect(throws: RecordingError.exists(path: existing)) { try RecordingWriter(path: existing, header: header()) }
        #expect(try RecordingReader(path: existing).readAll().count == 1, "the existing recording was not touched")
    }

    @Test func redactionUsesStablePseudonymsAndLeavesNoOriginalName() throws {
        let path = try write("redacted.jsonl", readings(3), markers: [Marker(time: 200, kind: .alert, text: "billing lag growing")], redact: true)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        for name in ["orders", "audit", "billing", "archiver", "m-1", "bill", "10.0.0.9", "broker-a.internal", "\"c1\"", "b1:9092", "prod-eu"] {
            #expect(!text.contains(name), "'\(name)' left in a redacted recording")
        }
        let reader = try RecordingReader(path: path)
        #expect(reader.header.redacted)
        let snapshots = reader.readAll().compactMap { e -> KafkaSnapshot? in if case let .observation(.kafka(s)) = e { s } else { nil } }
        #expect(snapshots.count == 3)
        // The same name always becomes the same pseudonym, so rows still group and join.
        #expect(Set(snapshots.map { $0.topics.map(\.name) }).count == 1)
        let first = try #require(snapshots.first)
        #expect(first.groups[0].offsets[0].topic == first.topics[0].name)
        #expect(first.topics.map(\.name) == ["topic-1", "topic-2"])
        // The model reads a redacted recording as it read the original.
        var original = ConsoleModel(), redacted = ConsoleModel()
        for o in readings(3) { original.apply(o) }
        for s in snapshots { redacted.apply(.kafka(s)) }
        // Pseudonyms sort differently from the names: compare what each group shows, in any order.
        func shown(_ m: ConsoleModel) -> [String] { m.groups.map { "\($0.totalLag ?? -1) \($0.status) \($0.members.count)" }.sorted() }
        #expect(shown(original) == shown(redacted))
    }

    @Test func redactedSlotReadingsKeepNoDatabaseSlotOrCaptureName() throws {
        let slot = SlotSnapshot(time: 1, server: "db.prod.internal:5432/shop", currentLSN: 100, slots: [.init(name: "sluice_shop", database: "shop")],
                                captures: [.init(name: "shopcap", slot: "sluice_shop", database: "shop", state: "FAILED", lastError: "password for alice")])
        let path = try write("redacted-slots.jsonl", [.postgres(slot), .postgresError(time: 2, message: "db.prod.internal refused")], redact: true)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        for name in ["db.prod.internal", "sluice_shop", "shopcap", "alice", "\"shop\""] { #expect(!text.contains(name), "'\(name)' left in a redacted recording") }
        let events = try RecordingReader(path: path).readAll()
        guard case let .observation(.postgres(read))? = events.first else { Issue.record("no slot reading: \(events)"); return }
        #expect(read.slots[0].name == read.captures?[0].slot, "the capture still points at its slot")
    }

    @Test func theSummaryListsStatusChangesRebalancesFailedCheckpointsAndMarkers() throws {
        func reading(_ t: Double, members: Int, state: String = "Stable") -> Observation {
            .kafka(KafkaSnapshot(time: t, topics: [.init(name: "orders", partitions: [.init(partition: 0, leader: 1, highWatermark: Int64(t) * 100)])],
                                 groups: [.init(groupId: "billing", state: members == 0 ? "Empty" : state,
                                                members: (0..<members).map { .init(memberId: "m\($0)") },
                                                offsets: [CommittedOffset(topic: "orders", partition: 0, offset: 10)])]))
        }
        var events: [RecordingEvent] = [reading(100, members: 2), reading(102, members: 1, state: "PreparingRebalance"),
                                        reading(104, members: 1), reading(106, members: 0), reading(108, members: 0)].map { .observation($0) }
        let failed = FlinkSnapshot.Checkpoint(id: 7, status: "FAILED", triggerTime: 107, failureTime: 107.5, failureMessage: "Checkpoint expired before completing.")
        events.append(.observation(.flink(FlinkSnapshot(time: 109, jobs: [.init(jid: "j1", name: "enrich", state: "RUNNING")],
                                                        details: [.init(jid: "j1", vertices: [], checkpoints: .init(failed: 1, latestFailed: failed, history: [failed]))]))))
        events.append(.marker(Marker(time: 110, kind: .user, text: "rolled back")))
        let summary = RecordingSummary.make(header: header(), events: events)
        #expect(summary.statusChanges.map(\.status) == ["STOP"])
        #expect(summary.statusChanges.first?.time == 106)
        // The member leaving at 102 is a rebalance; so is the last one leaving at 106.
        #expect(summary.rebalances.map(\.detectedAt) == [102, 106])
        #expect(summary.rebalances.allSatisfy { $0.group == "billing" })
        #expect(summary.failedCheckpoints == [.init(time: 107.5, job: "enrich", id: 7, cause: "Checkpoint expired before completing.")])
        #expect(summary.markers.map(\.text) == ["rolled back"])
        let text = summary.text()
        for line in ["00:01:46  billing  STOP", "00:01:42  billing  2 → 1 members", "00:01:47  enrich  #7  Checkpoint expired", "00:01:50  user: rolled back"] {
            #expect(text.contains(line), "missing '\(line)' in:\n\(text)")
        }
    }
}
