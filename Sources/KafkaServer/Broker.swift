import Foundation
import KafkaProtocol
import Logging
import NIOCore
import NIOPosix
import StreamLog

/// The engine's single Kafka broker: every request is decoded and answered here, on one event
/// loop that owns all broker state (logs, groups, producers, transactions), so no locks are
/// needed. Blocking work — fsync — runs on a thread pool and hops back.
public final class Broker: @unchecked Sendable {
    /// What a request turns into.
    public enum Reply: Sendable {
        /// A whole response frame, size prefix included.
        case frame([UInt8])
        /// A frame in pieces, sent in order: the encoding with holes where record sets go, and
        /// for each hole the stretches of segment files to send there (`sendfile`, no copy).
        case parts([KafkaWriter.Part], files: [[PartitionLog.FileSpan]])
        /// No answer (Produce with acks=0).
        case none
        /// Close the connection (a malformed or unanswerable request), with the reason logged.
        case close(String)
    }

    /// Who sent a request: for logs and for DescribeGroups' client host.
    public struct Client: Sendable {
        public var address: String
        public init(address: String) { self.address = address }
    }

    public let loop: EventLoop
    public let configuration: BrokerConfiguration
    let store: LogStore
    let threadPool: NIOThreadPool
    var logger: Logger
    var partitions: [String: [PartitionState]] = [:]
    var groups: GroupCoordinator!
    var transactions: TransactionCoordinator!

    // Group commit: partitions appended to since the last flush began, and who waits for what.
    private var dirty: [ObjectIdentifier: PartitionState] = [:]
    private var flushing = false
    private var durabilityWaiters: [(partition: PartitionState, offset: Int64, promise: EventLoopPromise<Void>)] = []
    private var fetchWaiters: [FetchWaiter] = []
    private var retentionTask: RepeatedTask?
    private var produceRequests = 0
    /// The port actually listened on (the configured one may be 0: any free port).
    var listenPort: Int

    /// Where clients are told to connect.
    var advertised: (host: String, port: Int) {
        let a = configuration.advertised
        return (a.host, configuration.advertisedPort ?? listenPort)
    }

    init(loop: EventLoop, configuration: BrokerConfiguration, store: LogStore, threadPool: NIOThreadPool, logger: Logger) throws {
        self.loop = loop
        self.configuration = configuration
        self.store = store
        self.threadPool = threadPool
        self.logger = logger
        listenPort = configuration.port
        for (name, topic) in store.topics { partitions[name] = try states(for: topic) }
        for (partition, recovery) in store.recoveries.sorted(by: { $0.key < $1.key }) {
            logger.warning("log recovered", metadata: ["partition": "\(partition)", "cut_bytes": "\(recovery.truncatedBytes)",
                                                       "reason": "\(recovery.reason ?? "")", "batches_kept": "\(recovery.batches)"])
        }
        groups = GroupCoordinator(broker: self)
        transactions = TransactionCoordinator(broker: self)
        try groups.load()
        try transactions.load()
        retentionTask = loop.scheduleRepeatedTask(initialDelay: .milliseconds(configuration.retentionCheckIntervalMs),
                                                  delay: .milliseconds(configuration.retentionCheckIntervalMs)) { [weak self] _ in
            self?.applyRetention()
        }
    }

    /// Partition states for a topic, with producer and transaction state rebuilt from the log.
    private func states(for topic: LogStore.Topic) throws -> [PartitionState] {
        try topic.partitions.enumerated().map { i, log in
            let state = PartitionState(topic: topic.name, index: Int32(i), log: log)
            try log.forEachBatchHeader { b in
                state.producers.record(b, firstOffset: b.baseOffset)
                guard b.isTransactional else { return }
                let commits = b.isControl ? try log.batch(containing: b.baseOffset).flatMap(TransactionRecords.markerCommits) : nil
                TransactionCoordinator.replay(b, commits: commits, into: state)
            }
            return state
        }
    }

    /// Answers everything still waiting (long polls with what there is, acknowledgements with an
    /// error), so no connection is left hanging and no promise is dropped unanswered.
    func stop() {
        retentionTask?.cancel()
        groups.stop()
        let waiting = fetchWaiters
        fetchWaiters = []
        for w in waiting {
            w.timeout?.cancel()
            w.promise.succeed(readFetch(w.request).0)
        }
        let durability = durabilityWaiters
        durabilityWaiters = []
        for w in durability { w.promise.fail(ChannelError.ioOnClosedChannel) }
    }

    // MARK: - Requests

