import Dispatch
import EngineCore
import Foundation
import KafkaProtocol

/// Appends a task's output records to one engine topic: buffered per partition, sent as batches
/// in order on the engine's loop, a few in flight (acks=all: each counts once durable). A
/// failed append fails the task at its next write. Inside `transaction` when one is set (the
/// exactly-once sink's).
final class TopicWriter {
    let engine: Engine
    let topic: String
    let partitions: Int32
    /// Per partition; mutated in place (a copy out of a dictionary would copy the whole
    /// pending batch at every record).
    private var buffers: [Pending]
    private var nextPartition: Int32
    private let inFlight = DispatchSemaphore(value: TopicWriter.maxInFlight)
    private let failure = NSLock()
    private var failed: Error?
    private var outstanding = 0
    private let outstandingLock = NSCondition()
    /// Batches go into this transaction; nil: plain appends.
    var transaction: Engine.TransactionalProducer?
    /// Records sent since `transaction` was last set.
    private(set) var sentInTransaction = 0
    static let maxInFlight = 8
    static let maxBatchRecords = 1000
    static let maxBatchBytes = 256 << 10

    init(engine: Engine, topic: String, partitions: Int32, startPartition: Int32) {
        self.engine = engine
        self.topic = topic
        self.partitions = partitions
        nextPartition = startPartition % max(partitions, 1)
        buffers = Array(repeating: Pending(), count: Int(max(partitions, 1)))
    }

    struct Pending {
        var records: [Record] = []
        var times: [Int64] = []
        var bytes = 0
    }

    func write(key: [UInt8]?, value: [UInt8]?, time: Int64, headers: [Record.Header] = []) throws {
        try check()
        let partition: Int32
        if let key { partition = KeyRouting.kafkaPartition(key: key, partitions: partitions) } else { partition = nextPartition }
        let i = Int(partition)
        buffers[i].records.append(Record(offsetDelta: Int32(buffers[i].records.count), key: key, value: value, headers: headers))
        buffers[i].times.append(time)
        buffers[i].bytes += (key?.count ?? 0) + (value?.count ?? 0) + 24
        if buffers[i].records.count >= Self.maxBatchRecords || buffers[i].bytes >= Self.maxBatchBytes {
            sendBuffered(i)
            if key == nil { nextPartition = (nextPartition + 1) % partitions }  // sticky partitioner: move on per batch
        }
    }

    private func sendBuffered(_ i: Int) {
        guard !buffers[i].records.isEmpty else { return }
        let b = buffers[i]
        buffers[i] = Pending()
        send(Int32(i), b.records, b.times)
    }

    /// Sends what is buffered.
    func flush() throws {
        try check()
        for i in buffers.indices { sendBuffered(i) }
    }

    /// Sends what is buffered and waits until every append is durable.
    func drain() throws {
        try flush()
        outstandingLock.lock()
        while outstanding > 0 { outstandingLock.wait() }
        outstandingLock.unlock()
        try check()
    }

    private func check() throws {
        failure.lock(); defer { failure.unlock() }
        if let failed { throw failed }
    }

    /// Moves to another transaction (or none): the next batches go there.
    func use(_ producer: Engine.TransactionalProducer?) {
        transaction = producer
        sentInTransaction = 0
    }

    private func send(_ partition: Int32, _ records: [Record], _ times: [Int64]) {
        let base = times.min() ?? 0
        var records = records  // unique here: numbered in place
        for i in records.indices { records[i].timestampDelta = times[i] - base }
        let txn = transaction
        if txn != nil { sentInTransaction += records.count }
        let bytes = txn == nil ? RecordBatch.encode(baseTimestamp: base, records: records) : []
        let numbered = records
        inFlight.wait()
        outstandingLock.lock(); outstanding += 1; outstandingLock.unlock()
        let engine = self.engine, topic = self.topic
        let finish: @Sendable (Error?) -> Void = { [self] error in
            if let error { failure.lock(); if failed == nil { failed = error }; failure.unlock() }
            inFlight.signal()
            outstandingLock.lock(); outstanding -= 1; outstandingLock.broadcast(); outstandingLock.unlock()
        }
        engine.loop.execute {
            let outcome = txn.map { engine.appendInTransaction($0, topic: topic, partition: partition, records: numbered, baseTimestamp: base) }
                ?? engine.append(topic: topic, partition: partition, records: bytes, waitForDurability: true, transactionalId: nil)
            guard outcome.errorCode.isOK else {
                return finish(RuntimeFailure("writing to \(topic)-\(partition) failed: \(outcome.errorCode.name): \(outcome.errorMessage ?? "refused")"))
            }
            guard let durable = outcome.durable else { return finish(nil) }
            durable.whenComplete { result in
                if case .failure(let e) = result { finish(RuntimeFailure("writing to \(topic)-\(partition) failed: \(e)")) } else { finish(nil) }
            }
        }
    }
}

extension TopicWriter: @unchecked Sendable {}  // buffers: the owning task thread; the rest locked
