import KafkaProtocol
import NIOCore

/// Committed offsets: OffsetCommit (checked against the member's generation), their records in
/// `__consumer_offsets`, OffsetFetch, and the group listings.
extension GroupCoordinator {

    package func commit(_ r: OffsetCommitRequest) -> EventLoopFuture<OffsetCommitResponse> {
        @Sendable func all(_ code: KafkaErrorCode) -> OffsetCommitResponse {
            OffsetCommitResponse(topics: r.topics.map { t in PartitionErrors(topic: t.name, partitions: t.partitions.map { ($0.partitionIndex, code) }) })
        }
        guard !r.groupId.isEmpty else { return loop.makeSucceededFuture(all(.invalidGroupId)) }
        let group = groups[r.groupId]
        if r.generationId >= 0 || !r.memberId.isEmpty {
            // A group member's commit: it must be in the current generation.
            if let group, isFenced(group, memberId: r.memberId, instance: r.groupInstanceId) { return loop.makeSucceededFuture(all(.fencedInstanceId)) }
            guard let group, let member = group.member(r.memberId) else { return loop.makeSucceededFuture(all(.unknownMemberId)) }
            guard r.generationId == group.generation else { return loop.makeSucceededFuture(all(.illegalGeneration)) }
            if group.state == .completingRebalance { return loop.makeSucceededFuture(all(.rebalanceInProgress)) }
            touch(member, in: group)
        } else if let group, !group.members.isEmpty {
            // A standalone commit into a group that has live members would fight them.
            return loop.makeSucceededFuture(all(.unknownMemberId))
        }
        let now = Engine.nowMs()
        var records: [OffsetRecord] = []
        let topics = r.topics.map { t in
            PartitionErrors(topic: t.name, partitions: t.partitions.map { p -> (index: Int32, errorCode: KafkaErrorCode) in
                guard log.partition(t.name, p.partitionIndex) != nil else { return (p.partitionIndex, .unknownTopicOrPartition) }
                if (p.committedMetadata?.utf8.count ?? 0) > 4096 { return (p.partitionIndex, KafkaErrorCode(12)) }   // OFFSET_METADATA_TOO_LARGE
                records.append(OffsetRecord(group: r.groupId, topic: t.name, partition: p.partitionIndex,
                                            value: .init(offset: p.committedOffset, leaderEpoch: p.committedLeaderEpoch,
                                                         metadata: p.committedMetadata ?? "", commitTimestamp: now)))
                return (p.partitionIndex, .none)
            })
        }
        return persist(records).map { OffsetCommitResponse(topics: topics) }.flatMapErrorThrowing { _ in all(.kafkaStorageError) }
    }

    /// Writes offset records durably, then applies them.
    func persist(_ records: [OffsetRecord]) -> EventLoopFuture<Void> {
        guard !records.isEmpty else { return loop.makeSucceededVoidFuture() }
        let state: PartitionState
        do {
            let states = try log.internalTopic(Self.offsetsTopic, partitions: Self.offsetsPartitions)
            state = states[Int(Self.partition(for: records[0].group, of: Int32(states.count)))]
        } catch { return loop.makeFailedFuture(error) }
        let batch = RecordBatch.encode(baseTimestamp: Engine.nowMs(), records: records.enumerated().map { i, r in
            var rec = r.record
            rec.offsetDelta = Int32(i)
            return rec
        })
        return log.appendInternal(state, batch: batch).map { for r in records { self.apply(r) } }
    }

    /// Kafka's placement: a group's offsets live in partition hash(group) mod partitions.
    static func partition(for group: String, of count: Int32) -> Int32 {
        var h: UInt32 = 0
        for b in group.utf8 { h = h &* 31 &+ UInt32(b) }
        return Int32(h % UInt32(max(1, count)))
    }

    /// `pending` names, per group, the partitions with offsets committed in a transaction still open.
    func fetchOffsets(_ r: OffsetFetchRequest, pending pendingOf: (String) -> Set<TopicPartitionKey>) -> OffsetFetchResponse {
        OffsetFetchResponse(groups: r.groups.map { g in
            let group = groups[g.groupId]
            let pending = pendingOf(g.groupId)
            let wanted: [(String, [Int32])] = g.topics.map { $0.map { ($0.topic, $0.partitions) } }
                ?? Dictionary(grouping: (group?.offsets.keys.sorted() ?? []), by: \.topic).sorted { $0.key < $1.key }.map { ($0.key, $0.value.map(\.partition)) }
            return .init(groupId: g.groupId, topics: wanted.map { topic, parts in
                .init(name: topic, partitions: parts.map { p in
                    let key = TopicPartitionKey(topic: topic, partition: p)
                    if r.requireStable && pending.contains(key) {
                        return .init(partitionIndex: p, committedOffset: -1, metadata: "", errorCode: .unstableOffsetCommit)
                    }
                    guard let c = group?.offsets[key] else { return .init(partitionIndex: p, committedOffset: -1, metadata: "") }
                    return .init(partitionIndex: p, committedOffset: c.offset, committedLeaderEpoch: c.leaderEpoch, metadata: c.metadata)
                })
            })
        })
    }

