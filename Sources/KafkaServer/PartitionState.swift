import KafkaProtocol
import StreamLog

/// What the broker knows about one partition beyond its log: the high watermark (what is
/// durable under the flush policy, and so visible to consumers), idempotent producers, and the
/// transactions writing to it.
final class PartitionState: @unchecked Sendable {   // confined to the broker loop
    let topic: String
    let index: Int32
    let log: PartitionLog
    var highWatermark: Int64
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

    var logEndOffset: Int64 { log.nextOffset }

    /// Consumers reading committed data stop here: before the first open transaction's first
    /// batch, and never past the high watermark.
    var lastStableOffset: Int64 { min(highWatermark, ongoing.values.min() ?? .max) }

    /// The aborted transactions a `read_committed` reader fetching `[from, to)` must skip.
    func abortedTransactions(from: Int64, to: Int64) -> [FetchResponse.AbortedTransaction] {
        aborted.filter { $0.lastOffset >= from && $0.firstOffset < to }.map { .init(producerId: $0.producerId, firstOffset: $0.firstOffset) }
    }

    /// Every record of the log, oldest first, with its batch: how the broker's internal topics
    /// (offsets, transaction state) are replayed on start.
    func forEachRecord(_ body: (RecordBatch, Record) throws -> Void) throws {
        var next = log.logStartOffset
        while next < log.nextOffset {
            let bytes = try log.read(from: next, maxBytes: 1 << 20)
            guard !bytes.isEmpty else { break }
            for (batch, start) in try RecordBatch.split(bytes, allowTruncatedTail: false) {
                next = batch.lastOffset + 1
                for r in try batch.records(in: bytes, at: start) { try body(batch, r) }
            }
        }
    }
}
