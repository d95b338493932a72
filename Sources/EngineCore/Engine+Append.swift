import KafkaProtocol
import NIOCore
import RecordCodecs
import StreamLog

/// Appends: validation (size, control batches, transactions, idempotence), the write itself,
/// and what to wait for before the append is visible and durable.
extension Engine {
    /// What became of one partition's batches.
    package struct AppendOutcome {
        package var errorCode: KafkaErrorCode = .none
        package var errorMessage: String?
        /// Offset of the first record appended (or of a duplicate's original); -1 on error.
        package var baseOffset: Int64 = -1
        /// The broker's time stamped into the batches (`LogAppendTime` topics), else -1.
        package var logAppendTimeMs: Int64 = -1
        package var logStartOffset: Int64 = -1
        /// Resolves once the batches are durable and visible (group commit with `waitForDurability`).
        package var durable: EventLoopFuture<Void>?
    }

    /// Validates and appends the batches in `records` (one partition's record set, as a producer
    /// sent it). `waitForDurability` (acks=all) makes ``AppendOutcome/durable`` wait for the flush.
    /// `zstdAllowed` is false for Produce before v7, which may not carry zstd (KIP-110), as Kafka answers.
    package func append(topic: String, partition index: Int32, records: [UInt8]?, waitForDurability: Bool, transactionalId: String?,
                        zstdAllowed: Bool = true) -> AppendOutcome {
        func fail(_ code: KafkaErrorCode, _ message: String) -> AppendOutcome {
            logger.debug("produce refused", metadata: ["topic": "\(topic)", "partition": "\(index)", "error": "\(code.name)", "why": "\(message)"])
            return AppendOutcome(errorCode: code, errorMessage: message)
        }
        guard let state = table.partition(topic, index), let config = store.topics[topic]?.config else {
            return fail(.unknownTopicOrPartition, "topic '\(topic)' partition \(index) does not exist")
        }
        if store.topics[topic]?.meta.isInternal == true { return fail(.invalidTopic, "internal topic '\(topic)' is written by the broker only") }
        guard let records, !records.isEmpty else { return fail(.invalidRecord, "the request carries no record batch") }
        let batches: [(batch: RecordBatch, start: Int)]
        do { batches = try RecordBatch.split(records, allowTruncatedTail: false) } catch {
            return fail(.corruptMessage, "record batch rejected: \(error)")
        }
        // Every batch is checked before any is written: a request is appended whole or not at all.
        for (batch, start) in batches {
            guard batch.size <= config.maxMessageBytes else {
                return fail(.messageTooLarge, "batch of \(batch.size) bytes exceeds max.message.bytes \(config.maxMessageBytes)")
            }
            guard !batch.isControl else { return fail(.invalidRecord, "producers may not write control batches") }
            if batch.compression == .zstd && !zstdAllowed {
                return fail(.unsupportedCompressionType, "zstd batches need Produce v7 or later")
            }
            if let refusal = Self.checkRecords(batch, in: records, at: start, compacted: config.cleanupPolicy != .delete) { return fail(refusal.0, refusal.1) }
        }
        var first: Int64 = -1
        var wrote = false
        for (batch, start) in batches {
            if batch.isTransactional {
                if let problem = transactions.checkTransactionalWrite(batch, transactionalId: transactionalId, topic: topic, partition: index) {
                    return fail(problem.0, problem.1)
                }
            }
            switch state.producers.check(batch) {
            case let .reject(code, why): return fail(code, why)
            case let .duplicate(firstOffset, _):
                logger.info("duplicate batch answered with its original offset", metadata: ["topic": "\(topic)", "partition": "\(index)", "offset": "\(firstOffset)"])
                if first < 0 { first = firstOffset }
                continue
            case .append: break
            }
            do {
                let offsets: (first: Int64, last: Int64)
                let target = Self.targetCodec(config, batch)
                if config.logAppendTime || target != nil {
                    var bytes = try target.map { try Self.recompress(batch, in: records, at: start, to: $0, level: config.compressionLevel($0.name)) }
                        ?? Array(records[start..<(start + batch.size)])
                    if config.logAppendTime { RecordBatch.stampLogAppendTime(Self.nowMs(), in: &bytes) }
                    offsets = try state.log.append(bytes)
                } else {
                    offsets = try state.log.append(validated: records, batch, range: start..<(start + batch.size))
                }
                if first < 0 { first = offsets.first }
                state.producers.record(batch, firstOffset: offsets.first)
                if batch.isTransactional, state.ongoing[batch.producerId] == nil { state.ongoing[batch.producerId] = offsets.first }
                wrote = true
            } catch {
                logger.error("append failed", metadata: ["topic": "\(topic)", "partition": "\(index)", "error": "\(error)"])
                return fail(.kafkaStorageError, "the broker could not write: \(error)")
            }
        }
        let durable = wrote ? table.appended(state, waitForDurability: waitForDurability) : nil
        return AppendOutcome(baseOffset: first, logAppendTimeMs: config.logAppendTime ? Self.nowMs() : -1,
                             logStartOffset: state.log.logStartOffset, durable: durable)
    }

    /// Kafka's LogValidator checks of a batch's records, compressed or not: a record count that
    /// matches the offset range, well-formed records (decompressed within a limit, so a bomb is
    /// refused rather than expanded), and keys on every record of a compacted topic.
    static func checkRecords(_ batch: RecordBatch, in bytes: [UInt8], at start: Int, compacted: Bool) -> (KafkaErrorCode, String)? {
        guard batch.recordCount > 0, batch.lastOffsetDelta == batch.recordCount - 1 else {
            return (.invalidRecord, "inconsistent batch: \(batch.recordCount) records but last offset delta \(batch.lastOffsetDelta)")
        }
        do {
            let allKeyed = try batch.validateRecords(in: bytes, at: start)
            if compacted && !allKeyed { return (.invalidRecord, "a compacted topic cannot take a record without a key") }
            return nil
        } catch let error as RecordCodecError {
            if case .tooLarge = error { return (.messageTooLarge, "record batch rejected: \(error)") }
            return (.corruptMessage, "record batch rejected: \(error)")
        } catch {
            return (.corruptMessage, "record batch rejected: the records do not parse: \(error)")
        }
    }

    /// The codec a topic's `compression.type` wants for this batch when it differs from the
    /// producer's (nil: store the batch as sent).
    static func targetCodec(_ config: TopicConfig, _ batch: RecordBatch) -> RecordBatch.Compression? {
        guard let wanted = RecordBatch.Compression(configName: config.compressionType), wanted != batch.compression else { return nil }
        return wanted
    }

    /// The batch re-encoded with `codec`: the same records and producer fields under a new CRC.
    static func recompress(_ batch: RecordBatch, in bytes: [UInt8], at start: Int, to codec: RecordBatch.Compression, level: Int?) throws -> [UInt8] {
        try RecordBatch.encode(baseOffset: batch.baseOffset, partitionLeaderEpoch: batch.partitionLeaderEpoch, attributes: batch.attributes,
                               baseTimestamp: batch.baseTimestamp, producerId: batch.producerId, producerEpoch: batch.producerEpoch,
                               baseSequence: batch.baseSequence, compression: codec, level: level,
                               records: batch.decodedRecords(in: bytes, at: start))
    }
}
