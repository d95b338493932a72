import Connectors
import KafkaClient
import KafkaProtocol
import Synchronization

/// A Kafka cluster in memory behind ``KafkaReading``: one broker, topics with high watermarks,
/// consumer groups with committed offsets, and failures a test can switch on. It counts calls,
/// so tests can check how often the poller re-reads metadata.
final class ScriptedCluster: KafkaReading {
    struct State {
        var topics: [String: [Int64]] = [:]        // topic → high watermark per partition
        var groups: [String: [String: [Int64]]] = [:]  // group → topic → committed offset per partition
        var describeFailure: KafkaClientError?
        var coordinatorFailure: KafkaClientError?
        var metadataCalls = 0
        var listGroupsCalls = 0
    }
    let state: Mutex<State>

    init(topics: [String: [Int64]] = [:], groups: [String: [String: [Int64]]] = [:]) {
        state = Mutex(State(topics: topics, groups: groups))
    }

    func metadata(topics: [String]?) async throws -> MetadataResponse {
        let s = state.withLock { s in s.metadataCalls += 1; return s }
        return MetadataResponse(brokers: [.init(nodeId: 1, host: "127.0.0.1", port: 9092)], clusterId: "scripted", controllerId: 1,
                                topics: s.topics.keys.sorted().map { name in
                                    .init(name: name, partitions: s.topics[name]!.indices.map {
                                        .init(partitionIndex: Int32($0), leaderId: 1, replicaNodes: [1], isrNodes: [1])
                                    })
                                })
    }

    func fetchOffsets(_ queries: [EndOffsetQuery]) async -> EndOffsets {
        let topics = state.withLock { $0.topics }
        return EndOffsets(offsets: queries.map { q in
            q.partitions.map { p in
                guard let hw = topics[q.topic]?[Int(p)] else { return PartitionOffsets(highWatermark: nil, error: .unknownTopicOrPartition) }
                return PartitionOffsets(highWatermark: hw, logStartOffset: 0)
            }
        }, failures: [:])
    }

    func listOffsets(_ leaders: [TopicPartition: Int32], timestamp: Int64) async -> [TopicPartition: Result<Int64, KafkaClientError>] {
        let topics = state.withLock { $0.topics }
        return Dictionary(uniqueKeysWithValues: leaders.keys.map { tp in (tp, .success(topics[tp.topic]?[Int(tp.partition)] ?? 0)) })
    }

    func listGroups() async -> (groups: [ListGroupsResponse.Group], errors: [String]) {
        let groups = state.withLock { s in s.listGroupsCalls += 1; return s.groups }
        return (groups.keys.sorted().map { .init(groupId: $0, protocolType: "consumer", groupState: "Stable") }, [])
    }

    func findCoordinators(_ groups: [String]) async throws {
        if let e = state.withLock({ $0.coordinatorFailure }) { throw e }
    }

    func describeGroups(_ groups: [String]) async throws -> [DescribeGroupsResponse.Group] {
        if let e = state.withLock({ $0.describeFailure }) { throw e }
        return groups.map { .init(groupId: $0, groupState: "Stable", protocolType: "consumer", protocolData: "range", members: []) }
    }

    func committedOffsets(_ groups: [String]) async throws -> [String: Result<[CommittedPartitionOffset], KafkaClientError>] {
        let known = state.withLock { $0.groups }
        return Dictionary(uniqueKeysWithValues: groups.map { g in
            (g, .success((known[g] ?? [:]).sorted { $0.key < $1.key }.flatMap { topic, offsets in
                offsets.enumerated().map { CommittedPartitionOffset(topic: topic, partition: Int32($0.offset), offset: $0.element) }
            }))
        })
    }

    func shutdown() async {}
}

/// A clock whose time moves only when the source sleeps, recording each wait; after `limit`
/// waits it cancels the running task, so a source's loop ends without real time passing.
final class ScriptedClock: SourceClock {
    private let state = Mutex<(now: Double, sleeps: [Double])>((1_000, []))
    let limit: Int
    init(limit: Int) { self.limit = limit }

    func now() -> Double { state.withLock { $0.now } }
    var sleeps: [Double] { state.withLock { $0.sleeps } }

    func sleep(seconds: Double) async {
        let count = state.withLock { s in s.now += seconds; s.sleeps.append(seconds); return s.sleeps.count }
        if count >= limit { withUnsafeCurrentTask { $0?.cancel() } }
    }
}
