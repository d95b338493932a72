import Foundation
import KafkaProtocol
import KafkaServer
import Testing

/// Broker behaviour real clients depend on, found by running librdkafka's own test suite against
/// the engine: error answers clients can parse, the request-wide fetch limit, and rebalances on a
/// follower's subscription change.
@Suite struct ClientCompatibilityTests {
    func produce(_ c: RawConnection, topic: String, partition: Int32 = 0, values: [[UInt8]]) throws {
        let batch = RecordBatch.encode(baseTimestamp: 1, records: values.enumerated().map { Record(offsetDelta: Int32($0.offset), value: $0.element) })
        let r = try c.call(ProduceRequest(acks: -1, timeoutMs: 5000, topics: [.init(name: topic, partitions: [.init(index: partition, records: batch)])]), version: 7)
        try #require(r.topics[0].partitions[0].errorCode == KafkaErrorCode.none)
    }

    /// librdkafka 2.0.2 cannot parse a null record set ("invalid MessageSetSize -1"), so an error
    /// answer must carry an empty one, as Kafka's does — or OFFSET_OUT_OF_RANGE never reaches it.
    @Test func fetchErrorsCarryAnEmptyRecordSetNotNull() async throws {
        let broker = try await TestBroker()
        do {
            let c = try broker.connect()
            _ = try c.call(CreateTopicsRequest(topics: [.init(name: "t", numPartitions: 1)]), version: 5)
            try produce(c, topic: "t", values: [[1]])
            let answer = try c.call(FetchRequest(maxWaitMs: 0, minBytes: 0, topics: [
                .init(topic: "t", partitions: [.init(partition: 0, fetchOffset: 99, partitionMaxBytes: 1 << 20)]),
                .init(topic: "missing", partitions: [.init(partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20)]),
            ]), version: 4)
            let outOfRange = answer.responses[0].partitions[0], unknown = answer.responses[1].partitions[0]
            #expect(outOfRange.errorCode == .offsetOutOfRange)
            #expect(unknown.errorCode == .unknownTopicOrPartition)
            #expect(outOfRange.records == [], "null records (size -1) in an error answer")
            #expect(unknown.records == [], "null records (size -1) in an error answer")
        }
        await broker.stop()
    }

    /// fetch.max.bytes bounds the whole answer, the first partition included: it gets one whole
    /// batch even when that is larger than the limit (KIP-74), never more.
    @Test func fetchMaxBytesBoundsTheFirstPartitionToo() async throws {
        let broker = try await TestBroker()
        do {
            let c = try broker.connect()
            _ = try c.call(CreateTopicsRequest(topics: [.init(name: "big", numPartitions: 1)]), version: 5)
            for _ in 0..<5 { try produce(c, topic: "big", values: [[UInt8](repeating: 7, count: 100_000)]) }
            func fetch(maxBytes: Int32) throws -> [RecordBatch] {
                let answer = try c.call(FetchRequest(maxWaitMs: 0, minBytes: 0, maxBytes: maxBytes, topics: [
                    .init(topic: "big", partitions: [.init(partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 22)]),
                ]), version: 11)
                return try RecordBatch.split(answer.responses[0].partitions[0].records ?? [], allowTruncatedTail: true).map(\.batch)
            }
            #expect(try fetch(maxBytes: 250_000).count == 2, "two 100 KB batches fit in 250 KB, a third does not")
            #expect(try fetch(maxBytes: 1_000).count == 1, "one whole batch however small the limit")
            #expect(try fetch(maxBytes: 10_000_000).count == 5)
            // Only the first partition with data may pass the limit: a second partition's batch
            // that does not fit in what is left waits for the next fetch (librdkafka 0082).
            _ = try c.call(CreateTopicsRequest(topics: [.init(name: "two", numPartitions: 2)]), version: 5)
            for p: Int32 in [0, 1] { try produce(c, topic: "two", partition: p, values: [[UInt8](repeating: 1, count: 100_000)]) }
            let both = try c.call(FetchRequest(maxWaitMs: 0, minBytes: 0, maxBytes: 150_000, topics: [
                .init(topic: "two", partitions: [.init(partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 22),
                                                 .init(partition: 1, fetchOffset: 0, partitionMaxBytes: 1 << 22)]),
            ]), version: 11)
            #expect(both.responses[0].partitions.map { ($0.records ?? []).count > 0 } == [true, false], "150 KB holds one 100 KB batch, not two")
        }
        await broker.stop()
    }

