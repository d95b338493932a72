import KafkaClient
import KafkaProtocol
import ConsoleModel

/// Turns a ``KafkaClient``'s answers into one ``KafkaSnapshot`` per call.
///
/// One refresh is: DescribeGroups and OffsetFetch (per coordinator, batched) and Fetch (per
/// leader) for end offsets; every `discoveryEvery` refreshes — and whenever a leader or the
/// connection looks wrong — Metadata and ListGroups (per broker) too, the way a Kafka client
/// keeps metadata for a while and refreshes it on errors. The number of round trips grows with
/// brokers and coordinators, not with groups or partitions.
public actor KafkaPoller {
    public let client: any KafkaReading
    /// Refreshes between re-reads of the topic and group lists (5 × 2 s by default).
    public let discoveryEvery: Int
    private var refreshes = 0
    private var lastMetadata: MetadataResponse?
    private var needsMetadata = true
    /// The partitions of `lastMetadata`'s readable topics, in its order, with their leaders and
    /// where each one's next Fetch reads from. Arrays, not a dictionary keyed by topic-partition:
    /// a refresh of 10,000 partitions then hashes nothing.
    private var plan: [TopicPlan] = []
    /// True while every led partition has a fetch position (so none needs ListOffsets).
    private var positionsComplete = false
    /// Bumped whenever `plan` is rebuilt.
    private var planGeneration = 0
    /// The previous reading's topics and the answers they were made from: a topic whose answers
    /// did not change is handed on as the same value (no per-partition copies for idle topics).
    private var previousTopics: (generation: Int, answers: [[PartitionOffsets]], topics: [KafkaSnapshot.Topic])?

    private struct TopicPlan {
        var name: String
        var partitions: [Int32]
        /// Negative where the partition has no leader.
        var leaders: [Int32]
        /// The previous high watermark; `nil` until one is known.
        var positions: [Int64?]
    }
    /// Restricts the reading to these groups (all when empty).
    public let groupFilter: Set<String>

    public init(client: any KafkaReading, groups: [String] = [], discoveryEvery: Int = 5) {
        self.client = client
        self.groupFilter = Set(groups)
        self.discoveryEvery = max(1, discoveryEvery)
    }

    /// One reading; failures become an error observation, never a thrown error.
    public func poll(now: @Sendable () -> Double) async -> Observation {
        do {
            return .kafka(try await snapshot(now: now))
        } catch {
            return .kafkaError(time: now(), message: String(describing: error))
        }
    }

    public func snapshot(now: @Sendable () -> Double) async throws -> KafkaSnapshot {
        // The group path (ListGroups, DescribeGroups, OffsetFetch) and the partition path
        // (Metadata, then Fetch) run side by side; a refresh takes the longer of the two.
        let discover = refreshes % discoveryEvery == 0
        refreshes += 1
        async let groupsRead = readGroups(discover: discover)
        let metadata: MetadataResponse
        if let cached = lastMetadata, !discover, !needsMetadata {
            metadata = cached
        } else {
            do { metadata = try await client.metadata(topics: nil) } catch {
                _ = await groupsRead
                throw error
            }
            lastMetadata = metadata
            needsMetadata = false
            replan(metadata)
        }
        var errors: [String] = []
        for t in metadata.topics where !t.errorCode.isOK { errors.append("topic \(t.name): \(t.errorCode)") }

        let offsets = await readEndOffsets()
        try checkEndOffsets(offsets)
        let (groupList, groupErrors) = await groupsRead
        errors += groupErrors
        let time = now()

        let reuse = previousTopics.flatMap { $0.generation == planGeneration && offsets.failures.isEmpty ? $0 : nil }
        let topics = zip(metadata.topics.filter { $0.errorCode.isOK }, offsets.offsets).enumerated().map { ti, topic in
            let (t, answers) = topic
            if let reuse, reuse.answers[ti] == answers { return reuse.topics[ti] }
            return KafkaSnapshot.Topic(name: t.name, isInternal: t.isInternal, partitions: zip(t.partitions, answers).map { p, o in
                var part = KafkaSnapshot.Partition(partition: p.partitionIndex, leader: p.leaderId, replicas: p.replicaNodes,
                                                   isr: p.isrNodes, highWatermark: o.highWatermark, logStartOffset: o.logStartOffset)
                if let code = o.error {
                    part.error = KafkaClientError.brokerError(api: .fetch, broker: "node \(p.leaderId)", code: code).description
                } else if o.highWatermark == nil {
                    if p.leaderId < 0 { part.error = p.errorCode.isOK ? "no leader" : p.errorCode.description }
                    else { part.error = offsets.failures[p.leaderId]?.description ?? "no answer from node \(p.leaderId)" }
                }
                return part
            })
        }
        previousTopics = (planGeneration, offsets.offsets, topics)
        return KafkaSnapshot(time: time, clusterId: metadata.clusterId,
                             brokers: metadata.brokers.map { .init(nodeId: $0.nodeId, host: $0.host, port: $0.port, rack: $0.rack) },
                             topics: topics, groups: groupList, errors: errors)
    }

    /// Leadership errors ask for fresh metadata next time; when no leader could be reached at
    /// all, the cluster is down for this refresh, and that is an error, not a reading.
    private func checkEndOffsets(_ offsets: EndOffsets) throws {
        let reachedOne = offsets.offsets.contains { $0.contains { !$0.isUnread } }
        for answers in offsets.offsets {
            if answers.contains(where: { $0.error == .notLeaderOrFollower || $0.error == .unknownTopicOrPartition || $0.error == .leaderNotAvailable }) {
                needsMetadata = true
                break
            }
        }
        if !offsets.failures.isEmpty { needsMetadata = true }
        if !reachedOne, let e = offsets.failures.sorted(by: { $0.key < $1.key }).first?.value { throw e }
    }

    /// Rebuilds the plan from fresh metadata, keeping the fetch positions of partitions it already had.
    private func replan(_ metadata: MetadataResponse) {
        let previous = Dictionary(plan.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        plan = metadata.topics.filter { $0.errorCode.isOK }.map { t in
            let partitions = t.partitions.map(\.partitionIndex)
            var positions = [Int64?](repeating: nil, count: partitions.count)
            if let old = previous[t.name] {
                if old.partitions == partitions { positions = old.positions } else {
                    let known = Dictionary(zip(old.partitions, old.positions), uniquingKeysWith: { a, _ in a })
                    positions = partitions.map { known[$0] ?? nil }
                }
            }
            return TopicPlan(name: t.name, partitions: partitions, leaders: t.partitions.map(\.leaderId), positions: positions)
        }
        positionsComplete = false
        planGeneration += 1
    }

    /// High watermarks from Fetch, at the previous high watermark, aligned with `plan`; partitions
    /// seen for the first time (or whose position fell out of range) get a position from
    /// ListOffsets first.
    private func readEndOffsets() async -> EndOffsets {
        var result = EndOffsets(offsets: plan.map { [PartitionOffsets](repeating: .unread, count: $0.partitions.count) }, failures: [:])
        var todo = plan.indices.map { (topic: $0, indices: Array(plan[$0].partitions.indices)) }
        for attempt in 0..<2 {
            if !(attempt == 0 && positionsComplete) { await findPositions(todo) }
            let queries = todo.map { w in
                let t = plan[w.topic]
                return EndOffsetQuery(topic: t.name, partitions: w.indices.map { t.partitions[$0] }, leaders: w.indices.map { t.leaders[$0] },
                                      positions: w.indices.map { t.positions[$0] ?? 0 })
            }
            let answers = await client.fetchOffsets(queries)
            result.failures.merge(answers.failures) { a, _ in a }
            var retry: [(topic: Int, indices: [Int])] = []
            for (w, topicAnswers) in zip(todo, answers.offsets) {
                var again: [Int] = []
                for (i, o) in zip(w.indices, topicAnswers) {
                    result.offsets[w.topic][i] = o
                    if let hw = o.highWatermark {
                        plan[w.topic].positions[i] = hw
                    } else if o.error == .offsetOutOfRange && attempt == 0 {
                        plan[w.topic].positions[i] = nil
                        again.append(i)
                    } else if plan[w.topic].leaders[i] >= 0 {
                        plan[w.topic].positions[i] = nil
                    }
                }
                if !again.isEmpty { retry.append((w.topic, again)) }
            }
            if retry.isEmpty { break }
            todo = retry
        }
        // Complete when every led partition has a position for the next Fetch.
        positionsComplete = plan.allSatisfy { t in zip(t.leaders, t.positions).allSatisfy { $0 < 0 || $1 != nil } }
        return result
    }

    /// ListOffsets(LATEST) for the partitions of `todo` that have a leader but no fetch position.
    private func findPositions(_ todo: [(topic: Int, indices: [Int])]) async {
        var unknown: [TopicPartition: Int32] = [:]
        var slot: [TopicPartition: (Int, Int)] = [:]
        for w in todo {
            let t = plan[w.topic]
            for i in w.indices where t.positions[i] == nil && t.leaders[i] >= 0 {
                let tp = TopicPartition(t.name, t.partitions[i])
                unknown[tp] = t.leaders[i]
                slot[tp] = (w.topic, i)
            }
        }
        guard !unknown.isEmpty else { return }
        for (tp, r) in await client.listOffsets(unknown, timestamp: ListOffsetsRequest.latest) {
            if case let .success(o) = r, let (ti, i) = slot[tp] { plan[ti].positions[i] = o }
        }
    }

    /// Groups of the last reading are described and fetched while ListGroups runs; groups it
    /// reveals as new are read right after, and groups it no longer lists are dropped.
    private func readGroups(discover: Bool) async -> ([KafkaSnapshot.Group], [String]) {
        if !groupFilter.isEmpty {
            return await describeAndFetch(filterIds)
        }
        let known = knownGroups
        if !discover && !known.isEmpty {
            return await describeAndFetch(known)
        }
        async let listing = client.listGroups()
        async let early = describeAndFetch(known)
        let (listed, (earlyGroups, earlyErrors)) = await (listing, early)
        var errors = listed.errors + earlyErrors
        guard listed.errors.isEmpty || !listed.groups.isEmpty else {
            // No broker answered ListGroups: keep reporting the groups we know.
            return (earlyGroups, errors)
        }
        let ids = listed.groups.map(\.groupId).sorted()
        var groups = Dictionary(earlyGroups.map { ($0.groupId, $0) }, uniquingKeysWith: { a, _ in a })
        let fresh = ids.filter { groups[$0] == nil }
        if !fresh.isEmpty {
            let (more, moreErrors) = await describeAndFetch(fresh)
            for g in more { groups[g.groupId] = g }
            errors += moreErrors
        }
        let types = Dictionary(listed.groups.map { ($0.groupId, $0.protocolType) }, uniquingKeysWith: { a, _ in a })
        knownGroups = ids
        return (ids.compactMap { id in
            guard var g = groups[id] else { return nil }
            if g.protocolType.isEmpty { g.protocolType = types[id] ?? "" }
            return g
        }, errors)
    }

    private var knownGroups: [String] = []
    private lazy var filterIds = Array(groupFilter).sorted()

    /// Reads `ids` (DescribeGroups and OffsetFetch side by side); the groups come back in `ids`' order.
    private func describeAndFetch(_ ids: [String]) async -> ([KafkaSnapshot.Group], [String]) {
        guard !ids.isEmpty else { return ([], []) }
        var errors: [String] = []
        // Look coordinators up once here, not twice concurrently below. A failure is reported, and
        // the calls below still try (they look coordinators up themselves).
        do { try await client.findCoordinators(ids) } catch { errors.append("FindCoordinator: \(error)") }
        let client = self.client
        async let described: Result<[DescribeGroupsResponse.Group], Error> = { do { return .success(try await client.describeGroups(ids)) } catch { return .failure(error) } }()
        async let committed: Result<[String: Result<[CommittedPartitionOffset], KafkaClientError>], Error> = {
            do { return .success(try await client.committedOffsets(ids)) } catch { return .failure(error) }
        }()
        let (describedResult, committedResult) = await (described, committed)
        let desc = try? describedResult.get()
        let offs = try? committedResult.get()
        var describeFailure: String?
        if case let .failure(e) = describedResult {
            describeFailure = "\(e)"
            errors.append("DescribeGroups: \(e)")
        }
        var offsetFailure: String?
        if case let .failure(e) = committedResult { offsetFailure = "\(e)" }
        // One coordinator answers in the order asked; several (or a reordering broker) need a lookup.
        let inOrder = desc.map { d in d.count == ids.count && zip(d, ids).allSatisfy { $0.groupId == $1 } } ?? false
        let descById = inOrder ? [:] : Dictionary((desc ?? []).map { ($0.groupId, $0) }, uniquingKeysWith: { a, _ in a })
        let out = ids.enumerated().map { i, id in
            var g = KafkaSnapshot.Group(groupId: id, state: "", protocolType: "")
            if let d = inOrder ? desc?[i] : descById[id] {
                if d.errorCode.isOK {
                    g.state = d.groupState
                    g.protocolType = d.protocolType
                    g.assignor = d.protocolData
                    g.members = d.members.map { Self.member($0, protocolType: d.protocolType) }
                } else {
                    g.error = "DescribeGroups: \(d.errorCode)"
                }
            } else {
                g.error = "DescribeGroups: " + (describeFailure ?? "no answer")
            }
            switch offs?[id] {
            case let .success(list)?:
                g.offsets = list.map { CommittedOffset(topic: $0.topic, partition: $0.partition, offset: $0.offset) }
            case let .failure(e)?:
                g.error = "OffsetFetch: \(e)"
            case nil:
                g.error = "OffsetFetch: " + (offsetFailure ?? "no answer")
            }
            return g
        }
        return (out, errors)
    }

    /// Decodes the consumer protocol's assignment; `nil` when the broker sends none (tansu) or it
    /// is not a consumer group.
    static func member(_ m: DescribeGroupsResponse.Member, protocolType: String) -> KafkaSnapshot.Member {
        var assignment: [PartitionRef]?
        if protocolType == "consumer", !m.memberAssignment.isEmpty,
           let a = try? ConsumerProtocolAssignment(decoding: m.memberAssignment) {
            assignment = a.assignedPartitions.flatMap { tp in tp.partitions.map { PartitionRef(tp.topic, $0) } }
        }
        return KafkaSnapshot.Member(memberId: m.memberId, clientId: m.clientId, clientHost: m.clientHost, assignment: assignment)
    }
}
