import Foundation
import KafkaProtocol
import Logging
import NIOCore
import NIOPosix
import StreamLog

/// Every topic's partitions over ``LogStore``, and what makes an append visible: group commit
/// (fsync rounds on a thread pool that move each partition's high watermark) and the observers
/// told when a high watermark moves. Confined to the engine's event loop, like all engine state.
final class PartitionTable: CoordinatorLog, @unchecked Sendable {   // confined to the engine loop
    let loop: EventLoop
    let configuration: EngineConfiguration
    let store: LogStore
    let threadPool: NIOThreadPool
    let logger: Logger
    private(set) var partitions: [String: [PartitionState]] = [:]

    // Group commit: partitions appended to since the last flush began, and who waits for what.
    private var dirty: [ObjectIdentifier: PartitionState] = [:]
    private var flushing = false
    private var durabilityWaiters: [(partition: PartitionState, offset: Int64, promise: EventLoopPromise<Void>)] = []
    private var observers: [Int: (PartitionState) -> Void] = [:]
    private var nextObserver = 0

    init(loop: EventLoop, configuration: EngineConfiguration, store: LogStore, threadPool: NIOThreadPool, logger: Logger) throws {
        self.loop = loop
        self.configuration = configuration
        self.store = store
        self.threadPool = threadPool
        self.logger = logger
        for (name, topic) in store.topics { partitions[name] = try Self.states(for: topic) }
    }

    /// Partition states for a topic, with producer and transaction state rebuilt from the log.
    static func states(for topic: LogStore.Topic) throws -> [PartitionState] {
        try topic.partitions.enumerated().map { i, log in
            let state = PartitionState(topic: topic.name, index: Int32(i), log: log)
            try log.forEachBatchHeader { b in
                state.producers.record(b, firstOffset: b.baseOffset)
                guard b.isTransactional else { return }
                let commits = b.isControl ? try log.batch(containing: b.baseOffset).flatMap(TransactionRecords.markerCommits) : nil
                state.replay(b, commits: commits)
            }
            return state
        }
    }

    // MARK: - Topics

    func partition(_ topic: String, _ index: Int32) -> PartitionState? {
        guard let list = partitions[topic], index >= 0, Int(index) < list.count else { return nil }
        return list[Int(index)]
    }

    func partitions(of topic: String) -> [PartitionState]? { partitions[topic] }

    var allPartitions: [PartitionState] { partitions.values.flatMap { $0 } }

    @discardableResult
    func createTopic(_ name: String, partitions count: Int32, config: TopicConfig, isInternal: Bool = false) throws -> LogStore.Topic {
        let topic = try store.createTopic(name: name, partitions: count, config: config, isInternal: isInternal)
        partitions[name] = try Self.states(for: topic)
        logger.info("topic created", metadata: ["topic": "\(name)", "partitions": "\(count)", "cleanup_policy": "\(config.cleanupPolicy.rawValue)"])
        return topic
    }

    /// Raises `name` to `count` partitions; the new ones start empty.
    func addPartitions(_ name: String, count: Int32) throws {
        let before = partitions[name]?.count ?? 0
        let topic = try store.addPartitions(name: name, count: count)
        let added = topic.partitions.enumerated().dropFirst(before).map { i, log in PartitionState(topic: name, index: Int32(i), log: log) }
        partitions[name, default: []] += added
        logger.info("partitions added", metadata: ["topic": "\(name)", "from": "\(before)", "to": "\(count)"])
    }

    func deleteTopic(_ name: String) throws {
        try store.deleteTopic(name: name)
        for s in partitions.removeValue(forKey: name) ?? [] { dirty[ObjectIdentifier(s)] = nil }
        logger.info("topic deleted", metadata: ["topic": "\(name)"])
    }

    func internalTopic(_ name: String, partitions count: Int32) throws -> [PartitionState] {
        if let existing = partitions[name] { return existing }
        var config = TopicConfig()
        config.cleanupPolicy = .compact
        config.retentionMs = -1
        try createTopic(name, partitions: count, config: config, isInternal: true)
        return partitions[name] ?? []
    }

    func appendInternal(_ state: PartitionState, batch: [UInt8]) -> EventLoopFuture<Void> {
        do {
            let offsets = try state.log.append(batch)
            if let b = try? RecordBatch.parseHeader(batch) { state.producers.record(b, firstOffset: offsets.first) }
        } catch {
            logger.error("internal append failed", metadata: ["topic": "\(state.topic)", "error": "\(error)"])
            return loop.makeFailedFuture(error)
        }
        return appended(state, waitForDurability: true) ?? loop.makeSucceededVoidFuture()
    }

    // MARK: - Durability and visibility

    /// After an append: under group commit, schedule a flush and (when asked) wait for it;
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
    private func flushIfIdle() {
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

    private func failWaiters(_ state: PartitionState, _ error: Error) {
        // Completing a promise runs its callbacks, which may append new waiters: take the
        // finished ones out of the list first.
        let (done, rest) = durabilityWaiters.partitioned { $0.partition === state }
        durabilityWaiters = rest
        for w in done { w.promise.fail(error) }
    }

    private func advanceHighWatermark(_ state: PartitionState, to offset: Int64) {
        guard offset > state.highWatermark else { return }
        state.highWatermark = offset
        let (done, rest) = durabilityWaiters.partitioned { $0.partition === state && $0.offset <= offset }
        durabilityWaiters = rest
        for w in done { w.promise.succeed(()) }
        for observer in observers.values { observer(state) }
    }

    /// Calls `observer` (on the engine loop) whenever a partition's high watermark moves.
    func observe(_ observer: @escaping (PartitionState) -> Void) -> Int {
        nextObserver += 1
        observers[nextObserver] = observer
        return nextObserver
    }

    func removeObserver(_ id: Int) { observers[id] = nil }

    /// Fails acknowledgements still waiting for a flush (the engine is stopping).
    func stop() {
        let waiting = durabilityWaiters
        durabilityWaiters = []
        for w in waiting { w.promise.fail(ChannelError.ioOnClosedChannel) }
        observers = [:]
    }
}

extension Array {
    /// The elements matching `predicate`, and the rest, each in order.
    func partitioned(_ predicate: (Element) -> Bool) -> ([Element], [Element]) {
        var yes: [Element] = [], no: [Element] = []
        for e in self { if predicate(e) { yes.append(e) } else { no.append(e) } }
        return (yes, no)
    }
}
