import Testing
@testable import ConsoleModel

@Suite struct ConsoleModelTests {
    /// A topic of 2 partitions whose high watermarks grow by `produce` per second each, and one
    /// group committing `consume` per second per partition, starting at offset 0.
    func reading(_ t: Double, produce: Int64, committed: Int64?, members: Int = 1, state: String = "Stable") -> KafkaSnapshot {
        let hw = Int64(t) * produce
        let topic = KafkaSnapshot.Topic(name: "orders", partitions: [
            .init(partition: 0, leader: 1, replicas: [1], isr: [1], highWatermark: hw, logStartOffset: 0),
            .init(partition: 1, leader: 1, replicas: [1], isr: [1], highWatermark: hw * 3, logStartOffset: 0),
        ])
        let offsets = committed.map { c in [CommittedOffset(topic: "orders", partition: 0, offset: c), CommittedOffset(topic: "orders", partition: 1, offset: c)] } ?? []
        let group = KafkaSnapshot.Group(groupId: "g", state: state, members: (0..<members).map { .init(memberId: "m\($0)") }, offsets: offsets)
        return KafkaSnapshot(time: t, brokers: [.init(nodeId: 1, host: "h", port: 9092)], topics: [topic], groups: [group])
    }

    @Test func lagIsHighWatermarkMinusCommittedNeverNegative() throws {
        var m = ConsoleModel()
        m.apply(.kafka(reading(10, produce: 10, committed: 50)))
        let g = try #require(m.groups.first)
        #expect(g.partitions.map(\.lag) == [50, 250])
        #expect(g.totalLag == 300)
        m.apply(.kafka(reading(11, produce: 10, committed: 1000)))
        #expect(m.groups[0].partitions.map(\.lag) == [0, 0])
    }

    @Test func noCommitMeansUnknownLag() {
        var m = ConsoleModel()
        m.apply(.kafka(reading(10, produce: 10, committed: nil)))
        #expect(m.groups[0].partitions.isEmpty)
        #expect(m.groups[0].totalLag == nil)
        #expect(m.groups[0].catchUp == .unknown)
    }

    @Test func unknownHighWatermarkMeansUnknownLag() {
        var m = ConsoleModel()
        var s = reading(10, produce: 10, committed: 5)
        s.topics[0].partitions[0].highWatermark = nil
        m.apply(.kafka(s))
        #expect(m.groups[0].partitions[0].lag == nil)
        #expect(m.groups[0].partitions[1].lag == 295)
    }

    @Test func laggingGroupIsPendingUntilAFullWindowThenWarnsAndLaterChangesAreDebounced() {
        var m = ConsoleModel()
        for t in 1...9 {
            m.apply(.kafka(reading(Double(t), produce: 100, committed: Int64(t) * 10)))
            // Never OK while the window fills: pending, with how many readings it has.
            #expect(m.groups[0].status == .pending)
            #expect(m.groups[0].readings == t)
            #expect(!m.alerts.contains { $0.key == "group:g" })
        }
        m.apply(.kafka(reading(10, produce: 100, committed: 100)))
        #expect(m.groups[0].rawStatus == .warn)
        #expect(m.groups[0].status == .warn)  // the first verdict after pending shows at once
        #expect(m.alerts.contains { $0.key == "group:g" && $0.severity == .warning })
        #expect(m.groups[0].catchUp == .never)
        #expect(m.groups[0].lagTrend.count == 10)
        // Caught up: a later change must hold for two readings.
        m.apply(.kafka(reading(11, produce: 100, committed: 1_100 * 3)))
        #expect(m.groups[0].rawStatus == .ok)
        #expect(m.groups[0].status == .warn)
        m.apply(.kafka(reading(12, produce: 100, committed: 1_200 * 3)))
        #expect(m.groups[0].status == .ok)
    }

    @Test func aLagCommandReportsPendingAsOK() {
        var config = ConsoleModel.Configuration()
        config.reportsPending = false
        var m = ConsoleModel(configuration: config)
        m.apply(.kafka(reading(1, produce: 100, committed: 10)))
        #expect(m.groups[0].rawStatus == .ok)
        #expect(m.groups[0].partitions.allSatisfy { $0.status == .ok })
    }

    @Test func theAlertNamesTheConfiguredWindowNotTheDefault() {
        var config = ConsoleModel.Configuration()
        config.statusWindow = 3
        var m = ConsoleModel(configuration: config)
        for t in 1...4 { m.apply(.kafka(reading(Double(t), produce: 100, committed: Int64(t) * 10))) }
        #expect(m.groups[0].status == .warn)
        let alert = m.alerts.first { $0.key == "group:g" }
        #expect(alert?.message.contains("over the last 3 samples") == true, "\(alert?.message ?? "no alert")")
    }