    /// A follower that rejoins a stable group with a different subscription starts a rebalance;
    /// the same subscription again (a lost answer) keeps the generation.
    @Test func aFollowersChangedSubscriptionStartsARebalance() async throws {
        let broker = try await TestBroker()
        do {
            @Sendable func join(_ c: RawConnection, _ member: String, _ metadata: [UInt8]) throws -> JoinGroupResponse {
                try c.call(JoinGroupRequest(groupId: "sub", sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 5_000, memberId: member,
                                            protocolType: "consumer", protocols: [.init(name: "range", metadata: metadata)]), version: 3)
            }
            let a = try broker.connect(), b = try broker.connect()
            let leader = try join(a, "", [1])
            #expect(leader.generationId == 1)
            _ = try a.call(SyncGroupRequest(groupId: "sub", generationId: 1, memberId: leader.memberId, assignments: []), version: 3)
            // The follower joins: generation 2 once the leader, told by its heartbeat, rejoins.
            let pending = Background { try join(b, "", [1]) }
            func waitForRebalance() throws -> KafkaErrorCode {
                var beat = KafkaErrorCode.none
                let deadline = Date().addingTimeInterval(10)
                while beat != .rebalanceInProgress && Date() < deadline {
                    beat = try a.call(HeartbeatRequest(groupId: "sub", generationId: leader.generationId, memberId: leader.memberId), version: 3).errorCode
                }
                return beat
            }
            #expect(try waitForRebalance() == .rebalanceInProgress)
            var rejoined = try join(a, leader.memberId, [1])
            let follower = try pending.value()
            #expect(rejoined.generationId == 2 && follower.generationId == 2)
            let syncFollower = Background { try b.call(SyncGroupRequest(groupId: "sub", generationId: 2, memberId: follower.memberId, assignments: []), version: 3) }
            _ = try a.call(SyncGroupRequest(groupId: "sub", generationId: 2, memberId: leader.memberId, assignments: []), version: 3)
            _ = try syncFollower.value()
            // Same subscription again: nothing changes.
            #expect(try join(b, follower.memberId, [1]).generationId == 2)
            #expect(try a.call(HeartbeatRequest(groupId: "sub", generationId: 2, memberId: leader.memberId), version: 3).errorCode == KafkaErrorCode.none)
            // A new subscription: the group rebalances, the leader is told to rejoin.
            let changed = Background { try join(b, follower.memberId, [2]) }
            var beat = KafkaErrorCode.none
            let deadline = Date().addingTimeInterval(10)
            while beat != .rebalanceInProgress && Date() < deadline {
                beat = try a.call(HeartbeatRequest(groupId: "sub", generationId: 2, memberId: leader.memberId), version: 3).errorCode
            }
            #expect(beat == .rebalanceInProgress, "the follower's new subscription started no rebalance")
            rejoined = try join(a, leader.memberId, [1])
            #expect(rejoined.generationId == 3)
            #expect(try changed.value().generationId == 3)
            #expect(rejoined.members.contains { $0.memberId == follower.memberId && $0.metadata == [2] }, "the leader sees the new subscription")
        }
        await broker.stop()
    }

    /// A zombie transactional producer (its id re-initialised by a new instance) writing to a
    /// partition it had added gets INVALID_PRODUCER_EPOCH from Produce, as from a Kafka partition
    /// leader; clients treat that as fatal fencing.
    @Test func aFencedProducersWriteIsAnInvalidEpoch() async throws {
        let broker = try await TestBroker()
        do {
            let c = try broker.connect()
            _ = try c.call(CreateTopicsRequest(topics: [.init(name: "txn", numPartitions: 1)]), version: 5)
            let old = try c.call(InitProducerIdRequest(transactionalId: "tx-1", transactionTimeoutMs: 30_000), version: 3)
            let added = try c.call(AddPartitionsToTxnRequest(transactionalId: "tx-1", producerId: old.producerId, producerEpoch: old.producerEpoch,
                                                             topics: [TopicPartitions(topic: "txn", partitions: [0])]), version: 3)
            #expect(added.topics[0].partitions[0].errorCode == KafkaErrorCode.none)
            func write(epoch: Int16, sequence: Int32) throws -> KafkaErrorCode {
                let batch = RecordBatch.encode(attributes: 0x10, baseTimestamp: 1, producerId: old.producerId, producerEpoch: epoch,
                                               baseSequence: sequence, records: [Record(offsetDelta: 0, value: [1])])
                return try c.call(ProduceRequest(transactionalId: "tx-1", acks: -1, timeoutMs: 5000,
                                                 topics: [.init(name: "txn", partitions: [.init(index: 0, records: batch)])]), version: 7)
                    .topics[0].partitions[0].errorCode
            }
            #expect(try write(epoch: old.producerEpoch, sequence: 0) == KafkaErrorCode.none)
            let successor = try c.call(InitProducerIdRequest(transactionalId: "tx-1", transactionTimeoutMs: 30_000), version: 3)
            #expect(successor.producerEpoch == old.producerEpoch + 1)
            #expect(try write(epoch: old.producerEpoch, sequence: 1) == .invalidProducerEpoch)
        }
        await broker.stop()
    }

