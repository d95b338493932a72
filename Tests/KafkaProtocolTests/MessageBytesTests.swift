import Testing
@testable import KafkaProtocol

/// Byte-level checks against layouts worked out by hand from the message specs.
@Suite struct MessageBytesTests {
    @Test func metadataV0RequestFrame() throws {
        let frame = try KafkaFrame.request(MetadataRequest(topics: ["t"]), version: 0, correlationId: 7, clientId: "c")
        #expect(frame == [0, 0, 0, 18,          // size
                          0, 3, 0, 0, 0, 0, 0, 7, // key 3, v0, correlation 7
                          0, 1, 0x63,             // client id "c"
                          0, 0, 0, 1, 0, 1, 0x74]) // [ "t" ]
    }

    @Test func flexibleRequestHeaderKeepsInt16ClientIdAndAddsTags() throws {
        let frame = try KafkaFrame.request(ListGroupsRequest(), version: 4, correlationId: 1, clientId: "ab")
        #expect(frame == [0, 0, 0, 15, 0, 16, 0, 4, 0, 0, 0, 1, 0, 2, 0x61, 0x62,
                          0x00,       // header tags
                          0x01,       // empty compact states filter
                          0x00])      // body tags
    }

    @Test func apiVersionsV3ResponseWithTansuTaggedFeatures() throws {
        // header v0 (no tags) even though v3 is flexible; four response-level tagged fields follow.
        var w = KafkaWriter()
        w.writeInt32(42)            // correlation id
        w.writeInt16(0)             // error
        w.writeUnsignedVarint(2)    // one api key
        w.writeInt16(3); w.writeInt16(0); w.writeInt16(12); w.writeUnsignedVarint(0)
        w.writeInt32(0)             // throttle
        w.writeUnsignedVarint(4)
        w.writeUnsignedVarint(0); w.writeUnsignedVarint(1); w.writeUnsignedVarint(1)         // SupportedFeatures: empty
        w.writeUnsignedVarint(1); w.writeUnsignedVarint(8); w.writeInt64(-1)               // FinalizedFeaturesEpoch
        w.writeUnsignedVarint(2); w.writeUnsignedVarint(1); w.writeUnsignedVarint(1)         // FinalizedFeatures: empty
        w.writeUnsignedVarint(3); w.writeUnsignedVarint(1); w.writeBool(false)             // ZkMigrationReady
        let (cid, body) = try KafkaFrame.decodeResponse(ApiVersionsResponse.self, payload: w.bytes, version: 3)
        #expect(cid == 42)
        #expect(body.range(for: .metadata) == 0...12)
        #expect(body.range(for: .fetch) == nil)
    }

    @Test func offsetFetchV8BatchesGroups() throws {
        let req = OffsetFetchRequest(groups: [.init(groupId: "a"), .init(groupId: "b", topics: [TopicPartitions(topic: "t", partitions: [0, 1])])])
        let bytes = try req.encoded(version: 8)
        #expect(bytes == [0x03,                       // 2 groups
                          0x02, 0x61, 0x00, 0x00,     // "a", null topics, tags
                          0x02, 0x62, 0x02, 0x02, 0x74, 0x03, 0, 0, 0, 0, 0, 0, 0, 1, 0x00, 0x00,
                          0x00,                       // require stable
                          0x00])
    }

    @Test func offsetFetchBeforeV8RefusesManyGroups() {
        let req = OffsetFetchRequest(groups: [.init(groupId: "a"), .init(groupId: "b")])
        #expect(throws: KafkaProtocolError.self) { try req.encoded(version: 7) }
    }

    @Test func describeGroupsV0ResponseWithConsumerMember() throws {
        let sub = ConsumerProtocolSubscription(version: 1, topics: ["orders"], ownedPartitions: [TopicPartitions(topic: "orders", partitions: [2])])
        let asg = ConsumerProtocolAssignment(version: 1, assignedPartitions: [TopicPartitions(topic: "orders", partitions: [0, 1])])
        let resp = DescribeGroupsResponse(groups: [.init(groupId: "g", groupState: "Stable", protocolType: "consumer", protocolData: "range",
                                                         members: [.init(memberId: "m-1", clientId: "cli", clientHost: "/10.0.0.1",
                                                                         memberMetadata: sub.encoded(), memberAssignment: asg.encoded())])])
        let bytes = try resp.encoded(version: 0)
        #expect(Array(bytes.prefix(8)) == [0, 0, 0, 1, 0, 0, 0, 1])  // 1 group, error 0, "g" length…
        let back = try DescribeGroupsResponse.decode(bytes, version: 0)
        #expect(back == resp)
        let member = try #require(back.groups.first?.members.first)
        #expect(try ConsumerProtocolAssignment(decoding: member.memberAssignment).assignedPartitions == [TopicPartitions(topic: "orders", partitions: [0, 1])])
        #expect(try ConsumerProtocolSubscription(decoding: member.memberMetadata) == sub)
    }

    @Test func fetchHighWatermarkFromV4Response() throws {
        var w = KafkaWriter()
        w.writeInt32(0)                                     // throttle
        w.writeInt32(1); w.writeString("t", compact: false)  // 1 topic
        w.writeInt32(1)                                     // 1 partition
        w.writeInt32(0); w.writeInt16(0); w.writeInt64(19); w.writeInt64(19)
        w.writeInt32(-1)                                    // null aborted txns
        w.writeInt32(-1)                                    // null records
        let resp = try FetchResponse.decode(w.bytes, version: 4)
        #expect(resp.responses[0].partitions[0].highWatermark == 19)
        #expect(resp.responses[0].partitions[0].records == nil)
    }
}
