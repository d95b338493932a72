import Foundation
import KafkaProtocol
import NIOCore
import StreamLog
import EngineCore

/// Fetch (with its long poll) and ListOffsets.
extension RequestHandler {
    // MARK: - Fetch

    func fetch(_ request: FetchRequest, version: Int16) -> EventLoopFuture<FetchAnswer> {
        let (response, bytes, errors) = readFetch(request)
        if bytes >= Int(request.minBytes) || errors || request.maxWaitMs <= 0 { return loop.makeSucceededFuture(response) }
        // Long poll: answer when enough arrives or the wait is over.
        let waiter = FetchWaiter(request: request, version: version, promise: loop.makePromise())
        waiter.timeout = loop.scheduleTask(in: .milliseconds(Int64(request.maxWaitMs))) { [weak self, weak waiter] in
            guard let self, let waiter else { return }
            self.fetchWaiters.removeAll { $0 === waiter }
            waiter.promise.succeed(self.readFetch(waiter.request).0)
        }
        fetchWaiters.append(waiter)
        return waiter.promise.futureResult
    }

    func wakeFetchers() {
        guard !fetchWaiters.isEmpty else { return }
        var answered: [(FetchWaiter, FetchAnswer)] = []
        fetchWaiters.removeAll { w in
            let (response, bytes, errors) = readFetch(w.request)
            guard bytes >= Int(w.request.minBytes) || errors else { return false }
            answered.append((w, response))
            return true
        }
        for (w, response) in answered {
            w.timeout?.cancel()
            w.promise.succeed(response)
        }
    }

    /// Finds what a fetch asks for now (where on disk, not the bytes): the answer, its record
    /// bytes, and whether any partition answered with an error (which ends a long poll at once).
    func readFetch(_ request: FetchRequest) -> (FetchAnswer, Int, Bool) {
        var total = 0
        var errors = false
        var files: [[PartitionLog.FileSpan]] = []
        let committed = request.isolationLevel == 1
        let responses = request.topics.map { t in
            FetchResponse.Topic(topic: t.topic, partitions: t.partitions.map { p in
                guard let state = engine.partition(t.topic, p.partition) else {
                    errors = true
                    return .init(partitionIndex: p.partition, errorCode: .unknownTopicOrPartition, highWatermark: -1, lastStableOffset: -1, logStartOffset: -1, records: [])
                }
                let hw = state.highWatermark
                let lso = state.lastStableOffset
                let start = state.log.logStartOffset
                guard p.fetchOffset >= start, p.fetchOffset <= state.logEndOffset else {
                    errors = true
                    return .init(partitionIndex: p.partition, errorCode: .offsetOutOfRange, highWatermark: hw, lastStableOffset: lso, logStartOffset: start, records: [])
                }
                let limit = committed ? lso : hw
                let room = max(0, Int(request.maxBytes) - total)
                // Both limits hold (fetch.max.bytes for the request, max.partition.fetch.bytes per
                // partition), except that the first partition with data gets at least one whole
                // batch, however large (KIP-74): the log returns one when asked for any bytes.
                let maxBytes = total == 0 ? max(1, min(Int(p.partitionMaxBytes), Int(request.maxBytes))) : min(Int(p.partitionMaxBytes), room)
                var spans: [PartitionLog.FileSpan] = []
                if p.fetchOffset < limit && maxBytes > 0 {
                    // Only the first partition with data may go past the limit (one whole batch).
                    do { spans = try state.log.spans(from: p.fetchOffset, maxBytes: maxBytes, below: limit, atLeastOneBatch: total == 0) } catch {
                        logger.error("read failed", metadata: ["topic": "\(t.topic)", "partition": "\(p.partition)", "error": "\(error)"])
                        errors = true
                        return .init(partitionIndex: p.partition, errorCode: .kafkaStorageError, highWatermark: hw, lastStableOffset: lso, logStartOffset: start, records: [])
                    }
                }
                let length = spans.reduce(0) { $0 + $1.length }
                total += length
                let aborted = committed ? state.abortedTransactions(from: p.fetchOffset, to: limit) : nil
                var answer = FetchResponse.Partition(partitionIndex: p.partition, highWatermark: hw, lastStableOffset: lso, logStartOffset: start,
                                                     abortedTransactions: aborted, records: [])
                if length > 0 {
                    answer.externalRecordsLength = length
                    files.append(spans)
                }
                return answer
            })
        }
        return (FetchAnswer(response: FetchResponse(responses: responses), files: files), total, errors)
    }

    // MARK: - ListOffsets

    func listOffsets(_ request: ListOffsetsRequest) throws -> ListOffsetsResponse {
        ListOffsetsResponse(topics: request.topics.map { t in
            .init(name: t.name, partitions: t.partitions.map { p in
                guard let state = engine.partition(t.name, p.partitionIndex) else {
                    return .init(partitionIndex: p.partitionIndex, errorCode: .unknownTopicOrPartition, timestamp: -1, offset: -1)
                }
                let visible = request.isolationLevel == 1 ? state.lastStableOffset : state.highWatermark
                switch p.timestamp {
                case -1: return .init(partitionIndex: p.partitionIndex, timestamp: -1, offset: visible, leaderEpoch: 0)
                case -2: return .init(partitionIndex: p.partitionIndex, timestamp: -1, offset: state.log.logStartOffset, leaderEpoch: 0)
                default:
                    do {
                        let target = p.timestamp == -3 ? try state.log.maxTimestamp() : p.timestamp
                        guard let target, let offset = try state.log.offset(forTimestamp: target), offset < visible else {
                            return .init(partitionIndex: p.partitionIndex, timestamp: -1, offset: -1, leaderEpoch: 0)
                        }
                        return .init(partitionIndex: p.partitionIndex, timestamp: target, offset: offset, leaderEpoch: 0)
                    } catch {
                        return .init(partitionIndex: p.partitionIndex, errorCode: .kafkaStorageError, timestamp: -1, offset: -1)
                    }
                }
            })
        })
    }
}