    /// DeleteGroups (`kafka-consumer-groups --delete`): an empty group goes with its offsets, one
    /// with members is refused, an unknown one is GROUP_ID_NOT_FOUND; the deletion survives a restart.
    @Test func emptyGroupsCanBeDeletedWithTheirOffsets() async throws {
        let broker = try await TestBroker()
        let dir = broker.directory
        do {
            let c = try broker.connect()
            _ = try c.call(CreateTopicsRequest(topics: [.init(name: "t", numPartitions: 1)]), version: 5)
            let commit = try c.call(OffsetCommitRequest(groupId: "old", topics: [.init(name: "t", partitions: [.init(partitionIndex: 0, committedOffset: 5)])]),
                                    version: 7)
            #expect(commit.topics[0].partitions[0].errorCode == KafkaErrorCode.none)
            let member = try c.call(JoinGroupRequest(groupId: "busy", sessionTimeoutMs: 30_000, rebalanceTimeoutMs: 5_000, memberId: "",
                                                     protocolType: "consumer", protocols: [.init(name: "range", metadata: [])]), version: 3)
            #expect(member.errorCode == KafkaErrorCode.none)
            let deleted = try c.call(DeleteGroupsRequest(groupsNames: ["old", "busy", "never"]), version: 2)
            #expect(deleted.results.map(\.errorCode) == [.none, .nonEmptyGroup, .groupIdNotFound])
            let fetched = try c.call(OffsetFetchRequest(groups: [.init(groupId: "old")]), version: 8)
            #expect(fetched.groups[0].topics.isEmpty, "the deleted group's offsets are gone")
            #expect(try c.call(ListGroupsRequest(), version: 4).groups.map(\.groupId) == ["busy"])
            #expect(broker.logs.text.contains("group deleted"))
        }
        await broker.server.stop()
        let reopened = try await TestBroker(reuse: dir)
        do {
            let c = try reopened.connect()
            let fetched = try c.call(OffsetFetchRequest(groups: [.init(groupId: "old")]), version: 8)
            #expect(fetched.groups[0].topics.isEmpty, "the deletion survived a restart")
        }
        await reopened.stop()
    }

    /// DescribeCluster: the one node, as broker and as controller, with the cluster id Metadata gives.
    @Test func describeClusterNamesTheOneNode() async throws {
        let broker = try await TestBroker()
        do {
            let c = try broker.connect()
            let metadata = try c.call(MetadataRequest(topics: []), version: 12)
            for version: Int16 in [0, 1] {
                let d = try c.call(DescribeClusterRequest(endpointType: version == 1 ? DescribeClusterRequest.controllersEndpoint : 1), version: version)
                #expect(d.errorCode == KafkaErrorCode.none)
                #expect(d.clusterId == metadata.clusterId)
                #expect(d.controllerId == metadata.controllerId)
                #expect(d.brokers.map(\.brokerId) == metadata.brokers.map(\.nodeId))
                #expect(d.brokers.first?.port == Int32(broker.port))
            }
        }
        await broker.stop()
    }

