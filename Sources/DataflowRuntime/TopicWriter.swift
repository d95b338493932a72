import Dispatch
import EngineCore
import Foundation
import KafkaProtocol

/// Appends a task's output records to one engine topic: buffered per partition, sent as batches
/// in order on the engine's loop, a few in flight (acks=all: each counts once durable). A
/// failed append fails the task at its next write.
final class TopicWriter {
    let engine: Engine
    let topic: String
    let partitions: Int32
    private var buffers: [Int32: (records: [Record], times: [Int64], bytes: Int)] = [:]
    private var nextPartition: Int32
    private let inFlight = DispatchSemaphore(value: TopicWriter.maxInFlight)
    private let failure = NSLock()
    private var failed: Error?
    private var outstanding = 0
    private let outstandingLock = NSCondition()
    static let maxInFlight = 8
    static let maxBatchRecords = 1000
    static let maxBatchBytes = 256 << 10

    init(engine: Engine, topic: String, partitions: Int32, startPartition: Int32) {
        self.engine = engine
        self.topic = topic
        self.partitions = partitions
        nextPartition = startPartition % max(partitions, 1)
    }

    func write(key: [UInt8]?, value: [UInt8]?, time: Int64, headers: [Record.Header] = []) throws {
        try check()
        let partition: Int32
        if let key { partition = KeyRouting.kafkaPartition(key: key, partitions: partitions) } else { partition = nextPartition }
        var b = buffers[partition] ?? ([], [], 0)
        b.records.append(Record(offsetDelta: 0, key: key, value: value, headers: headers))
        b.times.append(time)
        b.bytes += (key?.count ?? 0) + (value?.count ?? 0) + 24
        if b.records.count >= Self.maxBatchRecords || b.bytes >= Self.maxBatchBytes {
            buffers[partition] = nil
            send(partition, b.records, b.times)
            if key == nil { nextPartition = (nextPartition + 1) % partitions }  // sticky partitioner: move on per batch
        } else {
            buffers[partition] = b
        }
    }

    /// Sends what is buffered.
    func flush() throws {
        try check()
        for (p, b) in buffers.sorted(by: { $0.key < $1.key }) where !b.records.isEmpty { send(p, b.records, b.times) }
        buffers.removeAll(keepingCapacity: true)
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

    private func send(_ partition: Int32, _ records: [Record], _ times: [Int64]) {
        let base = times.min() ?? 0
        let numbered = records.enumerated().map { i, r -> Record in
            var r = r
            r.offsetDelta = Int32(i)
            r.timestampDelta = times[i] - base
            return r
        }
        let bytes = RecordBatch.encode(baseTimestamp: base, records: numbered)
        inFlight.wait()
        outstandingLock.lock(); outstanding += 1; outstandingLock.unlock()
        let engine = self.engine, topic = self.topic
        let finish: @Sendable (Error?) -> Void = { [self] error in
            if let error { failure.lock(); if failed == nil { failed = error }; failure.unlock() }
            inFlight.signal()
            outstandingLock.lock(); outstanding -= 1; outstandingLock.broadcast(); outstandingLock.unlock()
        }
        engine.loop.execute {
            let outcome = engine.append(topic: topic, partition: partition, records: bytes, waitForDurability: true, transactionalId: nil)
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
