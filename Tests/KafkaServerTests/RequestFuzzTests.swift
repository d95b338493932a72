import Foundation
import KafkaProtocol
import KafkaServer
import Testing

/// Fuzzing the request side: valid requests of every API and version, mutated (bits flipped,
/// bytes overwritten, lengths made huge or negative, cut short, grown), first through the
/// decoders, then at a live broker. A decoder must answer with a typed error, never trap or
/// allocate what the input cannot hold; the broker must keep serving. Runs for a bounded time:
/// `SLUICE_FUZZ_SECONDS` (default 5 per test) with the seed printed, `SLUICE_FUZZ_SEED` to replay.
@Suite(.serialized) struct RequestFuzzTests {
    static let seconds = Double(ProcessInfo.processInfo.environment["SLUICE_FUZZ_SECONDS"] ?? "") ?? 5
    static let seed = UInt64(ProcessInfo.processInfo.environment["SLUICE_FUZZ_SEED"] ?? "") ?? UInt64(Date().timeIntervalSince1970 * 1000)

    /// SplitMix64: small, fast, reproducible from the seed.
    struct Rng: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// One valid request body per API, to mutate.
    static let samples: [(ApiKey, any KafkaMessage)] = {
        let batch = RecordBatch.encode(baseTimestamp: 1_700_000_000_000, producerId: 5, producerEpoch: 0, baseSequence: 0,
                                       records: [Record(offsetDelta: 0, key: [1], value: [2, 3], headers: [.init(key: "h", value: [4])])])
        return [
            (.produce, ProduceRequest(transactionalId: "tx", acks: -1, timeoutMs: 100, topics: [.init(name: "fuzz", partitions: [.init(index: 0, records: batch)])])),
            (.fetch, FetchRequest(maxWaitMs: 1, minBytes: 0, topics: [.init(topic: "fuzz", partitions: [.init(partition: 0, fetchOffset: 0, partitionMaxBytes: 1000)])])),
            (.listOffsets, ListOffsetsRequest(isolationLevel: 1, topics: [.init(name: "fuzz", partitions: [.init(partitionIndex: 0, timestamp: -1)])])),
            (.metadata, MetadataRequest(topics: ["fuzz", "other"], allowAutoTopicCreation: false)),
            (.offsetCommit, OffsetCommitRequest(groupId: "g", generationId: 1, memberId: "m", topics: [.init(name: "fuzz", partitions: [.init(partitionIndex: 0, committedOffset: 3)])])),
            (.offsetFetch, OffsetFetchRequest(groups: [.init(groupId: "g", topics: [TopicPartitions(topic: "fuzz", partitions: [0])])])),
            (.findCoordinator, FindCoordinatorRequest(keys: ["g"])),
            (.joinGroup, JoinGroupRequest(groupId: "g", sessionTimeoutMs: 10_000, memberId: "", protocolType: "consumer", protocols: [.init(name: "range", metadata: [0, 1])])),
            (.heartbeat, HeartbeatRequest(groupId: "g", generationId: 1, memberId: "m")),
            (.leaveGroup, LeaveGroupRequest(groupId: "g", members: [.init(memberId: "m")])),
            (.syncGroup, SyncGroupRequest(groupId: "g", generationId: 1, memberId: "m", assignments: [.init(memberId: "m", assignment: [1])])),
            (.describeGroups, DescribeGroupsRequest(groups: ["g"])),
            (.listGroups, ListGroupsRequest()),
            (.apiVersions, ApiVersionsRequest()),
            (.createTopics, CreateTopicsRequest(topics: [.init(name: "fz", numPartitions: 1, configs: [.init(name: "retention.ms", value: "5")])])),
            (.deleteTopics, DeleteTopicsRequest(topicNames: ["nothing-here"])),
            (.deleteGroups, DeleteGroupsRequest(groupsNames: ["g", "nobody"])),
            // Requests that may legitimately change a topic act on "fz", so "fuzz" stays readable from the start.
            (.alterConfigs, AlterConfigsRequest(resources: [.init(resourceType: 2, resourceName: "fz", configs: [(name: "retention.ms", value: "9")])])),
            (.incrementalAlterConfigs, IncrementalAlterConfigsRequest(resources: [.init(resourceType: 2, resourceName: "fz", configs: [
                .init(name: "cleanup.policy", operation: 2, value: "compact")])])),
            (.createPartitions, CreatePartitionsRequest(topics: [.init(name: "fz", count: 3, assignments: [[1], [1]])])),
            (.deleteRecords, DeleteRecordsRequest(topics: [.init(name: "fz", partitions: [(partition: 0, offset: 1)])])),
            (.describeCluster, DescribeClusterRequest(includeClusterAuthorizedOperations: true)),
            (.offsetDelete, OffsetDeleteRequest(groupId: "g", topics: [TopicPartitions(topic: "fuzz", partitions: [0])])),
            (.describeConfigs, DescribeConfigsRequest(resources: [.init(resourceType: 2, resourceName: "fuzz")])),
            (.initProducerId, InitProducerIdRequest(transactionalId: "tx", transactionTimeoutMs: 1000)),
            (.addPartitionsToTxn, AddPartitionsToTxnRequest(transactionalId: "tx", producerId: 1, producerEpoch: 0, topics: [TopicPartitions(topic: "fuzz", partitions: [0])])),
            (.addOffsetsToTxn, AddOffsetsToTxnRequest(transactionalId: "tx", producerId: 1, producerEpoch: 0, groupId: "g")),
            (.endTxn, EndTxnRequest(transactionalId: "tx", producerId: 1, producerEpoch: 0, committed: false)),
            (.txnOffsetCommit, TxnOffsetCommitRequest(transactionalId: "tx", groupId: "g", producerId: 1, producerEpoch: 0, topics: [])),
            (.describeAcls, DescribeAclsRequest(filter: AclBindingFilter(resourceType: .topic, resourceName: "fuzz", patternType: .match))),
            // ACLs act on "fz" too: none may take "fuzz" away from the broker's own checks.
            (.createAcls, CreateAclsRequest(creations: [AclBinding(resourceType: .topic, resourceName: "fz", principal: "User:x", operation: .read, permission: .deny)])),
            (.deleteAcls, DeleteAclsRequest(filters: [AclBindingFilter(resourceType: .topic, resourceName: "fz")])),
        ]
    }()

