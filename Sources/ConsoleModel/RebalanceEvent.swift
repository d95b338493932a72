/// A detected rebalance of one group: opened by a change of state into a rebalancing state, of
/// the member set, or of the assignment between two readings; closed by the next Stable reading.
public struct RebalanceEvent: Sendable, Equatable, Codable {
    public var groupId: String
    /// Time of the reading that showed the change. With polling, the rebalance began at or after
    /// `earliestStart` (the previous reading) and at or before `detectedAt`.
    public var earliestStart: Double
    public var detectedAt: Double
    public var endedAt: Double?
    public var membersBefore: Int
    public var membersAfter: Int?
    /// Partitions whose owner changed; `nil` when the broker gives no assignments.
    public var partitionsMoved: Int?
    public var cause: String

    /// Duration from detection to the Stable reading that closed it; `nil` while open.
    public var duration: Double? { endedAt.map { max(0, $0 - detectedAt) } }
    public var isOpen: Bool { endedAt == nil }
}

/// Group states in which a rebalance is in progress. tansu reports "Unknown" during a rebalance
/// instead of PreparingRebalance/CompletingRebalance (docs/compatibility.md).
public func isRebalancingState(_ state: String) -> Bool {
    state == "PreparingRebalance" || state == "CompletingRebalance" || state == "Unknown"
}

/// Compares consecutive readings of groups and keeps the timeline of rebalances.
public struct RebalanceDetector: Sendable {
    public private(set) var events: [RebalanceEvent] = []
    private var open: [String: Int] = [:]              // group -> index in events
    private var previous: [String: GroupShape] = [:]
    private var previousTime: Double?
    public let capacity: Int

    struct GroupShape: Sendable, Equatable {
        var state: String
        var members: Set<String>
        var owners: [PartitionRef: String]?
    }

    public init(capacity: Int = 500) { self.capacity = capacity }

    public mutating func observe(_ snapshot: KafkaSnapshot) {
        let before = previous
        let t0 = previousTime ?? snapshot.time
        var now: [String: GroupShape] = [:]
        for g in snapshot.groups where g.error == nil {
            let shape = Self.shape(g)
            now[g.groupId] = shape
            guard let prev = before[g.groupId] else { continue }
            let rebalancing = isRebalancingState(shape.state)
            if let idx = open[g.groupId] {
                if shape.state == "Stable" || shape.state == "Empty" {
                    events[idx].endedAt = snapshot.time
                    events[idx].membersAfter = shape.members.count
                    events[idx].partitionsMoved = Self.moved(from: eventsStartOwners[g.groupId] ?? nil, to: shape.owners)
                    open[g.groupId] = nil
                    eventsStartOwners[g.groupId] = nil
                }
                continue
            }
            let cause: String?
            if rebalancing && !isRebalancingState(prev.state) {
                cause = Self.membershipCause(prev.members, shape.members) ?? "state \(shape.state)"
            } else if prev.members != shape.members {
                cause = Self.membershipCause(prev.members, shape.members)
            } else if let a = prev.owners, let b = shape.owners, a != b {
                cause = "assignment changed"
            } else {
                cause = nil
            }
            guard let cause else { continue }
            var event = RebalanceEvent(groupId: g.groupId, earliestStart: t0, detectedAt: snapshot.time, endedAt: nil,
                                       membersBefore: prev.members.count, membersAfter: nil, partitionsMoved: nil, cause: cause)
            if !rebalancing {
                // Already settled by the time we looked: it began and ended between two readings.
                event.endedAt = snapshot.time
                event.membersAfter = shape.members.count
                event.partitionsMoved = Self.moved(from: prev.owners, to: shape.owners)
                append(event)
            } else {
                append(event)
                open[g.groupId] = events.count - 1
                eventsStartOwners[g.groupId] = prev.owners
            }
        }
        previous = now
        previousTime = snapshot.time
    }

    private var eventsStartOwners: [String: [PartitionRef: String]?] = [:]

    private mutating func append(_ e: RebalanceEvent) {
        events.append(e)
        if events.count > capacity {
            let drop = events.count - capacity
            events.removeFirst(drop)
            open = open.compactMapValues { $0 >= drop ? $0 - drop : nil }
        }
    }

    /// The open event of `group`, if a rebalance is in progress.
    public func openEvent(of group: String) -> RebalanceEvent? { open[group].map { events[$0] } }

    static func shape(_ g: KafkaSnapshot.Group) -> GroupShape {
        var owners: [PartitionRef: String]? = [:]
        for m in g.members {
            guard let a = m.assignment else { owners = nil; break }
            for p in a { owners?[p] = m.memberId }
        }
        if g.members.isEmpty { owners = nil }
        return GroupShape(state: g.state, members: Set(g.members.map(\.memberId)), owners: owners)
    }

    static func membershipCause(_ a: Set<String>, _ b: Set<String>) -> String? {
        let joined = b.subtracting(a).count, left = a.subtracting(b).count
        switch (joined, left) {
        case (0, 0): return nil
        case (let j, 0): return j == 1 ? "member joined" : "\(j) members joined"
        case (0, let l): return l == 1 ? "member left" : "\(l) members left"
        default: return "\(joined) joined, \(left) left"
        }
    }

    static func moved(from a: [PartitionRef: String]?, to b: [PartitionRef: String]?) -> Int? {
        guard let a, let b else { return nil }
        let keys = Set(a.keys).union(b.keys)
        return keys.filter { a[$0] != b[$0] }.count
    }
}