    @Test func ratesAndCatchUpEstimate() throws {
        var m = ConsoleModel()
        // produce 100/s on p0 and 300/s on p1; consume 250/s on each partition, far behind.
        for t in 30...40 {
            m.apply(.kafka(reading(Double(t), produce: 100, committed: Int64(t - 30) * 250)))
        }
        let g = m.groups[0]
        let consume = try #require(g.consumeRate)
        #expect(abs(consume - 500) < 1e-9)
        #expect(abs(try #require(g.produceRate) - 400) < 1e-9)
        guard case let .seconds(eta) = g.catchUp else { Issue.record("expected an ETA, got \(g.catchUp)"); return }
        #expect(abs(eta - Double(try #require(g.totalLag)) / 100) < 1e-6)
        let topic = try #require(m.topics.first)
        #expect(abs(try #require(topic.produceRate) - 400) < 1e-9)
        #expect(abs(try #require(topic.partitions[1].skew) - 1.5) < 1e-9)
        #expect(abs(try #require(topic.partitions[0].skew) - 0.5) < 1e-9)
    }

    @Test func smallBacklogIsKeepingUpNotAnETA() {
        #expect(ConsoleModel.catchUp(lag: 90, consume: 200, produce: 199.9) == .keepingUp)
        #expect(ConsoleModel.catchUp(lag: 50_000, consume: 200, produce: 100) == .seconds(500))
        #expect(ConsoleModel.catchUp(lag: 50_000, consume: 20, produce: 200) == .never)
        #expect(ConsoleModel.catchUp(lag: 0, consume: 20, produce: 200) == .caughtUp)
    }

    @Test func timeLagFromHistory() throws {
        var m = ConsoleModel()
        for t in 1...5 { m.apply(.kafka(reading(Double(t), produce: 100, committed: 200))) }
        // p0's high watermark reached 200 at t=2; now t=5 → 3 s behind.
        let p0 = try #require(m.groups[0].partitions.first)
        #expect(p0.timeLag == .init(seconds: 3))
    }

    @Test func partitionStallAloneDoesNotStallTheGroup() {
        var m = ConsoleModel()
        // p0's offset never moves while p1 catches up: the group as a whole is making progress.
        for t in 1...12 {
            var s = reading(Double(t), produce: 0, committed: nil)
            s.topics[0].partitions[0].highWatermark = 100
            s.topics[0].partitions[1].highWatermark = 1000
            s.groups[0].offsets = [CommittedOffset(topic: "orders", partition: 0, offset: 5),
                                   CommittedOffset(topic: "orders", partition: 1, offset: Int64(t) * 30)]
            m.apply(.kafka(s))
        }
        #expect(m.groups[0].partitions[0].status == .stall)
        #expect(m.groups[0].rawStatus == .ok)
    }

    @Test func timeLagOfAnOffsetOlderThanTheFirstReadingIsALowerBound() throws {
        var m = ConsoleModel()
        for t in 1...9 {
            var s = reading(Double(t), produce: 0, committed: nil)
            s.topics[0].partitions[0].highWatermark = 50
            s.groups[0].offsets = [CommittedOffset(topic: "orders", partition: 0, offset: 0)]
            m.apply(.kafka(s))
        }
        let p = try #require(m.groups[0].partitions.first)
        #expect(p.timeLag == .init(seconds: 8, isLowerBound: true))
    }

    @Test func timeLagBracketsTheChangeAfterAnIdleStretch() throws {
        var m = ConsoleModel()
        for t in 1...9 {
            var s = reading(Double(t), produce: 0, committed: nil)
            s.topics[0].partitions[0].highWatermark = t <= 5 ? 0 : 50
            s.groups[0].offsets = [CommittedOffset(topic: "orders", partition: 0, offset: 0)]
            m.apply(.kafka(s))
        }
        // Offset 0 was produced after t=5 (last reading at 0) and by t=6: 4 s ago at most.
        let p = try #require(m.groups[0].partitions.first)
        #expect(p.timeLag == .init(seconds: 4))
    }

    @Test func stoppedGroupAlertsAsCritical() {
        var m = ConsoleModel()
        m.apply(.kafka(reading(1, produce: 10, committed: 5, members: 0, state: "Empty")))
        m.apply(.kafka(reading(2, produce: 10, committed: 5, members: 0, state: "Empty")))
        #expect(m.groups[0].status == .stop)
        #expect(m.alerts.first?.severity == .critical)
    }

    @Test func unreadableGroupIsERR() {
        var m = ConsoleModel()
        var s = reading(1, produce: 10, committed: 5)
        s.groups[0].error = "OffsetFetch: COORDINATOR_NOT_AVAILABLE (15)"
        m.apply(.kafka(s))
        #expect(m.groups[0].rawStatus == .err)
    }

