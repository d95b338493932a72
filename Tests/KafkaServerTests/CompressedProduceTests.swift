import KafkaProtocol
import RecordCodecs
import Testing

/// Compressed batches over the wire: each codec appended as sent and fetched back byte for
/// byte, records inside them found by the engine itself, and every kind of damage refused with
/// Kafka's error code while the log stays as it was.
@Suite struct CompressedProduceTests {
    static let codecs: [RecordBatch.Compression] = [.gzip, .snappy, .lz4, .zstd]

    func produce(_ c: RawConnection, _ records: [UInt8], topic: String = "t") throws -> ProduceResponse.Partition {
        try c.call(ProduceRequest(acks: -1, timeoutMs: 5000, topics: [.init(name: topic, partitions: [.init(index: 0, records: records)])]),
                   version: 9).topics[0].partitions[0]
    }

    func latest(_ c: RawConnection, topic: String = "t", timestamp: Int64 = -1) throws -> Int64 {
        try c.call(ListOffsetsRequest(topics: [.init(name: topic, partitions: [.init(partitionIndex: 0, timestamp: timestamp)])]), version: 5)
            .topics[0].partitions[0].offset
    }

    static func records(_ n: Int, keyed: Bool = true) -> [Record] {
        (0..<n).map { i in Record(offsetDelta: Int32(i), timestampDelta: Int64(i), key: keyed ? Array("k\(i % 5)".utf8) : nil,
                                  value: Array("value \(i) of a batch".utf8)) }
    }

    @Test func eachCodecIsAppendedAsSentAndItsRecordsAreFound() async throws {
        let broker = try await TestBroker()
        do {
            let c = try broker.connect()
            _ = try c.call(CreateTopicsRequest(topics: [.init(name: "t", numPartitions: 1)]), version: 5)
            var sent: [[UInt8]] = []
            for (i, codec) in Self.codecs.enumerated() {
                let batch = try RecordBatch.encode(baseTimestamp: 1_000_000 + Int64(i) * 1000, compression: codec, records: Self.records(10))
                let answer = try produce(c, batch)
                #expect(answer.errorCode == .none, "\(codec.name): \(answer.errorMessage ?? "")")
                #expect(answer.baseOffset == Int64(i * 10), "offsets run on from batch to batch")
                sent.append(batch)
            }
            #expect(try latest(c) == 40)
            // Fetched back exactly as sent (zero-copy: no recompression), base offsets assigned.
            let fetched = try c.call(FetchRequest(maxWaitMs: 0, minBytes: 0, topics: [
                .init(topic: "t", partitions: [.init(partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20)])]), version: 11)
            let parts = try RecordBatch.split(fetched.responses[0].partitions[0].records ?? [], allowTruncatedTail: true)
            #expect(parts.count == 4)
            for (j, (batch, start)) in parts.enumerated() {
                #expect(batch.compression == Self.codecs[j])
                let bytes = fetched.responses[0].partitions[0].records ?? []
                // From the magic byte on (the broker sets base offset and leader epoch, outside the CRC).
                #expect(Array(bytes[(start + 16)..<(start + batch.size)]) == Array(sent[j][16...]), "\(Self.codecs[j].name) batch stored as sent")
                #expect(try batch.decodedRecords(in: bytes, at: start).map(\.value) == Self.records(10).map(\.value))
            }
            // ListOffsets by timestamp looks inside a compressed batch: lz4's 4th record (ts 1_002_000 + 3).
            #expect(try latest(c, timestamp: 1_002_003) == 23)
        }
        await broker.stop()
    }

