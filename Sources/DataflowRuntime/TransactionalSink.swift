import Dataflow
import EngineCore
import Foundation

/// The exactly-once topic sink's transactions (Flink's two-phase commit KafkaSink): records go
/// into a transaction; at a checkpoint's barrier it is flushed ("pre-committed") and kept in the
/// snapshot, and the next records go into another; when the checkpoint completes, its
/// transactions commit. `read_committed` readers so see each result once: a restart from a
/// checkpoint commits the transactions that checkpoint holds and aborts the ones written after
/// it (docs/checkpoints.md, Exactly once).
///
/// Transactional ids are `<prefix>-<subtask>-<n>`: a small pool, an id going back to it once its
/// transaction commits (two suffice while checkpoints complete; a failed one holds its
/// transaction to the next, which needs a third).
final class TransactionalSink {
    let engine: Engine
    let prefix: String
    let subtask: Int
    let writer: TopicWriter
    /// Ample for a restart (Kafka's `transaction.max.timeout.ms`): a transaction must outlive
    /// the checkpoint that holds it.
    static let timeoutMs: Int32 = 900_000

    struct Committable: Equatable {
        var producer: Engine.TransactionalProducer
        var checkpoint: Int64
        var hasRecords: Bool
    }

    private var free: [Engine.TransactionalProducer] = []
    private var poolSize = 0
    private var current: Engine.TransactionalProducer?
    private(set) var committables: [Committable] = []

    init(engine: Engine, prefix: String, subtask: Int, writer: TopicWriter) {
        self.engine = engine; self.prefix = prefix; self.subtask = subtask; self.writer = writer
    }

    static func id(prefix: String, subtask: Int, _ n: Int) -> String { "\(prefix)-\(subtask)-\(n)" }

    /// Restores what the snapshots of the old subtasks this one takes over hold: their
    /// transactions commit (a retry of a finished commit is fine), then every id those subtasks
    /// used is registered again, which fences a zombie and aborts what was written after the
    /// checkpoint. With no snapshot, this subtask's own ids are cleaned the same way.
    func start(restoring states: [[UInt8]], parallelism: Int) throws {
        var ids: Set<String> = []
        for (old, bytes) in states.enumerated() where old % parallelism == subtask {
            var r = StateReader(bytes)
            let size = Int(try r.int())
            for n in 0..<size { ids.insert(Self.id(prefix: prefix, subtask: old, n)) }
            for _ in 0..<(try r.count()) {
                let c = Committable(producer: .init(transactionalId: try r.string(), producerId: try r.int(), epoch: Int16(truncatingIfNeeded: try r.int())),
                                    checkpoint: try r.int(), hasRecords: try r.bool())
                if c.hasRecords { try commit(c, restoring: true) }
            }
        }
        if states.isEmpty { for n in 0..<2 { ids.insert(Self.id(prefix: prefix, subtask: subtask, n)) } }
        // This subtask's own ids, registered here, start the pool as they are (not registered twice).
        let ownPrefix = Self.id(prefix: prefix, subtask: subtask, 0).dropLast()
        for id in ids.sorted() {
            let producer = try EngineIO.blocking { [engine] in try await engine.initTransactions(id: id, timeoutMs: Self.timeoutMs) }
            if id.hasPrefix(ownPrefix), let n = Int(id.dropFirst(ownPrefix.count)) {
                poolSize = max(poolSize, n + 1)
                free.append(producer)
            }
        }
        try begin()
    }

    private func begin() throws {
        if free.isEmpty {
            let id = Self.id(prefix: prefix, subtask: subtask, poolSize)
            poolSize += 1
            free.append(try EngineIO.blocking { [engine] in try await engine.initTransactions(id: id, timeoutMs: Self.timeoutMs) })
        }
        current = free.removeLast()
        writer.use(current)
    }

    /// At a barrier: everything written so far durable in the current transaction, which the
    /// checkpoint keeps; the next records go into a fresh one. Returns the snapshot.
    func preCommit(checkpoint: Int64) throws -> [UInt8] {
        try writer.drain()
        if let current { committables.append(Committable(producer: current, checkpoint: checkpoint, hasRecords: writer.sentInTransaction > 0)) }
        try begin()
        var w = StateWriter()
        w.int(Int64(poolSize))
        w.count(committables.count)
        for c in committables {
            w.string(c.producer.transactionalId); w.int(c.producer.producerId); w.int(Int64(c.producer.epoch))
            w.int(c.checkpoint); w.bool(c.hasRecords)
        }
        return w.bytes
    }

    /// Checkpoint `id` completed: the transactions it (and any failed one before it) holds commit.
    func checkpointComplete(_ id: Int64) throws {
        while let c = committables.first, c.checkpoint <= id {
            if c.hasRecords { try commit(c) }
            committables.removeFirst()
            free.append(c.producer)  // empty or committed: the id begins its next transaction with its next append
        }
    }

    /// The input ended with no checkpoint to come (a bounded job): the open transaction commits.
    func finishInput() throws {
        try writer.drain()
        if let current, writer.sentInTransaction > 0 { try commit(Committable(producer: current, checkpoint: .max, hasRecords: true)) }
        writer.use(nil)
        current = nil
    }

    /// `restoring`: a fenced producer means an earlier restore from the same checkpoint committed
    /// this transaction and then registered the id again (commits always come first), so the
    /// commit is done (Flink's committer reads a fenced recommit the same way).
    private func commit(_ c: Committable, restoring: Bool = false) throws {
        do {
            try EngineIO.blocking { [engine] in try await engine.commitTransaction(c.producer) }
        } catch let f as Engine.Failure where restoring && (f.code == .producerFenced || f.code == .invalidProducerEpoch) {
            return
        } catch {
            throw RuntimeFailure("the exactly-once sink could not commit transaction '\(c.producer.transactionalId)' of checkpoint \(c.checkpoint) "
                + "(results of that checkpoint are lost if it was aborted, e.g. after \(Self.timeoutMs / 60_000) minutes): \(error)")
        }
    }
}
