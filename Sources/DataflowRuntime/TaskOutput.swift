import Dataflow
import Dispatch
import EngineCore
import KafkaProtocol

/// The end of a task's chain: records go to the next vertex's subtasks (by key hash, round
/// robin or one to one) in batches, or to the sink's topic; watermarks and idleness go to every
/// next subtask; side outputs go to their topics. Waiting on a full next gate is this task's
/// backpressured time.
final class TaskOutput: Collector {
    struct Route {
        var gates: [InputGate]
        var partitioning: JobGraph.Partitioning
        /// This subtask's channel number at each next gate.
        var channel: Int
    }

    static let batchSize = 1024

    let context: TaskContext
    private let route: Route?
    private let sink: SinkWriter?
    /// Per next subtask: the batch being filled, in `buffers[i][..<filled[i]]`. Past that lie
    /// the records of a batch the receiver has processed and sent back: each is overwritten as a
    /// new one comes, so a record is freed just as the next is made (the allocator reuses the
    /// block at once instead of a thousand being freed, then made, together).
    private var buffers: [[Element]]
    private var filled: [Int]
    private var roundRobin = 0
    private var lastWatermark = Int64.min
    private var sideWriters: [String: TopicWriter] = [:]

    // Counted here, published by the task loop.
    var recordsOut: Int64 = 0
    var deadLetters: Int64 = 0
    var lateDropped: Int64 = 0
    var lateSide: Int64 = 0
    var outputWatermark: Int64 { lastWatermark }
    /// An exactly-once sink's transactions.
    var transactional: TransactionalSink? { sink?.transactional }

    init(context: TaskContext, route: Route?, sink: SinkWriter?) {
        self.context = context
        self.route = route
        self.sink = sink
        buffers = Array(repeating: [], count: route?.gates.count ?? 0)
        filled = Array(repeating: 0, count: buffers.count)
        for i in buffers.indices { buffers[i].reserveCapacity(Self.batchSize) }
    }

    func collect(_ record: inout StreamRecord) throws {
        recordsOut += 1
        if let sink {
            if let refused = try sink.write(record) {
                try deadLetter(key: record.key.map { Array($0.text.utf8) }, value: JSONWriter.bytes(record.value), reason: refused, time: record.time)
            }
            return
        }
        guard let route else { return }
        let target: Int
        switch route.partitioning {
        case .forward: target = min(context.subtask, route.gates.count - 1)
        case .hash: target = KeyRouting.subtask(forHash: record.keyHash, parallelism: route.gates.count)
        case .rebalance: target = roundRobin; roundRobin = (roundRobin + 1) % route.gates.count
        }
        push(.record(consume record), to: target)  // moved, not copied
        record = .taken
        if filled[target] >= Self.batchSize { try send(target) }
    }

    private func push(_ element: consuming Element, to i: Int) {
        let n = filled[i]
        if n < buffers[i].count { buffers[i][n] = consume element } else { buffers[i].append(consume element) }
        filled[i] = n + 1
    }

    func emitWatermark(_ watermark: Int64) throws {
        guard watermark > lastWatermark else { return }
        lastWatermark = watermark
        for i in buffers.indices { push(.watermark(watermark), to: i) }
    }

    /// A checkpoint barrier: the sink's and side outputs' writes so far made durable (at least
    /// once: the checkpoint never covers a record that could still be lost), then the barrier
    /// after everything buffered, sent to every next subtask at once.
    /// Returns an exactly-once sink's state: its transactions, pre-committed.
    func emitBarrier(_ b: CheckpointBarrier) throws -> [UInt8]? {
        var state: [UInt8]? = nil
        if let t = sink?.transactional { state = try t.preCommit(checkpoint: b.id) } else { try sink?.drain() }
        for w in sideWriters.values { try w.drain() }
        for i in buffers.indices {
            push(.barrier(b), to: i)
            try send(i)
        }
        return state
    }

    func emitIdle(_ idle: Bool) {
        for i in buffers.indices { push(.idle(idle), to: i) }
    }

    func side(_ o: SideOutput, _ record: StreamRecord) throws { try side(o, record, lateTopic: nil) }

    func side(_ o: SideOutput, _ record: StreamRecord, lateTopic: String?) throws {
        switch o {
        case .late:
            guard let lateTopic else { lateDropped += 1; return }
            lateSide += 1
            try writer(lateTopic).write(key: record.key.map { Array($0.text.utf8) }, value: JSONWriter.bytes(record.value), time: record.time)
        case .deadLetter(let reason):
            try deadLetter(key: record.key.map { Array($0.text.utf8) }, value: JSONWriter.bytes(record.value), reason: reason, time: record.time)
        }
    }

    /// A record a step could not use, as it came (a source's raw bytes), with the reason in
    /// the `sluice.error` header.
    func deadLetter(key: [UInt8]?, value: [UInt8]?, reason: String, time: Int64) throws {
        deadLetters += 1
        try writer(context.deadLetterTopic).write(key: key, value: value, time: time,
                                                  headers: [Record.Header(key: "sluice.error", value: Array(reason.utf8))])
    }

    private func writer(_ topic: String) throws -> TopicWriter {
        if let w = sideWriters[topic] { return w }
        let n = try EngineIO.ensureTopic(context.engine, topic, partitions: 1)
        let w = TopicWriter(engine: context.engine, topic: topic, partitions: n, startPartition: Int32(context.subtask))
        sideWriters[topic] = w
        return w
    }

    private func send(_ target: Int) throws {
        guard let route, filled[target] > 0 else { return }
        if buffers[target].count > filled[target] { buffers[target].removeSubrange(filled[target]...) }  // the old batch's rest
        var batch: [Element] = []
        swap(&batch, &buffers[target])
        filled[target] = 0
        let (accepted, spare) = route.gates[target].put(consume batch, from: route.channel, sender: context.metrics)
        guard accepted else { throw TaskCancelled() }
        if let spare {
            buffers[target] = spare  // the receiver is done with it: refilled (and its records freed) here
        } else {
            buffers[target].reserveCapacity(Self.batchSize)
        }
    }

    /// Sends every buffered batch (before the task waits for input, and at batch ends).
    func flush() throws {
        for i in buffers.indices { try send(i) }
        try sink?.flush()
        for w in sideWriters.values { try w.flush() }
    }

    /// The input ended: everything out, the end marker to every next subtask, the sink durable.
    func finish() throws {
        for i in buffers.indices { push(.end, to: i) }
        try flush()
        try sink?.drain()
        for w in sideWriters.values { try w.drain() }
    }
}

/// Thrown inside a task when its job is being cancelled: not a failure.
struct TaskCancelled: Error {}
