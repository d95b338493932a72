import Foundation
import Testing

/// The embedded engine with unmodified clients: confluent-kafka (a current librdkafka) and
/// Debian's kcat (librdkafka 2.0.2). Each test runs its own engine on a free port.
@Suite(.serialized, .enabled(if: Peer.python != nil || Peer.isCI))
struct EngineClientTests {
    @Test func produceAndConsumeAtAcksZeroOneAndAll() throws {
        let engine = EngineProcess()
        try engine.start()
        let found = try clientScenario("acks", engine)
        let consumed = try #require(found["consumed"] as? [String: Int])
        #expect(consumed == ["0": 300, "1": 300, "all": 300])
    }

    @Test func kcatProducesListsAndConsumes() throws {
        let engine = EngineProcess()
        try engine.start()
        let kcat = try #require(["/usr/bin/kcat", "/usr/local/bin/kcat"].first { FileManager.default.isExecutableFile(atPath: $0) },
                                "kcat is not installed (make deps installs Debian's kcat)")
        let input = FileManager.default.temporaryDirectory.appendingPathComponent("kcat-\(UUID().uuidString).txt")
        try "k1:one\nk2:two\nk3:three\n".write(to: input, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: input) }
        let produced = try run(kcat, ["-b", engine.bootstrap, "-P", "-t", "kc-topic", "-K:", "-X", "acks=all", "-l", input.path], timeout: 30)
        #expect(produced.status == 0, "\(produced.stderr)")
        let listed = try run(kcat, ["-b", engine.bootstrap, "-L", "-t", "kc-topic"], timeout: 30)
        #expect(listed.stdout.contains("topic \"kc-topic\" with 1 partitions"), "\(listed.stdout)\(listed.stderr)")
        let consumed = try run(kcat, ["-b", engine.bootstrap, "-C", "-t", "kc-topic", "-o", "beginning", "-e", "-f", "%k=%s@%o\n"], timeout: 30)
        #expect(consumed.stdout.split(separator: "\n") == ["k1=one@0", "k2=two@1", "k3=three@2"], "\(consumed.stdout)\(consumed.stderr)")
    }

    @Test(arguments: ["range", "cooperative-sticky"])
    func groupsRebalanceWhenMembersJoinLeaveAndTimeOut(assignor: String) throws {
        let engine = EngineProcess()
        try engine.start()
        let found = try clientScenario("groups", engine, ["--assignor", assignor])
        let two = try #require(found["two_members"] as? [String: [Int]])
        #expect(two.values.flatMap { $0 }.sorted() == Array(0..<6), "two members split the six partitions: \(two)")
        let recovered = try #require(found["recovered_after_kill_s"] as? Double)
        // The killed member's session timeout is 3 s: its partitions come back after it, not before.
        #expect(recovered >= 2.5 && recovered < 15, "partitions came back \(recovered) s after the member was killed")
        #expect(engine.log.contains("reason=\"session timeout (3000 ms without a heartbeat)\""))
        #expect(engine.log.contains("reason=\"left the group\""))
    }

    @Test func idempotentRetriesOverDroppedConnectionsWriteNoDuplicates() throws {
        // Clients reach the engine through a proxy that withholds every fifth Produce answer.
        let proxy = try DroppingProxy(dropEvery: 5)
        defer { proxy.stop() }
        let engine = EngineProcess(extraArgs: ["--advertised", "127.0.0.1:\(proxy.port)"])
        try engine.start()
        proxy.target.withLock { $0 = engine.port }
        let found = try clientScenario("idempotent", engine, ["--count", "20000"], bootstrap: "127.0.0.1:\(proxy.port)")
        #expect(found["records"] as? Int == 20000)
        #expect(found["duplicates"] as? Int == 0)
        // Answers really were withheld, and the retried batches were recognised.
        #expect(proxy.dropped > 0)
        #expect(engine.log.contains("duplicate batch answered with its original offset"))
    }

    @Test func transactionsCommitAbortAndFence() throws {
        let engine = EngineProcess()
        try engine.start()
        let found = try clientScenario("transactions", engine)
        #expect(found["read_committed"] as? Int == 200)
        #expect(found["aborted_written"] as? Int == 25)
        #expect(found["fenced"] as? Bool == true)
        #expect(engine.log.contains("msg=\"transaction aborted\""))
        #expect(engine.log.contains("msg=\"transaction committed\""))
    }

    @Test func retentionMovesTheLogStartThatClientsSee() throws {
        let engine = try EngineProcess(config: "kafka:\n  log.retention.check.interval.ms: 200\n")
        try engine.start()
        let found = try clientScenario("retention", engine)
        #expect((found["log_start"] as? Int ?? 0) > 0)
        #expect(found["high_watermark"] as? Int == 200)
        #expect(engine.log.contains("msg=\"retention deleted segments\""))
    }

    /// confluent-kafka's AdminClient: create_partitions grows a topic under a subscribed consumer
    /// (which is given the new partitions and reads them), fewer partitions are refused,
    /// delete_records moves the log start and refuses offsets past the high watermark.
    @Test func adminClientsGrowTopicsAndDeleteRecords() throws {
        let engine = EngineProcess()
        try engine.start()
        let found = try clientScenario("grow_and_trim", engine)
        #expect(found["partitions"] as? Int == 4)
        #expect(found["low_watermark"] as? Int == 6)
        #expect(engine.log.contains("msg=\"partitions added\""))
        #expect(engine.log.contains("msg=\"records deleted\""))
    }

    @Test func compactionKeepsTheLatestValuePerKeyAndDropsDeletedKeys() throws {
        let engine = try EngineProcess(config: "kafka:\n  log.retention.check.interval.ms: 200\n")
        try engine.start()
        let found = try clientScenario("compaction", engine)
        let produced = try #require(found["produced"] as? Int)
        let read = try #require(found["read"] as? Int)
        #expect(read < produced / 2, "read \(read) of \(produced) records")
        #expect(found["keys"] as? Int == 49, "9 live keys plus 40 fillers")
        #expect(engine.log.contains("msg=\"log compacted\""))
    }

    /// Compressed batches from real clients: confluent-kafka with every `compression.type`,
    /// kafka-python with every codec it has; both read every record back with contiguous offsets
    /// (the scenario checks), and Debian's kcat (librdkafka 2.0.2) reads every topic too.
    @Test func everyCodecFromEveryClientIsReadBackByEveryClient() throws {
        let engine = EngineProcess()
        try engine.start()
        let found = try clientScenario("codecs", engine, ["--count", "2000"])
        let topics = try #require(found["topics"] as? [String: Int])
        #expect(topics.count == 9 && topics.values.allSatisfy { $0 == 2000 })
        for (topic, count) in topics {
            let read = try run(try kcat(), ["-b", engine.bootstrap, "-C", "-t", topic, "-o", "beginning", "-e", "-f", "%o\n"], timeout: 60)
            #expect(read.stdout.split(separator: "\n").map { Int($0) ?? -1 } == Array(0..<count), "kcat read \(topic): \(read.stderr.suffix(300))")
        }
        // What the engine stored: each producer's codec, as sent.
        let stored = try storedCodecs(engine)
        for (topic, _) in topics {
            let codec = String(topic.split(separator: "-")[1])
            let want = ["none": 0, "gzip": 1, "snappy": 2, "lz4": 3, "zstd": 4][codec]
            // As sent: the codec's batches, and uncompressed ones where librdkafka sent a batch that
            // would not shrink (a lone record, when the producer is slow to fill batches).
            let codecs = stored[topic] ?? []
            #expect(want.map { codecs.contains(Int16($0)) && codecs.isSubset(of: [0, Int16($0)]) } == true, "\(topic) stored with codecs \(codecs)")
        }
    }

    /// kcat with each codec (`-z`): every line is read back, keys and order kept. zstd batches
    /// are stored compressed as sent; librdkafka 2.0.2 sends gzip, snappy and lz4 uncompressed to
    /// any broker without Produce v0 — Kafka 4.0 as well — until librdkafka 2.11.1
    /// (docs/compatibility.md), so for those the check is that nothing is lost.
    @Test(arguments: ["gzip", "snappy", "lz4", "zstd"])
    func kcatWritesEachCodec(codec: String) throws {
        let engine = EngineProcess()
        try engine.start()
        let input = FileManager.default.temporaryDirectory.appendingPathComponent("kcat-\(UUID().uuidString).txt")
        try (0..<300).map { "k\($0 % 7):line \($0) of text that compresses well" }.joined(separator: "\n").write(to: input, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: input) }
        // One batch for all 300 lines: librdkafka sends a batch that would not shrink (a lone
        // record) uncompressed, whatever the codec.
        let produced = try run(try kcat(), ["-b", engine.bootstrap, "-P", "-t", "kz", "-K:", "-z", codec, "-X", "acks=all",
                                            "-X", "linger.ms=200", "-X", "batch.num.messages=10000", "-l", input.path], timeout: 30)
        #expect(produced.status == 0, "\(produced.stderr)")
        let read = try run(try kcat(), ["-b", engine.bootstrap, "-C", "-t", "kz", "-o", "beginning", "-e", "-f", "%k=%s@%o\n"], timeout: 30)
        let lines = read.stdout.split(separator: "\n").map(String.init)
        #expect(lines == (0..<300).map { "k\($0 % 7)=line \($0) of text that compresses well@\($0)" })
        let stored = try storedCodecs(engine)["kz"] ?? []
        if codec == "zstd" {
            #expect(stored.contains(4), "kcat's zstd batches are stored as sent (codecs stored: \(stored))")
        } else {
            let id = Int16(["gzip": 1, "snappy": 2, "lz4": 3][codec]!)
            #expect(stored.isSubset(of: [0, id]) && !stored.isEmpty, "stored codecs \(stored)")
        }
    }

    @Test(arguments: ["gzip", "snappy", "lz4", "zstd"])
    func compressedCompactedTopicsKeepTheLatestValuePerKey(codec: String) throws {
        let engine = try EngineProcess(config: "kafka:\n  log.retention.check.interval.ms: 200\n")
        try engine.start()
        let found = try clientScenario("compressed-compaction", engine, ["--topic", codec])
        #expect(found["keys"] as? Int == 69, "9 live keys plus 60 fillers")
        #expect((found["read"] as? Int ?? .max) < (found["produced"] as? Int ?? 0) / 3)
        #expect(engine.log.contains("msg=\"log compacted\""))
    }

    /// Acknowledged records survive `kill -9`, cycle after cycle: each cycle produces with
    /// acks=all while the engine is killed mid-stream, restarts it on the same data, and checks
    /// every acknowledged record is there once, at the offset it was acknowledged with.
    @Test func acknowledgedRecordsSurviveKill9() throws {
        let engine = EngineProcess()
        try engine.start()
        let python = try #require(Peer.python)
        let script = Peer.root.appendingPathComponent("scripts/engine-clients.py").path
        let acked = engine.dataDir + ".acked"
        defer { try? FileManager.default.removeItem(atPath: acked) }
        FileManager.default.createFile(atPath: acked, contents: nil)
        var total = 0
        for cycle in 1...3 {
            let producer = try ChildProcess(python, [script, "produce-acked", "--bootstrap", engine.bootstrap, "--topic", "crash",
                                                     "--count", "200000", "--out", acked, "--cycle", "\(cycle)"],
                                            stdout: "/dev/null", stderr: "/dev/null")
            // Kill once this cycle has a good number of acknowledgements.
            let deadline = Date().addingTimeInterval(60)
            func ackedThisCycle() -> Int {
                ((try? String(contentsOfFile: acked, encoding: .utf8)) ?? "").split(separator: "\n").filter { $0.contains(" \(cycle)-") }.count
            }
            while ackedThisCycle() < 3000 && Date() < deadline && producer.isRunning { usleep(20_000) }
            #expect(ackedThisCycle() >= 3000, "cycle \(cycle): only \(ackedThisCycle()) acknowledged before the kill")
            #expect(engine.stop(signal: SIGKILL) == SIGKILL)
            producer.wait(timeout: 60)
            try engine.start()
            let found = try clientScenario("verify-acked", engine, ["--topic", "crash", "--acked", acked])
            let n = try #require(found["acked"] as? Int)
            #expect(n > total, "cycle \(cycle): acknowledged \(n), before \(total)")
            total = n
        }
    }

    @Test func aTornTailIsCutToTheLastWholeBatchOnRestart() throws {
        let engine = EngineProcess()
        try engine.start()
        _ = try clientScenario("acks", engine)
        #expect(engine.stop() == 0, "SIGTERM is a clean exit")
        #expect(engine.log.contains("msg=\"engine stopped\""))
        // Append half a batch to one partition's active segment, as a crash mid-write would.
        let dir = try #require(try FileManager.default.contentsOfDirectory(atPath: engine.dataDir + "/topics").first { $0.hasPrefix("acks-all-") })
        let segment = engine.dataDir + "/topics/\(dir)/0/00000000000000000000.log"
        let before = try #require(FileManager.default.attributesOfItem(atPath: segment)[.size] as? Int)
        let handle = try #require(FileHandle(forWritingAtPath: segment))
        handle.seekToEndOfFile()
        handle.write(Data([0, 0, 0, 0, 0, 0, 0, 99, 0, 0, 4, 0, 0, 0, 0, 0, 2, 7, 7]))
        try handle.close()
        try engine.start()
        #expect(engine.log.contains("msg=\"log recovered\""))
        #expect(engine.log.contains("partition=\(dir)-0"))
        let after = try #require(FileManager.default.attributesOfItem(atPath: segment)[.size] as? Int)
        #expect(after == before, "the torn tail was cut back to the last whole batch")
    }

    @Test func aSecondEngineOnTheSameDataIsRefused() throws {
        let engine = EngineProcess()
        try engine.start()
        let second = try run(Peer.sluice, ["engine", "--data-dir", engine.dataDir, "--kafka-listen", "127.0.0.1:0"], timeout: 30)
        #expect(second.status == 2)
        #expect(second.stderr.contains("is in use by another engine (pid "), "\(second.stderr)")
        // The first one is unaffected, and after it stops the directory is free again.
        #expect(engine.stop() == 0)
        try engine.start()
    }

    @Test func aNonLoopbackListenerNeedsCredentials() throws {
        let r = try run(Peer.sluice, ["engine", "--data-dir", FileManager.default.temporaryDirectory.appendingPathComponent("e-\(UUID().uuidString)").path,
                                      "--kafka-listen", "0.0.0.0:0"], timeout: 30)
        #expect(r.status == 2)
        #expect(r.stderr.contains("refusing to listen on 0.0.0.0 without credentials"))
    }

    @Test func saslPlainIsEnforcedWhenUsersAreConfigured() throws {
        let engine = try EngineProcess(config: "kafka:\n  users:\n    alice: s3cret\n")
        try engine.start()
        let kcat = try #require(["/usr/bin/kcat", "/usr/local/bin/kcat"].first { FileManager.default.isExecutableFile(atPath: $0) })
        func list(_ password: String) throws -> ProcessResult {
            try run(kcat, ["-b", engine.bootstrap, "-L", "-m", "5", "-X", "security.protocol=SASL_PLAINTEXT", "-X", "sasl.mechanisms=PLAIN",
                           "-X", "sasl.username=alice", "-X", "sasl.password=\(password)"], timeout: 30)
        }
        let good = try list("s3cret")
        #expect(good.status == 0 && good.stdout.contains("1 brokers"), "\(good.stdout)\(good.stderr)")
        let bad = try list("wrong")
        #expect(bad.status != 0)
        #expect(engine.log.contains("SASL/PLAIN authentication failed"))
        let anonymous = try run(kcat, ["-b", engine.bootstrap, "-L", "-m", "5"], timeout: 30)
        #expect(anonymous.status != 0, "a client without credentials gets no metadata")
        #expect(engine.log.contains("before SASL authentication"))
    }

    /// Kafka's ACLs with three SASL users (docs/security.md): admin is a super user, alice is
    /// granted write, read and a group prefix, bob only DESCRIBE. Each denied request comes back
    /// with Kafka's authorization error and is logged; the ACLs survive a restart.
    @Test func aclsAllowDenyAndLogWithSaslUsers() throws {
        let engine = try EngineProcess(config: "kafka:\n  users: {admin: admin-pw, alice: alice-pw, bob: bob-pw}\n  super.users: [admin]\n")
        try engine.start()
        let found = try clientScenario("acls", engine)
        #expect(found["acls"] as? Int == 5)
        #expect(found["alice_write"] as? String == "ok")
        #expect(found["alice_read"] as? String == "record")
        #expect(found["bob_write"] as? String == "TOPIC_AUTHORIZATION_FAILED")
        #expect(found["bob_join"] as? String == "GROUP_AUTHORIZATION_FAILED")
        #expect(found["bob_read"] as? String == "TOPIC_AUTHORIZATION_FAILED")
        #expect(found["alice_delete"] as? String == "TOPIC_AUTHORIZATION_FAILED")
        #expect(found["alice_sees_acls"] as? Int == 0)
        #expect(found["alice_delete_acls"] as? String == "CLUSTER_AUTHORIZATION_FAILED")
        #expect(found["admin_delete"] as? String == "ok")
        #expect(found["invalid_acl"] as? String == "INVALID_REQUEST")
        for (principal, operation, api) in [("bob", "Write", "Produce"), ("bob", "Describe", "FindCoordinator"), ("bob", "Read", "Fetch"),
                                            ("alice", "Delete", "DeleteTopics"), ("alice", "Describe", "DescribeAcls")] {
            #expect(engine.log.split(separator: "\n").contains { line in
                line.contains("msg=\"authorization denied\"") && line.contains("api=\(api)") && line.contains("operation=\(operation)") && line.contains("principal=User:\(principal)")
            }, "no denial logged for \(principal) \(operation) (\(api))")
        }
        #expect(engine.stop() == 0)
        try engine.start()
        let after = try clientScenario("acls-after-restart", engine)
        #expect(after["acls"] as? Int == 5)
        #expect(after["bob_acls_removed"] as? Int == 1)
        #expect(after["alice_write"] as? String == "ok")
    }
}
