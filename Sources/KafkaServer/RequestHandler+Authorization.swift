import EngineCore
import KafkaProtocol
import NIOCore

/// ACLs on every API (docs/security.md): what each request needs, as Kafka's `KafkaApis` asks
/// it, and the answer for what is denied. Denied parts of a request get the authorization error
/// and never reach the engine; the rest is served as usual.
extension RequestHandler {
    /// One request's view of the authorizer: who asks, from where, and whether they may.
    struct Gate {
        /// nil: no authorizer, or a super user — everything is allowed and nothing is checked.
        let authorizer: AclAuthorizer?
        let principal: String
        let host: String
        let denied: (AclOperation, AclResourceType, String) -> Void

        var isOpen: Bool { authorizer == nil }

        /// `log: false` for what Kafka only filters (topics of an all-topics Metadata, groups of ListGroups).
        func allows(_ operation: AclOperation, _ type: AclResourceType, _ name: String, log: Bool = true) -> Bool {
            guard let authorizer else { return true }
            let ok = authorizer.authorize(principal: principal, host: host, operation: operation, resourceType: type, resourceName: name)
            if !ok && log { denied(operation, type, name) }
            return ok
        }

        func allowsCluster(_ operation: AclOperation, log: Bool = true) -> Bool { allows(operation, .cluster, "kafka-cluster", log: log) }
    }

    func gate(for client: Client, api: ApiKey) -> Gate {
        guard let authorizer = engine.acls.authorizer, !authorizer.isSuperUser(client.principal) else {
            return Gate(authorizer: nil, principal: client.principal, host: client.address, denied: { _, _, _ in })
        }
        return Gate(authorizer: authorizer, principal: client.principal, host: client.address) { [self] op, type, name in
            logDenial(client, api, op, type, name)
        }
    }

    /// Kafka's authorizer log line, at most once a minute for the same principal, operation and
    /// resource (a consumer retries a denied fetch many times a second).
    private func logDenial(_ client: Client, _ api: ApiKey, _ op: AclOperation, _ type: AclResourceType, _ name: String) {
        let key = "\(client.principal)\u{0}\(client.address)\u{0}\(op.rawValue)\u{0}\(type.rawValue)\u{0}\(name)"
        let now = NIODeadline.now()
        if let last = deniedLogged[key], now - last < .seconds(60) { return }
        if deniedLogged.count > 10_000 { deniedLogged.removeAll() }
        deniedLogged[key] = now
        logger.notice("authorization denied", metadata: [
            "principal": "\(client.principal)", "host": "\(client.address)", "operation": "\(op)",
            "resource": "\(type):\(name)", "api": "\(api)",
        ])
    }

    // MARK: - Topics and metadata

    func authorizedMetadata(_ request: MetadataRequest, _ gate: Gate) throws -> MetadataResponse {
        guard !gate.isOpen else { return try metadata(request) }
        guard let names = request.topics else {
            var response = try metadata(request)
            response.topics.removeAll { !gate.allows(.describe, .topic, $0.name, log: false) }
            return response
        }
        var allowed: [String] = []
        var denied: [String] = []
        for name in names {
            // Auto-creation needs CREATE on the cluster or the topic, as in Kafka.
            let creates = request.allowAutoTopicCreation && configuration.autoCreateTopics && engine.topic(name) == nil
            if gate.allows(.describe, .topic, name),
               !creates || gate.allowsCluster(.create, log: false) || gate.allows(.create, .topic, name) {
                allowed.append(name)
            } else {
                denied.append(name)
            }
        }
        var filtered = request
        filtered.topics = allowed
        var response = try metadata(filtered)
        response.topics += denied.map { .init(errorCode: .topicAuthorizationFailed, name: $0, partitions: []) }
        return response
    }

    func authorizedCreateTopics(_ request: CreateTopicsRequest, _ gate: Gate) -> CreateTopicsResponse {
        let clusterCreate = gate.isOpen || gate.allowsCluster(.create, log: false)
        let (allowed, denied) = split(request.topics) { clusterCreate || gate.allows(.create, .topic, $0.name) }
        var filtered = request
        filtered.topics = allowed
        var response = denied.count == request.topics.count ? CreateTopicsResponse(topics: []) : createTopics(filtered)
        response.topics += denied.map { .init(name: $0.name, errorCode: .topicAuthorizationFailed, errorMessage: "not authorized to create topic '\($0.name)'") }
        return response
    }

