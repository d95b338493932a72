import KafkaProtocol

extension KafkaClient {
    /// Groups known to every broker in the cluster, merged (metadata is read first if no broker
    /// is known yet).
    /// A broker that fails is reported in `errors` rather than failing the whole listing.
    public func listGroups() async -> (groups: [ListGroupsResponse.Group], errors: [String]) {
        // Groups live on every broker: without the broker list there is nobody to ask yet.
        if brokers.isEmpty {
            do { _ = try await metadata() } catch { return ([], [BrokerConnection.describe(error)]) }
        }
        var merged: [String: ListGroupsResponse.Group] = [:]
        var errors: [String] = []
        await withTaskGroup(of: Result<ListGroupsResponse, Error>.self) { tasks in
            for nodeId in brokers.keys.sorted() {
                guard let address = brokers[nodeId] else { continue }
                tasks.addTask { await Result { try await self.send(ListGroupsRequest(), to: address) } }
            }
            for await result in tasks {
                switch result {
                case let .success(r):
                    if !r.errorCode.isOK { errors.append("ListGroups: \(r.errorCode)") }
                    for g in r.groups { merged[g.groupId] = g }
                case let .failure(e):
                    errors.append(BrokerConnection.describe(e))
                }
            }
        }
        return (merged.values.sorted { $0.groupId < $1.groupId }, errors)
    }

    /// Looks up (and caches) the group coordinators of `groups` that are not cached yet, batched
    /// (FindCoordinator v4+) where the broker allows; answers are cached until a call reports
    /// NOT_COORDINATOR.
    public func findCoordinators(_ groups: [String]) async throws {
        if let m = routingMemo, m.generation == coordinatorGeneration, m.groups == groups { return }
        let missing = groups.filter { coordinatorCache[$0] == nil }
        if !missing.isEmpty {
            guard let any = brokers.keys.sorted().first.flatMap({ brokers[$0] }) ?? configuration.bootstrap.first else {
                throw KafkaClientError.bootstrapFailed(servers: [], reason: "no brokers known")
            }
            let v = try await version(of: .findCoordinator, at: any)
            if v >= 4 {
                for chunk in missing.chunked(into: 1000) {
                    let r = try await send(FindCoordinatorRequest(keys: chunk), to: any, version: v)
                    for c in r.coordinators where c.errorCode.isOK { coordinatorCache[c.key] = c.nodeId; learn(c) }
                }
            } else {
                try await withThrowingTaskGroup(of: (String, FindCoordinatorResponse).self) { tasks in
                    for g in missing {
                        tasks.addTask { (g, try await self.send(FindCoordinatorRequest(keys: [g]), to: any, version: v)) }
                    }
                    for try await (g, r) in tasks {
                        if let c = r.coordinators.first, c.errorCode.isOK { coordinatorCache[g] = c.nodeId; learn(c) }
                    }
                }
            }
        }
    }

    private func learn(_ c: FindCoordinatorResponse.Coordinator) {
        if brokers[c.nodeId] == nil { brokers[c.nodeId] = BrokerAddress(host: c.host, port: Int(c.port)) }
    }

    func forgetCoordinator(_ group: String) { coordinatorCache[group] = nil }

    /// Groups by coordinator; groups whose coordinator is unknown go under `nil`.
    private func byCoordinator(_ groups: [String]) async throws -> [Int32?: [String]] {
        if let m = routingMemo, m.generation == coordinatorGeneration, m.groups == groups { return m.routed }
        try await findCoordinators(groups)
        let routed = Dictionary(grouping: groups) { coordinatorCache[$0] }
        // Only a routing without unknown coordinators is reused: those are looked up again next time.
        routingMemo = routed[nil] == nil ? (groups, coordinatorGeneration, routed) : nil
        return routed
    }

    /// DescribeGroups, one request per coordinator. Per-group failures come back as error groups.
    public func describeGroups(_ groups: [String]) async throws -> [DescribeGroupsResponse.Group] {
        var out: [DescribeGroupsResponse.Group] = []
        let routed = try await byCoordinator(groups)
        await withTaskGroup(of: [DescribeGroupsResponse.Group].self) { tasks in
            for (node, names) in routed {
                tasks.addTask {
                    guard let node, let address = try? await self.address(of: node) else {
                        return names.map { .init(errorCode: .coordinatorNotAvailable, groupId: $0, groupState: "", protocolType: "", protocolData: "", members: []) }
                    }
                    do {
                        return try await self.send(DescribeGroupsRequest(groups: names), to: address).groups
                    } catch {
                        return names.map { .init(errorCode: .coordinatorNotAvailable, groupId: $0, groupState: "", protocolType: "", protocolData: "", members: []) }
                    }
                }
            }
            for await part in tasks { out += part }
        }
        for g in out where g.errorCode == .notCoordinator || g.errorCode == .coordinatorNotAvailable { forgetCoordinator(g.groupId) }
        return out
    }