    /// Every request frame (header + body, no size prefix) the samples give at every version.
    static func corpus() throws -> [[UInt8]] {
        var out: [[UInt8]] = []
        for (api, body) in samples {
            for v in api.supportedVersions ?? 0...0 {
                guard let bytes = try? encodeFrame(body, version: v) else { continue }
                out.append(Array(bytes.dropFirst(4)))
            }
        }
        return out
    }

    static func encodeFrame(_ body: any KafkaMessage, version: Int16) throws -> [UInt8] {
        func open<M: KafkaMessage>(_ m: M) throws -> [UInt8] {
            var w = KafkaWriter()
            w.writeInt32(0)
            RequestHeader(apiKey: M.apiKey.rawValue, apiVersion: version, correlationId: 7, clientId: "fuzz").encode(into: &w)
            try m.encode(into: &w, version: version)
            w.patchInt32(Int32(w.count - 4), at: 0)
            return w.bytes
        }
        return try open(body)
    }

    static func mutate(_ input: [UInt8], _ rng: inout Rng) -> [UInt8] {
        var b = input
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            guard !b.isEmpty else { break }
            let i = Int.random(in: 0..<b.count, using: &rng)
            switch Int.random(in: 0..<7, using: &rng) {
            case 0: b[i] ^= UInt8(1 << Int.random(in: 0..<8, using: &rng))
            case 1: b[i] = UInt8.random(in: 0...255, using: &rng)
            case 2: for j in i..<min(b.count, i + 4) { b[j] = 0xff }            // a huge or -1 length
            case 3: for j in i..<min(b.count, i + 4) { b[j] = j == i ? 0x7f : 0xff }   // Int32.max
            case 4: b.removeLast(Int.random(in: 0...min(8, b.count), using: &rng))
            case 5: b.insert(contentsOf: (0..<Int.random(in: 1...8, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }, at: i)
            default: b[i] = 0x80   // an unterminated varint byte
            }
        }
        return b
    }

    /// Decodes a request frame as the broker would; returns normally or throws a typed error.
    static func decode(_ payload: [UInt8]) throws {
        var (header, body) = try KafkaFrame.decodeRequestHeader(payload: payload)
        guard let api = ApiKey(rawValue: header.apiKey), api.supportedVersions?.contains(header.apiVersion) == true else { return }
        let v = header.apiVersion
        switch api {
        case .produce:
            let r = try ProduceRequest(from: &body, version: v)
            for t in r.topics { for p in t.partitions { _ = try? RecordBatch.split(p.records ?? [], allowTruncatedTail: false) } }
        case .fetch: _ = try FetchRequest(from: &body, version: v)
        case .listOffsets: _ = try ListOffsetsRequest(from: &body, version: v)
        case .metadata: _ = try MetadataRequest(from: &body, version: v)
        case .offsetCommit: _ = try OffsetCommitRequest(from: &body, version: v)
        case .offsetFetch: _ = try OffsetFetchRequest(from: &body, version: v)
        case .findCoordinator: _ = try FindCoordinatorRequest(from: &body, version: v)
        case .joinGroup:
            let r = try JoinGroupRequest(from: &body, version: v)
            for p in r.protocols { _ = try? ConsumerProtocolSubscription(decoding: p.metadata) }
        case .heartbeat: _ = try HeartbeatRequest(from: &body, version: v)
        case .leaveGroup: _ = try LeaveGroupRequest(from: &body, version: v)
        case .syncGroup: _ = try SyncGroupRequest(from: &body, version: v)
        case .describeGroups: _ = try DescribeGroupsRequest(from: &body, version: v)
        case .listGroups: _ = try ListGroupsRequest(from: &body, version: v)
        case .saslHandshake: _ = try SaslHandshakeRequest(from: &body, version: v)
        case .apiVersions: _ = try ApiVersionsRequest(from: &body, version: v)
        case .createTopics: _ = try CreateTopicsRequest(from: &body, version: v)
        case .deleteTopics: _ = try DeleteTopicsRequest(from: &body, version: v)
        case .deleteGroups: _ = try DeleteGroupsRequest(from: &body, version: v)
        case .createPartitions: _ = try CreatePartitionsRequest(from: &body, version: v)
        case .alterConfigs: _ = try AlterConfigsRequest(from: &body, version: v)
        case .incrementalAlterConfigs: _ = try IncrementalAlterConfigsRequest(from: &body, version: v)
        case .deleteRecords: _ = try DeleteRecordsRequest(from: &body, version: v)
        case .describeCluster: _ = try DescribeClusterRequest(from: &body, version: v)
        case .offsetDelete: _ = try OffsetDeleteRequest(from: &body, version: v)
        case .initProducerId: _ = try InitProducerIdRequest(from: &body, version: v)
        case .addPartitionsToTxn: _ = try AddPartitionsToTxnRequest(from: &body, version: v)
        case .addOffsetsToTxn: _ = try AddOffsetsToTxnRequest(from: &body, version: v)
        case .endTxn: _ = try EndTxnRequest(from: &body, version: v)
        case .txnOffsetCommit: _ = try TxnOffsetCommitRequest(from: &body, version: v)
        case .describeConfigs: _ = try DescribeConfigsRequest(from: &body, version: v)
        case .saslAuthenticate: _ = try SaslAuthenticateRequest(from: &body, version: v)
        case .describeAcls: _ = try DescribeAclsRequest(from: &body, version: v)
        case .createAcls: _ = try CreateAclsRequest(from: &body, version: v)
        case .deleteAcls: _ = try DeleteAclsRequest(from: &body, version: v)
        }
    }