    /// Deletes groups that have no members, with their committed offsets (tombstones in
    /// `__consumer_offsets`), as `kafka-consumer-groups --delete` asks.
    package func delete(_ r: DeleteGroupsRequest) -> EventLoopFuture<DeleteGroupsResponse> {
        var results: [DeleteGroupsResponse.Result] = []
        var writes: [EventLoopFuture<Void>] = []
        for id in r.groupsNames {
            guard let group = groups[id] else {
                results.append(.init(groupId: id, errorCode: .groupIdNotFound))
                continue
            }
            expireOverdueMembers(group)
            guard group.members.isEmpty, group.state == .empty || group.state == .dead else {
                results.append(.init(groupId: id, errorCode: .nonEmptyGroup))
                continue
            }
            let tombstones = group.offsets.keys.map { OffsetRecord(group: id, topic: $0.topic, partition: $0.partition, value: nil) }
            group.pendingIds = []
            writes.append(persist(tombstones).map {
                if let g = self.groups[id], g.members.isEmpty, g.offsets.isEmpty { self.groups[id] = nil }
            })
            logger.info("group deleted", metadata: ["group": "\(id)", "offsets": "\(tombstones.count)"])
            results.append(.init(groupId: id))
        }
        let done = results
        return EventLoopFuture.whenAllSucceed(writes, on: loop).map { _ in DeleteGroupsResponse(results: done) }.flatMapErrorThrowing { _ in
            DeleteGroupsResponse(results: done.map { $0.errorCode.isOK ? .init(groupId: $0.groupId, errorCode: .kafkaStorageError) : $0 })
        }
    }

    /// Deletes some of a group's committed offsets; refused (GROUP_SUBSCRIBED_TO_TOPIC) for a
    /// topic its live members subscribe to, as Kafka does, since they would commit again.
    package func deleteOffsets(_ r: OffsetDeleteRequest) -> EventLoopFuture<OffsetDeleteResponse> {
        guard let group = groups[r.groupId] else { return loop.makeSucceededFuture(OffsetDeleteResponse(errorCode: .groupIdNotFound, topics: [])) }
        let subscribed = subscribedTopics(group)
        var tombstones: [OffsetRecord] = []
        let topics = r.topics.map { t in
            PartitionErrors(topic: t.topic, partitions: t.partitions.map { p -> (index: Int32, errorCode: KafkaErrorCode) in
                if subscribed.contains(t.topic) { return (p, .groupSubscribedToTopic) }
                if group.offsets[TopicPartitionKey(topic: t.topic, partition: p)] != nil {
                    tombstones.append(OffsetRecord(group: r.groupId, topic: t.topic, partition: p, value: nil))
                }
                return (p, .none)
            })
        }
        if !tombstones.isEmpty { logger.info("offsets deleted", metadata: ["group": "\(r.groupId)", "partitions": "\(tombstones.count)"]) }
        let answer = OffsetDeleteResponse(topics: topics)
        return persist(tombstones).map { answer }.flatMapErrorThrowing { _ in OffsetDeleteResponse(errorCode: .kafkaStorageError, topics: []) }
    }

    /// Topics the group's members subscribe to (consumer protocol metadata of the chosen protocol).
    private func subscribedTopics(_ group: Group) -> Set<String> {
        guard group.protocolType == "consumer", let name = group.protocolName else { return [] }
        var out: Set<String> = []
        for m in group.members {
            if let s = try? ConsumerProtocolSubscription(decoding: m.metadata(for: name)) { out.formUnion(s.topics) }
        }
        return out
    }

    package func list(_ r: ListGroupsRequest) -> ListGroupsResponse {
        for g in Array(groups.values) { expireOverdueMembers(g) }
        return ListGroupsResponse(groups: groups.values.sorted { $0.id < $1.id }.compactMap { g in
            guard r.statesFilter.isEmpty || r.statesFilter.contains(g.state.rawValue) else { return nil }
            return .init(groupId: g.id, protocolType: g.protocolType ?? "consumer", groupState: g.state.rawValue, groupType: "classic")
        })
    }

    package func describe(_ r: DescribeGroupsRequest) -> DescribeGroupsResponse {
        for id in r.groups { if let g = groups[id] { expireOverdueMembers(g) } }
        return DescribeGroupsResponse(groups: r.groups.map { id in
            guard let g = groups[id] else {
                return .init(groupId: id, groupState: State.dead.rawValue, protocolType: "", protocolData: "", members: [])
            }
            let stable = g.state == .stable
            return .init(groupId: id, groupState: g.state.rawValue, protocolType: g.protocolType ?? "",
                         protocolData: g.protocolName ?? "", members: g.members.map { m in
                             .init(memberId: m.id, groupInstanceId: m.groupInstanceId, clientId: m.clientId, clientHost: m.host,
                                   memberMetadata: g.protocolName.map { m.metadata(for: $0) } ?? [], memberAssignment: stable ? m.assignment : [])
                         })
        })
    }
}
