import Foundation
import KafkaProtocol
import KafkaServer
import StreamLog
import Testing

/// The group coordinator spoken to directly: generations, the leader, rebalance signals,
/// generation checks on commits, and offsets that outlive a restart.
@Suite struct GroupProtocolTests {
    func join(_ c: RawConnection, member: String = "", version: Int16 = 5, session: Int32 = 10_000) throws -> JoinGroupResponse {
        try c.call(JoinGroupRequest(groupId: "g", sessionTimeoutMs: session, rebalanceTimeoutMs: 5_000, memberId: member,
                                    protocolType: "consumer", protocols: [.init(name: "range", metadata: [1, 2])]), version: version)
    }

    @Test func membersJoinSyncAndAreToldToRejoin() async throws {
        let broker = try await TestBroker()
        do {
            let a = try broker.connect()
            let first = try join(a)
            #expect(first.errorCode == .memberIdRequired, "v4+ hands out the member id first (KIP-394)")
            let joined = try join(a, member: first.memberId)
            #expect(joined.errorCode == KafkaErrorCode.none)
            #expect(joined.generationId == 1)
            #expect(joined.leader == first.memberId)
            #expect(joined.members.map(\.metadata) == [[1, 2]], "the leader receives every member's metadata")
            let synced = try a.call(SyncGroupRequest(groupId: "g", generationId: 1, memberId: first.memberId,
                                                     assignments: [.init(memberId: first.memberId, assignment: [9, 9])]), version: 3)
            #expect(synced.assignment == [9, 9])
            #expect(try a.call(HeartbeatRequest(groupId: "g", generationId: 1, memberId: first.memberId), version: 3).errorCode == KafkaErrorCode.none)
            #expect(try a.call(HeartbeatRequest(groupId: "g", generationId: 0, memberId: first.memberId), version: 3).errorCode == .illegalGeneration)
            #expect(try a.call(HeartbeatRequest(groupId: "g", generationId: 1, memberId: "stranger"), version: 3).errorCode == .unknownMemberId)

            // A second member joins (v3: no member-id round trip); it waits until the first rejoins.
            let b = try broker.connect()
            let pending = Background { try join(b, version: 3) }
            let deadline = Date().addingTimeInterval(10)
            var state = ""
            while state != "PreparingRebalance" && Date() < deadline {
                state = try a.call(DescribeGroupsRequest(groups: ["g"]), version: 4).groups[0].groupState
            }
            #expect(state == "PreparingRebalance", "the second member's join starts a rebalance")
            let beat = try a.call(HeartbeatRequest(groupId: "g", generationId: 1, memberId: first.memberId), version: 3).errorCode
            #expect(beat == .rebalanceInProgress)
            let rejoined = try join(a, member: first.memberId)
            let second = try pending.value()
            #expect(rejoined.generationId == 2 && second.generationId == 2)
            #expect(rejoined.members.count == 2 && second.members.isEmpty, "only the leader gets the member list")

            let described = try a.call(DescribeGroupsRequest(groups: ["g"]), version: 4).groups[0]
            #expect(described.groupState == "CompletingRebalance")
            #expect(described.members.count == 2)
            let commitEarly = try a.call(OffsetCommitRequest(groupId: "g", generationId: 2, memberId: first.memberId,
                                                             topics: []), version: 7)
            #expect(commitEarly.topics.isEmpty)
        }
        await broker.stop()
    }