    /// Committed offsets of each group (all partitions it has committed), batched per coordinator
    /// with OffsetFetch v8+; one request per group on older brokers, sent concurrently. Each
    /// group's offsets come sorted by topic and partition.
    public func committedOffsets(_ groups: [String]) async throws -> [String: Result<[CommittedPartitionOffset], KafkaClientError>] {
        var out: [String: Result<[CommittedPartitionOffset], KafkaClientError>] = [:]
        let routed = try await byCoordinator(groups)
        for (node, names) in routed where node == nil {
            for g in names { out[g] = .failure(.brokerError(api: .findCoordinator, broker: "?", code: .coordinatorNotAvailable)) }
        }
        await withTaskGroup(of: [(String, Result<[CommittedPartitionOffset], KafkaClientError>)].self) { tasks in
            for (node, names) in routed {
                guard let node else { continue }
                tasks.addTask { await self.offsetFetch(names, coordinator: node) }
            }
            for await part in tasks { for (g, r) in part { out[g] = r } }
        }
        return out
    }

    private func offsetFetch(_ names: [String], coordinator: Int32) async -> [(String, Result<[CommittedPartitionOffset], KafkaClientError>)] {
        func asClientError(_ e: Error) -> KafkaClientError {
            (e as? KafkaClientError) ?? .connectFailed(broker: "\(coordinator)", reason: "\(e)")
        }
        do {
            let address = try address(of: coordinator)
            let v = try await version(of: .offsetFetch, at: address)
            var groups: [OffsetFetchResponse.Group] = []
            if v >= 8 {
                for chunk in names.chunked(into: 5000) {
                    let r = try await send(OffsetFetchRequest(groups: chunk.map { .init(groupId: $0) }), to: address, version: v)
                    groups += r.groups
                }
            } else {
                try await withThrowingTaskGroup(of: OffsetFetchResponse.Group.self) { tasks in
                    for g in names {
                        tasks.addTask {
                            var r = try await self.send(OffsetFetchRequest(groups: [.init(groupId: g)]), to: address, version: max(v, 2)).groups[0]
                            r.groupId = g
                            return r
                        }
                    }
                    for try await g in tasks { groups.append(g) }
                }
            }
            return groups.map { g in
                if !g.errorCode.isOK {
                    if g.errorCode == .notCoordinator { forgetCoordinator(g.groupId) }
                    return (g.groupId, .failure(.brokerError(api: .offsetFetch, broker: address.description, code: g.errorCode)))
                }
                var offsets: [CommittedPartitionOffset] = []
                for t in g.topics {
                    for p in t.partitions where p.errorCode.isOK && p.committedOffset >= 0 {
                        offsets.append(CommittedPartitionOffset(topic: t.name, partition: p.partitionIndex, offset: p.committedOffset))
                    }
                }
                // Brokers usually answer in order; sort only when this one did not.
                if !zip(offsets, offsets.dropFirst()).allSatisfy({ ($0.topic, $0.partition) < ($1.topic, $1.partition) }) {
                    offsets.sort { ($0.topic, $0.partition) < ($1.topic, $1.partition) }
                }
                return (g.groupId, .success(offsets))
            }
        } catch {
            for g in names { forgetCoordinator(g) }
            return names.map { ($0, .failure(asClientError(error))) }
        }
    }
}

extension Array {
    func chunked(into size: Int) -> [[Element]] {
        stride(from: 0, to: count, by: size).map { Array(self[$0..<Swift.min($0 + size, count)]) }
    }
}

extension Result where Failure == Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}

/// A group's committed offset on one partition, as OffsetFetch reports it.
public struct CommittedPartitionOffset: Sendable, Equatable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    public init(topic: String, partition: Int32, offset: Int64) { self.topic = topic; self.partition = partition; self.offset = offset }
}
