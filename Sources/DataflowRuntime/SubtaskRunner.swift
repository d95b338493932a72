import Dataflow
import Dispatch

/// One subtask's thread: a source's read loop, or the loop over its input gate that feeds
/// the chain (records, watermarks through the valve, a join's table changes). Publishes its
/// counters once per batch; flushes its output before it waits, so nothing sits in a buffer
/// while the task is idle, and at least every 10 ms while it is busy.
final class SubtaskRunner: @unchecked Sendable {  // used by its own thread only, once started
    let context: TaskContext
    let operators: [StreamOperator]
    let head: Collector
    let output: TaskOutput
    let gate: InputGate?
    let channels: Int
    let tableChannels: Set<Int>
    /// Input channels from source subtasks with nothing to read: ended before the first batch.
    let endedChannels: Set<Int>
    let source: SourceReader?

    private var recordsIn: Int64 = 0
    private var inputWatermark = Int64.min
    private var idleSent = false
    /// Keyed state is measured by walking it: a few times a second, not at every batch.
    private var stateBytes = 0
    private var stateMeasuredAt: UInt64 = 0

    /// Set before the task starts when the job checkpoints (docs/checkpoints.md).
    var checkpoints: CheckpointHooks?
    /// The chain's operator ids (their state's names in snapshots) and names (their metrics').
    var operatorIds: [String] = []
    var operatorNames: [String] = []
    /// A stop-with-savepoint barrier has passed: the inputs end next.
    var stopping = false
    /// The last barrier this task passed on.
    var lastBarrier: Int64?
    /// What a restore hands this subtask: its source's positions (every old subtask's, the
    /// reader keeps its own splits) and each stateful operator's snapshots by operator id.
    var restored: RestoredState?
    /// Input side: barriers are aligned across channels.
    var aligner: BarrierAligner

    init(context: TaskContext, operators: [StreamOperator], lateTopics: [String?], output: TaskOutput,
         gate: InputGate?, channels: Int, tableChannels: Set<Int>, endedChannels: Set<Int> = [], source: SourceReader?) {
        self.context = context
        self.operators = operators
        self.output = output
        self.gate = gate
        self.channels = channels
        self.tableChannels = tableChannels
        self.endedChannels = endedChannels
        self.source = source
        aligner = BarrierAligner(channels: channels, ended: endedChannels)
        var next: Collector = output
        for (op, late) in zip(operators, lateTopics).reversed() {
            next = ChainLink(op, handed: OperatorOutput(next: next, output: output, lateTopic: late))
        }
        head = next
    }

    func run() throws {
        try restoreOperators()
        context.metrics.update { $0.initializing = false }
        if let source {
            do { try source.run(self) } catch is SourceStopped {}
        } else {
            try runInput()
        }
        publish()
        checkpoints?.coordinator.taskFinished(vertex: checkpoints!.vertex, subtask: context.subtask)
    }

    // MARK: source side

    func sourceRecord(_ record: inout StreamRecord) throws {
        recordsIn += 1
        try head.collect(&record)
    }

    func sourceWatermark(_ watermark: Int64) throws {
        if watermark > inputWatermark { inputWatermark = watermark }
        try head.emitWatermark(watermark)
    }

    func sourceIdle(_ idle: Bool) { output.emitIdle(idle) }

    /// The end of a source's batch: publish, take a checkpoint if one was triggered (the
    /// source writes its positions with `snapshot`), and send what is buffered once it has
    /// waited the buffer timeout (full batches go at once; a source about to wait sends in `idle`).
    func batchDone(snapshot: (inout StateWriter) -> Void = { _ in }) throws {
        publish()
        try applyCompletions()
        if let hooks = checkpoints, let mailbox = hooks.mailbox, let barrier = mailbox.take() {
            if barrier.drain { try sourceWatermark(.max) }
            var w = StateWriter()
            snapshot(&w)
            try checkpoint(barrier, source: w.bytes, alignmentNanos: 0)
            if barrier.stop {
                try finishSink()
                try output.finish()
                throw SourceStopped()
            }
        }
        try flushIfDue()
    }

    /// Sends partial batches at most every 10 ms while data flows (Flink's buffer timeout, 100 ms
    /// by default, trades latency for throughput the same way): a wake-up of the next task per
    /// handful of records would cost more than the records.
    private func flushIfDue() throws {
        let now = DispatchTime.now().uptimeNanoseconds
        if now &- flushedAt >= Self.bufferTimeoutNanos { try flush(now) }
    }

    private func flush(_ now: UInt64 = DispatchTime.now().uptimeNanoseconds) throws {
        try output.flush()
        flushedAt = now
    }

    static let bufferTimeoutNanos: UInt64 = 10_000_000
    private var flushedAt: UInt64 = 0

    /// Sends what is buffered, then times `body` (a source waiting for data or pacing itself)
    /// as idle: nothing sits in a buffer while its task waits.
    func idle<T>(_ body: () throws -> T) throws -> T {
        try flush()
        return try context.metrics.wait(.idle, body)
    }

    func finishSource() throws {
        try head.emitWatermark(.max)
        try finishSink()
        try output.finish()
    }

    // MARK: input side