    /// Kafka's group.initial.rebalance.delay.ms: a new group's first rebalance waits for more
    /// members, and waits again while they keep coming (never past the rebalance timeout), so
    /// consumers started together share generation 1 instead of rebalancing once per arrival.
    @Test func aNewGroupWaitsForMoreMembersAndExtendsTheWaitWhileTheyCome() async throws {
        let broker = try await TestBroker { $0.engine.initialRebalanceDelayMs = 2_000 }
        do {
            let started = Date()
            let a = try broker.connect(), b = try broker.connect(), c = try broker.connect()
            let first = Background { try join(a, version: 3) }
            let second = Background { try join(b, version: 3) }
            // B came during the first 2 s wait, so the wait is extended by another 2 s: a member
            // arriving at 3 s (after the first wait, inside the extension) still makes generation 1.
            // "Dead" is Kafka's answer for a group no join has reached yet (the joins run on
            // their own threads, late on a loaded machine); once it exists it must wait.
            var state = "", seen = false
            while Date().timeIntervalSince(started) < 3 {
                state = try c.call(DescribeGroupsRequest(groups: ["g"]), version: 4).groups[0].groupState
                if state == "Dead" && !seen { try await Task.sleep(for: .milliseconds(20)); continue }
                seen = true
                #expect(state == "PreparingRebalance", "the first generation waits")
                if state != "PreparingRebalance" { break }
                try await Task.sleep(for: .milliseconds(200))  // the wait under test is time itself
            }
            #expect(seen, "a join reached the group within 3 s")
            let third = try join(c, version: 3)
            let (x, y) = (try first.value(), try second.value())
            #expect([x, y, third].map(\.generationId) == [1, 1, 1], "all three share the first generation")
            #expect([x, y, third].map(\.members.count).max() == 3, "the leader sees every member")
            let waited = Date().timeIntervalSince(started)
            #expect(waited >= 3.9, "the wait was extended past the first 2 s (waited \(waited) s)")
            #expect(waited < 8, "the wait ends once members stop coming, within the rebalance timeout of 5 s (waited \(waited) s)")
        }
        await broker.stop()
    }

    @Test func aLoneMemberWaitsOneInitialDelayOnly() async throws {
        // 2 s so that a loaded machine's slack stays well short of an extension (another 2 s).
        let broker = try await TestBroker { $0.engine.initialRebalanceDelayMs = 2_000 }
        do {
            let started = Date()
            let joined = try join(try broker.connect(), version: 3)
            let waited = Date().timeIntervalSince(started)
            #expect(joined.generationId == 1 && joined.members.count == 1)
            #expect(waited >= 1.95 && waited < 3.9, "no new member came, so no extension (waited \(waited) s)")
        }
        await broker.stop()
    }

    @Test func commitsAreCheckedAndSurviveARestart() async throws {
        let broker = try await TestBroker()
        let dir = broker.directory
        do {
            let c = try broker.connect()
            _ = try c.call(CreateTopicsRequest(topics: [.init(name: "t", numPartitions: 2)]), version: 5)
            let stale = try c.call(OffsetCommitRequest(groupId: "g", generationId: 3, memberId: "ghost",
                                                       topics: [.init(name: "t", partitions: [.init(partitionIndex: 0, committedOffset: 5)])]), version: 7)
            #expect(stale.topics[0].partitions[0].errorCode == .unknownMemberId)
            let simple = try c.call(OffsetCommitRequest(groupId: "g", topics: [.init(name: "t", partitions: [
                .init(partitionIndex: 0, committedOffset: 42, committedMetadata: "m"), .init(partitionIndex: 1, committedOffset: 7),
                .init(partitionIndex: 9, committedOffset: 1),
            ])]), version: 7)
            #expect(simple.topics[0].partitions.map(\.errorCode) == [KafkaErrorCode.none, .none, .unknownTopicOrPartition])
        }
        await broker.server.stop()
        // The same data directory, a new broker: the offsets come back from __consumer_offsets.
        let again = try await TestBroker(reuse: dir)
        do {
            let c = try again.connect()
            let fetched = try c.call(OffsetFetchRequest(groups: [.init(groupId: "g", topics: nil)]), version: 7)
            let parts = fetched.groups[0].topics.first { $0.name == "t" }?.partitions ?? []
            #expect(parts.map(\.committedOffset) == [42, 7])
            #expect(parts.first?.metadata == "m")
            let listed = try c.call(ListGroupsRequest(), version: 4)
            #expect(listed.groups.map(\.groupId) == ["g"])
            #expect(listed.groups.first?.groupState == "Empty")
        }
        await again.stop()
    }
}