    /// Decodes and answers one request. Runs on `loop`.
    func handle(header: RequestHeader, body: KafkaReader, client: Client) -> EventLoopFuture<Reply> {
        loop.preconditionInEventLoop()
        guard let api = ApiKey(rawValue: header.apiKey) else {
            return loop.makeSucceededFuture(.close("unknown API key \(header.apiKey)"))
        }
        if api == .apiVersions, !(api.supportedVersions?.contains(header.apiVersion) ?? false) {
            return loop.makeSucceededFuture(apiVersionsFallback(header))
        }
        guard let versions = Self.advertised[api], versions.contains(header.apiVersion) else {
            return loop.makeSucceededFuture(.close("\(api) v\(header.apiVersion) is not supported (this broker speaks \(Self.advertised[api].map { "v\($0.lowerBound)–v\($0.upperBound)" } ?? "none"))"))
        }
        do {
            switch api {
            case .apiVersions: return try answer(ApiVersionsRequest.self, header, body) { _ in self.apiVersions() }
            case .metadata: return try answer(MetadataRequest.self, header, body) { try self.metadata($0) }
            case .produce: return try produce(header, body)
            case .fetch:
                var reader = body
                let request = try FetchRequest(from: &reader, version: header.apiVersion)
                return fetch(request, version: header.apiVersion).flatMapThrowing { answer in
                    .parts(try KafkaFrame.responseParts(answer.response, version: header.apiVersion, correlationId: header.correlationId),
                           files: answer.files)
                }
            case .listOffsets: return try answer(ListOffsetsRequest.self, header, body) { try self.listOffsets($0) }
            case .findCoordinator: return try answer(FindCoordinatorRequest.self, header, body) { self.findCoordinator($0, version: header.apiVersion) }
            case .createTopics: return try answer(CreateTopicsRequest.self, header, body) { self.createTopics($0) }
            case .deleteTopics: return try answer(DeleteTopicsRequest.self, header, body) { self.deleteTopics($0) }
            case .describeConfigs: return try answer(DescribeConfigsRequest.self, header, body) { self.describeConfigs($0) }
            case .joinGroup: return try answerLater(JoinGroupRequest.self, header, body) { self.groups.join($0, version: header.apiVersion, clientId: header.clientId ?? "", host: client.address) }
            case .syncGroup: return try answerLater(SyncGroupRequest.self, header, body) { self.groups.sync($0) }
            case .heartbeat: return try answer(HeartbeatRequest.self, header, body) { self.groups.heartbeat($0) }
            case .leaveGroup: return try answer(LeaveGroupRequest.self, header, body) { self.groups.leave($0) }
            case .offsetCommit: return try answerLater(OffsetCommitRequest.self, header, body) { self.groups.commit($0) }
            case .offsetFetch: return try answer(OffsetFetchRequest.self, header, body) { self.groups.fetchOffsets($0) }
            case .listGroups: return try answer(ListGroupsRequest.self, header, body) { self.groups.list($0) }
            case .describeGroups: return try answer(DescribeGroupsRequest.self, header, body) { self.groups.describe($0) }
            case .initProducerId: return try answerLater(InitProducerIdRequest.self, header, body) { self.transactions.initProducerId($0) }
            case .addPartitionsToTxn: return try answer(AddPartitionsToTxnRequest.self, header, body) { self.transactions.addPartitions($0) }
            case .addOffsetsToTxn: return try answer(AddOffsetsToTxnRequest.self, header, body) { self.transactions.addOffsets($0) }
            case .endTxn: return try answerLater(EndTxnRequest.self, header, body) { self.transactions.end($0) }
            case .txnOffsetCommit: return try answer(TxnOffsetCommitRequest.self, header, body) { self.transactions.commitOffsets($0) }
            case .saslHandshake, .saslAuthenticate:
                // Answered by the connection before it reaches the broker; here only out of turn.
                return loop.makeSucceededFuture(.close("\(api) after authentication"))
            }
        } catch {
            return loop.makeSucceededFuture(.close("malformed \(api) v\(header.apiVersion) request: \(error)"))
        }
    }

    // Bytes after the end of a request body are ignored, as Kafka's own parser does: librdkafka
    // 2.16 sends three extra bytes after a Metadata v12 request for all topics.
    private func answer<R: KafkaRequest>(_ type: R.Type, _ header: RequestHeader, _ body: KafkaReader,
                                         _ f: (R) throws -> R.Response) throws -> EventLoopFuture<Reply> {
        var body = body
        let request = try R(from: &body, version: header.apiVersion)
        let response = try f(request)
        return loop.makeSucceededFuture(.frame(try KafkaFrame.response(response, version: header.apiVersion, correlationId: header.correlationId)))
    }

