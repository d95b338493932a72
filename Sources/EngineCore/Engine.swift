import Foundation
import KafkaProtocol
import Logging
import NIOCore
import NIOPosix
import StreamLog

/// The embedded engine in-process: topics and partitions over ``LogStore``, high watermarks and
/// last stable offsets, group commit, idempotent producers, the transaction coordinator, the
/// group coordinator with committed offsets, and the internal topics that keep them.
///
/// All state lives on one event loop (``loop``), so no locks are needed; fsync runs on a thread
/// pool and hops back. Fronts — the Kafka listener, later the REST server and jobs — call in on
/// that loop (`package` API) or through the `async` API in `Engine+API.swift`, which hops there.
/// See docs/architecture.md ("Engine core").
public final class Engine: @unchecked Sendable {   // state confined to `loop`
    public let loop: EventLoop
    public let configuration: EngineConfiguration
    package let store: LogStore
    package let logger: Logger
    let table: PartitionTable
    package let groups: GroupCoordinator
    package let transactions: TransactionCoordinator
    /// The ACLs and the authorizer over them (nil authorizer: none configured).
    public let acls: AclStore
    /// Broker configs set at runtime (AlterConfigs on a BROKER resource).
    public let brokerConfigs: DynamicBrokerConfigs
    private let loopGroup: MultiThreadedEventLoopGroup
    private let threadPool: NIOThreadPool
    private var retentionTask: RepeatedTask?
    /// Sequence numbers of the in-process transactional producers (``Engine+API``), per partition.
    var sequences: [SequenceKey: Int32] = [:]

    /// An in-process producer's next sequence per partition; a new epoch starts again at 0, as
    /// Kafka's producers do after InitProducerId.
    struct SequenceKey: Hashable { var producerId: Int64; var epoch: Int16; var topic: String; var partition: Int32 }

    /// Opens the engine over `store`: partition, producer, group and transaction state is rebuilt
    /// from the logs, and transactions a crash left half-finished are completed.
    public static func start(configuration: EngineConfiguration, store: LogStore, logger: Logger) async throws -> Engine {
        let loopGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let threadPool = NIOThreadPool(numberOfThreads: 2)
        threadPool.start()
        let loop = loopGroup.next()
        do {
            return try await loop.submit {
                try Engine(loop: loop, loopGroup: loopGroup, threadPool: threadPool, configuration: configuration, store: store, logger: logger)
            }.get()
        } catch {
            try? await loopGroup.shutdownGracefully()
            try? await threadPool.shutdownGracefully()
            throw error
        }
    }

    private init(loop: EventLoop, loopGroup: MultiThreadedEventLoopGroup, threadPool: NIOThreadPool, configuration: EngineConfiguration,
                 store: LogStore, logger: Logger) throws {
        self.loop = loop
        self.loopGroup = loopGroup
        self.threadPool = threadPool
        self.configuration = configuration
        self.store = store
        self.logger = logger
        table = try PartitionTable(loop: loop, configuration: configuration, store: store, threadPool: threadPool, logger: logger)
        for (partition, recovery) in store.recoveries.sorted(by: { $0.key < $1.key }) {
            logger.warning("log recovered", metadata: ["partition": "\(partition)", "cut_bytes": "\(recovery.truncatedBytes)",
                                                       "reason": "\(recovery.reason ?? "")", "batches_kept": "\(recovery.batches)"])
        }
        groups = GroupCoordinator(log: table, configuration: configuration, loop: loop, logger: logger)
        transactions = TransactionCoordinator(log: table, groups: groups, configuration: configuration, loop: loop, logger: logger)
        acls = try AclStore(directory: store.directory, configuration: configuration.authorization)
        brokerConfigs = try DynamicBrokerConfigs(directory: store.directory)
        try groups.load()
        try transactions.load()
        let interval = configuration.retentionCheckIntervalMs
        retentionTask = loop.scheduleRepeatedTask(initialDelay: .milliseconds(interval), delay: .milliseconds(interval)) { [weak self] _ in
            self?.table.applyRetention(now: Self.nowMs())
        }
    }

    /// Stops timers, tells group members still waiting to look for the coordinator again, fails
    /// acknowledgements still waiting for a flush, and lets the threads go. Fronts stop first.
    public func stop() async {
        try? await loop.submit {
            self.retentionTask?.cancel()
            self.groups.stop()
            self.table.stop()
        }.get()
        try? await threadPool.shutdownGracefully()
        try? await loopGroup.shutdownGracefully()
    }