    @Test func errorObservationMarksDisconnectedSinceFirstFailure() {
        var m = ConsoleModel()
        m.apply(.kafka(reading(1, produce: 10, committed: 5)))
        m.apply(.kafkaError(time: 3, message: "connection refused"))
        m.apply(.kafkaError(time: 5, message: "connection refused"))
        #expect(m.health.connected == false)
        #expect(m.health.disconnectedSince == 3)
        #expect(m.alerts.first?.key == "kafka")
        // the last good reading stays visible
        #expect(m.groups.count == 1)
        m.apply(.kafka(reading(7, produce: 10, committed: 5)))
        #expect(m.health.connected && m.health.disconnectedSince == nil)
    }

    @Test func sameObservationsGiveSameState() {
        var a = ConsoleModel(), b = ConsoleModel()
        for t in 1...12 {
            let s = reading(Double(t), produce: 7, committed: Int64(t * 3))
            a.apply(.kafka(s)); b.apply(.kafka(s))
        }
        #expect(a.groups == b.groups && a.topics == b.topics && a.alerts == b.alerts)
    }

    /// A partition's positions survive the group gaining a partition: the rewind of orders-0
    /// across that change is still seen.
    @Test func positionsSurviveAChangeInTheGroupsPartitions() {
        var m = ConsoleModel()
        var s = reading(10, produce: 100, committed: 500)
        s.groups[0].offsets = [CommittedOffset(topic: "orders", partition: 0, offset: 500)]
        m.apply(.kafka(s))
        #expect(m.groups[0].partitions.count == 1)
        s = reading(12, produce: 100, committed: 100)
        m.apply(.kafka(s))
        #expect(m.groups[0].partitions.count == 2)
        #expect(m.groups[0].partitions[0].status == .rewind)
        #expect(m.groups[0].partitions[1].status != .rewind)
    }

    /// A partition number no real broker would send is not tracked (lag unknown), and costs nothing.
    @Test func absurdPartitionNumberIsNotTracked() {
        var m = ConsoleModel()
        var s = reading(10, produce: 10, committed: 5)
        s.topics[0].partitions[1].partition = Int32.max
        s.groups[0].offsets[1].partition = Int32.max
        m.apply(.kafka(s))
        #expect(m.groups[0].partitions.map(\.lag) == [95, nil])
        #expect(m.topics[0].partitions.map(\.produceRate).allSatisfy { $0 == nil })
    }

    /// A topic recreated with fewer partitions forgets the old partitions' histories.
    @Test func recreatedSmallerTopicForgetsOldPartitions() {
        var m = ConsoleModel()
        m.apply(.kafka(reading(10, produce: 10, committed: 5)))
        var s = reading(12, produce: 10, committed: 5)
        s.topics[0].partitions.removeLast()
        m.apply(.kafka(s))
        #expect(m.highWatermarks["orders"]?.count == 1)
        #expect(m.groups[0].partitions[1].endOffset == nil)
    }

    /// Topic summaries follow every change of a partition even though idle topics reuse theirs.
    @Test func topicSummaryFollowsChangesAfterIdleReadings() {
        var m = ConsoleModel()
        m.apply(.kafka(reading(10, produce: 10, committed: 5)))
        m.apply(.kafka(reading(10.5, produce: 10, committed: 5)))     // same high watermarks: idle
        #expect(m.topics[0].partitions.map(\.highWatermark) == [100, 300])
        var s = reading(11, produce: 10, committed: 5)
        s.topics[0].partitions[0].error = "NOT_LEADER_OR_FOLLOWER"
        m.apply(.kafka(s))
        #expect(m.topics[0].partitions.map(\.highWatermark) == [110, 330])
        #expect(m.topics[0].partitions[0].error == "NOT_LEADER_OR_FOLLOWER")
        #expect((m.topics[0].produceRate ?? 0) > 0)
    }

    /// An idle partition settles into a fixed status, and still reacts at once to a member
    /// joining and to its offset moving.
    @Test func idlePartitionStatusFollowsMembersAndCommits() {
        var m = ConsoleModel()
        var t = 10.0
        func apply(committed: Int64, members: Int) {
            var s = reading(10, produce: 10, committed: committed, members: members)   // high watermarks fixed at 100/300
            s.time = t
            t += 2
            m.apply(.kafka(s))
        }
        for _ in 0..<25 { apply(committed: 50, members: 0) }
        #expect(m.groups[0].partitions.map(\.status) == [.stop, .stop])
        apply(committed: 50, members: 1)
        #expect(m.groups[0].partitions.map(\.status) == [.stall, .stall])
        apply(committed: 40, members: 1)
        #expect(m.groups[0].partitions.map(\.status) == [.rewind, .rewind])
        for _ in 0..<25 { apply(committed: 100, members: 1) }
        #expect(m.groups[0].partitions.map(\.status) == [.ok, .stall])   // partition 0 caught up; 1 still behind
    }

    @Test func ringBufferKeepsNewest() {
        var r = RingBuffer<Int>(capacity: 3)
        for i in 1...5 { r.append(i) }
        #expect(Array(r) == [3, 4, 5])
        r.replaceLast(9)
        #expect(Array(r) == [3, 4, 9])
        #expect(r.suffix(2) == [4, 9])
    }
}
