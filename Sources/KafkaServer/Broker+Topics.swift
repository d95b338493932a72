import Foundation
import KafkaProtocol
import NIOCore
import StreamLog

/// Topics: metadata, creation and deletion, configs, coordinators, the broker's own internal
/// topics, and retention and compaction.
extension Broker {
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

    func metadata(_ request: MetadataRequest) throws -> MetadataResponse {
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

    func createTopics(_ request: CreateTopicsRequest) -> CreateTopicsResponse {
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

    func deleteTopics(_ request: DeleteTopicsRequest) -> DeleteTopicsResponse {
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

    func describeConfigs(_ request: DescribeConfigsRequest) -> DescribeConfigsResponse {
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

    func findCoordinator(_ request: FindCoordinatorRequest, version: Int16) -> FindCoordinatorResponse {
        let me = advertised
        let keys = request.keys.isEmpty ? [""] : request.keys
        return FindCoordinatorResponse(coordinators: keys.map {
            .init(key: $0, nodeId: configuration.nodeId, host: me.host, port: Int32(me.port), errorCode: .none)
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