    func authorizedDeleteTopics(_ request: DeleteTopicsRequest, _ gate: Gate) -> DeleteTopicsResponse {
        let (allowed, denied) = split(request.topicNames) { gate.allows(.delete, .topic, $0) }
        var filtered = request
        filtered.topicNames = allowed
        var response = allowed.isEmpty ? DeleteTopicsResponse(responses: []) : deleteTopics(filtered)
        response.responses += denied.map { .init(name: $0, errorCode: .topicAuthorizationFailed, errorMessage: "not authorized to delete topic '\($0)'") }
        return response
    }

    func authorizedCreatePartitions(_ request: CreatePartitionsRequest, _ gate: Gate) -> CreatePartitionsResponse {
        let (allowed, denied) = split(request.topics) { gate.allows(.alter, .topic, $0.name) }
        var filtered = request
        filtered.topics = allowed
        var response = allowed.isEmpty ? CreatePartitionsResponse(results: []) : createPartitions(filtered)
        response.results += denied.map { .init(name: $0.name, errorCode: .topicAuthorizationFailed, errorMessage: "not authorized to alter topic '\($0.name)'") }
        return response
    }

    func authorizedDeleteRecords(_ request: DeleteRecordsRequest, _ gate: Gate) -> DeleteRecordsResponse {
        let (allowed, denied) = split(request.topics) { gate.allows(.delete, .topic, $0.name) }
        var filtered = request
        filtered.topics = allowed
        var response = allowed.isEmpty ? DeleteRecordsResponse(topics: []) : engine.deleteRecords(filtered)
        response.topics += denied.map { t in .init(name: t.name, partitions: t.partitions.map { .init(partition: $0.partition, errorCode: .topicAuthorizationFailed) }) }
        return response
    }

    /// Config resources: topics (2) need the operation on the topic, brokers (4) and broker
    /// loggers (8) on the cluster.
    func allowsConfig(_ gate: Gate, _ operation: AclOperation, type: Int8, name: String) -> KafkaErrorCode? {
        if type == 2 { return gate.allows(operation, .topic, name) ? nil : .topicAuthorizationFailed }
        return gate.allowsCluster(operation) ? nil : .clusterAuthorizationFailed
    }

    func authorizedDescribeConfigs(_ request: DescribeConfigsRequest, _ gate: Gate) -> DescribeConfigsResponse {
        guard !gate.isOpen else { return describeConfigs(request) }
        var filtered = request
        var denied: [DescribeConfigsResponse.Result] = []
        filtered.resources = request.resources.filter { r in
            guard let code = allowsConfig(gate, .describeConfigs, type: r.resourceType, name: r.resourceName) else { return true }
            denied.append(.init(errorCode: code, errorMessage: "not authorized to describe the configs of \(r.resourceName)", resourceType: r.resourceType, resourceName: r.resourceName, configs: []))
            return false
        }
        var response = describeConfigs(filtered)
        response.results += denied
        return response
    }

    /// AlterConfigs and IncrementalAlterConfigs: the resources the gate allows go on, the others
    /// are answered with the authorization error.
    func filterConfigChanges<R>(_ gate: Gate, _ resources: [R], _ key: (R) -> (type: Int8, name: String)) -> (allowed: [R], denied: [AlterConfigsResult]) {
        var allowed: [R] = []
        var denied: [AlterConfigsResult] = []
        for r in resources {
            let (type, name) = key(r)
            if let code = allowsConfig(gate, .alterConfigs, type: type, name: name) {
                denied.append(.init(errorCode: code, errorMessage: "not authorized to alter the configs of \(name)", resourceType: type, resourceName: name))
            } else {
                allowed.append(r)
            }
        }
        return (allowed, denied)
    }

    func authorizedAlterConfigs(_ request: AlterConfigsRequest, _ gate: Gate) -> AlterConfigsResponse {
        guard !gate.isOpen else { return alterConfigs(request) }
        var filtered = request
        let denied: [AlterConfigsResult]
        (filtered.resources, denied) = filterConfigChanges(gate, request.resources) { ($0.resourceType, $0.resourceName) }
        var response = alterConfigs(filtered)
        response.responses += denied
        return response
    }

    func authorizedIncrementalAlterConfigs(_ request: IncrementalAlterConfigsRequest, _ gate: Gate) -> IncrementalAlterConfigsResponse {
        guard !gate.isOpen else { return incrementalAlterConfigs(request) }
        var filtered = request
        let denied: [AlterConfigsResult]
        (filtered.resources, denied) = filterConfigChanges(gate, request.resources) { ($0.resourceType, $0.resourceName) }
        var response = incrementalAlterConfigs(filtered)
        response.responses += denied
        return response
    }

