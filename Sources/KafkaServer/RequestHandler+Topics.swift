import Foundation
import KafkaProtocol
import NIOCore
import StreamLog
import EngineCore

/// Topics: metadata, creation and deletion, configs, coordinators.
extension RequestHandler {
    func metadata(_ request: MetadataRequest) throws -> MetadataResponse {
        let me = advertised
        var topics: [MetadataResponse.Topic] = []
        let names = request.topics ?? engine.topicNames
        for name in names {
            if request.allowAutoTopicCreation { engine.autoCreate(name) }
            guard let topic = engine.topic(name) else {
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
            guard t.replicationFactor == -1 || t.replicationFactor == 1 else {
                return fail(.invalidReplicationFactor, "replication factor \(t.replicationFactor) is not possible: this engine is a single broker (use 1 or -1)")
            }
            var count: Int32? = t.numPartitions == -1 ? nil : t.numPartitions
            if !t.assignments.isEmpty {
                guard t.assignments.allSatisfy({ $0.brokerIds == [configuration.nodeId] }) else {
                    return fail(.invalidReplicaAssignment, "replica assignments may only name broker \(configuration.nodeId)")
                }
                count = Int32(t.assignments.count)
            }
            do throws(Engine.TopicRefusal) {
                let made = try engine.createTopic(t.name, partitions: count, configs: t.configs.map { ($0.name, $0.value) }, validateOnly: request.validateOnly)
                guard let topic = made.topic else { return .init(name: t.name, numPartitions: made.partitions, replicationFactor: 1) }
                return .init(name: t.name, topicId: KafkaUUID(high: topic.meta.idHigh, low: topic.meta.idLow), numPartitions: made.partitions, replicationFactor: 1)
            } catch { return fail(error.code, error.message) }
        })
    }

    func createPartitions(_ request: CreatePartitionsRequest) -> CreatePartitionsResponse {
        // A topic named twice is refused for both mentions, as Kafka does.
        let counts = Dictionary(request.topics.map { ($0.name, 1) }, uniquingKeysWith: +)
        return CreatePartitionsResponse(results: request.topics.map { t in
            func fail(_ code: KafkaErrorCode, _ message: String) -> CreatePartitionsResponse.Result {
                logger.info("create partitions refused", metadata: ["topic": "\(t.name)", "error": "\(code.name)", "why": "\(message)"])
                return .init(name: t.name, errorCode: code, errorMessage: message)
            }
            if counts[t.name, default: 0] > 1 { return fail(.invalidRequest, "topic '\(t.name)' appears more than once in the request") }
            do throws(Engine.TopicRefusal) {
                try engine.createPartitions(t.name, count: t.count, assignments: t.assignments, nodeId: configuration.nodeId,
                                            validateOnly: request.validateOnly)
                return .init(name: t.name)
            } catch { return fail(error.code, error.message) }
        })
    }