    private func answerLater<R: KafkaRequest>(_ type: R.Type, _ header: RequestHeader, _ body: KafkaReader,
                                              _ f: (R) throws -> EventLoopFuture<R.Response>) throws -> EventLoopFuture<Reply> {
        var body = body
        let request = try R(from: &body, version: header.apiVersion)
        return try f(request).flatMapThrowing { .frame(try KafkaFrame.response($0, version: header.apiVersion, correlationId: header.correlationId)) }
    }

    // MARK: - ApiVersions

    /// The versions this broker offers: what the codec implements. Every key the feature checks
    /// of librdkafka look for reaches down to the versions they test.
    static let advertised: [ApiKey: ClosedRange<Int16>] = {
        var out: [ApiKey: ClosedRange<Int16>] = [:]
        for key in ApiKey.allCases { if let r = key.supportedVersions { out[key] = r } }
        return out
    }()

    private func apiVersions() -> ApiVersionsResponse {
        ApiVersionsResponse(apiKeys: Self.advertised.sorted { $0.key.rawValue < $1.key.rawValue }.map {
            .init(apiKey: $0.key.rawValue, minVersion: $0.value.lowerBound, maxVersion: $0.value.upperBound)
        })
    }

    /// A client asking with an ApiVersions version newer than ours gets UNSUPPORTED_VERSION in
    /// the v0 layout, listing our ApiVersions range so it can retry lower (KIP-511).
    private func apiVersionsFallback(_ header: RequestHeader) -> Reply {
        var response = apiVersions()
        response.errorCode = .unsupportedVersion
        response.apiKeys = response.apiKeys.filter { $0.apiKey == ApiKey.apiVersions.rawValue }
        return (try? KafkaFrame.response(response, version: 0, correlationId: header.correlationId)).map(Reply.frame) ?? .close("cannot encode")
    }

    // MARK: - Topics

    func partition(_ topic: String, _ index: Int32) -> PartitionState? {
        guard let list = partitions[topic], index >= 0, Int(index) < list.count else { return nil }
        return list[Int(index)]
    }

    @discardableResult
    func createTopic(_ name: String, partitions count: Int32, config: TopicConfig, isInternal: Bool = false) throws -> LogStore.Topic {
        let topic = try store.createTopic(name: name, partitions: count, config: config, isInternal: isInternal)
        partitions[name] = try states(for: topic)
        logger.info("topic created", metadata: ["topic": "\(name)", "partitions": "\(count)", "cleanup_policy": "\(config.cleanupPolicy.rawValue)"])
        return topic
    }

    private func metadata(_ request: MetadataRequest) throws -> MetadataResponse {
        let me = advertised
        var topics: [MetadataResponse.Topic] = []
        let names = request.topics ?? store.topics.keys.sorted()
        for name in names {
            if store.topics[name] == nil, request.allowAutoTopicCreation, configuration.autoCreateTopics, !name.hasPrefix("__"),
               TopicName.problem(name) == nil {
                _ = try? createTopic(name, partitions: configuration.defaultPartitions, config: configuration.topicDefaults)
            }
            guard let topic = store.topics[name] else {
                topics.append(.init(errorCode: TopicName.problem(name) == nil ? .unknownTopicOrPartition : .invalidTopic, name: name, partitions: []))
                continue
            }
            topics.append(.init(name: name, topicId: KafkaUUID(high: topic.meta.idHigh, low: topic.meta.idLow), isInternal: topic.meta.isInternal,
                                partitions: (0..<topic.meta.partitions).map {
                                    .init(partitionIndex: $0, leaderId: configuration.nodeId, leaderEpoch: 0,
                                          replicaNodes: [configuration.nodeId], isrNodes: [configuration.nodeId])
                                }))
        }
        return MetadataResponse(brokers: [.init(nodeId: configuration.nodeId, host: me.host, port: Int32(me.port))],
                                clusterId: configuration.clusterId, controllerId: configuration.nodeId, topics: topics)
    }