    // MARK: - Produce, fetch, offsets

    func authorizedListOffsets(_ request: ListOffsetsRequest, _ gate: Gate) throws -> ListOffsetsResponse {
        let (allowed, denied) = split(request.topics) { gate.allows(.describe, .topic, $0.name) }
        var filtered = request
        filtered.topics = allowed
        var response = try listOffsets(filtered)
        response.topics += denied.map { t in .init(name: t.name, partitions: t.partitions.map { .init(partitionIndex: $0.partitionIndex, errorCode: .topicAuthorizationFailed, offset: -1) }) }
        return response
    }

    /// Fetch: the topics the principal may read go to the engine; the others are answered with
    /// TOPIC_AUTHORIZATION_FAILED at once (a denied partition ends the long poll, as an error does).
    func authorizedFetch(_ request: FetchRequest, version: Int16, _ gate: Gate) -> EventLoopFuture<FetchAnswer> {
        guard !gate.isOpen else { return fetch(request, version: version) }
        let (allowed, denied) = split(request.topics) { gate.allows(.read, .topic, $0.topic) }
        guard !denied.isEmpty else { return fetch(request, version: version) }
        var filtered = request
        filtered.topics = allowed
        filtered.maxWaitMs = 0
        let extra = denied.map { t in
            FetchResponse.Topic(topic: t.topic, partitions: t.partitions.map {
                .init(partitionIndex: $0.partition, errorCode: .topicAuthorizationFailed, highWatermark: -1, lastStableOffset: -1, logStartOffset: -1, records: [])
            })
        }
        return fetch(filtered, version: version).map { answer in
            var answer = answer
            answer.response.responses += extra
            return answer
        }
    }

    func authorizedOffsetCommit(_ request: OffsetCommitRequest, _ gate: Gate) -> EventLoopFuture<OffsetCommitResponse> {
        guard !gate.isOpen else { return engine.groups.commit(request) }
        guard gate.allows(.read, .group, request.groupId) else {
            return loop.makeSucceededFuture(.init(topics: request.topics.map { t in .init(topic: t.name, partitions: t.partitions.map { ($0.partitionIndex, .groupAuthorizationFailed) }) }))
        }
        let (allowed, denied) = split(request.topics) { gate.allows(.read, .topic, $0.name) }
        let extra = denied.map { t in PartitionErrors(topic: t.name, partitions: t.partitions.map { ($0.partitionIndex, .topicAuthorizationFailed) }) }
        guard !allowed.isEmpty else { return loop.makeSucceededFuture(.init(topics: extra)) }
        var filtered = request
        filtered.topics = allowed
        return engine.groups.commit(filtered).map { var r = $0; r.topics += extra; return r }
    }

    func authorizedOffsetFetch(_ request: OffsetFetchRequest, _ gate: Gate) -> OffsetFetchResponse {
        guard !gate.isOpen else { return engine.fetchOffsets(request) }
        var deniedGroups = Set<String>()
        var deniedTopics: [String: [OffsetFetchResponse.Topic]] = [:]
        var filtered = request
        filtered.groups = request.groups.compactMap { g in
            guard gate.allows(.describe, .group, g.groupId) else { deniedGroups.insert(g.groupId); return nil }
            guard let topics = g.topics else { return g }
            let (allowed, denied) = split(topics) { gate.allows(.describe, .topic, $0.topic) }
            deniedTopics[g.groupId] = denied.map { t in
                .init(name: t.topic, partitions: t.partitions.map { .init(partitionIndex: $0, committedOffset: -1, metadata: "", errorCode: .topicAuthorizationFailed) })
            }
            return .init(groupId: g.groupId, topics: allowed)
        }
        let served = engine.fetchOffsets(filtered)
        // Answered in request order; an all-topics fetch shows only the topics the principal may describe.
        var byGroup: [String: OffsetFetchResponse.Group] = [:]
        for g in served.groups { byGroup[g.groupId] = g }
        return OffsetFetchResponse(groups: request.groups.map { g in
            if deniedGroups.contains(g.groupId) { return .init(groupId: g.groupId, topics: [], errorCode: .groupAuthorizationFailed) }
            var out = byGroup[g.groupId] ?? .init(groupId: g.groupId, topics: [])
            if g.topics == nil { out.topics.removeAll { !gate.allows(.describe, .topic, $0.name, log: false) } }
            out.topics += deniedTopics[g.groupId] ?? []
            return out
        })
    }