    static func nowMs() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    // MARK: - Topics (on `loop`)

    package func partition(_ topic: String, _ index: Int32) -> PartitionState? { table.partition(topic, index) }

    package func topic(_ name: String) -> LogStore.Topic? { store.topics[name] }

    package var topicNames: [String] { store.topics.keys.sorted() }

    /// Why a topic cannot be created or deleted, in Kafka's terms.
    package struct TopicRefusal: Error {
        package var code: KafkaErrorCode
        package var message: String
        package init(code: KafkaErrorCode, message: String) { self.code = code; self.message = message }
    }

    /// Creates a topic after checking its name, partition count and configs (`partitions` nil:
    /// `num.partitions`). With `validateOnly` nothing is created and the topic is nil.
    @discardableResult
    package func createTopic(_ name: String, partitions: Int32?, configs: [(name: String, value: String?)], validateOnly: Bool = false) throws(TopicRefusal)
        -> (topic: LogStore.Topic?, partitions: Int32) {
        if let why = TopicName.problem(name) { throw TopicRefusal(code: .invalidTopic, message: why) }
        if name.hasPrefix("__") { throw TopicRefusal(code: .invalidTopic, message: "topic names starting with '__' are reserved for the broker's internal topics") }
        if store.topics[name] != nil { throw TopicRefusal(code: .topicAlreadyExists, message: "topic '\(name)' already exists") }
        let count = partitions ?? configuration.defaultPartitions
        guard (1...10_000).contains(count) else { throw TopicRefusal(code: .invalidPartitions, message: "\(count) partitions is not valid: use 1 to 10000") }
        let config: TopicConfig
        do { config = try TopicConfig(configs, over: configuration.topicDefaults) } catch let e as TopicConfig.Invalid {
            throw TopicRefusal(code: .invalidConfig, message: e.message)
        } catch { throw TopicRefusal(code: .invalidConfig, message: "\(error)") }
        if validateOnly { return (nil, count) }
        do { return (try table.createTopic(name, partitions: count, config: config), count) } catch {
            logger.error("create topic failed", metadata: ["topic": "\(name)", "error": "\(error)"])
            throw TopicRefusal(code: .kafkaStorageError, message: "\(error)")
        }
    }

    /// Creates `name` with the defaults when auto-creation is on and the name is a valid,
    /// non-internal one (a Metadata request or a produce naming an unknown topic).
    package func autoCreate(_ name: String) {
        guard store.topics[name] == nil, configuration.autoCreateTopics, !name.hasPrefix("__"), TopicName.problem(name) == nil else { return }
        _ = try? table.createTopic(name, partitions: configuration.defaultPartitions, config: configuration.topicDefaults)
    }

    /// Raises a topic's partition count (CreatePartitions). `assignments`, when given, must name
    /// this broker alone for each new partition. With `validateOnly` nothing changes.
    package func createPartitions(_ name: String, count: Int32, assignments: [[Int32]]?, nodeId: Int32, validateOnly: Bool) throws(TopicRefusal) {
        guard let topic = store.topics[name] else { throw TopicRefusal(code: .unknownTopicOrPartition, message: "topic '\(name)' does not exist") }
        if topic.meta.isInternal { throw TopicRefusal(code: .invalidRequest, message: "internal topic '\(name)' keeps its partition count") }
        let current = topic.meta.partitions
        guard count > current else {
            throw TopicRefusal(code: .invalidPartitions, message: count == current ? "topic '\(name)' already has \(current) partitions"
                : "topic '\(name)' has \(current) partitions, more than the \(count) asked for: partitions cannot be removed")
        }
        guard count <= 10_000 else { throw TopicRefusal(code: .invalidPartitions, message: "\(count) partitions is not valid: use at most 10000") }
        if let assignments {
            guard assignments.count == Int(count - current) else {
                throw TopicRefusal(code: .invalidReplicaAssignment,
                                   message: "\(assignments.count) assignments for \(count - current) new partitions: give one per new partition")
            }
            guard assignments.allSatisfy({ $0 == [nodeId] }) else {
                throw TopicRefusal(code: .invalidReplicaAssignment, message: "replica assignments may only name broker \(nodeId)")
            }
        }
        if validateOnly { return }
        do { try table.addPartitions(name, count: count) } catch {
            logger.error("create partitions failed", metadata: ["topic": "\(name)", "error": "\(error)"])
            throw TopicRefusal(code: .kafkaStorageError, message: "\(error)")
        }
    }