    private func createTopics(_ request: CreateTopicsRequest) -> CreateTopicsResponse {
        CreateTopicsResponse(topics: request.topics.map { t in
            func fail(_ code: KafkaErrorCode, _ message: String) -> CreateTopicsResponse.Topic {
                logger.info("create topic refused", metadata: ["topic": "\(t.name)", "error": "\(code.name)", "why": "\(message)"])
                return .init(name: t.name, errorCode: code, errorMessage: message)
            }
            if let why = TopicName.problem(t.name) { return fail(.invalidTopic, why) }
            if t.name.hasPrefix("__") { return fail(.invalidTopic, "topic names starting with '__' are reserved for the broker's internal topics") }
            if store.topics[t.name] != nil { return fail(.topicAlreadyExists, "topic '\(t.name)' already exists") }
            guard t.replicationFactor == -1 || t.replicationFactor == 1 else {
                return fail(.invalidReplicationFactor, "replication factor \(t.replicationFactor) is not possible: this engine is a single broker (use 1 or -1)")
            }
            var count = t.numPartitions
            if !t.assignments.isEmpty {
                guard t.assignments.allSatisfy({ $0.brokerIds == [configuration.nodeId] }) else {
                    return fail(.invalidReplicaAssignment, "replica assignments may only name broker \(configuration.nodeId)")
                }
                count = Int32(t.assignments.count)
            }
            if count == -1 { count = configuration.defaultPartitions }
            guard (1...10_000).contains(count) else { return fail(.invalidPartitions, "\(count) partitions is not valid: use 1 to 10000") }
            let config: TopicConfig
            do {
                config = try TopicConfig(t.configs.map { ($0.name, $0.value) }, over: configuration.topicDefaults)
            } catch let e as TopicConfig.Invalid { return fail(.invalidConfig, e.message) } catch { return fail(.invalidConfig, "\(error)") }
            if request.validateOnly { return .init(name: t.name, numPartitions: count, replicationFactor: 1) }
            do {
                let topic = try createTopic(t.name, partitions: count, config: config)
                return .init(name: t.name, topicId: KafkaUUID(high: topic.meta.idHigh, low: topic.meta.idLow), numPartitions: count, replicationFactor: 1)
            } catch {
                logger.error("create topic failed", metadata: ["topic": "\(t.name)", "error": "\(error)"])
                return fail(.kafkaStorageError, "\(error)")
            }
        })
    }

    private func deleteTopics(_ request: DeleteTopicsRequest) -> DeleteTopicsResponse {
        DeleteTopicsResponse(responses: request.topicNames.map { name in
            guard let topic = store.topics[name] else {
                return .init(name: name, errorCode: .unknownTopicOrPartition, errorMessage: "topic '\(name)' does not exist")
            }
            if topic.meta.isInternal { return .init(name: name, errorCode: .invalidTopic, errorMessage: "internal topic '\(name)' cannot be deleted") }
            do {
                try store.deleteTopic(name: name)
                let states = partitions.removeValue(forKey: name) ?? []
                for s in states { dirty[ObjectIdentifier(s)] = nil }
                groups.forget(topic: name)
                logger.info("topic deleted", metadata: ["topic": "\(name)"])
                return .init(name: name)
            } catch {
                logger.error("delete topic failed", metadata: ["topic": "\(name)", "error": "\(error)"])
                return .init(name: name, errorCode: .kafkaStorageError, errorMessage: "\(error)")
            }
        })
    }

    private func describeConfigs(_ request: DescribeConfigsRequest) -> DescribeConfigsResponse {
        DescribeConfigsResponse(results: request.resources.map { r in
            func filtered(_ entries: [DescribeConfigsResponse.Entry]) -> [DescribeConfigsResponse.Entry] {
                guard let keys = r.configurationKeys else { return entries }
                return entries.filter { keys.contains($0.name) }
            }
            switch r.resourceType {
            case DescribeConfigsRequest.topicResource:
                guard let topic = store.topics[r.resourceName] else {
                    return .init(errorCode: .unknownTopicOrPartition, errorMessage: "topic '\(r.resourceName)' does not exist",
                                 resourceType: r.resourceType, resourceName: r.resourceName, configs: [])
                }
                let defaults = Dictionary(uniqueKeysWithValues: configuration.topicDefaults.entries.map { ($0.name, $0.value) })
                return .init(resourceType: r.resourceType, resourceName: r.resourceName, configs: filtered(topic.config.entries.map { e in
                    let isDefault = defaults[e.name] == e.value
                    return .init(name: e.name, value: e.value, isDefault: isDefault,
                                 configSource: isDefault ? DescribeConfigsResponse.sourceDefault : DescribeConfigsResponse.sourceTopic)
                }))
            case DescribeConfigsRequest.brokerResource:
                guard r.resourceName.isEmpty || r.resourceName == String(configuration.nodeId) else {
                    return .init(errorCode: .invalidRequest, errorMessage: "broker \(r.resourceName) is not this broker (\(configuration.nodeId))",
                                 resourceType: r.resourceType, resourceName: r.resourceName, configs: [])
                }
                let entries: [(String, String)] = [
                    ("broker.id", String(configuration.nodeId)), ("num.partitions", String(configuration.defaultPartitions)),
                    ("auto.create.topics.enable", String(configuration.autoCreateTopics)),
                    ("group.initial.rebalance.delay.ms", String(configuration.initialRebalanceDelayMs)),
                    ("group.min.session.timeout.ms", String(configuration.minSessionTimeoutMs)),
                    ("group.max.session.timeout.ms", String(configuration.maxSessionTimeoutMs)),
                    ("socket.request.max.bytes", String(configuration.maxRequestBytes)),
                    ("transaction.max.timeout.ms", String(configuration.maxTransactionTimeoutMs)),
                    ("log.flush.policy", configuration.flush.rawValue),
                ] + configuration.topicDefaults.entries.map { ("log." + $0.name.replacingOccurrences(of: "log.", with: ""), $0.value) }
                return .init(resourceType: r.resourceType, resourceName: r.resourceName, configs: filtered(entries.map {
                    .init(name: $0.0, value: $0.1, readOnly: true, configSource: DescribeConfigsResponse.sourceStaticBroker)
                }))
            default:
                return .init(errorCode: .invalidRequest, errorMessage: "resource type \(r.resourceType) is not described here (2 topic, 4 broker)",
                             resourceType: r.resourceType, resourceName: r.resourceName, configs: [])
            }
        })
    }