    func authorizedOffsetDelete(_ request: OffsetDeleteRequest, _ gate: Gate) -> EventLoopFuture<OffsetDeleteResponse> {
        guard !gate.isOpen else { return engine.groups.deleteOffsets(request) }
        guard gate.allows(.delete, .group, request.groupId) else { return loop.makeSucceededFuture(.init(errorCode: .groupAuthorizationFailed, topics: [])) }
        let (allowed, denied) = split(request.topics) { gate.allows(.read, .topic, $0.topic) }
        let extra = denied.map { t in PartitionErrors(topic: t.topic, partitions: t.partitions.map { ($0, .topicAuthorizationFailed) }) }
        guard !allowed.isEmpty else { return loop.makeSucceededFuture(.init(topics: extra)) }
        var filtered = request
        filtered.topics = allowed
        return engine.groups.deleteOffsets(filtered).map { var r = $0; r.topics += extra; return r }
    }

    // MARK: - Groups and coordinators

    func authorizedFindCoordinator(_ request: FindCoordinatorRequest, version: Int16, _ gate: Gate) -> FindCoordinatorResponse {
        var response = findCoordinator(request, version: version)
        guard !gate.isOpen else { return response }
        let (type, code): (AclResourceType, KafkaErrorCode) = request.keyType == 1 ? (.transactionalId, .transactionalIdAuthorizationFailed) : (.group, .groupAuthorizationFailed)
        for i in response.coordinators.indices where !gate.allows(.describe, type, response.coordinators[i].key) {
            response.coordinators[i] = .init(key: response.coordinators[i].key, nodeId: -1, host: "", port: -1, errorCode: code,
                                             errorMessage: "not authorized to describe \(type) '\(response.coordinators[i].key)'")
        }
        return response
    }

    func authorizedListGroups(_ request: ListGroupsRequest, _ gate: Gate) -> ListGroupsResponse {
        var response = engine.groups.list(request)
        guard !gate.isOpen, !gate.allowsCluster(.describe, log: false) else { return response }
        response.groups.removeAll { !gate.allows(.describe, .group, $0.groupId, log: false) }
        return response
    }

    func authorizedDescribeGroups(_ request: DescribeGroupsRequest, _ gate: Gate) -> DescribeGroupsResponse {
        guard !gate.isOpen else { return engine.groups.describe(request) }
        let (allowed, denied) = split(request.groups) { gate.allows(.describe, .group, $0) }
        var filtered = request
        filtered.groups = allowed
        var byId: [String: DescribeGroupsResponse.Group] = [:]
        for g in engine.groups.describe(filtered).groups { byId[g.groupId] = g }
        let deniedSet = Set(denied)
        return DescribeGroupsResponse(groups: request.groups.compactMap { id in
            deniedSet.contains(id) ? .init(errorCode: .groupAuthorizationFailed, groupId: id, groupState: "", protocolType: "", protocolData: "", members: []) : byId[id]
        })
    }

    func authorizedDeleteGroups(_ request: DeleteGroupsRequest, _ gate: Gate) -> EventLoopFuture<DeleteGroupsResponse> {
        let (allowed, denied) = split(request.groupsNames) { gate.allows(.delete, .group, $0) }
        let extra = denied.map { DeleteGroupsResponse.Result(groupId: $0, errorCode: .groupAuthorizationFailed) }
        guard !allowed.isEmpty else { return loop.makeSucceededFuture(.init(results: extra)) }
        var filtered = request
        filtered.groupsNames = allowed
        return engine.groups.delete(filtered).map { var r = $0; r.results += extra; return r }
    }

    // MARK: - Transactions and producer ids

    /// InitProducerId: WRITE on the transactional id; an idempotent producer needs IDEMPOTENT_WRITE
    /// on the cluster or WRITE on some topic (Kafka 3's rule).
    func initProducerIdRefusal(_ request: InitProducerIdRequest, _ gate: Gate) -> KafkaErrorCode? {
        guard let authorizer = gate.authorizer else { return nil }
        if let id = request.transactionalId {
            return gate.allows(.write, .transactionalId, id) ? nil : .transactionalIdAuthorizationFailed
        }
        if gate.allowsCluster(.idempotentWrite, log: false)
            || authorizer.mayDoSomewhere(principal: gate.principal, host: gate.host, operation: .write, resourceType: .topic) { return nil }
        gate.denied(.idempotentWrite, .cluster, "kafka-cluster")
        return .clusterAuthorizationFailed
    }

