import Foundation
import KafkaProtocol
import KafkaServer
import StreamLog
import Testing

/// What the broker does with requests no well-behaved client sends: the right Kafka error code
/// or a closed connection, a log line, and a broker that goes on serving everyone else.
@Suite struct BadInputTests {
    /// The broker still answers a fresh connection after the abuse.
    func stillServes(_ broker: TestBroker) throws {
        let c = try broker.connect()
        let metadata = try c.call(MetadataRequest(topics: nil), version: 9)
        #expect(metadata.brokers.count == 1)
    }

    func frame(_ payload: [UInt8]) -> [UInt8] {
        var w = KafkaWriter()
        w.writeInt32(Int32(payload.count))
        w.writeRawBytes(payload)
        return w.bytes
    }

    @Test func malformedTruncatedAndOversizedFramesCloseTheConnection() async throws {
        let broker = try await TestBroker()
        do {
            // Garbage where a header should be.
            let a = try broker.connect()
            a.send(frame([0, 3, 0, 9, 0]))   // api key and version, then a correlation id cut short
            #expect(a.isClosedByBroker())
            // A valid Metadata header whose body is cut short.
            let b = try broker.connect()
            var full = try KafkaFrame.request(MetadataRequest(topics: ["a", "b"]), version: 4, correlationId: 1, clientId: "x")
            full.removeLast(3)
            full.replaceSubrange(0..<4, with: withUnsafeBytes(of: Int32(full.count - 4).bigEndian) { Array($0) })
            b.send(full)
            #expect(b.isClosedByBroker())
            // A size prefix far beyond socket.request.max.bytes: closed without buffering it.
            let c = try broker.connect()
            c.send([0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 0])
            #expect(c.isClosedByBroker())
            // A negative size.
            let d = try broker.connect()
            d.send([0xff, 0xff, 0xff, 0xfe])
            #expect(d.isClosedByBroker())
            try stillServes(broker)
            let log = broker.logs.text
            #expect(log.contains("unreadable request header"))
            #expect(log.contains("malformed Metadata v4 request"))
            #expect(log.contains("outside 4…"))
        }
        await broker.stop()
    }

    @Test func unknownApiKeysAndVersionsAreRefused() async throws {
        let broker = try await TestBroker()
        do {
            let a = try broker.connect()
            var w = KafkaWriter()
            RequestHeader(apiKey: 999, apiVersion: 0, correlationId: 7, clientId: "x").encode(into: &w)
            a.send(frame(w.bytes))
            #expect(a.isClosedByBroker())

            let b = try broker.connect()
            var v = KafkaWriter()
            RequestHeader(apiKey: ApiKey.fetch.rawValue, apiVersion: 99, correlationId: 8, clientId: "x").encode(into: &v)
            b.send(frame(v.bytes))
            #expect(b.isClosedByBroker())

            // A newer ApiVersions than ours: UNSUPPORTED_VERSION in the v0 layout naming our range.
            let c = try broker.connect()
            var av = KafkaWriter()
            RequestHeader(apiKey: ApiKey.apiVersions.rawValue, apiVersion: 9, correlationId: 9, clientId: "x").encode(into: &av)
            c.send(frame(av.bytes))
            let payload = try #require(c.receive())
            let (id, body) = try KafkaFrame.decodeResponse(ApiVersionsResponse.self, payload: payload, version: 0)
            #expect(id == 9)
            #expect(body.errorCode == .unsupportedVersion)
            #expect(body.apiKeys == [.init(apiKey: 18, minVersion: 0, maxVersion: 3)])
            let ok = try c.call(ApiVersionsRequest(), version: 3)
            #expect(ok.errorCode == .none)
            #expect(ok.apiKeys.contains { $0.apiKey == ApiKey.produce.rawValue && $0.minVersion <= 3 })
            try stillServes(broker)
            #expect(broker.logs.text.contains("unknown API key 999"))
            #expect(broker.logs.text.contains("Fetch v99 is not supported"))
        }
        await broker.stop()
    }

