import KafkaProtocol
import NIOCore
import StreamLog

/// The engine's Swift API for code running in the same process (jobs, tests, later the REST
/// server): every call hops onto the engine loop, so it may be made from any task. Errors carry
/// Kafka's error code and a sentence saying what went wrong. docs/architecture.md lists it.
extension Engine {
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var code: KafkaErrorCode
        public var message: String
        public var description: String { "\(code.name): \(message)" }
    }

    public enum Isolation: Sendable { case readUncommitted, readCommitted }

    /// Whole record batches from one partition, and where the partition stands.
    public struct PartitionRead: Sendable {
        /// Whole batches as stored (at least one when any is visible past the offset asked for).
        public var batches: [UInt8]
        public var highWatermark: Int64
        public var lastStableOffset: Int64
        public var logStartOffset: Int64
        /// Under `readCommitted`: aborted transactions in the range read, which a reader skips.
        public var abortedTransactions: [(producerId: Int64, firstOffset: Int64)]
    }

    /// A transactional producer registered with ``initTransactions(id:timeoutMs:)``.
    public struct TransactionalProducer: Sendable, Equatable {
        public var transactionalId: String
        public var producerId: Int64
        public var epoch: Int16
        /// A producer registered before (a job's exactly-once sink keeps these in its checkpoints
        /// and commits their transactions on restore).
        public init(transactionalId: String, producerId: Int64, epoch: Int16) {
            self.transactionalId = transactionalId; self.producerId = producerId; self.epoch = epoch
        }
    }

    /// A new records notice: `topic`/`partition`'s high watermark moved to `highWatermark`.
    public struct AppendNotice: Sendable, Equatable {
        public var topic: String
        public var partition: Int32
        public var highWatermark: Int64
        public init(topic: String, partition: Int32, highWatermark: Int64) {
            self.topic = topic; self.partition = partition; self.highWatermark = highWatermark
        }
    }

    /// Ends a subscription made with ``subscribe(_:)``.
    public struct Subscription: Sendable {
        let engine: Engine
        let token: Int
        public func cancel() { engine.loop.execute { engine.removeObserver(token) } }
    }

    private func onLoop<T: Sendable>(_ body: @escaping @Sendable () throws -> EventLoopFuture<T>) async throws -> T {
        try await loop.flatSubmit { () -> EventLoopFuture<T> in
            do { return try body() } catch { return self.loop.makeFailedFuture(error) }
        }.get()
    }

    /// Creates a topic (`configs` use Kafka's topic config names).
    public func createTopic(_ name: String, partitions: Int32, configs: [String: String] = [:]) async throws {
        try await onLoop { () -> EventLoopFuture<Void> in
            do { try self.createTopic(name, partitions: partitions, configs: configs.sorted { $0.key < $1.key }.map { ($0.key, Optional($0.value)) }) } catch let e as TopicRefusal {
                throw Failure(code: e.code, message: e.message)
            }
            return self.loop.makeSucceededVoidFuture()
        }
    }

    /// `topic`'s partitions, creating it with `partitions` (and `configs`) when it is missing; a
    /// topic another caller made meanwhile is taken as it is. For the engine's own writers: job
    /// sinks and side outputs, change capture.
    public func ensureTopic(_ topic: String, partitions: Int32, configs: [String: String] = [:]) async throws -> Int32 {
        if let n = try await partitionCount(topic) { return n }
        do {
            try await createTopic(topic, partitions: partitions, configs: configs)
        } catch let e as Failure where e.code == .topicAlreadyExists {}
        guard let n = try await partitionCount(topic) else { throw Failure(code: .unknownTopicOrPartition, message: "topic '\(topic)' could not be created") }
        return n
    }

    /// How many partitions `topic` has; nil when there is no such topic.
    public func partitionCount(_ topic: String) async throws -> Int32? {
        try await onLoop { self.loop.makeSucceededFuture(self.table.partitions(of: topic).map { Int32($0.count) }) }
    }

    /// Where `topic`/`partition` starts and ends: log start, high watermark, last stable offset.
    public func offsets(topic: String, partition: Int32) async throws -> (logStart: Int64, highWatermark: Int64, lastStable: Int64) {
        try await onLoop {
            guard let state = self.partition(topic, partition) else {
                throw Failure(code: .unknownTopicOrPartition, message: "topic '\(topic)' partition \(partition) does not exist")
            }
            return self.loop.makeSucceededFuture((state.log.logStartOffset, state.highWatermark, state.lastStableOffset))
        }
    }

    /// Moves `topic`/`partition`'s log start to `offset` (DeleteRecords); returns the new log start.
    /// An offset past the high watermark is OFFSET_OUT_OF_RANGE and changes nothing.
    public func deleteRecords(topic: String, partition: Int32, before offset: Int64) async throws -> Int64 {
        try await onLoop {
            let request = DeleteRecordsRequest(topics: [.init(name: topic, partitions: [(partition, offset)])])
            guard let p = self.deleteRecords(request).topics.first?.partitions.first else {
                throw Failure(code: .unknownServerError, message: "DeleteRecords gave no answer for \(topic)-\(partition)")
            }
            guard p.errorCode == .none else {
                throw Failure(code: p.errorCode, message: "cannot delete records of \(topic)-\(partition) before offset \(offset)")
            }
            return self.loop.makeSucceededFuture(p.lowWatermark)
        }
    }

    /// Appends records as one batch and returns the first record's offset once it is durable
    /// and visible. `timestamp` (ms) defaults to now.
    public func append(topic: String, partition: Int32, records: [Record], timestamp: Int64? = nil) async throws -> Int64 {
        try await appendBatch(topic: topic, partition: partition, transactionalId: nil) {
            RecordBatch.encode(baseTimestamp: timestamp ?? Self.nowMs(), records: Self.numbered(records))
        }
    }

    /// Reads whole batches from `offset`, up to the high watermark (or the last stable offset
    /// under `readCommitted`), at most about `maxBytes` (always at least one batch when any).
    public func read(topic: String, partition: Int32, from offset: Int64, maxBytes: Int = 1 << 20,
                     isolation: Isolation = .readUncommitted) async throws -> PartitionRead {
        try await onLoop {
            guard let state = self.partition(topic, partition) else {
                throw Failure(code: .unknownTopicOrPartition, message: "topic '\(topic)' partition \(partition) does not exist")
            }
            guard offset >= state.log.logStartOffset, offset <= state.logEndOffset else {
                throw Failure(code: .offsetOutOfRange, message: "offset \(offset) is outside \(state.log.logStartOffset)…\(state.logEndOffset) of \(topic)-\(partition)")
            }
            let committed = isolation == .readCommitted
            let limit = committed ? state.lastStableOffset : state.highWatermark
            let bytes = offset < limit ? try state.log.read(from: offset, maxBytes: maxBytes, below: limit) : []
            let aborted = committed ? state.abortedTransactions(from: offset, to: limit).map { ($0.producerId, $0.firstOffset) } : []
            return self.loop.makeSucceededFuture(PartitionRead(batches: bytes, highWatermark: state.highWatermark, lastStableOffset: state.lastStableOffset,
                                                               logStartOffset: state.log.logStartOffset, abortedTransactions: aborted))
        }
    }

    /// Commits offsets for `group` outside any member generation (as a tool or a job does);
    /// refused while the group has live members.
    public func commitOffsets(group: String, _ offsets: [(topic: String, partition: Int32, offset: Int64)]) async throws {
        let byTopic = Dictionary(grouping: offsets, by: \.topic).sorted { $0.key < $1.key }
        let request = OffsetCommitRequest(groupId: group, topics: byTopic.map { topic, list in
            .init(name: topic, partitions: list.map { .init(partitionIndex: $0.partition, committedOffset: $0.offset) })
        })
        let response = try await onLoop { self.groups.commit(request) }
        if let bad = response.topics.lazy.flatMap({ t in t.partitions.map { (t.topic, $0) } }).first(where: { !$0.1.errorCode.isOK }) {
            throw Failure(code: bad.1.errorCode, message: "commit of \(bad.0)-\(bad.1.index) for group '\(group)' refused")
        }
    }

    /// The offsets `group` has committed: topic → partition → offset.
    public func committedOffsets(group: String) async throws -> [String: [Int32: Int64]] {
        let response = try await onLoop { self.loop.makeSucceededFuture(self.fetchOffsets(OffsetFetchRequest(groups: [.init(groupId: group)]))) }
        var out: [String: [Int32: Int64]] = [:]
        for t in response.groups.first?.topics ?? [] {
            for p in t.partitions where p.committedOffset >= 0 { out[t.name, default: [:]][p.partitionIndex] = p.committedOffset }
        }
        return out
    }

    /// Registers (or re-registers, fencing the previous instance and aborting its open
    /// transaction) the transactional producer `id`.
    public func initTransactions(id: String, timeoutMs: Int32 = 60_000) async throws -> TransactionalProducer {
        let r = try await onLoop { self.transactions.initProducerId(InitProducerIdRequest(transactionalId: id, transactionTimeoutMs: timeoutMs)) }
        guard r.errorCode.isOK else { throw Failure(code: r.errorCode, message: "transactional id '\(id)' could not be initialised") }
        return TransactionalProducer(transactionalId: id, producerId: r.producerId, epoch: r.producerEpoch)
    }

    /// Appends records inside `producer`'s transaction (begun by its first append): invisible
    /// to `readCommitted` readers until ``commitTransaction(_:)``.
    public func appendTransactional(_ producer: TransactionalProducer, topic: String, partition: Int32, records: [Record]) async throws -> Int64 {
        try await onLoop {
            let outcome = self.appendInTransaction(producer, topic: topic, partition: partition, records: Self.numbered(records), baseTimestamp: Self.nowMs())
            guard outcome.errorCode.isOK else { throw Failure(code: outcome.errorCode, message: outcome.errorMessage ?? "append refused") }
            return (outcome.durable ?? self.loop.makeSucceededVoidFuture()).map { outcome.baseOffset }
        }
    }

    /// On the engine's loop: joins `topic`/`partition` to `producer`'s transaction and appends
    /// `records` (numbered, their timestamps relative to `baseTimestamp`) as one transactional
    /// batch, durable when the outcome's future says so (a job's exactly-once sink pipelines these).
    package func appendInTransaction(_ producer: TransactionalProducer, topic: String, partition: Int32, records: [Record],
                                     baseTimestamp: Int64) -> AppendOutcome {
        let add = AddPartitionsToTxnRequest(transactionalId: producer.transactionalId, producerId: producer.producerId, producerEpoch: producer.epoch,
                                            topics: [TopicPartitions(topic: topic, partitions: [partition])])
        let added = transactions.addPartitions(add).topics.flatMap(\.partitions)
        if let bad = added.first(where: { !$0.errorCode.isOK }) {
            return AppendOutcome(errorCode: bad.errorCode, errorMessage: "\(topic)-\(partition) could not join the transaction of '\(producer.transactionalId)'")
        }
        let key = SequenceKey(producerId: producer.producerId, epoch: producer.epoch, topic: topic, partition: partition)
        let sequence = sequences[key] ?? 0
        sequences[key] = sequence &+ Int32(records.count)
        let bytes = RecordBatch.encode(attributes: 0x10, baseTimestamp: baseTimestamp, producerId: producer.producerId, producerEpoch: producer.epoch,
                                       baseSequence: sequence, records: records)
        return append(topic: topic, partition: partition, records: bytes, waitForDurability: true, transactionalId: producer.transactionalId)
    }

    public func commitTransaction(_ producer: TransactionalProducer) async throws { try await endTransaction(producer, commit: true) }

    public func abortTransaction(_ producer: TransactionalProducer) async throws { try await endTransaction(producer, commit: false) }

    /// Calls `handler` (on the engine loop: keep it short) whenever new records become visible.
    public func subscribe(_ handler: @escaping @Sendable (AppendNotice) -> Void) async throws -> Subscription {
        let token = try await loop.submit {
            self.observeAppends { handler(AppendNotice(topic: $0.topic, partition: $0.index, highWatermark: $0.highWatermark)) }
        }.get()
        return Subscription(engine: self, token: token)
    }

    private func endTransaction(_ p: TransactionalProducer, commit: Bool) async throws {
        let r = try await onLoop {
            self.transactions.end(EndTxnRequest(transactionalId: p.transactionalId, producerId: p.producerId, producerEpoch: p.epoch, committed: commit))
        }
        guard r.errorCode.isOK else {
            throw Failure(code: r.errorCode, message: "the transaction of '\(p.transactionalId)' could not be \(commit ? "committed" : "aborted")")
        }
    }

    private func appendBatch(topic: String, partition: Int32, transactionalId: String?, _ encode: @escaping @Sendable () throws -> [UInt8]) async throws -> Int64 {
        try await onLoop {
            let outcome = self.append(topic: topic, partition: partition, records: try encode(), waitForDurability: true, transactionalId: transactionalId)
            guard outcome.errorCode.isOK else { throw Failure(code: outcome.errorCode, message: outcome.errorMessage ?? "append refused") }
            return (outcome.durable ?? self.loop.makeSucceededVoidFuture()).map { outcome.baseOffset }
        }
    }

    private static func numbered(_ records: [Record]) -> [Record] {
        records.enumerated().map { i, r in
            var r = r
            r.offsetDelta = Int32(i)
            return r
        }
    }
}
