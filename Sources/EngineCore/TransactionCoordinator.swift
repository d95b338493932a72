import KafkaProtocol
import Logging
import NIOCore

/// Producer ids and transactions: InitProducerId (fencing older epochs of a transactional id),
/// AddPartitionsToTxn, AddOffsetsToTxn, TxnOffsetCommit, and EndTxn, which writes a COMMIT or
/// ABORT marker to every partition the transaction touched. State is kept in
/// `__transaction_state`, so an open or half-finished transaction survives a restart; offsets
/// committed in a transaction are written to `__consumer_offsets` as transactional records and
/// count only once the marker says commit. Runs on the engine's event loop.
package final class TransactionCoordinator: @unchecked Sendable {   // confined to the engine loop
    static let stateTopic = "__transaction_state"
    static let statePartitions: Int32 = 1

    final class Transaction: @unchecked Sendable {
        var state: TransactionRecords.State
        /// Groups whose offsets this transaction commits.
        var groups: Set<String> = []
        /// Offsets committed inside the transaction, by group, not yet visible.
        var pendingOffsets: [String: [OffsetRecord]] = [:]
        var timer: Scheduled<Void>?
        init(state: TransactionRecords.State) { self.state = state }
        func contains(_ topic: String, _ partition: Int32) -> Bool {
            state.partitions.contains { $0.topic == topic && $0.partitions.contains(partition) }
        }
    }

    let log: CoordinatorLog
    let groups: GroupCoordinator
    let configuration: EngineConfiguration
    let logger: Logger
    let loop: EventLoop
    var transactions: [String: Transaction] = [:]
    private var nextProducerId: Int64 = 1000

    init(log: CoordinatorLog, groups: GroupCoordinator, configuration: EngineConfiguration, loop: EventLoop, logger: Logger) {
        self.log = log; self.groups = groups; self.configuration = configuration; self.loop = loop; self.logger = logger
    }

    /// Restores transactional ids from the state topic and committed-in-transaction offsets from
    /// the offsets topic; finishes transactions a crash left between prepare and complete.
    func load() throws {
        var maxId: Int64 = nextProducerId - 1
        for s in log.allPartitions { maxId = max(maxId, s.producers.producers.keys.max() ?? -1) }
        if let states = log.partitions(of: Self.stateTopic) {
            for s in states {
                try s.forEachRecord { _, record in
                    guard let (id, state) = try TransactionRecords.decode(key: record.key, value: record.value) else { return }
                    if let state {
                        maxId = max(maxId, state.producerId)
                        let txn = transactions[id] ?? Transaction(state: state)
                        txn.state = state
                        transactions[id] = txn
                    } else {
                        transactions[id] = nil
                    }
                }
            }
        }
        nextProducerId = maxId + 1
        // Offsets written inside transactions: held per producer until their marker.
        if let states = log.partitions(of: GroupCoordinator.offsetsTopic) {
            for s in states {
                var pending: [Int64: [OffsetRecord]] = [:]
                try s.forEachRecord { batch, record in
                    guard batch.isTransactional else { return }
                    if batch.isControl {
                        let type = record.key.flatMap { $0.count >= 4 ? Int16(bitPattern: UInt16($0[2]) << 8 | UInt16($0[3])) : nil }
                        let records = pending.removeValue(forKey: batch.producerId) ?? []
                        if type == 1 { for r in records { groups.apply(r) } }
                    } else if let r = try OffsetRecord(key: record.key, value: record.value) {
                        pending[batch.producerId, default: []].append(r)
                    }
                }
                for (pid, records) in pending {
                    guard let txn = transactions.values.first(where: { $0.state.producerId == pid }) else { continue }
                    for r in records { txn.pendingOffsets[r.group, default: []].append(r); txn.groups.insert(r.group) }
                }
            }
        }
        for (id, txn) in transactions {
            switch txn.state.status {
            case .prepareCommit, .prepareAbort:
                logger.info("finishing a transaction interrupted by a restart", metadata: ["transactional_id": "\(id)", "status": "\(txn.state.status)"])
                _ = complete(txn, commit: txn.state.status == .prepareCommit)
            case .ongoing:
                armTimeout(txn)
            default: break
            }
        }
    }

    private func allocateProducerId() -> Int64 {
        defer { nextProducerId += 1 }
        return nextProducerId
    }

    // MARK: - Requests

    package func initProducerId(_ r: InitProducerIdRequest) -> EventLoopFuture<InitProducerIdResponse> {
        guard let id = r.transactionalId, !id.isEmpty else {
            // Idempotent producer: a fresh id, or (KIP-360) its own id with the epoch bumped.
            if r.producerId >= 0 && r.producerEpoch >= 0 && r.producerEpoch < Int16.max - 1 {
                return loop.makeSucceededFuture(InitProducerIdResponse(producerId: r.producerId, producerEpoch: r.producerEpoch + 1))
            }
            return loop.makeSucceededFuture(InitProducerIdResponse(producerId: allocateProducerId(), producerEpoch: 0))
        }
        guard r.transactionTimeoutMs > 0, r.transactionTimeoutMs <= configuration.maxTransactionTimeoutMs else {
            return loop.makeSucceededFuture(InitProducerIdResponse(errorCode: .invalidTransactionTimeout))
        }
        let now = Engine.nowMs()
        guard let txn = transactions[id] else {
            let txn = Transaction(state: .init(transactionalId: id, producerId: allocateProducerId(), epoch: 0, timeoutMs: r.transactionTimeoutMs,
                                               status: .empty, partitions: [], updatedMs: now, startedMs: -1))
            transactions[id] = txn
            logger.info("transactional producer registered", metadata: ["transactional_id": "\(id)", "producer_id": "\(txn.state.producerId)"])
            return persist(txn).map { InitProducerIdResponse(producerId: txn.state.producerId, producerEpoch: txn.state.epoch) }
                .flatMapErrorThrowing { _ in InitProducerIdResponse(errorCode: .coordinatorNotAvailable) }
        }
        if r.producerId >= 0 && (r.producerId != txn.state.producerId || r.producerEpoch != txn.state.epoch) {
            return loop.makeSucceededFuture(InitProducerIdResponse(errorCode: .producerFenced))
        }
        switch txn.state.status {
        case .prepareCommit, .prepareAbort:
            return loop.makeSucceededFuture(InitProducerIdResponse(errorCode: .concurrentTransactions))
        case .ongoing:
            // A new instance of the producer: the open transaction of the old one is aborted.
            logger.info("aborting the open transaction of a fenced producer", metadata: ["transactional_id": "\(id)"])
            return prepare(txn, commit: false).flatMap { _ in self.bumpEpoch(txn, timeoutMs: r.transactionTimeoutMs) }
        default:
            return bumpEpoch(txn, timeoutMs: r.transactionTimeoutMs)
        }
    }

    private func bumpEpoch(_ txn: Transaction, timeoutMs: Int32) -> EventLoopFuture<InitProducerIdResponse> {
        if txn.state.epoch >= Int16.max - 1 {
            txn.state.producerId = allocateProducerId()
            txn.state.epoch = 0
        } else {
            txn.state.epoch += 1
        }
        txn.state.timeoutMs = timeoutMs
        txn.state.status = .empty
        txn.state.partitions = []
        txn.state.updatedMs = Engine.nowMs()
        return persist(txn).map { InitProducerIdResponse(producerId: txn.state.producerId, producerEpoch: txn.state.epoch) }
            .flatMapErrorThrowing { _ in InitProducerIdResponse(errorCode: .coordinatorNotAvailable) }
    }

    /// Nil when the producer may act on its transaction now, else the error to answer.
    private func validate(_ id: String, _ producerId: Int64, _ epoch: Int16) -> (Transaction?, KafkaErrorCode) {
        guard let txn = transactions[id] else { return (nil, .invalidProducerIdMapping) }
        guard txn.state.producerId == producerId else { return (nil, .invalidProducerIdMapping) }
        guard epoch == txn.state.epoch else { return (nil, epoch < txn.state.epoch ? .producerFenced : .invalidProducerEpoch) }
        if txn.state.status == .prepareCommit || txn.state.status == .prepareAbort { return (nil, .concurrentTransactions) }
        return (txn, .none)
    }

    package func addPartitions(_ r: AddPartitionsToTxnRequest) -> AddPartitionsToTxnResponse {
        func all(_ code: KafkaErrorCode) -> AddPartitionsToTxnResponse {
            AddPartitionsToTxnResponse(topics: r.topics.map { PartitionErrors(topic: $0.topic, partitions: $0.partitions.map { ($0, code) }) })
        }
        let (found, code) = validate(r.transactionalId, r.producerId, r.producerEpoch)
        guard let txn = found else { return all(code) }
        let unknown = r.topics.flatMap { t in t.partitions.filter { log.partition(t.topic, $0) == nil }.map { (t.topic, $0) } }
        if !unknown.isEmpty {
            return AddPartitionsToTxnResponse(topics: r.topics.map { t in
                PartitionErrors(topic: t.topic, partitions: t.partitions.map { p in
                    (p, unknown.contains { $0 == (t.topic, p) } ? .unknownTopicOrPartition : KafkaErrorCode(55))   // OPERATION_NOT_ATTEMPTED
                })
            })
        }
        for t in r.topics { add(t.topic, t.partitions, to: txn) }
        _ = persist(txn)
        return all(.none)
    }

    private func add(_ topic: String, _ partitions: [Int32], to txn: Transaction) {
        if txn.state.status != .ongoing {
            txn.state.status = .ongoing
            txn.state.startedMs = Engine.nowMs()
            txn.state.partitions = []
            armTimeout(txn)
        }
        if let i = txn.state.partitions.firstIndex(where: { $0.topic == topic }) {
            txn.state.partitions[i].partitions = Array(Set(txn.state.partitions[i].partitions + partitions)).sorted()
        } else {
            txn.state.partitions.append(TopicPartitions(topic: topic, partitions: Array(Set(partitions)).sorted()))
        }
        txn.state.updatedMs = Engine.nowMs()
    }

    package func addOffsets(_ r: AddOffsetsToTxnRequest) -> TxnErrorResponse<AddOffsetsToTxnRequest> {
        let (found, code) = validate(r.transactionalId, r.producerId, r.producerEpoch)
        guard let txn = found else { return .init(errorCode: code) }
        guard !r.groupId.isEmpty else { return .init(errorCode: .invalidGroupId) }
        do {
            let states = try log.internalTopic(GroupCoordinator.offsetsTopic, partitions: GroupCoordinator.offsetsPartitions)
            add(GroupCoordinator.offsetsTopic, [GroupCoordinator.partition(for: r.groupId, of: Int32(states.count))], to: txn)
        } catch { return .init(errorCode: .coordinatorNotAvailable) }
        txn.groups.insert(r.groupId)
        _ = persist(txn)
        return .init()
    }

    package func commitOffsets(_ r: TxnOffsetCommitRequest) -> TxnOffsetCommitResponse {
        func all(_ code: KafkaErrorCode) -> TxnOffsetCommitResponse {
            TxnOffsetCommitResponse(topics: r.topics.map { t in PartitionErrors(topic: t.name, partitions: t.partitions.map { ($0.partitionIndex, code) }) })
        }
        let (found, code) = validate(r.transactionalId, r.producerId, r.producerEpoch)
        guard let txn = found else { return all(code) }
        guard txn.state.status == .ongoing, txn.groups.contains(r.groupId) else { return all(.invalidTxnState) }
        if r.generationId >= 0, let group = groups.groups[r.groupId] {
            guard group.member(r.memberId) != nil else { return all(.unknownMemberId) }
            guard group.generation == r.generationId else { return all(.illegalGeneration) }
        }
        let now = Engine.nowMs()
        var records: [OffsetRecord] = []
        for t in r.topics {
            for p in t.partitions {
                records.append(OffsetRecord(group: r.groupId, topic: t.name, partition: p.partitionIndex,
                                            value: .init(offset: p.committedOffset, leaderEpoch: p.committedLeaderEpoch,
                                                         metadata: p.committedMetadata ?? "", commitTimestamp: now)))
            }
        }
        guard let states = log.partitions(of: GroupCoordinator.offsetsTopic) else { return all(.coordinatorNotAvailable) }
        let state = states[Int(GroupCoordinator.partition(for: r.groupId, of: Int32(states.count)))]
        let batch = RecordBatch.encode(attributes: 0x10, baseTimestamp: now, producerId: txn.state.producerId, producerEpoch: txn.state.epoch,
                                       baseSequence: -1, records: records.enumerated().map { i, rec in
                                           var x = rec.record
                                           x.offsetDelta = Int32(i)
                                           return x
                                       })
        if state.ongoing[txn.state.producerId] == nil { state.ongoing[txn.state.producerId] = state.logEndOffset }
        _ = log.appendInternal(state, batch: batch)
        txn.pendingOffsets[r.groupId, default: []] += records
        return all(.none)
    }

    /// Partitions of `group` with offsets committed inside a transaction still open.
    func pendingOffsetPartitions(group: String) -> Set<GroupCoordinator.TopicPartitionKey> {
        var out: Set<GroupCoordinator.TopicPartitionKey> = []
        for txn in transactions.values where txn.state.status == .ongoing {
            for r in txn.pendingOffsets[group] ?? [] { out.insert(.init(topic: r.topic, partition: r.partition)) }
        }
        return out
    }

    package func end(_ r: EndTxnRequest) -> EventLoopFuture<TxnErrorResponse<EndTxnRequest>> {
        guard let txn = transactions[r.transactionalId], txn.state.producerId == r.producerId else {
            return loop.makeSucceededFuture(.init(errorCode: .invalidProducerIdMapping))
        }
        guard r.producerEpoch == txn.state.epoch else {
            return loop.makeSucceededFuture(.init(errorCode: r.producerEpoch < txn.state.epoch ? .producerFenced : .invalidProducerEpoch))
        }
        switch txn.state.status {
        case .ongoing:
            return prepare(txn, commit: r.committed).map { .init() }.flatMapErrorThrowing { _ in .init(errorCode: .coordinatorNotAvailable) }
        case .completeCommit where r.committed, .completeAbort where !r.committed:
            return loop.makeSucceededFuture(.init())   // a retry of an EndTxn that already finished
        case .empty where !r.committed:
            return loop.makeSucceededFuture(.init())   // aborting nothing
        case .prepareCommit, .prepareAbort:
            return loop.makeSucceededFuture(.init(errorCode: .concurrentTransactions))
        default:
            return loop.makeSucceededFuture(.init(errorCode: .invalidTxnState))
        }
    }

    /// Records the decision durably, then writes the markers.
    private func prepare(_ txn: Transaction, commit: Bool) -> EventLoopFuture<Void> {
        txn.timer?.cancel()
        txn.timer = nil
        txn.state.status = commit ? .prepareCommit : .prepareAbort
        txn.state.updatedMs = Engine.nowMs()
        return persist(txn).flatMap { self.complete(txn, commit: commit) }
    }

    private func complete(_ txn: Transaction, commit: Bool) -> EventLoopFuture<Void> {
        let now = Engine.nowMs()
        var writes: [EventLoopFuture<Void>] = []
        for t in txn.state.partitions {
            for p in t.partitions {
                guard let state = log.partition(t.topic, p) else { continue }   // deleted meanwhile
                let marker = TransactionRecords.marker(commit: commit, producerId: txn.state.producerId, epoch: txn.state.epoch, now: now)
                let markerOffset = state.logEndOffset
                if let first = state.ongoing.removeValue(forKey: txn.state.producerId), !commit {
                    state.aborted.append((txn.state.producerId, first, markerOffset))
                }
                writes.append(log.appendInternal(state, batch: marker))
            }
        }
        let offsets = txn.pendingOffsets
        txn.pendingOffsets = [:]
        txn.groups = []
        return EventLoopFuture.whenAllSucceed(writes, on: loop).flatMap { _ in
            if commit { for r in offsets.values.flatMap({ $0 }) { self.groups.apply(r) } }
            self.logger.info(commit ? "transaction committed" : "transaction aborted",
                             metadata: ["transactional_id": "\(txn.state.transactionalId)", "partitions": "\(txn.state.partitions.reduce(0) { $0 + $1.partitions.count })"])
            txn.state.status = commit ? .completeCommit : .completeAbort
            txn.state.partitions = []
            txn.state.updatedMs = Engine.nowMs()
            return self.persist(txn)
        }
    }

    /// Aborts a transaction left open longer than its timeout, fencing the producer.
    private func armTimeout(_ txn: Transaction) {
        txn.timer?.cancel()
        let started = txn.state.startedMs > 0 ? txn.state.startedMs : Engine.nowMs()
        let left = max(0, started + Int64(txn.state.timeoutMs) - Engine.nowMs())
        txn.timer = loop.scheduleTask(in: .milliseconds(left)) { [weak self, weak txn] in
            guard let self, let txn, txn.state.status == .ongoing else { return }
            self.logger.warning("transaction timed out; aborting", metadata: ["transactional_id": "\(txn.state.transactionalId)", "timeout_ms": "\(txn.state.timeoutMs)"])
            _ = self.prepare(txn, commit: false).map {
                txn.state.epoch += 1   // the late producer is fenced
                _ = self.persist(txn)
            }
        }
    }

    /// A transactional batch may be written only by the current epoch, into an open
    /// transaction that added the partition.
    func checkTransactionalWrite(_ b: RecordBatch, transactionalId: String?, topic: String, partition: Int32) -> (KafkaErrorCode, String)? {
        guard let id = transactionalId, let txn = transactions[id] else {
            return (.invalidProducerIdMapping, "transactional batch without a known transactional id")
        }
        guard txn.state.producerId == b.producerId else { return (.invalidProducerIdMapping, "producer id \(b.producerId) is not the one of '\(id)'") }
        // Produce answers a stale epoch with INVALID_PRODUCER_EPOCH, as Kafka's partition leader
        // does: clients read it there as the fatal fencing (PRODUCER_FENCED is the coordinator's).
        guard b.producerEpoch == txn.state.epoch else {
            return (.invalidProducerEpoch, "epoch \(b.producerEpoch) of '\(id)' is not the current \(txn.state.epoch)")
        }
        guard txn.state.status == .ongoing, txn.contains(topic, partition) else {
            return (.invalidTxnState, "\(topic)-\(partition) was not added to the transaction of '\(id)'")
        }
        return nil
    }

    private func persist(_ txn: Transaction) -> EventLoopFuture<Void> {
        do {
            let states = try log.internalTopic(Self.stateTopic, partitions: Self.statePartitions)
            let state = states[Int(GroupCoordinator.partition(for: txn.state.transactionalId, of: Int32(states.count)))]
            let batch = RecordBatch.encode(baseTimestamp: Engine.nowMs(), records: [
                Record(offsetDelta: 0, key: TransactionRecords.key(txn.state.transactionalId), value: TransactionRecords.value(txn.state)),
            ])
            return log.appendInternal(state, batch: batch)
        } catch {
            return loop.makeFailedFuture(error)
        }
    }
}