    @Test func invalidTopicsAreRefusedWithTheirErrorCodes() async throws {
        let broker = try await TestBroker()
        do {
            let c = try broker.connect()
            let r = try c.call(CreateTopicsRequest(topics: [
                .init(name: "bad name!", numPartitions: 1), .init(name: "", numPartitions: 1), .init(name: "..", numPartitions: 1),
                .init(name: String(repeating: "x", count: 250), numPartitions: 1), .init(name: "__mine", numPartitions: 1),
                .init(name: "three-copies", numPartitions: 1, replicationFactor: 3), .init(name: "none", numPartitions: 0),
                .init(name: "typo", numPartitions: 1, configs: [.init(name: "retention.msec", value: "5")]),
                .init(name: "bad-value", numPartitions: 1, configs: [.init(name: "retention.ms", value: "soon")]),
                .init(name: "fine", numPartitions: 2),
            ]), version: 5)
            let codes = Dictionary(uniqueKeysWithValues: r.topics.map { ($0.name, $0.errorCode) })
            #expect(codes["bad name!"] == .invalidTopic)
            #expect(codes[""] == .invalidTopic)
            #expect(codes[".."] == .invalidTopic)
            #expect(codes[String(repeating: "x", count: 250)] == .invalidTopic)
            #expect(codes["__mine"] == .invalidTopic)
            #expect(codes["three-copies"] == .invalidReplicationFactor)
            #expect(codes["none"] == .invalidPartitions)
            #expect(codes["typo"] == .invalidConfig)
            #expect(codes["bad-value"] == .invalidConfig)
            #expect(codes["fine"] == KafkaErrorCode.none)
            let messages = r.topics.compactMap(\.errorMessage).joined(separator: "\n")
            #expect(messages.contains("only letters, digits, '.', '_' and '-' are allowed"))
            #expect(messages.contains("unknown topic config retention.msec"))
            #expect(messages.contains("retention.ms=soon is not valid"))
            let again = try c.call(CreateTopicsRequest(topics: [.init(name: "fine", numPartitions: 2)]), version: 5)
            #expect(again.topics[0].errorCode == .topicAlreadyExists)
            // Asked for by name, an invalid topic is named as such, an absent one as unknown.
            let md = try c.call(MetadataRequest(topics: ["bad name!", "absent"], allowAutoTopicCreation: false), version: 9)
            #expect(md.topics.map(\.errorCode) == [.invalidTopic, .unknownTopicOrPartition])
            let del = try c.call(DeleteTopicsRequest(topicNames: ["absent", "fine"]), version: 4)
            #expect(del.responses.map(\.errorCode) == [.unknownTopicOrPartition, .none])
            #expect(broker.logs.text.contains("create topic refused"))
        }
        await broker.stop()
    }

    @Test func corruptBatchesAndBadAcksLeaveTheLogUntouched() async throws {
        let broker = try await TestBroker()
        do {
            let c = try broker.connect()
            _ = try c.call(CreateTopicsRequest(topics: [.init(name: "t", numPartitions: 1)]), version: 5)
            let good = RecordBatch.encode(baseTimestamp: 1_700_000_000_000, records: [Record(offsetDelta: 0, key: [1], value: [2])])
            var corrupt = good
            corrupt[corrupt.count - 1] ^= 0xff   // a flipped bit in the records: the CRC no longer matches
            func produce(_ records: [UInt8]?, acks: Int16 = -1, topic: String = "t") throws -> ProduceResponse.Partition {
                try c.call(ProduceRequest(acks: acks, timeoutMs: 5000, topics: [.init(name: topic, partitions: [.init(index: 0, records: records)])]),
                           version: 9).topics[0].partitions[0]
            }
            let crc = try produce(corrupt)
            #expect(crc.errorCode == .corruptMessage)
            #expect(crc.errorMessage?.contains("the batch is corrupt") == true)
            #expect(try produce(Array(good.prefix(30))).errorCode == .corruptMessage)
            #expect(try produce(nil).errorCode == .invalidRecord)
            #expect(try produce(good, acks: 5).errorCode == .invalidRequiredAcks)
            #expect(try produce(good, topic: "absent").errorCode == .unknownTopicOrPartition)
            #expect(try produce(good, topic: "__consumer_offsets").errorCode != .none)
            let offsets = try c.call(ListOffsetsRequest(topics: [.init(name: "t", partitions: [.init(partitionIndex: 0, timestamp: -1)])]), version: 5)
            #expect(offsets.topics[0].partitions[0].offset == 0, "nothing was appended")
            let ok = try produce(good)
            #expect(ok.errorCode == .none && ok.baseOffset == 0)
            try stillServes(broker)
        }
        await broker.stop()
    }

    /// A full disk (the active segment is /dev/full): the produce fails with
    /// KAFKA_STORAGE_ERROR, the failure is logged, and the broker keeps serving.
    @Test func aFullDiskIsAStorageErrorNotACrash() async throws {
        let broker = try await TestBroker(prepare: { dir in
            var config = TopicConfig()
            config.retentionMs = -1
            let store = try LogStore(directory: dir)
            try store.createTopic(name: "full", partitions: 1, config: config)
            let segment = dir + "/topics/full/0/00000000000000000000.log"
            try FileManager.default.removeItem(atPath: segment)
            try FileManager.default.createSymbolicLink(atPath: segment, withDestinationPath: "/dev/full")
        })
        do {
            let c = try broker.connect()
            let batch = RecordBatch.encode(baseTimestamp: 1, records: [Record(offsetDelta: 0, value: [1, 2, 3])])
            let r = try c.call(ProduceRequest(acks: -1, timeoutMs: 5000, topics: [.init(name: "full", partitions: [.init(index: 0, records: batch)])]), version: 9)
            #expect(r.topics[0].partitions[0].errorCode == .kafkaStorageError)
            #expect(r.topics[0].partitions[0].errorMessage?.contains("No space left on device") == true)
            #expect(broker.logs.text.contains("append failed"))
            try stillServes(broker)
        }
        await broker.stop()
    }
}