    /// Changes a topic's config: `change` edits a copy of the current one (or builds a new one);
    /// the result is checked and written durably, or, with `validateOnly`, only checked.
    package func alterTopicConfig(_ name: String, validateOnly: Bool, _ change: (inout TopicConfig) throws -> Void) throws(TopicRefusal) {
        guard let topic = store.topics[name] else { throw TopicRefusal(code: .unknownTopicOrPartition, message: "topic '\(name)' does not exist") }
        var config = topic.config
        do { try change(&config) } catch let e as TopicConfig.Invalid {
            throw TopicRefusal(code: .invalidConfig, message: e.message)
        } catch let e as TopicRefusal { throw e } catch { throw TopicRefusal(code: .invalidConfig, message: "\(error)") }
        if validateOnly || config == topic.config { return }
        do { try store.setConfig(name: name, config: config) } catch {
            logger.error("alter topic config failed", metadata: ["topic": "\(name)", "error": "\(error)"])
            throw TopicRefusal(code: .kafkaStorageError, message: "\(error)")
        }
        logger.info("topic config changed", metadata: ["topic": "\(name)",
                                                       "config": "\(config.entries.map { "\($0.name)=\($0.value)" }.joined(separator: " "))"])
    }

    /// The engine's topic defaults (`topic-defaults` in its config), what a reset config returns to.
    package var topicDefaults: TopicConfig { configuration.topicDefaults }

    /// DeleteRecords: each partition's log start moves to the offset asked (-1: the high
    /// watermark); an offset past the high watermark is OFFSET_OUT_OF_RANGE and changes nothing.
    package func deleteRecords(_ request: DeleteRecordsRequest) -> DeleteRecordsResponse {
        DeleteRecordsResponse(topics: request.topics.map { t in
            let topic = store.topics[t.name]
            return .init(name: t.name, partitions: t.partitions.map { p in
                guard let topic, let state = table.partition(t.name, p.partition) else {
                    return .init(partition: p.partition, errorCode: .unknownTopicOrPartition)
                }
                if topic.meta.isInternal { return .init(partition: p.partition, errorCode: .invalidTopic) }
                let target = p.offset == -1 ? state.highWatermark : p.offset
                guard target >= 0, target <= state.highWatermark else {
                    return .init(partition: p.partition, lowWatermark: state.log.logStartOffset, errorCode: .offsetOutOfRange)
                }
                do {
                    let start = try state.log.deleteRecords(before: target)
                    logger.info("records deleted", metadata: ["topic": "\(t.name)", "partition": "\(p.partition)", "log_start_offset": "\(start)"])
                    return .init(partition: p.partition, lowWatermark: start)
                } catch {
                    logger.error("delete records failed", metadata: ["topic": "\(t.name)", "partition": "\(p.partition)", "error": "\(error)"])
                    return .init(partition: p.partition, lowWatermark: state.log.logStartOffset, errorCode: .kafkaStorageError)
                }
            })
        })
    }

    /// Deletes a topic and its committed offsets.
    package func deleteTopic(_ name: String) throws(TopicRefusal) {
        guard let topic = store.topics[name] else { throw TopicRefusal(code: .unknownTopicOrPartition, message: "topic '\(name)' does not exist") }
        if topic.meta.isInternal { throw TopicRefusal(code: .invalidTopic, message: "internal topic '\(name)' cannot be deleted") }
        do { try table.deleteTopic(name) } catch {
            logger.error("delete topic failed", metadata: ["topic": "\(name)", "error": "\(error)"])
            throw TopicRefusal(code: .kafkaStorageError, message: "\(error)")
        }
        groups.forget(topic: name)
    }

    // MARK: - Offsets and appends seen (on `loop`)

    /// OffsetFetch, with offsets committed in a still-open transaction marked unstable.
    package func fetchOffsets(_ r: OffsetFetchRequest) -> OffsetFetchResponse {
        groups.fetchOffsets(r, pending: transactions.pendingOffsetPartitions(group:))
    }

    /// Calls `observer` on the engine loop whenever a partition's high watermark moves (new
    /// records became visible). Returns a token for ``removeObserver(_:)``.
    package func observeAppends(_ observer: @escaping (PartitionState) -> Void) -> Int { table.observe(observer) }

    package func removeObserver(_ token: Int) { table.removeObserver(token) }
}