    private func findCoordinator(_ request: FindCoordinatorRequest, version: Int16) -> FindCoordinatorResponse {
        let me = advertised
        let keys = request.keys.isEmpty ? [""] : request.keys
        return FindCoordinatorResponse(coordinators: keys.map {
            .init(key: $0, nodeId: configuration.nodeId, host: me.host, port: Int32(me.port), errorCode: .none)
        })
    }

    // MARK: - Produce

    private func produce(_ header: RequestHeader, _ body: KafkaReader) throws -> EventLoopFuture<Reply> {
        var body = body
        let request = try ProduceRequest(from: &body, version: header.apiVersion)
        produceRequests += 1
        let drop = configuration.dropConnectionAfterProduce > 0 && produceRequests % configuration.dropConnectionAfterProduce == 0
        var waits: [EventLoopFuture<Void>] = []
        var anyError = false
        let topics = request.topics.map { t in
            ProduceResponse.Topic(name: t.name, partitions: t.partitions.map { p in
                let (result, wait) = append(topic: t.name, partition: p, acks: request.acks, transactionalId: request.transactionalId)
                if let wait { waits.append(wait) }
                if !result.errorCode.isOK { anyError = true }
                return result
            })
        }
        let response = ProduceResponse(topics: topics)
        if drop { return loop.makeSucceededFuture(.close("test hook: dropping the connection after produce request \(produceRequests)")) }
        if request.acks == 0 {
            // No answer is expected; an error can only be signalled by closing, as Kafka does.
            return loop.makeSucceededFuture(anyError ? .close("acks=0 produce failed: \(topics.flatMap(\.partitions).first { !$0.errorCode.isOK }?.errorMessage ?? "")") : .none)
        }
        let version = header.apiVersion
        return EventLoopFuture.andAllComplete(waits, on: loop).flatMapThrowing {
            .frame(try KafkaFrame.response(response, version: version, correlationId: header.correlationId))
        }
    }

