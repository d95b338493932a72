import Dataflow
import Dispatch
import EngineCore
import Foundation
import KafkaProtocol
import Logging
import RecordCodecs

/// Reads engine topic partitions for one source subtask (partition i goes to subtask
/// i mod parallelism), committed records only, in offset order per partition. A record that is
/// not JSON, or lacks its time, goes to the dead letters with the reason. Waits for new
/// records on the engine's append notices, never by polling in a loop. As a join's table
/// source it reads the topic as a changelog (key → row, null value: tombstone) and marks each
/// partition idle once caught up, so the table holds back no watermark.
final class TopicReader: SourceReader {
    let topic: String
    let format: JobDefinition.Format
    let timestampField: [String]?
    let watermark: JobDefinition.WatermarkSpec
    let partitions: [Int32]?
    let startFrom: JobDefinition.StartPosition
    let isTable: Bool

    private let wake = NSCondition()
    private var notified = false
    private var tableLoaded = false
    /// This subtask's partitions and where each goes on (its thread only).
    private var splits: [Split] = []
    /// Records of one shape share their field names (this subtask's thread only).
    private let shapes = JSONReader.Shapes()

    init(_ t: JobDefinition.TopicSource) {
        topic = t.topic; format = t.format; timestampField = t.timestampField; watermark = t.watermark
        partitions = t.partitions; startFrom = t.startFrom; isTable = false
    }

    init(table j: JobDefinition.JoinSpec) {
        topic = j.table; format = j.format; timestampField = nil; watermark = .init()
        partitions = nil; startFrom = .earliest; isTable = true
    }

    struct Split { var partition: Int32; var position: Int64; var caughtUp = false }

    func run(_ task: SubtaskRunner) throws {
        let engine = task.context.engine
        guard let count = try EngineIO.blocking({ try await engine.partitionCount(self.topic) }) else {
            throw RuntimeFailure("source topic '\(topic)' does not exist: create it, or fix the spec's topic")
        }
        let all = partitions ?? Array(0..<count)
        if let bad = all.first(where: { $0 >= count }) {
            throw RuntimeFailure("topic '\(topic)' has \(count) partitions; the spec asks for partition \(bad)")
        }
        let saved = try Self.positions(task.restored?.source ?? [])
        splits = []
        for (i, p) in all.enumerated() where i % task.context.parallelism == task.context.subtask {
            if let position = saved[p] { splits.append(Split(partition: p, position: position)); continue }
            let o = try EngineIO.blocking { try await engine.offsets(topic: self.topic, partition: p) }
            splits.append(Split(partition: p, position: startFrom == .earliest ? o.logStart : o.lastStable))
        }
        var clock = SourceClock(watermark)
        clock.watermarks.assign(splits.indices.map { $0 }, now: TaskContext.nowMs())
        if splits.isEmpty { clock.watermarks.assign([], now: 0); task.sourceIdle(true) }
        let topic = self.topic
        let subscription = try EngineIO.blocking {
            try await engine.subscribe { [weak self] notice in
                guard notice.topic == topic, let self else { return }
                self.wake.lock(); self.notified = true; self.wake.broadcast(); self.wake.unlock()
            }
        }
        defer { subscription.cancel() }

        while true {
            try task.context.checkCancelled()
            wake.lock(); notified = false; wake.unlock()
            var any = false
            for i in splits.indices {
                let read: Engine.PartitionRead
                do {
                    read = try EngineIO.blocking { [position = splits[i].position, partition = splits[i].partition] in
                        try await engine.read(topic: topic, partition: partition, from: position, maxBytes: 1 << 20, isolation: .readCommitted)
                    }
                } catch let failure as Engine.Failure where failure.code == .offsetOutOfRange {
                    try resetOutOfRange(&splits[i], engine: engine)
                    any = true
                    continue
                }
                let now = TaskContext.nowMs()
                if read.batches.isEmpty {
                    if isTable { splits[i].caughtUp = true }
                    continue
                }
                any = true
                splits[i].position = try deliver(read, split: i, from: splits[i].position, clock: &clock, now: now, task)
            }
            if isTable {
                // A table sends no watermark (its keys change out of time order); it holds the
                // join back until read to its end, then is idle for good: later changes apply as
                // they arrive.
                if !tableLoaded && splits.allSatisfy(\.caughtUp) { tableLoaded = true; task.sourceIdle(true) }
            } else {
                try clock.tick(now: TaskContext.nowMs(), task)
            }
            try task.batchDone(snapshot: writePositions)
            if !any {
                // Nothing new anywhere: wait for an append notice (or re-check idleness soon).
                try task.idle {
                    wake.lock()
                    if !notified { _ = wake.wait(until: Date().addingTimeInterval(0.1)) }
                    wake.unlock()
                }
            }
        }
    }

    /// The snapshot of a source: each partition's next offset.
    private func writePositions(_ w: inout StateWriter) {
        w.count(splits.count)
        for s in splits { w.int(Int64(s.partition)); w.int(s.position) }
    }

    /// Every this many records of one read, the source does what it does between reads
    /// (watermarks, metrics, a pending checkpoint barrier, a due flush): a read of a megabyte
    /// through a slow step must not hold a checkpoint back for its whole length.
    static let stepEvery = 256

