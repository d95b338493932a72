import KafkaProtocol

/// One partition's idempotent-producer bookkeeping (Kafka's ProducerStateManager): per producer
/// id its epoch and the last five batches' sequence ranges, so a batch the producer retries after
/// a lost answer is recognised and answered with its original offset instead of written twice.
struct ProducerStateTable {
    struct BatchMetadata: Equatable {
        var firstSequence: Int32
        var lastSequence: Int32
        var firstOffset: Int64
        var lastOffset: Int64
    }

    struct Entry: Equatable {
        var epoch: Int16
        /// Oldest first, at most `retained`.
        var batches: [BatchMetadata] = []
    }

    /// Kafka keeps five, matching `max.in.flight.requests.per.connection` ≤ 5 for idempotence.
    static let retained = 5

    enum Verdict: Equatable {
        case append
        case duplicate(firstOffset: Int64, lastOffset: Int64)
        case reject(KafkaErrorCode, String)
    }

    private(set) var producers: [Int64: Entry] = [:]

    /// Decides what to do with a batch before it is appended.
    func check(_ b: RecordBatch) -> Verdict {
        guard b.producerId >= 0, !b.isControl else { return .append }
        let first = b.baseSequence
        let last = Self.add(first, b.lastOffsetDelta)
        guard let e = producers[b.producerId] else {
            return first == 0 || b.isTransactional ? .append
                : .reject(.unknownProducerId, "producer \(b.producerId) is unknown here and its batch starts at sequence \(first), not 0")
        }
        if b.producerEpoch < e.epoch {
            return .reject(.invalidProducerEpoch, "producer \(b.producerId) epoch \(b.producerEpoch) is older than the current \(e.epoch)")
        }
        if b.producerEpoch > e.epoch {
            return first == 0 ? .append : .reject(.outOfOrderSequenceNumber, "producer \(b.producerId) began epoch \(b.producerEpoch) at sequence \(first), not 0")
        }
        if let dup = e.batches.first(where: { $0.firstSequence == first && $0.lastSequence == last }) {
            return .duplicate(firstOffset: dup.firstOffset, lastOffset: dup.lastOffset)
        }
        guard let latest = e.batches.last else { return .append }
        let expected = Self.add(latest.lastSequence, 1)
        return first == expected ? .append
            : .reject(.outOfOrderSequenceNumber, "producer \(b.producerId) sent sequence \(first), expected \(expected)")
    }

    /// Records an appended batch (also used to rebuild the table from the log on open).
    mutating func record(_ b: RecordBatch, firstOffset: Int64) {
        guard b.producerId >= 0 else { return }
        var e = producers[b.producerId] ?? Entry(epoch: b.producerEpoch)
        if b.producerEpoch > e.epoch { e = Entry(epoch: b.producerEpoch) }
        // Control batches (transaction markers) carry no sequence; they only fix the epoch.
        if !b.isControl && b.baseSequence >= 0 {
            e.batches.append(BatchMetadata(firstSequence: b.baseSequence, lastSequence: Self.add(b.baseSequence, b.lastOffsetDelta),
                                           firstOffset: firstOffset, lastOffset: firstOffset + Int64(b.lastOffsetDelta)))
            if e.batches.count > Self.retained { e.batches.removeFirst(e.batches.count - Self.retained) }
        }
        producers[b.producerId] = e
    }

    /// Sequences wrap from Int32.max to 0.
    static func add(_ sequence: Int32, _ n: Int32) -> Int32 {
        let sum = Int64(sequence) + Int64(n)
        return Int32(sum > Int64(Int32.max) ? sum - Int64(Int32.max) - 1 : sum)
    }
}