    /// Validates and appends one partition's batches. Returns the answer and, for acks=all
    /// under group commit, what to wait for.
    private func append(topic: String, partition p: ProduceRequest.Partition, acks: Int16, transactionalId: String?)
        -> (ProduceResponse.Partition, EventLoopFuture<Void>?) {
        func fail(_ code: KafkaErrorCode, _ message: String) -> (ProduceResponse.Partition, EventLoopFuture<Void>?) {
            logger.debug("produce refused", metadata: ["topic": "\(topic)", "partition": "\(p.index)", "error": "\(code.name)", "why": "\(message)"])
            return (.init(index: p.index, errorCode: code, baseOffset: -1, errorMessage: message), nil)
        }
        guard [-1, 0, 1].contains(acks) else { return fail(.invalidRequiredAcks, "acks=\(acks) is not valid: use 0, 1 or -1 (all)") }
        guard let state = partition(topic, p.index), let config = store.topics[topic]?.config else {
            return fail(.unknownTopicOrPartition, "topic '\(topic)' partition \(p.index) does not exist")
        }
        if store.topics[topic]?.meta.isInternal == true { return fail(.invalidTopic, "internal topic '\(topic)' is written by the broker only") }
        guard let records = p.records, !records.isEmpty else { return fail(.invalidRecord, "the request carries no record batch") }
        let batches: [(batch: RecordBatch, start: Int)]
        do { batches = try RecordBatch.split(records, allowTruncatedTail: false) } catch {
            return fail(.corruptMessage, "record batch rejected: \(error)")
        }
        var first: Int64 = -1
        var wrote = false
        for (batch, start) in batches {
            guard batch.size <= config.maxMessageBytes else {
                return fail(.messageTooLarge, "batch of \(batch.size) bytes exceeds max.message.bytes \(config.maxMessageBytes)")
            }
            guard !batch.isControl else { return fail(.invalidRecord, "producers may not write control batches") }
            if batch.isTransactional {
                if let problem = transactions.checkTransactionalWrite(batch, transactionalId: transactionalId, topic: topic, partition: p.index) {
                    return fail(problem.0, problem.1)
                }
            }
            switch state.producers.check(batch) {
            case let .reject(code, why): return fail(code, why)
            case let .duplicate(firstOffset, _):
                logger.info("duplicate batch answered with its original offset", metadata: ["topic": "\(topic)", "partition": "\(p.index)", "offset": "\(firstOffset)"])
                if first < 0 { first = firstOffset }
                continue
            case .append: break
            }
            do {
                let offsets: (first: Int64, last: Int64)
                if config.logAppendTime {
                    var bytes = Array(records[start..<(start + batch.size)])
                    RecordBatch.stampLogAppendTime(Self.nowMs(), in: &bytes)
                    offsets = try state.log.append(bytes)
                } else {
                    offsets = try state.log.append(validated: records, batch, range: start..<(start + batch.size))
                }
                if first < 0 { first = offsets.first }
                state.producers.record(batch, firstOffset: offsets.first)
                if batch.isTransactional, state.ongoing[batch.producerId] == nil { state.ongoing[batch.producerId] = offsets.first }
                wrote = true
            } catch {
                logger.error("append failed", metadata: ["topic": "\(topic)", "partition": "\(p.index)", "error": "\(error)"])
                return fail(.kafkaStorageError, "the broker could not write: \(error)")
            }
        }
        var wait: EventLoopFuture<Void>?
        if wrote { wait = appended(state, waitForDurability: acks == -1) }
        return (.init(index: p.index, baseOffset: first, logAppendTimeMs: config.logAppendTime ? Self.nowMs() : -1,
                      logStartOffset: state.log.logStartOffset), wait)
    }

    /// After an append: under group commit, schedule a flush and (for acks=all) wait for it;
    /// otherwise move the high watermark at once.
    func appended(_ state: PartitionState, waitForDurability: Bool) -> EventLoopFuture<Void>? {
        switch configuration.flush {
        case .group:
            dirty[ObjectIdentifier(state)] = state
            let wait: EventLoopFuture<Void>?
            if waitForDurability {
                let promise = loop.makePromise(of: Void.self)
                durabilityWaiters.append((state, state.logEndOffset, promise))
                wait = promise.futureResult
            } else { wait = nil }
            flushIfIdle()
            return wait
        case .everyAppend, .none:
            _ = state.log.takePendingSync()   // nothing to flush later; let go of closed segments
            advanceHighWatermark(state, to: state.logEndOffset)
            return nil
        }
    }

    /// One fsync round for everything appended since the last began; the next round starts as
    /// soon as this one ends, so concurrent producers share fsyncs.
    private func flushIfIdle() {
        guard !flushing, !dirty.isEmpty else { return }
        flushing = true
        let round = dirty.values.compactMap { s in s.log.takePendingSync().map { (s, $0) } }
        dirty = [:]
        let syncs = round.map(\.1)
        threadPool.runIfActive(eventLoop: loop) { () throws -> Void in
            for sync in syncs { try sync.perform() }
        }.whenComplete { result in
            self.flushing = false
            switch result {
            case .success:
                for (state, sync) in round { self.advanceHighWatermark(state, to: sync.endOffset) }
            case let .failure(error):
                self.logger.critical("fsync failed; acknowledgements withheld", metadata: ["error": "\(error)"])
                for (state, _) in round { self.failWaiters(state, error) }
            }
            self.flushIfIdle()
        }
    }

    private func failWaiters(_ state: PartitionState, _ error: Error) {
        // Completing a promise runs its callbacks, which may append new waiters: take the
        // finished ones out of the list first.
        let (done, rest) = durabilityWaiters.partitioned { $0.partition === state }
        durabilityWaiters = rest
        for w in done { w.promise.fail(error) }
    }

    func advanceHighWatermark(_ state: PartitionState, to offset: Int64) {
        guard offset > state.highWatermark else { return }
        state.highWatermark = offset
        let (done, rest) = durabilityWaiters.partitioned { $0.partition === state && $0.offset <= offset }
        durabilityWaiters = rest
        for w in done { w.promise.succeed(()) }
        wakeFetchers()
    }

    static func nowMs() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    // MARK: - Fetch

