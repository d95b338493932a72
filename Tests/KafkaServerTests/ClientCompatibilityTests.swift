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
}
