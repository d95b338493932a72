import KafkaProtocol
import Logging
import NIOCore

/// The classic consumer-group protocol (JoinGroup/SyncGroup/Heartbeat/LeaveGroup) and committed
/// offsets. It never looks inside the members' protocol metadata or assignments: the leader
/// member assigns, so eager (range, roundrobin) and cooperative-sticky clients both work.
/// Runs on the engine's event loop.
package final class GroupCoordinator: @unchecked Sendable {   // confined to the engine loop
    static let offsetsTopic = "__consumer_offsets"
    static let offsetsPartitions: Int32 = 1

    enum State: String {
        case empty = "Empty"
        case preparingRebalance = "PreparingRebalance"
        case completingRebalance = "CompletingRebalance"
        case stable = "Stable"
        case dead = "Dead"
    }

    final class Member: @unchecked Sendable {
        let id: String
        var groupInstanceId: String?
        var clientId: String
        var host: String
        var sessionTimeoutMs: Int32
        var rebalanceTimeoutMs: Int32
        var protocols: [JoinGroupRequest.GroupProtocol]
        var assignment: [UInt8] = []
        var joinPromise: EventLoopPromise<JoinGroupResponse>?
        var syncPromise: EventLoopPromise<SyncGroupResponse>?
        var sessionTimer: Scheduled<Void>?
        /// When the session runs out without another heartbeat (the timer above fires then).
        var sessionDeadline: NIODeadline = .distantFuture
        init(id: String, groupInstanceId: String?, clientId: String, host: String, sessionTimeoutMs: Int32, rebalanceTimeoutMs: Int32,
             protocols: [JoinGroupRequest.GroupProtocol]) {
            self.id = id; self.groupInstanceId = groupInstanceId; self.clientId = clientId; self.host = host
            self.sessionTimeoutMs = sessionTimeoutMs; self.rebalanceTimeoutMs = rebalanceTimeoutMs; self.protocols = protocols
        }
        func metadata(for name: String) -> [UInt8] { protocols.first { $0.name == name }?.metadata ?? [] }
    }

    final class Group: @unchecked Sendable {
        let id: String
        var state: State = .empty
        var generation: Int32 = 0
        var protocolType: String?
        var protocolName: String?
        var leader: String?
        /// In join order, so the first member to join leads.
        var members: [Member] = []
        /// Member ids handed out with MEMBER_ID_REQUIRED and not yet used (KIP-394).
        var pendingIds: Set<String> = []
        var rebalanceTimer: Scheduled<Void>?
        /// Set while a rebalance that began in an empty group waits for more members (Kafka's
        /// group.initial.rebalance.delay.ms): what is left of the rebalance timeout to extend it by, and
        /// whether a new member came during the current wait.
        var initialDelay: (remainingMs: Int64, newMemberAdded: Bool)?
        var offsets: [TopicPartitionKey: OffsetRecord.Committed] = [:]
        init(id: String) { self.id = id }
        func member(_ id: String) -> Member? { members.first { $0.id == id } }
    }

    struct TopicPartitionKey: Hashable, Comparable {
        var topic: String
        var partition: Int32
        static func < (a: Self, b: Self) -> Bool { (a.topic, a.partition) < (b.topic, b.partition) }
    }

    let log: CoordinatorLog
    let configuration: EngineConfiguration
    let logger: Logger
    let loop: EventLoop
    var groups: [String: Group] = [:]
    var memberSerial = 0

    init(log: CoordinatorLog, configuration: EngineConfiguration, loop: EventLoop, logger: Logger) {
        self.log = log; self.configuration = configuration; self.loop = loop; self.logger = logger
    }

    /// Rebuilds committed offsets from the offsets topic (the last record per key wins).
    func load() throws {
        guard let states = log.partitions(of: Self.offsetsTopic) else { return }
        var restored = 0
        for state in states {
            try state.forEachRecord { batch, record in
                // Offsets written inside a transaction count only once it committed; the
                // transaction coordinator re-applies those when it replays the markers.
                guard !batch.isControl, !batch.isTransactional, let rec = try OffsetRecord(key: record.key, value: record.value) else { return }
                apply(rec)
                restored += 1
            }
        }
        if restored > 0 { logger.info("committed offsets restored", metadata: ["records": "\(restored)", "groups": "\(groups.count)"]) }
    }

    func apply(_ rec: OffsetRecord) {
        let group = groups[rec.group] ?? Group(id: rec.group)
        groups[rec.group] = group
        let key = TopicPartitionKey(topic: rec.topic, partition: rec.partition)
        if let value = rec.value { group.offsets[key] = value } else { group.offsets[key] = nil }
        if group.offsets.isEmpty && group.members.isEmpty { groups[rec.group] = nil }
    }

    /// Cancels timers and tells members still waiting in JoinGroup or SyncGroup to look for the
    /// coordinator again (it is going away).
    func stop() {
        for g in groups.values {
            g.rebalanceTimer?.cancel()
            for m in g.members {
                m.sessionTimer?.cancel()
                let join = m.joinPromise, sync = m.syncPromise
                m.joinPromise = nil
                m.syncPromise = nil
                join?.succeed(JoinGroupResponse(errorCode: .coordinatorNotAvailable, protocolName: nil, leader: "", memberId: m.id))
                sync?.succeed(SyncGroupResponse(errorCode: .coordinatorNotAvailable, assignment: []))
            }
        }
    }

    /// Drops a deleted topic's committed offsets (in memory and with tombstones).
    func forget(topic: String) {
        for g in groups.values {
            let keys = g.offsets.keys.filter { $0.topic == topic }
            guard !keys.isEmpty else { continue }
            _ = persist(keys.map { OffsetRecord(group: g.id, topic: $0.topic, partition: $0.partition, value: nil) })
        }
    }

    // MARK: - Membership

    package func join(_ r: JoinGroupRequest, version: Int16, clientId: String, host: String) -> EventLoopFuture<JoinGroupResponse> {
        func fail(_ code: KafkaErrorCode, memberId: String = r.memberId) -> EventLoopFuture<JoinGroupResponse> {
            loop.makeSucceededFuture(JoinGroupResponse(errorCode: code, protocolName: nil, leader: "", memberId: memberId))
        }
        guard !r.groupId.isEmpty else { return fail(.invalidGroupId) }
        guard (configuration.minSessionTimeoutMs...configuration.maxSessionTimeoutMs).contains(r.sessionTimeoutMs) else {
            return fail(.invalidSessionTimeout)
        }
        guard !r.protocolType.isEmpty, !r.protocols.isEmpty else { return fail(.inconsistentGroupProtocol) }
        let group = groups[r.groupId] ?? Group(id: r.groupId)
        groups[r.groupId] = group
        if let type = group.protocolType, !group.members.isEmpty,
           type != r.protocolType || !group.members.contains(where: { m in m.protocols.contains { p in r.protocols.contains { $0.name == p.name } } }) {
            return fail(.inconsistentGroupProtocol)
        }
        // Static membership (KIP-345): a group.instance.id keeps its place across restarts.
        if let instance = r.groupInstanceId, let known = group.members.first(where: { $0.groupInstanceId == instance }) {
            if r.memberId.isEmpty { return rejoinStatic(known, r, group: group, clientId: clientId, host: host) }
            if r.memberId != known.id { return fail(.fencedInstanceId) }
        }
        var memberId = r.memberId
        if memberId.isEmpty {
            memberSerial += 1
            memberId = "\(clientId.isEmpty ? "member" : clientId)-\(memberSerial)-\(UInt32.random(in: 0...UInt32.max))"
            // Since v4 a new member learns its id first and joins with it, so a join retried
            // after a lost answer cannot leave a ghost member behind (KIP-394).
            if version >= 4 && r.groupInstanceId == nil {
                group.pendingIds.insert(memberId)
                return fail(.memberIdRequired, memberId: memberId)
            }
        } else if group.member(memberId) == nil && !group.pendingIds.contains(memberId) {
            return fail(.unknownMemberId)
        }
        group.pendingIds.remove(memberId)
        let member: Member
        if let existing = group.member(memberId) {
            member = existing
            // Compared before they are replaced: a changed subscription must start a rebalance.
            let unchanged = existing.protocols == r.protocols
            member.protocols = r.protocols
            member.sessionTimeoutMs = r.sessionTimeoutMs
            member.rebalanceTimeoutMs = r.rebalanceTimeoutMs > 0 ? r.rebalanceTimeoutMs : r.sessionTimeoutMs
            // A stable member rejoining with nothing changed (a lost answer) gets the same generation back.
            if group.state == .stable && member.joinPromise == nil && unchanged && group.leader != memberId,
               let name = group.protocolName {
                touch(member, in: group)
                return loop.makeSucceededFuture(JoinGroupResponse(generationId: group.generation, protocolType: group.protocolType,
                                                                  protocolName: name, leader: group.leader ?? "", memberId: memberId))
            }
        } else {
            member = Member(id: memberId, groupInstanceId: r.groupInstanceId, clientId: clientId, host: host, sessionTimeoutMs: r.sessionTimeoutMs,
                            rebalanceTimeoutMs: r.rebalanceTimeoutMs > 0 ? r.rebalanceTimeoutMs : r.sessionTimeoutMs, protocols: r.protocols)
            group.members.append(member)
            group.protocolType = r.protocolType
            // A new group's first rebalance may wait longer for more members (see extendInitialDelay).
            if group.generation == 0 { group.initialDelay?.newMemberAdded = true }
            logger.info("member joined", metadata: ["group": "\(group.id)", "member": "\(memberId)", "client_id": "\(clientId)"])
        }
        let promise = loop.makePromise(of: JoinGroupResponse.self)
        member.joinPromise?.succeed(JoinGroupResponse(errorCode: .unknownMemberId, protocolName: nil, leader: "", memberId: memberId))
        member.joinPromise = promise
        touch(member, in: group)
        prepareRebalance(group, reason: "member \(memberId) joined")
        tryCompleteJoin(group)
        return promise.futureResult
    }

    func completeJoin(_ group: Group) {
        guard group.state == .preparingRebalance else { return }
        guard !group.members.isEmpty else {
            group.state = .empty
            group.generation += 1
            group.protocolName = nil
            group.leader = nil
            dropIfUnused(group)
            return
        }
        // The protocol every member supports, preferring the one members list earliest.
        let candidates = group.members[0].protocols.map(\.name).filter { name in group.members.allSatisfy { $0.protocols.contains { $0.name == name } } }
        guard let chosen = candidates.min(by: { a, b in votes(group, a) < votes(group, b) }) else {
            for m in group.members {
                m.joinPromise?.succeed(JoinGroupResponse(errorCode: .inconsistentGroupProtocol, protocolName: nil, leader: "", memberId: m.id))
                m.joinPromise = nil
            }
            group.members = []
            group.state = .empty
            return
        }
        group.generation += 1
        group.protocolName = chosen
        if group.leader.flatMap(group.member) == nil { group.leader = group.members[0].id }
        group.state = .completingRebalance
        let leader = group.leader!
        logger.info("rebalance joined", metadata: ["group": "\(group.id)", "generation": "\(group.generation)", "members": "\(group.members.count)",
                                                  "protocol": "\(chosen)", "leader": "\(leader)"])
        let all = group.members.map { JoinGroupResponse.Member(memberId: $0.id, groupInstanceId: $0.groupInstanceId, metadata: $0.metadata(for: chosen)) }
        for m in group.members {
            m.joinPromise?.succeed(JoinGroupResponse(generationId: group.generation, protocolType: group.protocolType, protocolName: chosen,
                                                     leader: leader, memberId: m.id, members: m.id == leader ? all : []))
            m.joinPromise = nil
            touch(m, in: group)
        }
    }

    /// Sum of preference ranks (lower is preferred by more members).
    private func votes(_ group: Group, _ name: String) -> Int {
        group.members.reduce(0) { $0 + ($1.protocols.firstIndex { $0.name == name } ?? 99) }
    }

    package func sync(_ r: SyncGroupRequest) -> EventLoopFuture<SyncGroupResponse> {
        func answer(_ code: KafkaErrorCode) -> EventLoopFuture<SyncGroupResponse> { loop.makeSucceededFuture(SyncGroupResponse(errorCode: code, assignment: [])) }
        if let group = groups[r.groupId], isFenced(group, memberId: r.memberId, instance: r.groupInstanceId) { return answer(.fencedInstanceId) }
        guard let group = groups[r.groupId], let member = group.member(r.memberId) else { return answer(.unknownMemberId) }
        guard r.generationId == group.generation else { return answer(.illegalGeneration) }
        if let type = r.protocolType, type != group.protocolType { return answer(.inconsistentGroupProtocol) }
        if let name = r.protocolName, name != group.protocolName { return answer(.inconsistentGroupProtocol) }
        touch(member, in: group)
        switch group.state {
        case .preparingRebalance, .empty, .dead: return answer(.rebalanceInProgress)
        case .stable:
            return loop.makeSucceededFuture(SyncGroupResponse(protocolType: group.protocolType, protocolName: group.protocolName, assignment: member.assignment))
        case .completingRebalance:
            let promise = loop.makePromise(of: SyncGroupResponse.self)
            member.syncPromise?.succeed(SyncGroupResponse(errorCode: .rebalanceInProgress, assignment: []))
            member.syncPromise = promise
            if member.id == group.leader {
                let given = Dictionary(r.assignments.map { ($0.memberId, $0.assignment) }, uniquingKeysWith: { a, _ in a })
                for m in group.members { m.assignment = given[m.id] ?? [] }
                group.state = .stable
                logger.info("rebalance completed", metadata: ["group": "\(group.id)", "generation": "\(group.generation)", "members": "\(group.members.count)"])
                for m in group.members {
                    m.syncPromise?.succeed(SyncGroupResponse(protocolType: group.protocolType, protocolName: group.protocolName, assignment: m.assignment))
                    m.syncPromise = nil
                }
            }
            return promise.futureResult
        }
    }

    package func heartbeat(_ r: HeartbeatRequest) -> HeartbeatResponse {
        if let group = groups[r.groupId], isFenced(group, memberId: r.memberId, instance: r.groupInstanceId) {
            return HeartbeatResponse(errorCode: .fencedInstanceId)
        }
        guard let group = groups[r.groupId], let member = group.member(r.memberId) else { return HeartbeatResponse(errorCode: .unknownMemberId) }
        guard r.generationId == group.generation else { return HeartbeatResponse(errorCode: .illegalGeneration) }
        touch(member, in: group)
        return HeartbeatResponse(errorCode: group.state == .preparingRebalance ? .rebalanceInProgress : .none)
    }

    package func leave(_ r: LeaveGroupRequest) -> LeaveGroupResponse {
        guard let group = groups[r.groupId] else {
            return LeaveGroupResponse(errorCode: r.members.count == 1 ? .unknownMemberId : .none,
                                      members: r.members.map { .init(memberId: $0.memberId, groupInstanceId: $0.groupInstanceId, errorCode: .unknownMemberId) })
        }
        var results: [LeaveGroupResponse.Member] = []
        for who in r.members {
            if !who.memberId.isEmpty && isFenced(group, memberId: who.memberId, instance: who.groupInstanceId) {
                results.append(.init(memberId: who.memberId, groupInstanceId: who.groupInstanceId, errorCode: .fencedInstanceId))
                continue
            }
            let member = group.member(who.memberId) ?? who.groupInstanceId.flatMap { id in group.members.first { $0.groupInstanceId == id } }
            guard let member else {
                results.append(.init(memberId: who.memberId, groupInstanceId: who.groupInstanceId, errorCode: .unknownMemberId))
                continue
            }
            remove(member, from: group, reason: who.reason.map { "left: \($0)" } ?? "left the group")
            results.append(.init(memberId: member.id, groupInstanceId: member.groupInstanceId))
        }
        // v0–2 carry one member and report its error at the top.
        let top: KafkaErrorCode = r.members.count == 1 ? results[0].errorCode : .none
        return LeaveGroupResponse(errorCode: top, members: results)
    }

    /// Resets the member's session deadline.
    func touch(_ member: Member, in group: Group) {
        member.sessionTimer?.cancel()
        member.sessionDeadline = .now() + .milliseconds(Int64(member.sessionTimeoutMs))
        member.sessionTimer = loop.scheduleTask(deadline: member.sessionDeadline) { [weak self, weak group, weak member] in
            guard let self, let group, let member, group.member(member.id) != nil else { return }
            // A member waiting in JoinGroup is not expected to heartbeat.
            if member.joinPromise != nil { return }
            self.remove(member, from: group, reason: "session timeout (\(member.sessionTimeoutMs) ms without a heartbeat)")
        }
    }

    /// Removes members whose session ran out but whose timer has not fired yet: the event loop
    /// serves ready requests before due timers, and an answer about a group (DeleteGroups,
    /// DescribeGroups, ListGroups) must not depend on that order — in Kafka expiry is time's alone.
    func expireOverdueMembers(_ group: Group) {
        let now = NIODeadline.now()
        for m in group.members where m.joinPromise == nil && m.sessionDeadline <= now {
            remove(m, from: group, reason: "session timeout (\(m.sessionTimeoutMs) ms without a heartbeat)")
        }
    }

    func remove(_ member: Member, from group: Group, reason: String) {
        member.sessionTimer?.cancel()
        member.joinPromise?.succeed(JoinGroupResponse(errorCode: .unknownMemberId, protocolName: nil, leader: "", memberId: member.id))
        member.syncPromise?.succeed(SyncGroupResponse(errorCode: .unknownMemberId, assignment: []))
        member.joinPromise = nil
        member.syncPromise = nil
        group.members.removeAll { $0 === member }
        if group.leader == member.id { group.leader = nil }
        logger.info("member left", metadata: ["group": "\(group.id)", "member": "\(member.id)", "reason": "\(reason)"])
        switch group.state {
        case .stable, .completingRebalance:
            prepareRebalance(group, reason: "member \(member.id) \(reason)")
            tryCompleteJoin(group)
        case .preparingRebalance:
            tryCompleteJoin(group)
        case .empty, .dead:
            break
        }
        if group.members.isEmpty && group.state == .preparingRebalance && group.rebalanceTimer == nil { completeJoin(group) }
    }

    private func dropIfUnused(_ group: Group) {
        if group.members.isEmpty && group.offsets.isEmpty && group.pendingIds.isEmpty { groups[group.id] = nil }
    }
}
