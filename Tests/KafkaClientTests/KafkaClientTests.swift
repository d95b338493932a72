import Testing
import KafkaProtocol
import NIOConcurrencyHelpers
@testable import KafkaClient

/// The client against scripted peers: what happens when a broker misbehaves.
@Suite struct KafkaClientTests {
    func client(port: Int, timeout: Double = 2) -> KafkaClient {
        KafkaClient(configuration: KafkaClientConfiguration(bootstrap: [BrokerAddress(host: "127.0.0.1", port: port)],
                                                            requestTimeoutSeconds: timeout, reconnectBackoffSeconds: 0.2,
                                                            reconnectBackoffMaxSeconds: 1))
    }

    @Test func metadataFromAWellBehavedBroker() async throws {
        let broker = try await FakeBroker { header, _ in
            header.apiKey == ApiKey.apiVersions.rawValue ? FakeBroker.apiVersions(header) : FakeBroker.respond(FakeBroker.metadata, to: header)
        }
        let c = client(port: broker.port)
        let md = try await c.metadata()
        #expect(md.clusterId == "fake")
        #expect(md.topics.first?.partitions.count == 1)
        await c.shutdown()
        await broker.stop()
    }

    @Test func truncatedResponseIsAMalformedErrorAndResetsTheConnection() async throws {
        let broker = try await FakeBroker { header, _ in
            if header.apiKey == ApiKey.apiVersions.rawValue { return FakeBroker.apiVersions(header) }
            guard case let .response(frame) = FakeBroker.respond(FakeBroker.metadata, to: header) else { return .close }
            // Keep the size prefix honest but cut the body short.
            var cut = Array(frame.prefix(frame.count - 7))
            let size = Int32(cut.count - 4)
            cut[0] = UInt8(size >> 24 & 0xFF); cut[1] = UInt8(size >> 16 & 0xFF); cut[2] = UInt8(size >> 8 & 0xFF); cut[3] = UInt8(size & 0xFF)
            return .raw(cut)
        }
        let c = client(port: broker.port)
        let address = BrokerAddress(host: "127.0.0.1", port: broker.port)
        await #expect {
            _ = try await c.send(MetadataRequest(topics: nil), to: address)
        } throws: { error in
            guard case let .malformedResponse(api, _, inner)? = error as? KafkaClientError else { return false }
            if case .truncated = inner { return api == .metadata }
            return false
        }
        #expect(await c.isConnected(address) == false)
        await c.shutdown()
        await broker.stop()
    }

    @Test func impossibleFrameSizeResetsTheConnection() async throws {
        let broker = try await FakeBroker { header, _ in
            header.apiKey == ApiKey.apiVersions.rawValue ? FakeBroker.apiVersions(header) : .raw([0x7F, 0xFF, 0xFF, 0xFF, 0, 0, 0, 1])
        }
        let c = client(port: broker.port)
        let address = BrokerAddress(host: "127.0.0.1", port: broker.port)
        await #expect {
            _ = try await c.send(MetadataRequest(topics: nil), to: address)
        } throws: { error in
            if case .malformedFrame(_, let size)? = error as? KafkaClientError { return size == Int(Int32.max) }
            return false
        }
        await c.shutdown()
        await broker.stop()
    }

    @Test func silentBrokerTimesOutWithinTheRequestTimeout() async throws {
        let broker = try await FakeBroker { header, _ in
            header.apiKey == ApiKey.apiVersions.rawValue ? FakeBroker.apiVersions(header) : .silence
        }
        let c = client(port: broker.port, timeout: 0.3)
        let clock = ContinuousClock()
        let start = clock.now
        await #expect {
            _ = try await c.metadata()
        } throws: { error in
            if case let .bootstrapFailed(_, reason)? = error as? KafkaClientError { return reason.contains("timed out after 300 ms") }
            return false
        }
        // The reason above names the 300 ms timeout; this only rules out waiting on some longer
        // default. Generous: the unit tests run side by side on a loaded two-core machine.
        #expect(clock.now - start < .seconds(15))
        await c.shutdown()
        await broker.stop()
    }

    @Test func closedConnectionMidRequestIsDisconnected() async throws {
        let broker = try await FakeBroker { header, _ in
            header.apiKey == ApiKey.apiVersions.rawValue ? FakeBroker.apiVersions(header) : .close
        }
        let c = client(port: broker.port)
        let address = BrokerAddress(host: "127.0.0.1", port: broker.port)
        await #expect(throws: KafkaClientError.disconnected(broker: address.description)) {
            _ = try await c.send(MetadataRequest(topics: nil), to: address)
        }
        await c.shutdown()
        await broker.stop()
    }

    @Test func apiVersionsFallsBackWhenV3IsUnsupported() async throws {
        let broker = try await FakeBroker { header, _ in
            if header.apiKey == ApiKey.apiVersions.rawValue {
                if header.apiVersion == 3 {
                    // What Kafka does for a version it does not know: a v0 body with error 35.
                    return .response(try! KafkaFrame.response(ApiVersionsResponse(errorCode: .unsupportedVersion, apiKeys: [
                        .init(apiKey: 18, minVersion: 0, maxVersion: 2)]), version: 0, correlationId: header.correlationId))
                }
                return FakeBroker.apiVersions(header)
            }
            return FakeBroker.respond(FakeBroker.metadata, to: header)
        }
        let c = client(port: broker.port)
        #expect(try await c.metadata().clusterId == "fake")
        #expect(broker.apiKeysSeen.prefix(2) == [18, 18])
        await c.shutdown()
        await broker.stop()
    }

    @Test func refusedConnectionBacksOffThenReconnects() async throws {
        // Find a free port, then leave it closed.
        let probe = try await FakeBroker { _, _ in .close }
        let port = probe.port
        await probe.stop()
        let c = client(port: port)
        let address = BrokerAddress(host: "127.0.0.1", port: port)
        await #expect { _ = try await c.send(MetadataRequest(topics: nil), to: address) } throws: { error in
            if case let .connectFailed(_, reason)? = error as? KafkaClientError { return reason == "connection refused" }
            return false
        }
        // Immediately again: held back, and says why.
        await #expect { _ = try await c.send(MetadataRequest(topics: nil), to: address) } throws: { error in
            if case let .backingOff(_, last, retry)? = error as? KafkaClientError { return last == "connection refused" && retry > 0 }
            return false
        }
        try await Task.sleep(for: .milliseconds(250))
        await #expect { _ = try await c.send(MetadataRequest(topics: nil), to: address) } throws: { error in
            if case .connectFailed? = error as? KafkaClientError { return true }
            return false
        }
        await c.shutdown()
    }

    /// Answers come back aligned with the queries even when the broker orders topics and
    /// partitions differently; leaderless partitions are skipped, and a partition error stays on
    /// its own partition.
    @Test func fetchOffsetsAlignsOutOfOrderAnswersWithTheQueries() async throws {
        let port = NIOLockedValueBox(0)
        let hangUp = NIOLockedValueBox(false)
        let broker = try await FakeBroker { header, body in
            switch header.apiKey {
            case ApiKey.apiVersions.rawValue: return FakeBroker.apiVersions(header)
            case ApiKey.metadata.rawValue:
                return FakeBroker.respond(MetadataResponse(brokers: [.init(nodeId: 1, host: "127.0.0.1", port: Int32(port.withLockedValue { $0 }))],
                                                           clusterId: "fake", topics: []), to: header)
            case ApiKey.fetch.rawValue:
                if hangUp.withLockedValue({ $0 }) { return .close }
                var r = body
                guard let request = try? FetchRequest(from: &r, version: header.apiVersion) else { return .close }
                // Reverse both orders; high watermark = fetch offset + 100; "a"-1 is not led here.
                return FakeBroker.respond(FetchResponse(responses: request.topics.reversed().map { t in
                    .init(topic: t.topic, partitions: t.partitions.reversed().map { p in
                        t.topic == "a" && p.partition == 1
                            ? .init(partitionIndex: p.partition, errorCode: .notLeaderOrFollower, highWatermark: -1)
                            : .init(partitionIndex: p.partition, highWatermark: p.fetchOffset + 100)
                    })
                }), to: header)
            default: return .close
            }
        }
        port.withLockedValue { $0 = broker.port }
        let c = client(port: broker.port)
        _ = try await c.metadata()
        let answers = await c.fetchOffsets([
            EndOffsetQuery(topic: "a", partitions: [0, 1, 2], leaders: [1, 1, 1], positions: [5, 6, 7]),
            EndOffsetQuery(topic: "b", partitions: [3, 9], leaders: [-1, 1], positions: [0, 40]),
        ])
        #expect(answers.offsets.count == 2)
        #expect(answers.offsets[0].map(\.highWatermark) == [105, nil, 107])
        #expect(answers.offsets[0].map(\.error) == [nil, .notLeaderOrFollower, nil])
        #expect(answers.offsets[1][0].isUnread)
        #expect(answers.offsets[1][1].highWatermark == 140)
        #expect(answers.failures.isEmpty)
        // A leader that hangs up is named once, not per partition.
        hangUp.withLockedValue { $0 = true }
        let down = await c.fetchOffsets([EndOffsetQuery(topic: "a", partitions: [0], leaders: [1], positions: [0])])
        #expect(down.offsets[0][0].isUnread)
        #expect(down.failures[1] != nil)
        await c.shutdown()
        await broker.stop()
    }

    /// Coordinators are looked up once for a group list asked about again and again, and looked
    /// up afresh after a coordinator answers NOT_COORDINATOR.
    @Test func coordinatorRoutingIsReusedUntilACoordinatorMoves() async throws {
        let port = NIOLockedValueBox(0)
        let notCoordinator = NIOLockedValueBox(false)
        let broker = try await FakeBroker { header, body in
            switch header.apiKey {
            case ApiKey.apiVersions.rawValue: return FakeBroker.apiVersions(header)
            case ApiKey.findCoordinator.rawValue:
                var r = body
                guard let request = try? FindCoordinatorRequest(from: &r, version: header.apiVersion) else { return .close }
                let p = Int32(port.withLockedValue { $0 })
                return FakeBroker.respond(FindCoordinatorResponse(coordinators: request.keys.map {
                    .init(key: $0, nodeId: 1, host: "127.0.0.1", port: p)
                }), to: header)
            case ApiKey.describeGroups.rawValue:
                var r = body
                guard let request = try? DescribeGroupsRequest(from: &r, version: header.apiVersion) else { return .close }
                let code: KafkaErrorCode = notCoordinator.withLockedValue { $0 } ? .notCoordinator : .none
                return FakeBroker.respond(DescribeGroupsResponse(groups: request.groups.map {
                    .init(errorCode: code, groupId: $0, groupState: "Empty", protocolType: "consumer", protocolData: "", members: [])
                }), to: header)
            default: return .close
            }
        }
        port.withLockedValue { $0 = broker.port }
        let c = client(port: broker.port)
        let groups = ["g1", "g2", "g3"]
        func lookups() -> Int { broker.apiKeysSeen.filter { $0 == ApiKey.findCoordinator.rawValue }.count }
        for _ in 0..<3 { #expect(try await c.describeGroups(groups).map(\.groupState) == ["Empty", "Empty", "Empty"]) }
        #expect(lookups() == 1)
        notCoordinator.withLockedValue { $0 = true }
        _ = try await c.describeGroups(groups)
        notCoordinator.withLockedValue { $0 = false }
        _ = try await c.describeGroups(groups)
        #expect(lookups() == 2)
        await c.shutdown()
        await broker.stop()
    }

    @Test func bootstrapParsing() {
        #expect(BrokerAddress(parsing: "b1:9093") == BrokerAddress(host: "b1", port: 9093))
        #expect(BrokerAddress(parsing: "b1") == BrokerAddress(host: "b1", port: 9092))
        #expect(BrokerAddress(parsing: "[::1]:9094") == BrokerAddress(host: "::1", port: 9094))
        #expect(BrokerAddress(parsing: "b1:0") == nil)
        #expect(BrokerAddress(parsing: "b1:x") == nil)
        #expect(BrokerAddress.parseList("a:1, b:2")?.count == 2)
        #expect(BrokerAddress.parseList("a:1,,b:2") == nil)
    }
}
