import Foundation
import KafkaProtocol
import NIOCore
import StreamLog

/// Produce: validation, appends, and group commit (fsync rounds that move the high watermark).
extension Broker {
    // MARK: - Produce

    func produce(_ header: RequestHeader, _ body: KafkaReader) throws -> EventLoopFuture<Reply> {
        var body = body
        let request = try ProduceRequest(from: &body, version: header.apiVersion)
        produceRequests += 1
        let drop = configuration.dropConnectionAfterProduce > 0 && produceRequests % configuration.dropConnectionAfterProduce == 0
        var waits: [EventLoopFuture<Void>] = []
        var anyError = false
        let topics = request.topics.map { t in
            ProduceResponse.Topic(name: t.name, partitions: t.partitions.map { p in
                let (result, wait) = append(topic: t.name, partition: p, acks: request.acks, transactionalId: request.transactionalId)
                if let wait { waits.append(wait) }
                if !result.errorCode.isOK { anyError = true }
                return result
            })
        }
        let response = ProduceResponse(topics: topics)
        if drop { return loop.makeSucceededFuture(.close("test hook: dropping the connection after produce request \(produceRequests)")) }
        if request.acks == 0 {
            // No answer is expected; an error can only be signalled by closing, as Kafka does.
            return loop.makeSucceededFuture(anyError ? .close("acks=0 produce failed: \(topics.flatMap(\.partitions).first { !$0.errorCode.isOK }?.errorMessage ?? "")") : .none)
        }
        let version = header.apiVersion
        return EventLoopFuture.andAllComplete(waits, on: loop).flatMapThrowing {
            .frame(try KafkaFrame.response(response, version: version, correlationId: header.correlationId))
        }
    }

    /// Validates and appends one partition's batches. Returns the answer and, for acks=all
    /// under group commit, what to wait for.
    func append(topic: String, partition p: ProduceRequest.Partition, acks: Int16, transactionalId: String?)
        -> (ProduceResponse.Partition, EventLoopFuture<Void>?) {
        func fail(_ code: KafkaErrorCode, _ message: String) -> (ProduceResponse.Partition, EventLoopFuture<Void>?) {
            logger.debug("produce refused", metadata: ["topic": "\(topic)", "partition": "\(p.index)", "error": "\(code.name)", "why": "\(message)"])
            return (.init(index: p.index, errorCode: code, baseOffset: -1, errorMessage: message), nil)
        }
        guard [-1, 0, 1].contains(acks) else { return fail(.invalidRequiredAcks, "acks=\(acks) is not valid: use 0, 1 or -1 (all)") }
        guard let state = partition(topic, p.index), let config = store.topics[topic]?.config else {
            return fail(.unknownTopicOrPartition, "topic '\(topic)' partition \(p.index) does not exist")
        }
        if store.topics[topic]?.meta.isInternal == true { return fail(.invalidTopic, "internal topic '\(topic)' is written by the broker only") }
        guard let records = p.records, !records.isEmpty else { return fail(.invalidRecord, "the request carries no record batch") }
        let batches: [(batch: RecordBatch, start: Int)]
        do { batches = try RecordBatch.split(records, allowTruncatedTail: false) } catch {
            return fail(.corruptMessage, "record batch rejected: \(error)")
        }
        var first: Int64 = -1
        var wrote = false
        for (batch, start) in batches {
            guard batch.size <= config.maxMessageBytes else {
                return fail(.messageTooLarge, "batch of \(batch.size) bytes exceeds max.message.bytes \(config.maxMessageBytes)")
            }
            guard !batch.isControl else { return fail(.invalidRecord, "producers may not write control batches") }
            if batch.isTransactional {
                if let problem = transactions.checkTransactionalWrite(batch, transactionalId: transactionalId, topic: topic, partition: p.index) {
                    return fail(problem.0, problem.1)
                }
            }
            switch state.producers.check(batch) {
            case let .reject(code, why): return fail(code, why)
            case let .duplicate(firstOffset, _):
                logger.info("duplicate batch answered with its original offset", metadata: ["topic": "\(topic)", "partition": "\(p.index)", "offset": "\(firstOffset)"])
                if first < 0 { first = firstOffset }
                continue
            case .append: break
            }
            do {
                let offsets: (first: Int64, last: Int64)
                if config.logAppendTime {
                    var bytes = Array(records[start..<(start + batch.size)])
                    RecordBatch.stampLogAppendTime(Self.nowMs(), in: &bytes)
                    offsets = try state.log.append(bytes)
                } else {
                    offsets = try state.log.append(validated: records, batch, range: start..<(start + batch.size))
                }
                if first < 0 { first = offsets.first }
                state.producers.record(batch, firstOffset: offsets.first)
                if batch.isTransactional, state.ongoing[batch.producerId] == nil { state.ongoing[batch.producerId] = offsets.first }
                wrote = true
            } catch {
                logger.error("append failed", metadata: ["topic": "\(topic)", "partition": "\(p.index)", "error": "\(error)"])
                return fail(.kafkaStorageError, "the broker could not write: \(error)")
            }
        }
        var wait: EventLoopFuture<Void>?
        if wrote { wait = appended(state, waitForDurability: acks == -1) }
        return (.init(index: p.index, baseOffset: first, logAppendTimeMs: config.logAppendTime ? Self.nowMs() : -1,
                      logStartOffset: state.log.logStartOffset), wait)
    }