    @Test func decodersAnswerMutatedRequestsWithTypedErrors() throws {
        let corpus = try Self.corpus()
        #expect(corpus.count > 150, "every API at every version is in the corpus")
        var rng = Rng(state: Self.seed)
        print("request fuzz (decoders): seed \(Self.seed), \(Self.seconds) s; replay with SLUICE_FUZZ_SEED=\(Self.seed)")
        let deadline = Date().addingTimeInterval(Self.seconds)
        var runs = 0, rejected = 0
        while Date() < deadline {
            for _ in 0..<200 {
                let input = Self.mutate(corpus[Int.random(in: 0..<corpus.count, using: &rng)], &rng)
                do { try Self.decode(input) } catch is KafkaProtocolError { rejected += 1 } catch {
                    Issue.record("untyped error \(error) for \(input)")
                }
                runs += 1
            }
        }
        #expect(runs > 1000)
        #expect(rejected > 0, "mutations were caught")
    }

    @Test func theBrokerSurvivesMutatedRequests() async throws {
        let broker = try await TestBroker()
        do {
            let setup = try broker.connect()
            _ = try setup.call(CreateTopicsRequest(topics: [.init(name: "fuzz", numPartitions: 1)]), version: 5)
            let corpus = try Self.corpus().filter { p in
                // Requests that wait by design (Fetch's long poll, JoinGroup and SyncGroup until
                // the rebalance completes) would only hold up the answers behind them.
                ![ApiKey.fetch, .joinGroup, .syncGroup].map(\.rawValue).contains(Int16(p[0]) << 8 | Int16(p[1]))
            }
            var rng = Rng(state: Self.seed ^ 0x5eed)
            print("request fuzz (broker): seed \(Self.seed), \(Self.seconds) s")
            let deadline = Date().addingTimeInterval(Self.seconds)
            var conn = try broker.connect()
            var sent = 0, closed = 0
            while Date() < deadline {
                var frame = Self.mutate(corpus[Int.random(in: 0..<corpus.count, using: &rng)], &rng)
                frame.insert(contentsOf: withUnsafeBytes(of: Int32(frame.count).bigEndian) { Array($0) }, at: 0)
                conn.send(frame)
                sent += 1
                // Mostly fire and forget; now and then wait for the answer (or the close).
                if sent % 3 == 0 {
                    var ping = try KafkaFrame.request(ApiVersionsRequest(), version: 3, correlationId: 99, clientId: "ping")
                    conn.send(ping)
                    ping.removeAll()
                    var alive = false
                    while let reply = conn.receive() {
                        if reply.count >= 4 && reply[0..<4] == [0, 0, 0, 99] { alive = true; break }
                    }
                    if !alive { closed += 1; conn = try broker.connect() }
                }
            }
            #expect(sent > 100)
            // Still serving: metadata, and the topic still readable from the start.
            let check = try broker.connect()
            let md = try check.call(MetadataRequest(topics: ["fuzz"]), version: 9)
            #expect(md.topics.first?.errorCode == KafkaErrorCode.none)
            let fetched = try check.call(FetchRequest(maxWaitMs: 0, minBytes: 0, topics: [.init(topic: "fuzz", partitions: [.init(partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20)])]), version: 11)
            #expect(fetched.responses.first?.partitions.first?.errorCode == KafkaErrorCode.none)
            print("request fuzz (broker): \(sent) frames, \(closed) connections closed by the broker")
        }
        await broker.stop()
    }
}
