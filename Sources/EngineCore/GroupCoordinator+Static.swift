import KafkaProtocol
import NIOCore

/// Static membership (KIP-345): a member that names its group.instance.id keeps its place across
/// restarts, and an older incarnation of it is fenced.
extension GroupCoordinator {
    /// A static member restarting (its instance id, no member id): it takes the old member's
    /// place and assignment under a new id, and the old incarnation is fenced. In a stable group
    /// with the same subscription nothing rebalances — the point of static membership during
    /// rolling restarts; otherwise it joins the rebalance as any member would.
    func rejoinStatic(_ old: Member, _ r: JoinGroupRequest, group: Group, clientId: String, host: String) -> EventLoopFuture<JoinGroupResponse> {
        let instance = old.groupInstanceId ?? ""
        memberSerial += 1
        let id = "\(instance)-\(memberSerial)-\(UInt32.random(in: 0...UInt32.max))"
        let member = Member(id: id, groupInstanceId: old.groupInstanceId, clientId: clientId, host: host, sessionTimeoutMs: r.sessionTimeoutMs,
                            rebalanceTimeoutMs: r.rebalanceTimeoutMs > 0 ? r.rebalanceTimeoutMs : r.sessionTimeoutMs, protocols: r.protocols)
        member.assignment = old.assignment
        old.sessionTimer?.cancel()
        old.joinPromise?.succeed(JoinGroupResponse(errorCode: .fencedInstanceId, protocolName: nil, leader: "", memberId: old.id))
        old.syncPromise?.succeed(SyncGroupResponse(errorCode: .fencedInstanceId, assignment: []))
        old.joinPromise = nil
        old.syncPromise = nil
        if let i = group.members.firstIndex(where: { $0 === old }) { group.members[i] = member }
        if group.leader == old.id { group.leader = id }
        logger.info("static member rejoined", metadata: ["group": "\(group.id)", "instance": "\(instance)", "old_member": "\(old.id)", "member": "\(id)"])
        if group.state == .stable && old.protocols == r.protocols, let name = group.protocolName {
            touch(member, in: group)
            // A returning leader is told who the members are but not to assign again (KIP-814).
            let leads = group.leader == id
            let all = leads ? group.members.map { JoinGroupResponse.Member(memberId: $0.id, groupInstanceId: $0.groupInstanceId, metadata: $0.metadata(for: name)) } : []
            return loop.makeSucceededFuture(JoinGroupResponse(generationId: group.generation, protocolType: group.protocolType, protocolName: name,
                                                              leader: group.leader ?? "", skipAssignment: leads, memberId: id, members: all))
        }
        let promise = loop.makePromise(of: JoinGroupResponse.self)
        member.joinPromise = promise
        touch(member, in: group)
        prepareRebalance(group, reason: "static member \(instance) rejoined with a new subscription")
        tryCompleteJoin(group)
        return promise.futureResult
    }

    /// A request naming a group.instance.id with a member id other than the one registered for
    /// it comes from an older incarnation of that static member, which a restart fenced.
    func isFenced(_ group: Group, memberId: String, instance: String?) -> Bool {
        guard let instance, let known = group.members.first(where: { $0.groupInstanceId == instance }) else { return false }
        return known.id != memberId
    }
}