    /// OffsetDelete: an idle group's offsets go for the partitions named; a topic its live members
    /// subscribe to is refused with GROUP_SUBSCRIBED_TO_TOPIC; an unknown group is GROUP_ID_NOT_FOUND.
    @Test func offsetsCanBeDeletedUnlessTheGroupConsumesTheTopic() async throws {
        let broker = try await TestBroker()
        do {
            let c = try broker.connect()
            _ = try c.call(CreateTopicsRequest(topics: [.init(name: "a", numPartitions: 2), .init(name: "b", numPartitions: 1)]), version: 5)
            _ = try c.call(OffsetCommitRequest(groupId: "idle", topics: [.init(name: "a", partitions: [.init(partitionIndex: 0, committedOffset: 5),
                                                                                                         .init(partitionIndex: 1, committedOffset: 6)])]),
                           version: 7)
            let gone = try c.call(OffsetDeleteRequest(groupId: "idle", topics: [TopicPartitions(topic: "a", partitions: [0])]), version: 0)
            #expect(gone.errorCode == KafkaErrorCode.none && gone.topics[0].partitions[0].errorCode == KafkaErrorCode.none)
            let left = try c.call(OffsetFetchRequest(groups: [.init(groupId: "idle")]), version: 8).groups[0].topics.flatMap { t in t.partitions.map { "\(t.name)-\($0.partitionIndex)" } }
            #expect(left == ["a-1"])
            // A live member subscribed to b (consumer protocol metadata names the topic).
            let subscription = ConsumerProtocolSubscription(topics: ["b"]).encoded()
            let member = try c.call(JoinGroupRequest(groupId: "live", sessionTimeoutMs: 30_000, rebalanceTimeoutMs: 5_000, memberId: "",
                                                     protocolType: "consumer", protocols: [.init(name: "range", metadata: subscription)]), version: 3)
            _ = try c.call(SyncGroupRequest(groupId: "live", generationId: member.generationId, memberId: member.memberId, assignments: []), version: 3)
            let refused = try c.call(OffsetDeleteRequest(groupId: "live", topics: [TopicPartitions(topic: "b", partitions: [0])]), version: 0)
            #expect(refused.topics[0].partitions[0].errorCode == .groupSubscribedToTopic)
            #expect(try c.call(OffsetDeleteRequest(groupId: "nobody", topics: []), version: 0).errorCode == .groupIdNotFound)
        }
        await broker.stop()
    }

