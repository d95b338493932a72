import Testing
@testable import ConsoleModel

@Suite struct RebalanceDetectorTests {
    func snap(_ t: Double, _ state: String, _ members: [String: [Int32]?]) -> KafkaSnapshot {
        KafkaSnapshot(time: t, groups: [KafkaSnapshot.Group(groupId: "g", state: state, members: members.sorted { $0.key < $1.key }.map { id, parts in
            KafkaSnapshot.Member(memberId: id, assignment: parts.map { $0.map { PartitionRef("t", $0) } })
        })])
    }

    @Test func preparingRebalanceOpensAndStableCloses() throws {
        var d = RebalanceDetector()
        d.observe(snap(10, "Stable", ["a": [0, 1, 2, 3]]))
        d.observe(snap(12, "PreparingRebalance", ["a": [0, 1, 2, 3]]))
        #expect(d.openEvent(of: "g") != nil)
        d.observe(snap(14, "CompletingRebalance", ["a": [], "b": []]))
        d.observe(snap(16, "Stable", ["a": [0, 1], "b": [2, 3]]))
        #expect(d.openEvent(of: "g") == nil)
        let e = try #require(d.events.first)
        #expect(d.events.count == 1)
        #expect(e.earliestStart == 10 && e.detectedAt == 12 && e.endedAt == 16 && e.duration == 4)
        #expect(e.membersBefore == 1 && e.membersAfter == 2)
        #expect(e.partitionsMoved == 2)
    }

    @Test func memberJoinedBetweenReadingsIsAClosedEvent() throws {
        var d = RebalanceDetector()
        d.observe(snap(10, "Stable", ["a": nil]))
        d.observe(snap(12, "Stable", ["a": nil, "b": nil]))
        let e = try #require(d.events.first)
        #expect(e.cause == "member joined")
        #expect(e.endedAt == 12 && e.membersBefore == 1 && e.membersAfter == 2)
        #expect(e.partitionsMoved == nil)  // broker gave no assignments
    }

    @Test func assignmentChangeAloneOpensAnEvent() throws {
        var d = RebalanceDetector()
        d.observe(snap(10, "Stable", ["a": [0, 1], "b": [2, 3]]))
        d.observe(snap(12, "Stable", ["a": [0, 2], "b": [1, 3]]))
        let e = try #require(d.events.first)
        #expect(e.cause == "assignment changed" && e.partitionsMoved == 2)
    }

    @Test func tansuUnknownStateCountsAsRebalancing() throws {
        var d = RebalanceDetector()
        d.observe(snap(10, "Stable", ["a": nil, "b": nil]))
        d.observe(snap(12, "Unknown", ["a": nil]))
        #expect(d.openEvent(of: "g")?.cause == "member left")
        d.observe(snap(14, "Stable", ["a": nil]))
        #expect(d.events.first?.membersAfter == 1)
    }

    @Test func nothingChangedIsNoEvent() {
        var d = RebalanceDetector()
        d.observe(snap(10, "Stable", ["a": [0]]))
        d.observe(snap(12, "Stable", ["a": [0]]))
        d.observe(snap(14, "Empty", [:]))  // member left and group emptied: an event
        #expect(d.events.count == 1)
        #expect(d.events[0].cause == "member left" && d.events[0].membersAfter == 0)
    }

    @Test func historyIsBounded() {
        var d = RebalanceDetector(capacity: 3)
        for i in 0..<10 { d.observe(snap(Double(i), "Stable", i % 2 == 0 ? ["a": nil] : ["a": nil, "b": nil])) }
        #expect(d.events.count == 3)
        #expect(d.events.last?.detectedAt == 9)
    }
}

@Suite struct StatusDebouncerTests {
    @Test func oneNoisySampleDoesNotShow() {
        var d = StatusDebouncer(confirmations: 2)
        #expect(d.update("g", .ok, at: 0).status == .ok)
        #expect(d.update("g", .warn, at: 1).status == .ok)
        #expect(d.update("g", .ok, at: 2).status == .ok)
        #expect(d.update("g", .warn, at: 3).status == .ok)
        let shown = d.update("g", .warn, at: 4)
        #expect(shown.status == .warn && shown.since == 3)
    }

    /// The first verdict shows at once (a stopped group is STOP on the first screen), and so
    /// does the first verdict after PENDING; only later changes need confirming.
    @Test func theFirstVerdictShowsAtOnce() {
        var d = StatusDebouncer(confirmations: 2)
        #expect(d.update("g", .stop, at: 0).status == .stop)
        #expect(d.update("g", .ok, at: 1).status == .stop)
        #expect(d.update("g", .ok, at: 2).status == .ok)
        #expect(d.update("h", .pending, at: 0).status == .pending)
        #expect(d.update("h", .pending, at: 1).status == .pending)
        let first = d.update("h", .warn, at: 2)
        #expect(first.status == .warn && first.since == 2)
        #expect(d.update("h", .ok, at: 3).status == .warn)
    }
}
