import Testing
@testable import ConsoleModel

/// One test per rule, named after the situation it describes (docs/design.md §3).
@Suite struct StatusRulesTests {
    /// Samples one second apart with the given committed offsets and lags.
    func window(_ points: [(Int64, Int64?)]) -> [StatusRules.Sample] {
        points.enumerated().map { StatusRules.Sample(time: Double($0.offset), committed: $0.element.0, lag: $0.element.1) }
    }

    @Test func lagReachedZeroInWindowIsOK() {
        let w = window((0..<10).map { (Int64($0 * 10), $0 == 4 ? 0 : 50) })
        #expect(StatusRules.evaluate(w, hasMembers: true) == .ok)
    }

    @Test func offsetsAdvanceAndLagSteadyIsOK() {
        let w = window((0..<10).map { (Int64($0 * 10), 50) })
        #expect(StatusRules.evaluate(w, hasMembers: true) == .ok)
    }

    @Test func offsetsAdvanceButLagGrowsAcrossWindowIsWARN() {
        let w = window((0..<10).map { (Int64($0 * 10), Int64(100 + $0 * 20)) })
        #expect(StatusRules.evaluate(w, hasMembers: true) == .warn)
    }

    @Test func growingLagNeedsAFullWindowBeforeWARNAndIsPendingMeanwhile() {
        let w = window((0..<5).map { (Int64($0 * 10), Int64(100 + $0 * 20)) })
        #expect(StatusRules.evaluate(w, hasMembers: true) == .pending)
        // Without members one reading is enough: STOP, not pending.
        #expect(StatusRules.evaluate(w, hasMembers: false) == .stop)
    }

    @Test func lagThatGrewThenShrankBackIsNotWARN() {
        let lags: [Int64] = [100, 140, 180, 220, 260, 220, 180, 140, 100, 90]
        let w = window(lags.enumerated().map { (Int64($0.offset * 10), $0.element) })
        #expect(StatusRules.evaluate(w, hasMembers: true) == .ok)
    }

    @Test func offsetUnchangedWithMembersAndLagIsSTALL() {
        let w = window((0..<10).map { (500, Int64(10 + $0)) })
        #expect(StatusRules.evaluate(w, hasMembers: true) == .stall)
    }

    @Test func lagWithNoMembersIsSTOP() {
        let w = window([(500, 10), (500, 20)])
        #expect(StatusRules.evaluate(w, hasMembers: false) == .stop)
    }

    @Test func noMembersButCaughtUpIsOK() {
        let w = window([(500, 0), (500, 0)])
        #expect(StatusRules.evaluate(w, hasMembers: false) == .ok)
    }

    @Test func committedOffsetWentBackwardsIsREWIND() {
        let w = window([(500, 10), (520, 5), (100, 430)])
        #expect(StatusRules.evaluate(w, hasMembers: true) == .rewind)
    }

    @Test func unreadableGroupIsERR() {
        #expect(StatusRules.evaluate([], hasMembers: true, readable: false) == .err)
    }

    @Test func unknownEndOffsetIsNotJudged() {
        let w = window((0..<10).map { _ in (500, nil) })
        #expect(StatusRules.evaluate(w, hasMembers: true) == .ok)
    }

    @Test func onlyTheLastWindowCounts() {
        // A rewind 12 samples ago has left the window.
        var points: [(Int64, Int64?)] = [(900, 0), (100, 50)]
        points += (0..<10).map { (Int64(200 + $0 * 10), Int64(50)) }
        #expect(StatusRules.evaluate(window(points), hasMembers: true) == .ok)
    }

    @Test func severityOrderPutsErrWorst() {
        #expect([LagStatus.ok, .warn, .stall, .rewind, .stop, .err].sorted() == [.ok, .warn, .stall, .rewind, .stop, .err])
        #expect(max(LagStatus.warn, .stop) == .stop)
    }
}

@Suite struct TimeLagTests {
    let history: [(time: Double, highWatermark: Int64)] = [(100, 1000), (110, 1100), (120, 1300)]

    @Test func caughtUpIsZero() {
        #expect(TimeLag.interpolate(committed: 1300, history: history, now: 120) == .init(seconds: 0))
    }

    @Test func interpolatesBetweenSamples() throws {
        // 1200 was reached halfway between t=110 (1100) and t=120 (1300): 115 → 10 s ago at now=125.
        let v = try #require(TimeLag.interpolate(committed: 1200, history: history, now: 125))
        #expect(abs(v.seconds - 10) < 1e-9)
        #expect(!v.isLowerBound)
    }

