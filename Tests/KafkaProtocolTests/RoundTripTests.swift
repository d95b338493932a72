import Testing
@testable import KafkaProtocol

/// Every message, every version the codec claims: encode then decode gives the same value, and
/// every truncation of the encoding fails with a typed error instead of trapping.
@Suite struct RoundTripTests {
    static let subscription = ConsumerProtocolSubscription(version: 3, topics: ["a", "b"], userData: [1, 2],
                                                           ownedPartitions: [TopicPartitions(topic: "a", partitions: [0])],
                                                           generationId: 4, rackId: "r1")

    func check<M: KafkaMessage>(_ value: M, versions: ClosedRange<Int16>, normalise: (M, Int16) -> M = { m, _ in m }) throws {
        for v in versions {
            let bytes = try value.encoded(version: v)
            let back = try M.decode(bytes, version: v)
            #expect(back == normalise(value, v), "\(M.self) v\(v)")
            for cut in 0..<bytes.count {
                #expect(throws: KafkaProtocolError.self, "\(M.self) v\(v) cut at \(cut)") {
                    _ = try M.decode(Array(bytes[0..<cut]), version: v)
                }
            }
            #expect(throws: KafkaProtocolError.trailingBytes(count: 1)) { _ = try M.decode(bytes + [0], version: v) }
        }
    }

    @Test func produce() throws {
        let batch = RecordBatch.encode(baseTimestamp: 1, records: [Record(offsetDelta: 0, key: [1], value: [2, 3])])
        try check(ProduceRequest(transactionalId: "tx-1", acks: -1, timeoutMs: 30_000,
                                 topics: [.init(name: "t", partitions: [.init(index: 0, records: batch), .init(index: 1, records: nil)])]),
                  versions: 3...11)
        let resp = ProduceResponse(topics: [.init(name: "t", partitions: [
            .init(index: 0, baseOffset: 41, logAppendTimeMs: 1_700_000_000_000, logStartOffset: 0),
            .init(index: 1, errorCode: .corruptMessage, baseOffset: -1,
                  recordErrors: [.init(batchIndex: 0, message: "CRC mismatch")], errorMessage: "corrupt batch"),
        ])], throttleTimeMs: 3)
        try check(resp, versions: 3...11) { m, v in
            // Older versions carry no record errors or message (v8), nor a log start offset (v5).
            var m = m
            if v < 8 {
                m.topics[0].partitions[1].recordErrors = []
                m.topics[0].partitions[1].errorMessage = nil
            }
            if v < 5 { m.topics[0].partitions[0].logStartOffset = -1 }
            return m
        }
    }

    @Test func apiVersions() throws {
        try check(ApiVersionsRequest(clientSoftwareName: "sluice", clientSoftwareVersion: "1"), versions: 3...3)
        try check(ApiVersionsResponse(apiKeys: [.init(apiKey: 3, minVersion: 0, maxVersion: 12)], throttleTimeMs: 5), versions: 1...3)
    }

    @Test func metadata() throws {
        try check(MetadataRequest(topics: ["x", "y"], allowAutoTopicCreation: false), versions: 4...12)
        try check(MetadataRequest(topics: nil, allowAutoTopicCreation: false), versions: 4...12)
        let resp = MetadataResponse(throttleTimeMs: 1, brokers: [.init(nodeId: 1, host: "h", port: 9092, rack: "r")], clusterId: "c",
                                    controllerId: 1, topics: [.init(name: "t", isInternal: true, partitions: [
                                        .init(partitionIndex: 0, leaderId: 1, leaderEpoch: 3, replicaNodes: [1, 2], isrNodes: [1], offlineReplicas: [2])])])
        try check(resp, versions: 7...12)
    }

    @Test func listOffsets() throws {
        try check(ListOffsetsRequest(isolationLevel: 1, topics: [.init(name: "t", partitions: [.init(partitionIndex: 2, timestamp: -1, currentLeaderEpoch: 5)])]), versions: 4...8)
        try check(ListOffsetsResponse(throttleTimeMs: 2, topics: [.init(name: "t", partitions: [.init(partitionIndex: 2, timestamp: 9, offset: 77, leaderEpoch: 1)])]), versions: 4...8)
        // v0 folds old-style offsets into `offset`
        let v0 = ListOffsetsResponse(topics: [.init(name: "t", partitions: [.init(partitionIndex: 0, offset: 5)])])
        let back = try ListOffsetsResponse.decode(try v0.encoded(version: 0), version: 0)
        #expect(back.topics[0].partitions[0].offset == 5)
    }

    @Test func findCoordinator() throws {
        try check(FindCoordinatorRequest(keyType: 0, keys: ["g"]), versions: 1...5)
        try check(FindCoordinatorRequest(keyType: 0, keys: ["g", "h"]), versions: 4...5)
        try check(FindCoordinatorResponse(throttleTimeMs: 1, coordinators: [.init(key: "", nodeId: 1, host: "h", port: 1, errorMessage: "x")]), versions: 1...3)
        try check(FindCoordinatorResponse(coordinators: [.init(key: "g", nodeId: 1, host: "h", port: 1), .init(key: "h", nodeId: 2, host: "i", port: 2, errorCode: .coordinatorNotAvailable)]), versions: 4...5)
    }

    @Test func listGroups() throws {
        try check(ListGroupsRequest(statesFilter: ["Stable"], typesFilter: ["classic"]), versions: 5...5)
        try check(ListGroupsResponse(throttleTimeMs: 1, groups: [.init(groupId: "g", protocolType: "consumer", groupState: "Stable", groupType: "classic")]), versions: 5...5)
        try check(ListGroupsResponse(groups: [.init(groupId: "g", protocolType: "consumer")]), versions: 1...3)
    }

    @Test func describeGroups() throws {
        try check(DescribeGroupsRequest(groups: ["a", "b"], includeAuthorizedOperations: true), versions: 3...5)
        let resp = DescribeGroupsResponse(throttleTimeMs: 3, groups: [.init(groupId: "g", groupState: "PreparingRebalance", protocolType: "consumer",
                                                                            protocolData: "cooperative-sticky", members: [
                                                                                .init(memberId: "m", groupInstanceId: "i", clientId: "c", clientHost: "/h",
                                                                                      memberMetadata: Self.subscription.encoded(), memberAssignment: [])],
                                                                            authorizedOperations: 8)])
        try check(resp, versions: 4...5)
    }

    @Test func offsetFetch() throws {
        try check(OffsetFetchRequest(groups: [.init(groupId: "g", topics: [TopicPartitions(topic: "t", partitions: [0, 3])])], requireStable: true), versions: 7...7)
        try check(OffsetFetchRequest(groups: [.init(groupId: "g"), .init(groupId: "h", topics: [])], requireStable: true), versions: 8...9)
        let single = OffsetFetchResponse(throttleTimeMs: 1, groups: [.init(groupId: "", topics: [.init(name: "t", partitions: [
            .init(partitionIndex: 0, committedOffset: 10, committedLeaderEpoch: 2, metadata: nil)])])])
        try check(single, versions: 5...7)
        let batched = OffsetFetchResponse(groups: [.init(groupId: "g", topics: [.init(name: "t", partitions: [.init(partitionIndex: 1, committedOffset: -1)])]),
                                                   .init(groupId: "h", topics: [], errorCode: .groupAuthorizationFailed)])
        try check(batched, versions: 8...9)
    }

    @Test func fetch() throws {
        let req = FetchRequest(maxWaitMs: 1, minBytes: 0, maxBytes: 1, isolationLevel: 0, topics: [
            .init(topic: "t", partitions: [.init(partition: 0, fetchOffset: 5, partitionMaxBytes: 1, currentLeaderEpoch: 2, lastFetchedEpoch: 1, logStartOffset: 0)])],
                               rackId: "r")
        try check(req, versions: 12...12)
        let resp = FetchResponse(errorCode: .none, sessionId: 0, responses: [.init(topic: "t", partitions: [
            .init(partitionIndex: 0, highWatermark: 10, lastStableOffset: 10, logStartOffset: 0,
                  abortedTransactions: [.init(producerId: 1, firstOffset: 2)], preferredReadReplica: -1, records: [1, 2, 3])])])
        try check(resp, versions: 11...12)
    }

    @Test func consumerProtocolVersions() throws {
        for v: Int16 in 0...3 {
            var s = Self.subscription
            s.version = v
            let back = try ConsumerProtocolSubscription(decoding: s.encoded())
            #expect(back.topics == ["a", "b"])
            #expect(back.ownedPartitions == (v >= 1 ? s.ownedPartitions : []))
            #expect(back.generationId == (v >= 2 ? 4 : -1))
        }
        #expect(throws: KafkaProtocolError.self) { try ConsumerProtocolAssignment(decoding: [0, 0, 0, 0, 0, 9]) }
    }

    @Test func unsupportedVersionIsTypedError() {
        #expect(throws: KafkaProtocolError.unsupportedVersion(api: .fetch, version: 13)) {
            _ = try FetchRequest(maxWaitMs: 1, minBytes: 0, topics: []).encoded(version: 13)
        }
    }
}