    /// A fetch answer: the response, whose record sets are external, and the file stretches
    /// holding them, one list per partition with records, in encoding order.
    struct FetchAnswer: @unchecked Sendable {
        var response: FetchResponse
        var files: [[PartitionLog.FileSpan]]
    }

    final class FetchWaiter: @unchecked Sendable {
        let request: FetchRequest
        let version: Int16
        let promise: EventLoopPromise<FetchAnswer>
        var timeout: Scheduled<Void>?
        init(request: FetchRequest, version: Int16, promise: EventLoopPromise<FetchAnswer>) {
            self.request = request; self.version = version; self.promise = promise
        }
    }

    private func fetch(_ request: FetchRequest, version: Int16) -> EventLoopFuture<FetchAnswer> {
        let (response, bytes, errors) = readFetch(request)
        if bytes >= Int(request.minBytes) || errors || request.maxWaitMs <= 0 { return loop.makeSucceededFuture(response) }
        // Long poll: answer when enough arrives or the wait is over.
        let waiter = FetchWaiter(request: request, version: version, promise: loop.makePromise())
        waiter.timeout = loop.scheduleTask(in: .milliseconds(Int64(request.maxWaitMs))) { [weak self, weak waiter] in
            guard let self, let waiter else { return }
            self.fetchWaiters.removeAll { $0 === waiter }
            waiter.promise.succeed(self.readFetch(waiter.request).0)
        }
        fetchWaiters.append(waiter)
        return waiter.promise.futureResult
    }

    private func wakeFetchers() {
        guard !fetchWaiters.isEmpty else { return }
        var answered: [(FetchWaiter, FetchAnswer)] = []
        fetchWaiters.removeAll { w in
            let (response, bytes, errors) = readFetch(w.request)
            guard bytes >= Int(w.request.minBytes) || errors else { return false }
            answered.append((w, response))
            return true
        }
        for (w, response) in answered {
            w.timeout?.cancel()
            w.promise.succeed(response)
        }
    }

    /// Finds what a fetch asks for now (where on disk, not the bytes): the answer, its record
    /// bytes, and whether any partition answered with an error (which ends a long poll at once).
    private func readFetch(_ request: FetchRequest) -> (FetchAnswer, Int, Bool) {
        var total = 0
        var errors = false
        var files: [[PartitionLog.FileSpan]] = []
        let committed = request.isolationLevel == 1
        let responses = request.topics.map { t in
            FetchResponse.Topic(topic: t.topic, partitions: t.partitions.map { p in
                guard let state = partition(t.topic, p.partition) else {
                    errors = true
                    return .init(partitionIndex: p.partition, errorCode: .unknownTopicOrPartition, highWatermark: -1, lastStableOffset: -1, logStartOffset: -1)
                }
                let hw = state.highWatermark
                let lso = state.lastStableOffset
                let start = state.log.logStartOffset
                guard p.fetchOffset >= start, p.fetchOffset <= state.logEndOffset else {
                    errors = true
                    return .init(partitionIndex: p.partition, errorCode: .offsetOutOfRange, highWatermark: hw, lastStableOffset: lso, logStartOffset: start)
                }
                let limit = committed ? lso : hw
                let room = max(0, Int(request.maxBytes) - total)
                // The first partition with data gets at least one batch, however large (KIP-74).
                let maxBytes = total == 0 ? Int(p.partitionMaxBytes) : min(Int(p.partitionMaxBytes), room)
                var spans: [PartitionLog.FileSpan] = []
                if p.fetchOffset < limit && maxBytes > 0 {
                    do { spans = try state.log.spans(from: p.fetchOffset, maxBytes: maxBytes, below: limit) } catch {
                        logger.error("read failed", metadata: ["topic": "\(t.topic)", "partition": "\(p.partition)", "error": "\(error)"])
                        errors = true
                        return .init(partitionIndex: p.partition, errorCode: .kafkaStorageError, highWatermark: hw, lastStableOffset: lso, logStartOffset: start)
                    }
                }
                let length = spans.reduce(0) { $0 + $1.length }
                total += length
                let aborted = committed ? state.abortedTransactions(from: p.fetchOffset, to: limit) : nil
                var answer = FetchResponse.Partition(partitionIndex: p.partition, highWatermark: hw, lastStableOffset: lso, logStartOffset: start,
                                                     abortedTransactions: aborted, records: [])
                if length > 0 {
                    answer.externalRecordsLength = length
                    files.append(spans)
                }
                return answer
            })
        }
        return (FetchAnswer(response: FetchResponse(responses: responses), files: files), total, errors)
    }

    // MARK: - ListOffsets

