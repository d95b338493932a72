import Dataflow
import Testing
@testable import DataflowRuntime

/// The bounded gate between tasks: batches in order, and processed batches back to their sender.
@Suite struct InputGateTests {
    func batch(_ n: Int, from first: Int64 = 0) -> [Element] {
        (0..<n).map { .record(StreamRecord(value: .object([("i", .int(first + Int64($0)))]), time: first + Int64($0))) }
    }

    @Test func aProcessedBatchGoesBackToItsOwnChannelsSender() throws {
        let gate = InputGate(capacity: 4)
        let metrics = TaskMetrics()
        var put = gate.put(batch(3), from: 0, sender: metrics)
        #expect(put.accepted && put.spare == nil, "nothing processed yet")
        #expect(gate.put(batch(2, from: 100), from: 1, sender: metrics).accepted)
        let (channel, elements) = try #require(gate.poll())
        #expect(channel == 0 && elements.count == 3)
        gate.recycle(elements, from: channel)
        // Channel 1's sender gets nothing of channel 0's; channel 0's gets its batch back.
        #expect(gate.put(batch(1), from: 1, sender: metrics).spare == nil)
        put = gate.put(batch(1), from: 0, sender: metrics)
        #expect(put.spare?.count == 3)
        #expect(gate.poll()?.channel == 1, "order is kept: channel 1's first batch is next")
    }

    @Test func aClosedGateRefusesBatchesAndKeepsNoSpares() {
        let gate = InputGate(capacity: 2)
        let metrics = TaskMetrics()
        gate.recycle(batch(1), from: 0)
        gate.close()
        let put = gate.put(batch(1), from: 0, sender: metrics)
        #expect(!put.accepted && put.spare == nil)
        #expect(gate.poll() == nil)
    }
}