    /// CreatePartitions: a topic grows and the new partitions take records; fewer or the same
    /// count is INVALID_PARTITIONS, a bad assignment INVALID_REPLICA_ASSIGNMENT, an unknown topic
    /// UNKNOWN_TOPIC_OR_PARTITION, validate-only changes nothing; the new count survives a restart.
    @Test func partitionsCanBeAddedNeverRemoved() async throws {
        let broker = try await TestBroker()
        let dir = broker.directory
        do {
            let c = try broker.connect()
            _ = try c.call(CreateTopicsRequest(topics: [.init(name: "grow", numPartitions: 2), .init(name: "other", numPartitions: 3)]), version: 5)
            try produce(c, topic: "grow", partition: 1, values: [[1], [2]])
            let checked = try c.call(CreatePartitionsRequest(topics: [.init(name: "grow", count: 5)], validateOnly: true), version: 2)
            #expect(checked.results[0].errorCode == KafkaErrorCode.none)
            #expect(try c.call(MetadataRequest(topics: ["grow"]), version: 9).topics[0].partitions.count == 2, "validate-only changed nothing")
            let r = try c.call(CreatePartitionsRequest(topics: [
                .init(name: "grow", count: 4),
                .init(name: "other", count: 2),
                .init(name: "other2", count: 2),
                .init(name: "grow", count: 9),
            ]), version: 3)
            #expect(r.results.map(\.errorCode) == [.invalidRequest, .invalidPartitions, .unknownTopicOrPartition, .invalidRequest],
                    "a topic named twice is refused both times")
            #expect(r.results[1].errorMessage?.contains("cannot be removed") == true)
            let grown = try c.call(CreatePartitionsRequest(topics: [.init(name: "grow", count: 4)]), version: 1)
            #expect(grown.results[0].errorCode == KafkaErrorCode.none)
            let same = try c.call(CreatePartitionsRequest(topics: [.init(name: "grow", count: 4)]), version: 0)
            #expect(same.results[0].errorCode == .invalidPartitions && same.results[0].errorMessage?.contains("already has 4") == true)
            let badAssignment = try c.call(CreatePartitionsRequest(topics: [.init(name: "grow", count: 6, assignments: [[1], [7]])]), version: 0)
            #expect(badAssignment.results[0].errorCode == .invalidReplicaAssignment)
            #expect(try c.call(MetadataRequest(topics: ["grow"]), version: 9).topics[0].partitions.map(\.partitionIndex) == [0, 1, 2, 3])
            try produce(c, topic: "grow", partition: 3, values: [[9]])
            let fetched = try c.call(FetchRequest(maxWaitMs: 0, minBytes: 0, topics: [
                .init(topic: "grow", partitions: [.init(partition: 3, fetchOffset: 0, partitionMaxBytes: 1 << 20),
                                                  .init(partition: 1, fetchOffset: 0, partitionMaxBytes: 1 << 20)]),
            ]), version: 11)
            #expect(fetched.responses[0].partitions.map(\.highWatermark) == [1, 2], "old partitions keep their records, the new one takes more")
            #expect(broker.logs.text.contains("partitions added"))
        }
        await broker.server.stop()
        let reopened = try await TestBroker(reuse: dir)
        do {
            let c = try reopened.connect()
            #expect(try c.call(MetadataRequest(topics: ["grow"]), version: 9).topics[0].partitions.count == 4, "the new count survived a restart")
        }
        await reopened.stop()
    }

    /// DeleteRecords: the log start moves to the offset asked (-1: the high watermark), reads
    /// before it are OFFSET_OUT_OF_RANGE and ListOffsets' earliest follows; past the high watermark
    /// is OFFSET_OUT_OF_RANGE with nothing changed; the new start survives a restart.
    @Test func recordsCanBeDeletedUpToTheHighWatermark() async throws {
        let broker = try await TestBroker()
        let dir = broker.directory
        do {
            let c = try broker.connect()
            _ = try c.call(CreateTopicsRequest(topics: [.init(name: "t", numPartitions: 2)]), version: 5)
            for i in 0..<5 { try produce(c, topic: "t", values: [[UInt8(i)], [UInt8(i)]]) }   // offsets 0…9
            try produce(c, topic: "t", partition: 1, values: [[1], [2], [3]])
            let r = try c.call(DeleteRecordsRequest(topics: [
                .init(name: "t", partitions: [(partition: 0, offset: 4), (partition: 1, offset: 99)]),
                .init(name: "missing", partitions: [(partition: 0, offset: 1)]),
            ]), version: 2)
            #expect(r.topics[0].partitions.map(\.errorCode) == [.none, .offsetOutOfRange])
            #expect(r.topics[0].partitions[0].lowWatermark == 4)
            #expect(r.topics[1].partitions[0].errorCode == .unknownTopicOrPartition)
            func earliest(_ p: Int32) throws -> Int64 {
                try c.call(ListOffsetsRequest(topics: [.init(name: "t", partitions: [.init(partitionIndex: p, timestamp: -2)])]), version: 5)
                    .topics[0].partitions[0].offset
            }
            #expect(try earliest(0) == 4)
            #expect(try earliest(1) == 0, "past the high watermark changed nothing")
            let before = try c.call(FetchRequest(maxWaitMs: 0, minBytes: 0, topics: [
                .init(topic: "t", partitions: [.init(partition: 0, fetchOffset: 2, partitionMaxBytes: 1 << 20)]),
            ]), version: 11)
            #expect(before.responses[0].partitions[0].errorCode == .offsetOutOfRange)
            #expect(before.responses[0].partitions[0].logStartOffset == 4)
            let toEnd = try c.call(DeleteRecordsRequest(topics: [.init(name: "t", partitions: [(partition: 1, offset: -1)])]), version: 0)
            #expect(toEnd.topics[0].partitions[0].lowWatermark == 3)
            let backwards = try c.call(DeleteRecordsRequest(topics: [.init(name: "t", partitions: [(partition: 0, offset: 1)])]), version: 1)
            #expect(backwards.topics[0].partitions[0].lowWatermark == 4, "an offset before the log start changes nothing")
        }
        await broker.server.stop()
        let reopened = try await TestBroker(reuse: dir)
        do {
            let c = try reopened.connect()
            let offsets = try c.call(ListOffsetsRequest(topics: [.init(name: "t", partitions: [.init(partitionIndex: 0, timestamp: -2),
                                                                                               .init(partitionIndex: 1, timestamp: -2)])]), version: 5)
            #expect(offsets.topics[0].partitions.map(\.offset) == [4, 3], "the log start survived a restart")
        }
        await reopened.stop()
    }

    /// AlterConfigs replaces a topic's configs over the defaults; IncrementalAlterConfigs sets,
    /// deletes (back to the default), appends to and subtracts from lists. Kafka's other topic
    /// configs are accepted, checked and reported read-only; bad values, unknown keys, list
    /// operations on single values, broker resources and unknown topics are refused with nothing
    /// changed; validate-only changes nothing; changes survive a restart.
    @Test func topicConfigsCanBeAlteredAndKafkasOthersAreKept() async throws {
        let broker = try await TestBroker()
        let dir = broker.directory
        do {
            let c = try broker.connect()
            let created = try c.call(CreateTopicsRequest(topics: [.init(name: "t", numPartitions: 1, configs: [
                .init(name: "segment.ms", value: "60000"), .init(name: "compression.type", value: "zstd"), .init(name: "flush.messages", value: "7"),
            ])]), version: 5)
            #expect(created.topics[0].errorCode == KafkaErrorCode.none, "\(String(describing: created.topics[0].errorMessage))")
            func described() throws -> [String: DescribeConfigsResponse.Entry] {
                let d = try c.call(DescribeConfigsRequest(resources: [.init(resourceType: 2, resourceName: "t")]), version: 1)
                return Dictionary(d.results[0].configs.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
            }
            var now = try described()
            #expect(now["flush.messages"]?.value == "7" && now["flush.messages"]?.readOnly == true, "kept, reported read-only")
            #expect(now["segment.ms"]?.value == "60000" && now["segment.ms"]?.readOnly == false, "kept and acted on")
            #expect(now["min.insync.replicas"]?.value == "1" && now["min.insync.replicas"]?.configSource == DescribeConfigsResponse.sourceDefault)
            #expect(now["retention.ms"]?.readOnly == false)

            let whole = try c.call(AlterConfigsRequest(resources: [.init(resourceType: 2, resourceName: "t", configs: [
                (name: "retention.ms", value: "1000"), (name: "flush.ms", value: "5"),
            ])]), version: 0)
            #expect(whole.responses[0].errorCode == KafkaErrorCode.none)
            now = try described()
            #expect(now["retention.ms"]?.value == "1000" && now["flush.ms"]?.value == "5")
            #expect(now["segment.ms"]?.value == "604800000" && now["compression.type"]?.value == "producer", "AlterConfigs replaces the whole set")

            func incremental(_ configs: [IncrementalAlterConfigsRequest.Config], type: Int8 = 2, name: String = "t",
                             validateOnly: Bool = false) throws -> AlterConfigsResult {
                try c.call(IncrementalAlterConfigsRequest(resources: [.init(resourceType: type, resourceName: name, configs: configs)],
                                                          validateOnly: validateOnly), version: 1).responses[0]
            }
            #expect(try incremental([.init(name: "cleanup.policy", operation: 2, value: "compact"), .init(name: "retention.ms", operation: 1, value: nil)])
                .errorCode == KafkaErrorCode.none)
            now = try described()
            #expect(now["cleanup.policy"]?.value == "compact,delete")
            #expect(now["retention.ms"]?.value == String(7 * 24 * 3_600_000), "DELETE restores the default")
            #expect(try incremental([.init(name: "cleanup.policy", operation: 3, value: "delete")]).errorCode == KafkaErrorCode.none)
            #expect(try described()["cleanup.policy"]?.value == "compact")

            // Refused, nothing changed.
            let before = try described()
            #expect(try incremental([.init(name: "retention.ms", operation: 0, value: "soon")]).errorCode == .invalidConfig)
            #expect(try incremental([.init(name: "retention.ms", operation: 0, value: "5"), .init(name: "no.such.key", operation: 0, value: "1")])
                .errorCode == .invalidConfig)
            #expect(try incremental([.init(name: "retention.ms", operation: 2, value: "5")]).errorCode == .invalidConfig)
            #expect(try incremental([.init(name: "retention.ms", operation: 9, value: "5")]).errorCode == .invalidRequest)
            #expect(try incremental([.init(name: "retention.ms", operation: 0, value: "5")], validateOnly: true).errorCode == KafkaErrorCode.none)
            // Broker configs: only Kafka's runtime-updatable keys, only for this broker.
            #expect(try incremental([.init(name: "broker.id", operation: 0, value: "5")], type: 4, name: "1").errorCode == .invalidConfig)
            #expect(try incremental([.init(name: "log.retention.ms", operation: 0, value: "soon")], type: 4, name: "1").errorCode == .invalidConfig)
            #expect(try incremental([.init(name: "log.retention.ms", operation: 0, value: "5")], type: 4, name: "7").errorCode == .invalidRequest)
            #expect(try incremental([.init(name: "log.retention.ms", operation: 2, value: "5")], type: 4, name: "1").errorCode == .invalidRequest)
            #expect(try incremental([.init(name: "log.retention.ms", operation: 0, value: "5")], type: 4, name: "1").errorCode == KafkaErrorCode.none)
            #expect(try incremental([.init(name: "retention.ms", operation: 0, value: "5")], name: "missing").errorCode == .unknownTopicOrPartition)
            #expect(try described().mapValues(\.value) == before.mapValues(\.value), "a refused or validate-only change changed something")
            #expect(broker.logs.text.contains("topic config changed"))
        }
        await broker.server.stop()
        let reopened = try await TestBroker(reuse: dir)
        do {
            let c = try reopened.connect()
            let d = try c.call(DescribeConfigsRequest(resources: [.init(resourceType: 2, resourceName: "t")]), version: 1)
            let values = Dictionary(d.results[0].configs.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
            #expect(values["cleanup.policy"] == "compact" && values["flush.ms"] == "5", "the configs survived a restart")
        }
        await reopened.stop()
    }

    /// Static membership (KIP-345): a member restarting with its group.instance.id takes its old
    /// place and assignment under a new member id, without a rebalance; the old incarnation is
    /// fenced (FENCED_INSTANCE_ID on heartbeat, commit, join); a new subscription does rebalance.
    @Test func aRestartedStaticMemberTakesItsPlaceWithoutARebalance() async throws {
        let broker = try await TestBroker()
        do {
            let c = try broker.connect()
            _ = try c.call(CreateTopicsRequest(topics: [.init(name: "t", numPartitions: 1)]), version: 5)
            func join(_ member: String, _ metadata: [UInt8] = [1]) throws -> JoinGroupResponse {
                try c.call(JoinGroupRequest(groupId: "static", sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 5_000, memberId: member, groupInstanceId: "host-1",
                                            protocolType: "consumer", protocols: [.init(name: "range", metadata: metadata)]), version: 9)
            }
            let first = try join("")
            #expect(first.errorCode == KafkaErrorCode.none && first.generationId == 1)
            let assigned = try c.call(SyncGroupRequest(groupId: "static", generationId: 1, memberId: first.memberId, groupInstanceId: "host-1",
                                                       protocolType: "consumer", protocolName: "range",
                                                       assignments: [.init(memberId: first.memberId, assignment: [7, 7])]), version: 5)
            #expect(assigned.assignment == [7, 7])

            // The restart: no member id, the same instance id.
            let again = try join("")
            #expect(again.errorCode == KafkaErrorCode.none)
            #expect(again.generationId == 1, "no rebalance")
            #expect(again.memberId != first.memberId && again.leader == again.memberId)
            #expect(again.skipAssignment, "the returning leader is not asked to assign again")
            let kept = try c.call(SyncGroupRequest(groupId: "static", generationId: 1, memberId: again.memberId, groupInstanceId: "host-1",
                                                   assignments: []), version: 5)
            #expect(kept.errorCode == KafkaErrorCode.none && kept.assignment == [7, 7], "its old assignment")
            #expect(try c.call(HeartbeatRequest(groupId: "static", generationId: 1, memberId: again.memberId, groupInstanceId: "host-1"), version: 4)
                .errorCode == KafkaErrorCode.none)

            // The old incarnation is fenced everywhere.
            #expect(try c.call(HeartbeatRequest(groupId: "static", generationId: 1, memberId: first.memberId, groupInstanceId: "host-1"), version: 4)
                .errorCode == .fencedInstanceId)
            let commit = try c.call(OffsetCommitRequest(groupId: "static", generationId: 1, memberId: first.memberId, groupInstanceId: "host-1",
                                                        topics: [.init(name: "t", partitions: [.init(partitionIndex: 0, committedOffset: 1)])]), version: 7)
            #expect(commit.topics[0].partitions[0].errorCode == .fencedInstanceId)
            #expect(try join(first.memberId).errorCode == .fencedInstanceId)
            #expect(broker.logs.text.contains("static member rejoined"))

            // A restart with another subscription rebalances.
            let changed = try join("", [2])
            #expect(changed.generationId == 2)
        }
        await broker.stop()
    }
}