    private func runInput() throws {
        guard let gate else { return }
        var valve = WatermarkValve(inputs: channels)
        for c in endedChannels { _ = valve.end(c) }
        let join = operators.first as? TemporalJoinOperator
        while true {
            var batch = gate.poll()
            if batch == nil {
                publish()
                try flush()
                batch = gate.take(receiver: context.metrics)
            }
            guard case (let channel, var elements)? = batch.take() else { throw TaskCancelled() }
            try applyCompletions()
            if channel == InputGate.woken { continue }  // woken for a checkpoint's outcome, no batch
            // Each element is moved out of the batch, handled, and moved back: copying it out
            // would take a reference on this thread to a record the sender's thread made (an
            // atomic on another core's cache line, per record), and the sender frees it later.
            var ended = false
            for i in elements.indices {
                var element = Element.end
                swap(&element, &elements[i])
                if aligner.isBlocked(channel) { aligner.hold(element, from: channel); continue }  // kept: past a barrier
                defer { swap(&element, &elements[i]) }
                ended = try handle(&element, from: channel, &valve, join: join)
                if !ended && aligner.hasReleased { ended = try handleReleased(&valve, join: join) }
                if ended { break }
            }
            if ended { return }
            gate.recycle(consume elements, from: channel)  // consumed: the sender must find it unique
            publish()
            try flushIfDue()
        }
    }

    /// One element of a batch from `channel`; true once every input has ended (the output is
    /// finished then).
    private func handle(_ element: inout Element, from channel: Int, _ valve: inout WatermarkValve, join: TemporalJoinOperator?) throws -> Bool {
        switch element {
        case .record:
            recordsIn += 1
            // A slow step (a delay, a throttled sink) can take seconds over a batch: a cancel is
            // seen within 64 of its records.
            if recordsIn & 63 == 0 { try context.checkCancelled() }
            // The record is moved out of its element into the chain and back, never copied.
            guard case .record(var r) = consume element else { preconditionFailure("a record") }
            do {
                if let join, tableChannels.contains(channel) {
                    join.processTable(key: r.key ?? .null, row: r.value.isNull ? nil : r.value, time: r.time)
                } else {
                    try head.collect(&r)
                }
            } catch {
                element = .record(r)
                throw error
            }
            element = .record(r)
        case .watermark(let w):
            if let advanced = valve.watermark(w, from: channel) { try advance(advanced) }
        case .idle(let isIdle):
            if let advanced = valve.setIdle(isIdle, from: channel) { try advance(advanced) }
            if valve.outputIdle != idleSent { idleSent = valve.outputIdle; output.emitIdle(idleSent) }
        case .end:
            // After a stop-with-savepoint barrier the inputs end without a final watermark: no
            // window fires past the savepoint.
            if let advanced = valve.end(channel), !stopping { try advance(advanced) }
            if case .aligned(let b) = aligner.end(channel) { try aligned(b) }
            if valve.allEnded {
                try finishSink()
                try output.finish()
                return true
            }
        case .barrier(let b):
            if case .aligned(let b) = aligner.barrier(b, from: channel, now: DispatchTime.now().uptimeNanoseconds) { try aligned(b) }
        }
        return false
    }

    /// Elements held back during the last alignment, in order; each may block its channel
    /// again on a newer barrier.
    private func handleReleased(_ valve: inout WatermarkValve, join: TemporalJoinOperator?) throws -> Bool {
        var batches = aligner.takeReleased()
        while !batches.isEmpty {
            for (channel, elements) in batches {
                for var e in elements {
                    if aligner.isBlocked(channel) { aligner.hold(e, from: channel); continue }
                    if try handle(&e, from: channel, &valve, join: join) { return true }
                }
            }
            batches = aligner.takeReleased()
        }
        return false
    }

    private func aligned(_ b: CheckpointBarrier) throws {
        try checkpoint(b, source: nil, alignmentNanos: DispatchTime.now().uptimeNanoseconds - aligner.alignmentStart)
    }

    private func advance(_ w: Int64) throws {
        inputWatermark = w
        try head.emitWatermark(w)
    }

    private func publish() {
        let now = DispatchTime.now().uptimeNanoseconds
        var measured: [String: Double]? = nil
        if now &- stateMeasuredAt >= 250_000_000 {
            stateBytes = operators.reduce(0) { $0 + $1.stateSize }
            stateMeasuredAt = now
            var m: [String: Double] = [:]
            for (op, name) in zip(operators, operatorNames) { for (k, v) in op.metrics { m["\(name).\(k)"] = v } }
            if !m.isEmpty { measured = m }
        }
        let state = stateBytes
        let o = output
        let inW = inputWatermark, rin = recordsIn
        let queued = gate?.depth ?? 0, capacity = gate?.capacityInBatches ?? 1
        context.metrics.update { c in
            c.recordsIn = rin
            c.recordsOut = o.recordsOut
            c.inputWatermark = inW
            c.outputWatermark = o.outputWatermark
            c.stateBytes = Int64(state)
            if let measured { c.operatorMetrics = measured }
            c.deadLetters = o.deadLetters
            c.lateRecordsDropped = o.lateDropped
            c.lateRecordsToSideOutput = o.lateSide
            c.inputQueued = queued
            c.inputCapacity = capacity
        }
    }
}

/// Reads a source for one subtask, handing records and watermarks to the runner.
protocol SourceReader {
    func run(_ task: SubtaskRunner) throws
}
