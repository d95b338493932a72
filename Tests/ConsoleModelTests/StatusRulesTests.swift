import Testing
@testable import ConsoleModel

/// One test per rule, named after the situation it describes (DESIGN §3).
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

    @Test func growingLagNeedsAFullWindowBeforeWARN() {
        let w = window((0..<5).map { (Int64($0 * 10), Int64(100 + $0 * 20)) })
        #expect(StatusRules.evaluate(w, hasMembers: true) == .ok)
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
