import Testing
@testable import KafkaProtocol

/// The messages a broker receives from group members, producers and admin clients: every version
/// round-trips (fields a version lacks come back at their defaults) and every truncation is a
/// typed error.
@Suite struct ServerMessagesRoundTripTests {
    let rt = RoundTripTests()

    @Test func joinGroup() throws {
        let req = JoinGroupRequest(groupId: "g", sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 30_000, memberId: "m-1",
                                   groupInstanceId: "i-1", protocolType: "consumer",
                                   protocols: [.init(name: "range", metadata: [0, 1]), .init(name: "cooperative-sticky", metadata: [])],
                                   reason: "joining")
        try rt.check(req, versions: 0...9) { m, v in
            var m = m
            if v < 1 { m.rebalanceTimeoutMs = -1 }
            if v < 5 { m.groupInstanceId = nil }
            if v < 8 { m.reason = nil }
            return m
        }
        let resp = JoinGroupResponse(throttleTimeMs: 2, generationId: 7, protocolType: "consumer", protocolName: "range",
                                     leader: "m-1", skipAssignment: true, memberId: "m-1",
                                     members: [.init(memberId: "m-1", groupInstanceId: "i-1", metadata: [9])])
        try rt.check(resp, versions: 0...9) { m, v in
            var m = m
            if v < 2 { m.throttleTimeMs = 0 }
            if v < 7 { m.protocolType = nil }
            if v < 9 { m.skipAssignment = false }
            if v < 5 { m.members[0].groupInstanceId = nil }
            return m
        }
        // Before v7 an error answer's null protocol name travels as "".
        let failed = JoinGroupResponse(errorCode: .unknownMemberId, protocolName: nil, leader: "", memberId: "")
        #expect(try JoinGroupResponse.decode(failed.encoded(version: 5), version: 5).protocolName == "")
        #expect(try JoinGroupResponse.decode(failed.encoded(version: 7), version: 7).protocolName == nil)
    }

    @Test func syncHeartbeatLeave() throws {
        try rt.check(SyncGroupRequest(groupId: "g", generationId: 3, memberId: "m", groupInstanceId: "i", protocolType: "consumer",
                                      protocolName: "range", assignments: [.init(memberId: "m", assignment: [1, 2, 3])]),
                     versions: 0...5) { m, v in
            var m = m
            if v < 3 { m.groupInstanceId = nil }
            if v < 5 { m.protocolType = nil; m.protocolName = nil }
            return m
        }
        try rt.check(SyncGroupResponse(throttleTimeMs: 1, protocolType: "consumer", protocolName: "range", assignment: [4]), versions: 0...5) { m, v in
            var m = m
            if v < 1 { m.throttleTimeMs = 0 }
            if v < 5 { m.protocolType = nil; m.protocolName = nil }
            return m
        }
        try rt.check(HeartbeatRequest(groupId: "g", generationId: 3, memberId: "m", groupInstanceId: "i"), versions: 0...4) { m, v in
            var m = m
            if v < 3 { m.groupInstanceId = nil }
            return m
        }
        try rt.check(HeartbeatResponse(throttleTimeMs: 1, errorCode: .rebalanceInProgress), versions: 0...4) { m, v in
            var m = m
            if v < 1 { m.throttleTimeMs = 0 }
            return m
        }
        try rt.check(LeaveGroupRequest(groupId: "g", members: [.init(memberId: "m")]), versions: 0...5)
        try rt.check(LeaveGroupRequest(groupId: "g", members: [.init(memberId: "a", groupInstanceId: "i", reason: "bye"), .init(memberId: "b")]),
                     versions: 3...5) { m, v in
            var m = m
            if v < 5 { m.members[0].reason = nil }
            return m
        }
        #expect(throws: KafkaProtocolError.self) { _ = try LeaveGroupRequest(groupId: "g", members: []).encoded(version: 1) }
        try rt.check(LeaveGroupResponse(throttleTimeMs: 1, members: [.init(memberId: "a", errorCode: .unknownMemberId)]), versions: 0...5) { m, v in
            var m = m
            if v < 1 { m.throttleTimeMs = 0 }
            if v < 3 { m.members = [] }
            return m
        }
    }

    @Test func offsetCommit() throws {
        let req = OffsetCommitRequest(groupId: "g", generationId: 4, memberId: "m", groupInstanceId: "i", retentionTimeMs: 1000,
                                      topics: [.init(name: "t", partitions: [.init(partitionIndex: 0, committedOffset: 42, committedLeaderEpoch: 3,
                                                                                   commitTimestamp: 99, committedMetadata: "meta")])])
        try rt.check(req, versions: 0...9) { m, v in
            var m = m
            if v < 1 { m.generationId = -1; m.memberId = "" }
            if v < 7 { m.groupInstanceId = nil }
            if !(2...4).contains(v) { m.retentionTimeMs = -1 }
            if v < 6 { m.topics[0].partitions[0].committedLeaderEpoch = -1 }
            if v != 1 { m.topics[0].partitions[0].commitTimestamp = -1 }
            return m
        }
        try rt.check(OffsetCommitResponse(throttleTimeMs: 5, topics: [PartitionErrors(topic: "t", partitions: [(0, .illegalGeneration), (3, .none)])]),
                     versions: 0...9) { m, v in
            var m = m
            if v < 3 { m.throttleTimeMs = 0 }
            return m
        }
    }

