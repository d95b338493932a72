import KafkaProtocol
import RecordCodecs
import StreamLog

/// What the engine knows about one partition beyond its log: the high watermark (what is
/// durable under the flush policy, and so visible to consumers), idempotent producers, and the
/// transactions writing to it.
package final class PartitionState: @unchecked Sendable {   // confined to the engine loop
    package let topic: String
    package let index: Int32
    package let log: PartitionLog
    package internal(set) var highWatermark: Int64
    var producers = ProducerStateTable()
    /// Open transactions: producer id → offset of its first batch here.
    var ongoing: [Int64: Int64] = [:]
    /// Aborted transactions here, oldest first: producer id, first offset, offset of the abort marker.
    var aborted: [(producerId: Int64, firstOffset: Int64, lastOffset: Int64)] = []

    init(topic: String, index: Int32, log: PartitionLog) {
        self.topic = topic
        self.index = index
        self.log = log
        highWatermark = log.nextOffset
    }

    package var logEndOffset: Int64 { log.nextOffset }

    /// Consumers reading committed data stop here: before the first open transaction's first
    /// batch, and never past the high watermark.
    package var lastStableOffset: Int64 { min(highWatermark, ongoing.values.min() ?? .max) }

    /// The aborted transactions a `read_committed` reader fetching `[from, to)` must skip.
    package func abortedTransactions(from: Int64, to: Int64) -> [FetchResponse.AbortedTransaction] {
        aborted.filter { $0.lastOffset >= from && $0.firstOffset < to }.map { .init(producerId: $0.producerId, firstOffset: $0.firstOffset) }
    }

    /// Replays what one batch of the log says about transactions: which producers have a
    /// transaction open here (since which offset) and which ended in an abort.
    func replay(_ b: RecordBatch, commits: Bool?) {
        guard b.isTransactional, b.producerId >= 0 else { return }
        if b.isControl {
            guard let commits else { return }
            if let first = ongoing.removeValue(forKey: b.producerId), !commits {
                aborted.append((b.producerId, first, b.baseOffset))
            }
        } else if ongoing[b.producerId] == nil {
            ongoing[b.producerId] = b.baseOffset
        }
    }

    /// Every record of the log, oldest first, with its batch: how the engine's internal topics
    /// (offsets, transaction state) are replayed on start.
    func forEachRecord(_ body: (RecordBatch, Record) throws -> Void) throws {
        var next = log.logStartOffset
        while next < log.nextOffset {
            let bytes = try log.read(from: next, maxBytes: 1 << 20)
            guard !bytes.isEmpty else { break }
            for (batch, start) in try RecordBatch.split(bytes, allowTruncatedTail: false) {
                next = batch.lastOffset + 1
                for r in try batch.decodedRecords(in: bytes, at: start) { try body(batch, r) }
            }
        }
    }
}