    private func listOffsets(_ request: ListOffsetsRequest) throws -> ListOffsetsResponse {
        ListOffsetsResponse(topics: request.topics.map { t in
            .init(name: t.name, partitions: t.partitions.map { p in
                guard let state = partition(t.name, p.partitionIndex) else {
                    return .init(partitionIndex: p.partitionIndex, errorCode: .unknownTopicOrPartition, timestamp: -1, offset: -1)
                }
                let visible = request.isolationLevel == 1 ? state.lastStableOffset : state.highWatermark
                switch p.timestamp {
                case -1: return .init(partitionIndex: p.partitionIndex, timestamp: -1, offset: visible, leaderEpoch: 0)
                case -2: return .init(partitionIndex: p.partitionIndex, timestamp: -1, offset: state.log.logStartOffset, leaderEpoch: 0)
                default:
                    do {
                        let target = p.timestamp == -3 ? try state.log.maxTimestamp() : p.timestamp
                        guard let target, let offset = try state.log.offset(forTimestamp: target), offset < visible else {
                            return .init(partitionIndex: p.partitionIndex, timestamp: -1, offset: -1, leaderEpoch: 0)
                        }
                        return .init(partitionIndex: p.partitionIndex, timestamp: target, offset: offset, leaderEpoch: 0)
                    } catch {
                        return .init(partitionIndex: p.partitionIndex, errorCode: .kafkaStorageError, timestamp: -1, offset: -1)
                    }
                }
            })
        })
    }

    // MARK: - Internal topics

    /// Appends records the broker itself writes (offsets, transaction state) and resolves once
    /// they are durable under the flush policy.
    func appendInternal(_ state: PartitionState, batch: [UInt8]) -> EventLoopFuture<Void> {
        do {
            let offsets = try state.log.append(batch)
            if let b = try? RecordBatch.parseHeader(batch) { state.producers.record(b, firstOffset: offsets.first) }
        } catch {
            logger.error("internal append failed", metadata: ["topic": "\(state.topic)", "error": "\(error)"])
            return loop.makeFailedFuture(error)
        }
        return appended(state, waitForDurability: true) ?? loop.makeSucceededVoidFuture()
    }

    /// The internal topic `name`, created on first use.
    func internalTopic(_ name: String, partitions count: Int32) throws -> [PartitionState] {
        if let existing = partitions[name] { return existing }
        var config = TopicConfig()
        config.cleanupPolicy = .compact
        config.retentionMs = -1
        try createTopic(name, partitions: count, config: config, isInternal: true)
        return partitions[name] ?? []
    }

    // MARK: - Retention

    /// Retention for `delete` topics and compaction for `compact` ones (both for
    /// `compact,delete`), every `log.retention.check.interval.ms`. Runs on the broker loop, as
    /// the logs are not shared with other threads; compaction only rewrites closed segments.
    func applyRetention() {
        let now = Self.nowMs()
        for (name, states) in partitions {
            guard let config = store.topics[name]?.config else { continue }
            for s in states {
                do {
                    if config.deletes {
                        let deleted = try s.log.applyRetention(now: now, retentionMs: config.retentionMs >= 0 ? config.retentionMs : nil,
                                                               retentionBytes: config.retentionBytes >= 0 ? config.retentionBytes : nil)
                        if deleted > 0 {
                            logger.info("retention deleted segments", metadata: ["topic": "\(name)", "partition": "\(s.index)", "segments": "\(deleted)",
                                                                                 "log_start_offset": "\(s.log.logStartOffset)"])
                        }
                    }
                    if config.compacts {
                        let r = try s.log.compact(now: now, deleteRetentionMs: config.deleteRetentionMs, minLagMs: config.minCompactionLagMs)
                        if r.segmentsRewritten > 0 {
                            logger.info("log compacted", metadata: ["topic": "\(name)", "partition": "\(s.index)", "segments": "\(r.segmentsRewritten)",
                                                                    "records_removed": "\(r.recordsRemoved)", "tombstones_removed": "\(r.tombstonesRemoved)",
                                                                    "bytes_before": "\(r.bytesBefore)", "bytes_after": "\(r.bytesAfter)"])
                        }
                    }
                } catch {
                    logger.error("retention or compaction failed", metadata: ["topic": "\(name)", "partition": "\(s.index)", "error": "\(error)"])
                }
            }
        }
    }
}

extension Array {
    /// The elements matching `predicate`, and the rest, each in order.
    func partitioned(_ predicate: (Element) -> Bool) -> ([Element], [Element]) {
        var yes: [Element] = [], no: [Element] = []
        for e in self { if predicate(e) { yes.append(e) } else { no.append(e) } }
        return (yes, no)
    }
}