    @Test func damagedCompressedBatchesAreRefusedAndTheLogIsUntouched() async throws {
        let broker = try await TestBroker()
        do {
            let c = try broker.connect()
            _ = try c.call(CreateTopicsRequest(topics: [
                .init(name: "t", numPartitions: 1, configs: [.init(name: "max.message.bytes", value: "8388608")]),
                .init(name: "table", numPartitions: 1, configs: [.init(name: "cleanup.policy", value: "compact")]),
            ]), version: 5)
            func batch(_ codec: RecordBatch.Compression, attributes: Int16? = nil, count: Int32 = 3, section: [UInt8]) -> [UInt8] {
                RecordBatch.assemble(baseOffset: 0, partitionLeaderEpoch: -1, attributes: attributes ?? codec.rawValue, baseTimestamp: 1, producerId: -1,
                                     producerEpoch: -1, baseSequence: -1, lastOffsetDelta: count - 1, maxTimestamp: 1, recordCount: count, section: section)
            }
            let plain = RecordBatch.encodeRecords(Self.records(3))
            for codec in Self.codecs {
                let packed = try RecordCodec.compress(plain, codec)
                // Corrupt (the CRC is right: the damage is inside the compressed payload) and truncated.
                var garbled = packed
                for i in stride(from: packed.count / 3, to: packed.count, by: 3) { garbled[i] ^= 0x5a }
                let garbage = [UInt8](repeating: 0xee, count: packed.count)
                for (what, section) in [("truncated", Array(packed.prefix(packed.count - 4))), ("garbage", garbage), ("garbled", garbled)] {
                    let answer = try produce(c, batch(codec, section: section))
                    #expect([KafkaErrorCode.corruptMessage, .invalidRecord].contains(answer.errorCode), "\(codec.name) \(what): \(answer.errorCode.name)")
                    #expect(answer.errorMessage?.isEmpty == false)
                }
                // A bomb: 80 MiB of zeros in a batch well under max.message.bytes.
                let bomb = try RecordCodec.compress([UInt8](repeating: 0, count: 80 << 20), codec)
                let answer = try produce(c, batch(codec, section: bomb))
                #expect(answer.errorCode == .messageTooLarge, "\(codec.name) bomb of \(bomb.count) bytes: \(answer.errorCode.name)")
                #expect(answer.errorMessage?.contains("expands past") == true)
                // Records that do not match the header's count.
                #expect(try produce(c, batch(codec, count: 4, section: packed)).errorCode == .corruptMessage)
            }
            // zstd needs Produce v7 (KIP-110).
            let zstd = try RecordBatch.encode(baseTimestamp: 1, compression: .zstd, records: Self.records(3))
            let old = try c.call(ProduceRequest(acks: -1, timeoutMs: 5000, topics: [.init(name: "t", partitions: [.init(index: 0, records: zstd)])]),
                                 version: 6).topics[0].partitions[0]
            #expect(old.errorCode == .unsupportedCompressionType)
            // Codec ids 5–7 name no codec.
            let unknown = try produce(c, batch(.none, attributes: 5, section: plain))
            #expect(unknown.errorCode == .corruptMessage)
            #expect(unknown.errorMessage?.contains("codec 5") == true)
            // A compacted topic takes no keyless record, compressed or not.
            let keyless = try RecordBatch.encode(baseTimestamp: 1, compression: .lz4, records: Self.records(3, keyed: false))
            #expect(try produce(c, keyless, topic: "table").errorCode == .invalidRecord)
            // A request with a good batch and a bad one is refused whole.
            let good = try RecordBatch.encode(baseTimestamp: 1, compression: .zstd, records: Self.records(3))
            #expect(try produce(c, good + batch(.zstd, section: garbage(good.count))).errorCode == .corruptMessage)
            #expect(try latest(c) == 0, "nothing was appended")
            #expect(try latest(c, topic: "table") == 0)
            #expect(try produce(c, good).errorCode == .none, "the broker still serves")
            #expect(try latest(c) == 3)
        }
        await broker.stop()
    }

    func garbage(_ n: Int) -> [UInt8] { [UInt8](repeating: 0xee, count: n) }

    /// `compression.type` as Kafka honours it: a codec recompresses batches that arrive otherwise
    /// (records, offsets and producer fields unchanged); `producer` keeps what was sent.
    @Test func aTopicsCompressionTypeRecompressesOtherCodecs() async throws {
        let broker = try await TestBroker()
        do {
            let c = try broker.connect()
            _ = try c.call(CreateTopicsRequest(topics: [
                .init(name: "z", numPartitions: 1, configs: [.init(name: "compression.type", value: "zstd"), .init(name: "compression.zstd.level", value: "9")]),
                .init(name: "plain", numPartitions: 1, configs: [.init(name: "compression.type", value: "uncompressed")]),
                .init(name: "asis", numPartitions: 1),
            ]), version: 5)
            let gzip = try RecordBatch.encode(baseTimestamp: 5, producerId: 7, producerEpoch: 0, baseSequence: 0, compression: .gzip, records: Self.records(4))
            let none = RecordBatch.encode(baseTimestamp: 6, records: Self.records(3))
            let lz4 = try RecordBatch.encode(baseTimestamp: 7, compression: .lz4, records: Self.records(2))
            for (topic, batches, want) in [("z", [gzip, none], [RecordBatch.Compression.zstd, .zstd]), ("plain", [lz4], [.none]), ("asis", [gzip, lz4], [.gzip, .lz4])] {
                for b in batches { #expect(try produce(c, b, topic: topic).errorCode == .none) }
                let fetched = try c.call(FetchRequest(maxWaitMs: 0, minBytes: 0, topics: [
                    .init(topic: topic, partitions: [.init(partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20)])]), version: 11)
                let bytes = fetched.responses[0].partitions[0].records ?? []
                let stored = try RecordBatch.split(bytes, allowTruncatedTail: false)
                #expect(stored.map(\.batch.compression) == want, "\(topic)")
                for ((batch, start), sent) in zip(stored, batches) {
                    let original = try RecordBatch.parse(sent)
                    #expect(try batch.decodedRecords(in: bytes, at: start) == original.decodedRecords(in: sent, at: 0), "\(topic): same records")
                    #expect(batch.producerId == original.producerId && batch.baseSequence == original.baseSequence && batch.maxTimestamp == original.maxTimestamp)
                }
            }
            let described = try c.call(DescribeConfigsRequest(resources: [.init(resourceType: 2, resourceName: "z", configurationKeys: ["compression.type"])]), version: 4)
            let entry = try #require(described.results.first?.configs.first)
            #expect(entry.value == "zstd" && !entry.readOnly, "compression.type is acted on, so it is not read-only")
        }
        await broker.stop()
    }
}
