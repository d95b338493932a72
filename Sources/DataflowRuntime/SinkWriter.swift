import Dataflow
import Foundation

/// A job's sink: records as JSON or text to an engine topic, keyed by the sink's key expression
/// or the record's key, at most `throttle` per second (a deliberately slow sink sleeps, and
/// that is busy time, as a slow sink is in Flink). Without a topic it discards them.
final class SinkWriter {
    let spec: JobDefinition.Sink
    let writer: TopicWriter?
    /// The exactly-once sink's transactions over `writer`.
    let transactional: TransactionalSink?
    /// A table outside the engine (a Postgres upsert sink) instead of a topic.
    let external: ExternalSink?
    private let perSecond: Double?
    private var tokens: Double = 0
    private var refilled = DispatchTime.now().uptimeNanoseconds

    init(spec: JobDefinition.Sink, writer: TopicWriter?, parallelism: Int, transactional: TransactionalSink? = nil, external: ExternalSink? = nil) {
        self.spec = spec
        self.writer = writer
        self.transactional = transactional
        self.external = external
        perSecond = spec.throttle.map { $0 / Double(parallelism) }
        tokens = min(perSecond ?? 0, 1)
    }

    /// Returns why a record cannot be written (it goes to the dead letters), or nil.
    func write(_ record: StreamRecord) throws -> String? {
        if let perSecond { throttle(perSecond) }
        if let external { return try external.write(record) }
        guard let writer else { return nil }
        let key = (spec.key?.evaluate(record.value) ?? record.key).flatMap { $0.isNull ? nil : Array($0.text.utf8) }
        let value: [UInt8]
        switch spec.format {
        case .json: value = JSONWriter.bytes(record.value)
        case .text: value = Array((record.value.lookup(["value"]) ?? record.value).text.utf8)
        }
        try writer.write(key: key, value: value, time: record.time)
        return nil
    }

    func flush() throws { try writer?.flush(); try external?.flush() }
    func drain() throws { try writer?.drain(); try external?.drain() }

    private func throttle(_ perSecond: Double) {
        let now = DispatchTime.now().uptimeNanoseconds
        tokens = min(max(perSecond / 10, 1), tokens + Double(now - refilled) / 1e9 * perSecond)
        refilled = now
        if tokens < 1 {
            let waitSeconds = (1 - tokens) / perSecond
            usleep(UInt32(min(waitSeconds, 1) * 1e6))
            let after = DispatchTime.now().uptimeNanoseconds
            tokens += Double(after - refilled) / 1e9 * perSecond
            refilled = after
        }
        tokens -= 1
    }
}