    func deleteTopics(_ request: DeleteTopicsRequest) -> DeleteTopicsResponse {
        DeleteTopicsResponse(responses: request.topicNames.map { name in
            do throws(Engine.TopicRefusal) {
                try engine.deleteTopic(name)
                return .init(name: name)
            } catch { return .init(name: name, errorCode: error.code, errorMessage: error.message) }
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
                guard let topic = engine.topic(r.resourceName) else {
                    return .init(errorCode: .unknownTopicOrPartition, errorMessage: "topic '\(r.resourceName)' does not exist",
                                 resourceType: r.resourceType, resourceName: r.resourceName, configs: [])
                }
                let defaults = Dictionary(uniqueKeysWithValues: configuration.topicDefaults.entries.map { ($0.name, $0.value) })
                let acting = topic.config.entries.map { e -> DescribeConfigsResponse.Entry in
                    let isDefault = defaults[e.name] == e.value
                    return .init(name: e.name, value: e.value, isDefault: isDefault,
                                 configSource: isDefault ? DescribeConfigsResponse.sourceDefault : DescribeConfigsResponse.sourceTopic)
                }
                // Kafka's other topic configs: kept as set, not acted on, so reported read-only.
                let kept = topic.config.keptEntries.map { e -> DescribeConfigsResponse.Entry in
                    .init(name: e.name, value: e.value, readOnly: !TopicConfig.keptAndActedOn.contains(e.name), isDefault: !e.isSet,
                          configSource: e.isSet ? DescribeConfigsResponse.sourceTopic : DescribeConfigsResponse.sourceDefault)
                }
                return .init(resourceType: r.resourceType, resourceName: r.resourceName, configs: filtered(acting + kept))
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
                // Dynamic configs first (this broker's over the cluster default), then the static ones.
                let perBroker = r.resourceName.isEmpty ? [:] : engine.brokerConfigs.values[r.resourceName] ?? [:]
                let clusterDefault = engine.brokerConfigs.values[""] ?? [:]
                let dynamic = perBroker.map { ($0.key, $0.value, DescribeConfigsResponse.sourceDynamicBroker) }
                    + clusterDefault.filter { perBroker[$0.key] == nil }.map { ($0.key, $0.value, DescribeConfigsResponse.sourceDynamicDefaultBroker) }
                let dynamicNames = Set(dynamic.map(\.0))
                let sensitive = { (name: String) in name.hasSuffix(".password") || name.hasSuffix("jaas.config") }
                return .init(resourceType: r.resourceType, resourceName: r.resourceName, configs: filtered(
                    dynamic.sorted { $0.0 < $1.0 }.map { .init(name: $0.0, value: sensitive($0.0) ? nil : $0.1, configSource: $0.2, isSensitive: sensitive($0.0)) }
                    + entries.filter { !dynamicNames.contains($0.0) }.map {
                        .init(name: $0.0, value: $0.1, readOnly: true, configSource: DescribeConfigsResponse.sourceStaticBroker)
                    }))
            default:
                return .init(errorCode: .invalidRequest, errorMessage: "resource type \(r.resourceType) is not described here (2 topic, 4 broker)",
                             resourceType: r.resourceType, resourceName: r.resourceName, configs: [])
            }
        })
    }

    /// AlterConfigs: a topic's configs become exactly those given, over the engine's defaults.
    func alterConfigs(_ request: AlterConfigsRequest) -> AlterConfigsResponse {
        AlterConfigsResponse(responses: request.resources.map { r in
            if r.resourceType == DescribeConfigsRequest.brokerResource {
                return alterBrokerConfigs(r.resourceName, Dictionary(r.configs.map { ($0.name, $0.value) }, uniquingKeysWith: { $1 }),
                                          merge: false, validateOnly: request.validateOnly)
            }
            return alterConfig(r.resourceType, r.resourceName, validateOnly: request.validateOnly) { config, defaults in
                config = try TopicConfig(r.configs, over: defaults)
            }
        })
    }

    /// IncrementalAlterConfigs: SET and DELETE (back to the default) on any topic config,
    /// APPEND and SUBTRACT on list configs (cleanup.policy, the throttled-replica lists).
    func incrementalAlterConfigs(_ request: IncrementalAlterConfigsRequest) -> IncrementalAlterConfigsResponse {
        IncrementalAlterConfigsResponse(responses: request.resources.map { r in
            if let twice = Dictionary(r.configs.map { ($0.name, 1) }, uniquingKeysWith: +).first(where: { $0.value > 1 }) {
                return .init(errorCode: .invalidRequest, errorMessage: "config \(twice.key) appears more than once", resourceType: r.resourceType,
                             resourceName: r.resourceName)
            }
            if r.resourceType == DescribeConfigsRequest.brokerResource {
                if let other = r.configs.first(where: { ![IncrementalAlterConfigsRequest.Operation.set.rawValue, IncrementalAlterConfigsRequest.Operation.delete.rawValue].contains($0.operation) }) {
                    return .init(errorCode: .invalidRequest, errorMessage: "broker config \(other.name): only SET and DELETE apply to broker configs",
                                 resourceType: r.resourceType, resourceName: r.resourceName)
                }
                return alterBrokerConfigs(r.resourceName, Dictionary(uniqueKeysWithValues: r.configs.map {
                    ($0.name, $0.operation == IncrementalAlterConfigsRequest.Operation.delete.rawValue ? nil : $0.value)
                }), merge: true, validateOnly: request.validateOnly)
            }
            return alterConfig(r.resourceType, r.resourceName, validateOnly: request.validateOnly) { config, defaults in
                for c in r.configs {
                    switch IncrementalAlterConfigsRequest.Operation(rawValue: c.operation) {
                    case .set: config = try TopicConfig([(c.name, c.value)], over: config)
                    case .delete: try config.reset(c.name, to: defaults)
                    case let op? where op == .append || op == .subtract:
                        guard ["cleanup.policy", "follower.replication.throttled.replicas", "leader.replication.throttled.replicas"].contains(c.name) else {
                            throw TopicConfig.Invalid(key: c.name, message: "\(op == .append ? "APPEND" : "SUBTRACT") works on list configs "
                                                      + "(cleanup.policy, *.replication.throttled.replicas), not \(c.name)")
                        }
                        let current = (config.entries + config.keptEntries.map { ($0.name, $0.value) }).first { $0.name == c.name }?.value ?? ""
                        func items(_ s: String) -> [String] { s.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
                        var list = items(current)
                        for item in items(c.value ?? "") {
                            if op == .append { if !list.contains(item) { list.append(item) } } else { list.removeAll { $0 == item } }
                        }
                        config = try TopicConfig([(c.name, list.joined(separator: ","))], over: config)
                    default:
                        throw Engine.TopicRefusal(code: .invalidRequest, message: "config operation \(c.operation) is not one of 0 SET, 1 DELETE, 2 APPEND, 3 SUBTRACT")
                    }
                }
            }
        })
    }

    /// A broker's dynamic configs (this node's id, or empty for the cluster-wide default).
    private func alterBrokerConfigs(_ name: String, _ configs: [String: String?], merge: Bool, validateOnly: Bool) -> AlterConfigsResult {
        let type = DescribeConfigsRequest.brokerResource
        guard name.isEmpty || name == String(configuration.nodeId) else {
            return .init(errorCode: .invalidRequest, errorMessage: "broker \(name) is not this broker (\(configuration.nodeId))", resourceType: type, resourceName: name)
        }
        do throws(DynamicBrokerConfigs.Invalid) {
            try engine.brokerConfigs.replace(broker: name, with: configs, merge: merge, validateOnly: validateOnly)
        } catch {
            logger.info("alter configs refused", metadata: ["resource": "broker \(name)", "why": "\(error.message)"])
            return .init(errorCode: error.key.isEmpty ? .unknownServerError : .invalidConfig, errorMessage: error.message, resourceType: type, resourceName: name)
        }
        if !validateOnly { logger.notice("broker configs changed", metadata: ["broker": "\(name.isEmpty ? "default" : name)", "configs": "\(configs.keys.sorted())"]) }
        return .init(resourceType: type, resourceName: name)
    }

    /// One resource of an AlterConfigs or IncrementalAlterConfigs request: a topic (brokers go to
    /// `alterBrokerConfigs`).
    private func alterConfig(_ type: Int8, _ name: String, validateOnly: Bool,
                             _ change: (inout TopicConfig, TopicConfig) throws -> Void) -> AlterConfigsResult {
        func fail(_ code: KafkaErrorCode, _ message: String) -> AlterConfigsResult {
            logger.info("alter configs refused", metadata: ["resource": "\(type):\(name)", "error": "\(code.name)", "why": "\(message)"])
            return .init(errorCode: code, errorMessage: message, resourceType: type, resourceName: name)
        }
        switch type {
        case DescribeConfigsRequest.topicResource:
            do throws(Engine.TopicRefusal) {
                let defaults = engine.topicDefaults
                try engine.alterTopicConfig(name, validateOnly: validateOnly) { config in try change(&config, defaults) }
                return .init(resourceType: type, resourceName: name)
            } catch { return fail(error.code, error.message) }
        default:
            return fail(.invalidRequest, "resource type \(type) has no configs to alter here (2 is a topic)")
        }
    }

    /// One node is the whole cluster: it is the broker and the controller, whichever is asked for.
    func describeCluster(_ request: DescribeClusterRequest) -> DescribeClusterResponse {
        let me = advertised
        return DescribeClusterResponse(endpointType: request.endpointType, clusterId: configuration.clusterId, controllerId: configuration.nodeId,
                                       brokers: [.init(brokerId: configuration.nodeId, host: me.host, port: Int32(me.port))])
    }

    func findCoordinator(_ request: FindCoordinatorRequest, version: Int16) -> FindCoordinatorResponse {
        let me = advertised
        let keys = request.keys.isEmpty ? [""] : request.keys
        return FindCoordinatorResponse(coordinators: keys.map {
            .init(key: $0, nodeId: configuration.nodeId, host: me.host, port: Int32(me.port), errorCode: .none)
        })
    }
}
