import Dataflow

/// Joins one operator of a chain to what follows it: records go through the operator's
/// `process`, watermarks through its `advance`, with ``OperatorOutput`` as its collector.
final class ChainLink: Collector {
    let op: StreamOperator
    let handed: OperatorOutput

    init(_ op: StreamOperator, handed: OperatorOutput) { self.op = op; self.handed = handed }

    func collect(_ record: inout StreamRecord) throws { try op.process(&record, handed) }
    func emitWatermark(_ watermark: Int64) throws { try op.advance(to: watermark, handed) }
    func side(_ o: SideOutput, _ record: StreamRecord) throws { try handed.side(o, record) }
}

/// The collector an operator is handed: its successor in the chain, and the task's side
/// outputs with this operator's late topic (a window's `lateOutput`).
final class OperatorOutput: Collector {
    let next: Collector
    let output: TaskOutput
    let lateTopic: String?
    init(next: Collector, output: TaskOutput, lateTopic: String?) { self.next = next; self.output = output; self.lateTopic = lateTopic }
    func collect(_ record: inout StreamRecord) throws { try next.collect(&record) }
    func emitWatermark(_ watermark: Int64) throws { try next.emitWatermark(watermark) }
    func side(_ o: SideOutput, _ record: StreamRecord) throws { try output.side(o, record, lateTopic: lateTopic) }
}