    @Test func topicAdmin() throws {
        let create = CreateTopicsRequest(topics: [.init(name: "t", numPartitions: 3, replicationFactor: 1,
                                                        assignments: [.init(partitionIndex: 0, brokerIds: [1])],
                                                        configs: [.init(name: "cleanup.policy", value: "compact"), .init(name: "x", value: nil)])],
                                         timeoutMs: 5000, validateOnly: true)
        try rt.check(create, versions: 0...7) { m, v in
            var m = m
            if v < 1 { m.validateOnly = false }
            return m
        }
        let created = CreateTopicsResponse(throttleTimeMs: 1, topics: [.init(name: "t", topicId: KafkaUUID(high: 1, low: 2), errorCode: .topicAlreadyExists,
                                                                             errorMessage: "exists", numPartitions: 3, replicationFactor: 1)])
        try rt.check(created, versions: 0...7) { m, v in
            var m = m
            if v < 2 { m.throttleTimeMs = 0 }
            if v < 7 { m.topics[0].topicId = .zero }
            if v < 1 { m.topics[0].errorMessage = nil }
            if v < 5 { m.topics[0].numPartitions = -1; m.topics[0].replicationFactor = -1 }
            return m
        }
        try rt.check(DescribeClusterRequest(includeClusterAuthorizedOperations: true, endpointType: 2), versions: 0...1) { m, v in
            var m = m
            if v < 1 { m.endpointType = DescribeClusterRequest.brokersEndpoint }
            return m
        }
        try rt.check(DescribeClusterResponse(throttleTimeMs: 1, errorMessage: "fine", endpointType: 2, clusterId: "c1", controllerId: 1,
                                             brokers: [.init(brokerId: 1, host: "h", port: 9092, rack: "r1"), .init(brokerId: 2, host: "h2", port: 9093)],
                                             clusterAuthorizedOperations: 7), versions: 0...1) { m, v in
            var m = m
            if v < 1 { m.endpointType = DescribeClusterRequest.brokersEndpoint }
            return m
        }
        try rt.check(OffsetDeleteRequest(groupId: "g", topics: [TopicPartitions(topic: "t", partitions: [0, 3])]), versions: 0...0)
        try rt.check(OffsetDeleteResponse(errorCode: .none, throttleTimeMs: 2, topics: [PartitionErrors(topic: "t", partitions: [(0, .none), (3, .groupSubscribedToTopic)])]),
                     versions: 0...0)
        try rt.check(CreatePartitionsRequest(topics: [.init(name: "a", count: 6), .init(name: "b", count: 3, assignments: [[1], [1]])],
                                             timeoutMs: 500, validateOnly: true), versions: 0...3)
        try rt.check(CreatePartitionsResponse(throttleTimeMs: 2, results: [.init(name: "a"), .init(name: "b", errorCode: .invalidPartitions,
                                                                                                  errorMessage: "already has 3")]), versions: 0...3)
        try rt.check(DeleteRecordsRequest(topics: [.init(name: "a", partitions: [(partition: 0, offset: 5), (partition: 2, offset: -1)])], timeoutMs: 9),
                     versions: 0...2)
        try rt.check(DeleteRecordsResponse(throttleTimeMs: 1, topics: [.init(name: "a", partitions: [.init(partition: 0, lowWatermark: 5),
                                                                                                       .init(partition: 2, errorCode: .offsetOutOfRange)])]),
                     versions: 0...2)
        try rt.check(AlterConfigsRequest(resources: [.init(resourceType: 2, resourceName: "t", configs: [(name: "retention.ms", value: "5"),
                                                                                                       (name: "flush.ms", value: nil)])],
                                         validateOnly: true), versions: 0...2)
        try rt.check(AlterConfigsResponse(throttleTimeMs: 4, responses: [.init(resourceType: 2, resourceName: "t"),
                                                                         .init(errorCode: .invalidConfig, errorMessage: "bad", resourceType: 4, resourceName: "1")]),
                     versions: 0...2)
        try rt.check(IncrementalAlterConfigsRequest(resources: [.init(resourceType: 2, resourceName: "t", configs: [
            .init(name: "cleanup.policy", operation: 2, value: "compact"), .init(name: "retention.ms", operation: 1, value: nil),
        ])]), versions: 0...1)
        try rt.check(IncrementalAlterConfigsResponse(responses: [.init(errorCode: .invalidRequest, errorMessage: "no", resourceType: 2, resourceName: "t")]),
                     versions: 0...1)
        try rt.check(DeleteGroupsRequest(groupsNames: ["g1", "g2"]), versions: 0...2)
        try rt.check(DeleteGroupsResponse(throttleTimeMs: 3, results: [.init(groupId: "g1"), .init(groupId: "g2", errorCode: .nonEmptyGroup)]),
                     versions: 0...2)
        try rt.check(DeleteTopicsRequest(topicNames: ["a", "b"], timeoutMs: 100), versions: 0...5)
        try rt.check(DeleteTopicsResponse(throttleTimeMs: 1, responses: [.init(name: "a", errorCode: .unknownTopicOrPartition, errorMessage: "no such topic")]),
                     versions: 0...5) { m, v in
            var m = m
            if v < 1 { m.throttleTimeMs = 0 }
            if v < 5 { m.responses[0].errorMessage = nil }
            return m
        }
        try rt.check(DescribeConfigsRequest(resources: [.init(resourceType: 2, resourceName: "t", configurationKeys: ["retention.ms"]),
                                                        .init(resourceType: 4, resourceName: "1")], includeSynonyms: true, includeDocumentation: true),
                     versions: 0...4) { m, v in
            var m = m
            if v < 1 { m.includeSynonyms = false }
            if v < 3 { m.includeDocumentation = false }
            return m
        }
        let configs = DescribeConfigsResponse(throttleTimeMs: 2, results: [.init(resourceType: 2, resourceName: "t", configs: [
            .init(name: "retention.ms", value: "1000", readOnly: false, isDefault: true, configSource: 5, isSensitive: false, configType: 5),
        ])])
        try rt.check(configs, versions: 0...4) { m, v in
            var m = m
            if v == 0 { m.results[0].configs[0].configSource = -1 } else { m.results[0].configs[0].isDefault = false }
            if v < 3 { m.results[0].configs[0].configType = 0 }
            return m
        }
    }