    /// Partition → next offset from the snapshots of every old subtask (a partition may have
    /// moved to another subtask when the parallelism changed).
    static func positions(_ states: [[UInt8]]) throws -> [Int32: Int64] {
        var found: [Int32: Int64] = [:]
        for bytes in states {
            var r = StateReader(bytes)
            for _ in 0..<(try r.count()) {
                let p = try r.int(), position = try r.int()
                guard let partition = Int32(exactly: p), position >= 0 else { throw StateReader.Damaged(offset: r.offset, reason: "partition \(p) at \(position)") }
                found[partition] = position
            }
        }
        return found
    }

    /// Retention or DeleteRecords removed records this split had not read yet (or the log was
    /// cut below it): go on from the log's start, as a Kafka consumer with
    /// `auto.offset.reset=earliest` does, instead of failing the job at every restart. Logged
    /// with the number of offsets skipped (docs/jobs-engine.md, Sources).
    private func resetOutOfRange(_ split: inout Split, engine: Engine) throws {
        let o = try EngineIO.blocking { [partition = split.partition] in try await engine.offsets(topic: self.topic, partition: partition) }
        let skipped = o.logStart > split.position ? o.logStart - split.position : 0
        engine.logger.warning("job source position out of range: resuming at the log start", metadata: [
            "topic": "\(topic)", "partition": "\(split.partition)", "position": "\(split.position)",
            "log_start_offset": "\(o.logStart)", "log_end_offset": "\(o.highWatermark)", "skipped": "\(skipped)",
        ])
        split.position = o.logStart
    }

    /// Hands the records of `read` from `position` on to the task; returns the next position.
    private func deliver(_ read: Engine.PartitionRead, split: Int, from position: Int64, clock: inout SourceClock, now: Int64,
                         _ task: SubtaskRunner) throws -> Int64 {
        var next = position
        let bytes = read.batches
        var abortedOpen: Set<Int64> = []
        var delivered = 0
        var pendingAborts = read.abortedTransactions.sorted { $0.firstOffset < $1.firstOffset }[...]
        for (batch, start) in try RecordBatch.split(bytes, allowTruncatedTail: true) {
            while let a = pendingAborts.first, a.firstOffset <= batch.lastOffset { abortedOpen.insert(a.producerId); pendingAborts.removeFirst() }
            next = max(next, batch.lastOffset + 1)
            if batch.isControl { abortedOpen.remove(batch.producerId); continue }
            if batch.isTransactional && abortedOpen.contains(batch.producerId) { continue }
            for r in try batch.decodedRecords(in: bytes, at: start) {
                let offset = batch.baseOffset + Int64(r.offsetDelta)
                guard offset >= position else { continue }
                let kafkaTime = batch.isLogAppendTime ? batch.maxTimestamp : batch.baseTimestamp + r.timestampDelta
                try handle(r, kafkaTime: kafkaTime, split: split, clock: &clock, now: now, task)
                delivered += 1
                if delivered % Self.stepEvery == 0 {
                    splits[split].position = offset + 1
                    if !isTable { try clock.tick(now: TaskContext.nowMs(), task) }
                    try task.batchDone(snapshot: writePositions)
                }
            }
        }
        return next
    }

    private func handle(_ r: Record, kafkaTime: Int64, split: Int, clock: inout SourceClock, now: Int64, _ task: SubtaskRunner) throws {
        let keyValue: Value? = r.key.map { .string(String(decoding: $0, as: UTF8.self)) }
        if isTable {
            guard let keyValue else { return try task.output.deadLetter(key: nil, value: r.value, reason: "table record without a key", time: kafkaTime) }
            var row = Value.null
            if let v = r.value {
                switch format {
                case .text: row = .string(String(decoding: v, as: UTF8.self))
                case .json:
                    do { row = try JSONReader.parse(v, shapes: shapes) } catch {
                        return try task.output.deadLetter(key: r.key, value: r.value, reason: "table \(topic): \(error)", time: kafkaTime)
                    }
                    if row.isNull { row = .object([]) }  // JSON null is a value, not a tombstone
                }
            }
            var r = StreamRecord(value: row, time: kafkaTime, key: keyValue)
            return try task.sourceRecord(&r)
        }
        var value: Value
        switch format {
        case .text:
            value = .object([("key", keyValue ?? .null), ("value", r.value.map { .string(String(decoding: $0, as: UTF8.self)) } ?? .null)])
        case .json:
            guard let bytes = r.value else {
                return try task.output.deadLetter(key: r.key, value: nil, reason: "\(topic): record without a value", time: kafkaTime)
            }
            do { value = try JSONReader.parse(bytes, shapes: shapes) } catch {
                return try task.output.deadLetter(key: r.key, value: r.value, reason: "\(topic): \(error)", time: kafkaTime)
            }
        }
        var time = kafkaTime
        if let field = timestampField {
            switch value.lookup(field) {
            case .int(let ms)?: time = ms
            case .double(let ms)? where ms.isFinite && abs(ms) < 9e15: time = Int64(ms)
            case .string(let s)? where TimeText.parse(s) != nil: time = TimeText.parse(s)!
            default:
                let name = field.joined(separator: ".")
                return try task.output.deadLetter(key: r.key, value: r.value,
                                                  reason: "\(topic): no event time: field '\(name)' is missing or not a time (ms since the epoch or ISO-8601)",
                                                  time: kafkaTime)
            }
        }
        var r = StreamRecord(value: value, time: time)
        try clock.record(&r, split: split, now: now, task)
    }
}

extension TopicReader: @unchecked Sendable {}  // `notified` guarded by `wake`