    @Test func olderThanHistoryIsALowerBound() throws {
        let v = try #require(TimeLag.interpolate(committed: 500, history: history, now: 130))
        #expect(v == .init(seconds: 30, isLowerBound: true))
    }

    @Test func oneSampleGivesNoBound() {
        #expect(TimeLag.interpolate(committed: 5, history: [(100, 10)], now: 100) == nil)
    }
}

@Suite struct GroupStatusTests {
    func window(_ points: [(Int64, Int64?)]) -> [StatusRules.Sample] {
        points.enumerated().map { StatusRules.Sample(time: Double($0.offset), committed: $0.element.0, lag: $0.element.1) }
    }

    @Test func groupTotalsGrowingEverySampleIsWARN() {
        let w = window((0..<10).map { (Int64($0 * 20), Int64(1000 + $0 * 180)) })
        #expect(StatusRules.evaluateGroup(w, hasMembers: true) == .warn)
    }

    @Test func caughtUpGroupWithJitteringLagIsOK() {
        let lags: [Int64] = [120, 80, 200, 150, 260, 90, 300, 310, 140, 170]
        let w = window(lags.enumerated().map { (Int64($0.offset * 200), $0.element) })
        #expect(StatusRules.evaluateGroup(w, hasMembers: true) == .ok)
    }

    @Test func groupWhoseOffsetsDoNotMoveIsSTALL() {
        let w = window((0..<10).map { (5000, Int64(100 + $0)) })
        #expect(StatusRules.evaluateGroup(w, hasMembers: true) == .stall)
    }

    @Test func groupStatusNeedsMembersAndAFullWindow() {
        let w = window((0..<10).map { (5000, Int64(100 + $0)) })
        #expect(StatusRules.evaluateGroup(w, hasMembers: false) == .ok)  // STOP comes from the partitions
        #expect(StatusRules.evaluateGroup(Array(w.prefix(9)), hasMembers: true) == .pending)
    }
}

@Suite struct HighWatermarkHistoryTests {
    @Test func unchangedReadingsExtendOneSample() {
        var h = HighWatermarkHistory(capacity: 8)
        for t in 0..<5 { h.record(100, at: Double(t)) }
        #expect(h.count == 1)
        #expect(h.last == .init(firstSeen: 0, lastSeen: 4, highWatermark: 100))
    }

    @Test func fullHistoryThinsItsOlderHalfAndStillReachesTheStart() {
        var h = HighWatermarkHistory(capacity: 8)
        for t in 0..<40 { h.record(Int64(t * 10), at: Double(t)) }
        #expect(h.count <= 8)
        #expect(h.samples.first?.firstSeen == 0)
        #expect(h.last?.highWatermark == 390)
        // Still sorted and bracketing: interpolation over it is exact for the recent past…
        let recent = TimeLag.interpolate(committed: 385, history: h.points, now: 39)
        #expect(recent == .init(seconds: 0.5))
        // …and within the thinned gap for the distant past, never a lower bound.
        let old = try! #require(TimeLag.interpolate(committed: 15, history: h.points, now: 39))
        #expect(!old.isLowerBound && old.seconds > 30 && old.seconds <= 39)
    }

    @Test func lowerValueRestarts() {
        var h = HighWatermarkHistory(capacity: 8)
        h.record(100, at: 0)
        h.record(200, at: 1)
        h.record(5, at: 2)
        #expect(h.count == 1 && h.last?.highWatermark == 5)
    }

    @Test func rateOverWindow() throws {
        var h = HighWatermarkHistory(capacity: 64)
        for t in 0...60 { h.record(Int64(t * 4), at: Double(t)) }
        #expect(abs(try #require(h.rate(now: 60, window: 30)) - 4) < 1e-9)
        var idle = HighWatermarkHistory(capacity: 8)
        idle.record(50, at: 0)
        idle.record(50, at: 10)
        #expect(idle.rate(now: 10, window: 30) == 0)
    }
}

@Suite struct TimeLagAgreementTests {
    /// The allocation-free search on the history agrees with the reference interpolation.
    @Test func historySearchMatchesReferenceInterpolation() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<50 {
            var h = HighWatermarkHistory(capacity: 16)
            var hw: Int64 = 100
            for t in 0..<60 {
                if Int.random(in: 0..<3, using: &rng) > 0 { hw += Int64.random(in: 1...50, using: &rng) }
                h.record(hw, at: Double(t))
            }
            for committed in stride(from: Int64(0), through: hw + 5, by: 7) {
                #expect(h.timeLag(committed: committed, now: 60) == TimeLag.interpolate(committed: committed, history: h.points, now: 60))
            }
        }
    }
}
