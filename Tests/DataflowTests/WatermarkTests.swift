import Testing
@testable import Dataflow

@Suite struct WatermarkTests {
    @Test func aSourceWatermarkIsTheSlowestActiveSplit() {
        var w = SourceWatermarks(outOfOrderness: 5, idleAfter: 1000)
        w.assign([0, 1], now: 0)
        w.observe(split: 0, time: 100, now: 0)
        #expect(w.current(now: 0).watermark == nil, "split 1 has seen nothing and is not idle yet")
        w.observe(split: 1, time: 50, now: 10)
        #expect(w.current(now: 10).watermark == 44)
        w.observe(split: 0, time: 200, now: 900)
        #expect(w.current(now: 1011).watermark == 194, "split 1 went idle at 1010")
        #expect(w.current(now: 1901).idle, "both idle")
    }

    @Test func theValveTakesTheLowestActiveInputAndNeverGoesBack() {
        var v = WatermarkValve(inputs: 2)
        #expect(v.watermark(10, from: 0) == nil)
        #expect(v.watermark(5, from: 1) == 5)
        #expect(v.watermark(20, from: 1) == 10)
        #expect(v.setIdle(true, from: 0) == 20, "an idle input holds nothing back")
        #expect(v.watermark(15, from: 0) == nil, "back from idle behind the output: not aligned, no step back")
        #expect(v.output == 20)
        #expect(v.end(0) == nil)
        #expect(v.end(1) == .max)
        #expect(v.allEnded)
    }
}