    /// After an append: under group commit, schedule a flush and (for acks=all) wait for it;
    /// otherwise move the high watermark at once.
    func appended(_ state: PartitionState, waitForDurability: Bool) -> EventLoopFuture<Void>? {
        switch configuration.flush {
        case .group:
            dirty[ObjectIdentifier(state)] = state
            let wait: EventLoopFuture<Void>?
            if waitForDurability {
                let promise = loop.makePromise(of: Void.self)
                durabilityWaiters.append((state, state.logEndOffset, promise))
                wait = promise.futureResult
            } else { wait = nil }
            flushIfIdle()
            return wait
        case .everyAppend, .none:
            _ = state.log.takePendingSync()   // nothing to flush later; let go of closed segments
            advanceHighWatermark(state, to: state.logEndOffset)
            return nil
        }
    }

    /// One fsync round for everything appended since the last began; the next round starts as
    /// soon as this one ends, so concurrent producers share fsyncs.
    func flushIfIdle() {
        guard !flushing, !dirty.isEmpty else { return }
        flushing = true
        let round = dirty.values.compactMap { s in s.log.takePendingSync().map { (s, $0) } }
        dirty = [:]
        let syncs = round.map(\.1)
        threadPool.runIfActive(eventLoop: loop) { () throws -> Void in
            for sync in syncs { try sync.perform() }
        }.whenComplete { result in
            self.flushing = false
            switch result {
            case .success:
                for (state, sync) in round { self.advanceHighWatermark(state, to: sync.endOffset) }
            case let .failure(error):
                self.logger.critical("fsync failed; acknowledgements withheld", metadata: ["error": "\(error)"])
                for (state, _) in round { self.failWaiters(state, error) }
            }
            self.flushIfIdle()
        }
    }

    func failWaiters(_ state: PartitionState, _ error: Error) {
        // Completing a promise runs its callbacks, which may append new waiters: take the
        // finished ones out of the list first.
        let (done, rest) = durabilityWaiters.partitioned { $0.partition === state }
        durabilityWaiters = rest
        for w in done { w.promise.fail(error) }
    }

    func advanceHighWatermark(_ state: PartitionState, to offset: Int64) {
        guard offset > state.highWatermark else { return }
        state.highWatermark = offset
        let (done, rest) = durabilityWaiters.partitioned { $0.partition === state && $0.offset <= offset }
        durabilityWaiters = rest
        for w in done { w.promise.succeed(()) }
        wakeFetchers()
    }

    static func nowMs() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}