    func authorizedAddPartitionsToTxn(_ request: AddPartitionsToTxnRequest, _ gate: Gate) -> AddPartitionsToTxnResponse {
        guard !gate.isOpen else { return engine.transactions.addPartitions(request) }
        func all(_ code: (String) -> KafkaErrorCode) -> AddPartitionsToTxnResponse {
            .init(topics: request.topics.map { t in .init(topic: t.topic, partitions: t.partitions.map { ($0, code(t.topic)) }) })
        }
        guard gate.allows(.write, .transactionalId, request.transactionalId) else { return all { _ in .transactionalIdAuthorizationFailed } }
        let denied = Set(request.topics.map(\.topic).filter { !gate.allows(.write, .topic, $0) })
        // Nothing is added when a topic is refused; the others are OPERATION_NOT_ATTEMPTED.
        guard denied.isEmpty else { return all { denied.contains($0) ? .topicAuthorizationFailed : .operationNotAttempted } }
        return engine.transactions.addPartitions(request)
    }

    func authorizedTxnOffsetCommit(_ request: TxnOffsetCommitRequest, _ gate: Gate) -> TxnOffsetCommitResponse {
        guard !gate.isOpen else { return engine.transactions.commitOffsets(request) }
        func all(_ code: KafkaErrorCode) -> TxnOffsetCommitResponse {
            .init(topics: request.topics.map { t in .init(topic: t.name, partitions: t.partitions.map { ($0.partitionIndex, code) }) })
        }
        guard gate.allows(.write, .transactionalId, request.transactionalId) else { return all(.transactionalIdAuthorizationFailed) }
        guard gate.allows(.read, .group, request.groupId) else { return all(.groupAuthorizationFailed) }
        let (allowed, denied) = split(request.topics) { gate.allows(.read, .topic, $0.name) }
        var filtered = request
        filtered.topics = allowed
        var response = allowed.isEmpty ? TxnOffsetCommitResponse(topics: []) : engine.transactions.commitOffsets(filtered)
        response.topics += denied.map { t in .init(topic: t.name, partitions: t.partitions.map { ($0.partitionIndex, .topicAuthorizationFailed) }) }
        return response
    }

    // MARK: - ACLs

    func describeAcls(_ request: DescribeAclsRequest, _ gate: Gate) -> DescribeAclsResponse {
        guard gate.allowsCluster(.describe) else { return .init(errorCode: .clusterAuthorizationFailed, errorMessage: "not authorized to describe ACLs (needs DESCRIBE on the cluster)") }
        switch engine.acls.describe(request.filter) {
        case let .success(acls): return DescribeAclsResponse(bindings: acls)
        case let .failure(refusal): return .init(errorCode: refusal.code, errorMessage: refusal.message)
        }
    }

    func createAcls(_ request: CreateAclsRequest, _ gate: Gate) -> CreateAclsResponse {
        guard gate.allowsCluster(.alter) else {
            return .init(results: request.creations.map { _ in .init(errorCode: .clusterAuthorizationFailed, errorMessage: "not authorized to create ACLs (needs ALTER on the cluster)") })
        }
        let results = engine.acls.create(request.creations)
        for (acl, result) in zip(request.creations, results) where result == nil {
            logger.notice("ACL created", metadata: ["acl": "\(acl)", "by": "\(gate.principal)"])
        }
        return .init(results: results.map { $0.map { .init(errorCode: $0.code, errorMessage: $0.message) } ?? .init() })
    }

    func deleteAcls(_ request: DeleteAclsRequest, _ gate: Gate) -> DeleteAclsResponse {
        guard gate.allowsCluster(.alter) else {
            return .init(results: request.filters.map { _ in .init(errorCode: .clusterAuthorizationFailed, errorMessage: "not authorized to delete ACLs (needs ALTER on the cluster)") })
        }
        return .init(results: engine.acls.delete(request.filters).map { result in
            switch result {
            case let .success(gone):
                for acl in gone { logger.notice("ACL deleted", metadata: ["acl": "\(acl)", "by": "\(gate.principal)"]) }
                return .init(matching: gone)
            case let .failure(refusal): return .init(errorCode: refusal.code, errorMessage: refusal.message)
            }
        })
    }

    private func split<T>(_ items: [T], _ allowed: (T) -> Bool) -> ([T], [T]) {
        var yes: [T] = [], no: [T] = []
        for item in items { if allowed(item) { yes.append(item) } else { no.append(item) } }
        return (yes, no)
    }
}