    @Test func producerIdsAndTransactions() throws {
        try rt.check(InitProducerIdRequest(transactionalId: "tx", transactionTimeoutMs: 60_000, producerId: 7, producerEpoch: 2), versions: 0...5) { m, v in
            var m = m
            if v < 3 { m.producerId = -1; m.producerEpoch = -1 }
            return m
        }
        try rt.check(InitProducerIdResponse(throttleTimeMs: 1, producerId: 7, producerEpoch: 3), versions: 0...5)
        try rt.check(AddPartitionsToTxnRequest(transactionalId: "tx", producerId: 7, producerEpoch: 3,
                                               topics: [TopicPartitions(topic: "t", partitions: [0, 2])]), versions: 0...3)
        try rt.check(AddPartitionsToTxnResponse(throttleTimeMs: 1, topics: [PartitionErrors(topic: "t", partitions: [(0, .none), (2, .concurrentTransactions)])]),
                     versions: 0...3)
        try rt.check(AddOffsetsToTxnRequest(transactionalId: "tx", producerId: 7, producerEpoch: 3, groupId: "g"), versions: 0...4)
        try rt.check(TxnErrorResponse<AddOffsetsToTxnRequest>(throttleTimeMs: 1, errorCode: .invalidTxnState), versions: 0...4)
        try rt.check(EndTxnRequest(transactionalId: "tx", producerId: 7, producerEpoch: 3, committed: true), versions: 0...4)
        try rt.check(TxnErrorResponse<EndTxnRequest>(errorCode: .producerFenced), versions: 0...4)
        let commit = TxnOffsetCommitRequest(transactionalId: "tx", groupId: "g", producerId: 7, producerEpoch: 3, generationId: 5, memberId: "m",
                                            groupInstanceId: "i", topics: [.init(name: "t", partitions: [.init(partitionIndex: 1, committedOffset: 10,
                                                                                                               committedLeaderEpoch: 2, committedMetadata: nil)])])
        try rt.check(commit, versions: 0...4) { m, v in
            var m = m
            if v < 3 { m.generationId = -1; m.memberId = ""; m.groupInstanceId = nil }
            if v < 2 { m.topics[0].partitions[0].committedLeaderEpoch = -1 }
            return m
        }
        try rt.check(TxnOffsetCommitResponse(throttleTimeMs: 1, topics: [PartitionErrors(topic: "t", partitions: [(1, .none)])]), versions: 0...4)
    }

    @Test func sasl() throws {
        try rt.check(SaslHandshakeRequest(mechanism: "PLAIN"), versions: 0...1)
        try rt.check(SaslHandshakeResponse(errorCode: .unsupportedSaslMechanism, mechanisms: ["PLAIN"]), versions: 0...1)
        try rt.check(SaslAuthenticateRequest(authBytes: Array("\0user\0secret".utf8)), versions: 0...2)
        try rt.check(SaslAuthenticateResponse(errorCode: .saslAuthenticationFailed, errorMessage: "bad password", sessionLifetimeMs: 5), versions: 0...2) { m, v in
            var m = m
            if v < 1 { m.sessionLifetimeMs = 0 }
            return m
        }
    }
}
