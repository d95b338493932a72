import EngineCore
import Foundation
import KafkaProtocol
import Logging
import StreamLog
import Synchronization
import Testing

/// The engine used in-process, without the Kafka wire: what jobs will do.
@Suite struct EngineAPITests {
    /// An engine over a fresh data directory (or `directory`, to reopen one).
    func open(_ directory: String? = nil, configure: (inout EngineConfiguration) -> Void = { _ in }) async throws -> (Engine, String) {
        let dir = directory ?? FileManager.default.temporaryDirectory.appendingPathComponent("engine-core-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var config = EngineConfiguration()
        configure(&config)
        let store = try LogStore(directory: dir, logConfiguration: .init(fsyncEveryAppend: false))
        return (try await Engine.start(configuration: config, store: store, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })), dir)
    }

    func values(_ read: Engine.PartitionRead) throws -> [String] {
        var out: [String] = []
        for (batch, start) in try RecordBatch.split(read.batches, allowTruncatedTail: false) where !batch.isControl {
            let aborted = read.abortedTransactions.contains { $0.producerId == batch.producerId && $0.firstOffset <= batch.baseOffset }
            if aborted { continue }
            out += try batch.records(in: read.batches, at: start).map { String(decoding: $0.value ?? [], as: UTF8.self) }
        }
        return out
    }

    func records(_ values: String...) -> [Record] { values.map { Record(offsetDelta: 0, value: Array($0.utf8)) } }

    @Test func appendReadAndSubscribeWithoutTheWire() async throws {
        let (engine, dir) = try await open()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try await engine.createTopic("orders", partitions: 2)
        let seen = Mutex<[Engine.AppendNotice]>([])
        let subscription = try await engine.subscribe { notice in seen.withLock { $0.append(notice) } }
        let first = try await engine.append(topic: "orders", partition: 1, records: records("a", "b"))
        let second = try await engine.append(topic: "orders", partition: 1, records: records("c"))
        #expect(first == 0)
        #expect(second == 2)
        let read = try await engine.read(topic: "orders", partition: 1, from: 1)
        #expect(read.highWatermark == 3)
        // Whole batches: the first batch (offsets 0–1) is returned whole when reading from 1.
        #expect(try values(read) == ["a", "b", "c"])
        #expect(seen.withLock { $0 }.contains(Engine.AppendNotice(topic: "orders", partition: 1, highWatermark: 3)))
        subscription.cancel()
        await #expect(throws: Engine.Failure.self) { try await engine.append(topic: "orders", partition: 7, records: records("x")) }
        await #expect(throws: Engine.Failure.self) { try await engine.read(topic: "orders", partition: 0, from: 5) }
        await #expect(throws: Engine.Failure.self) { try await engine.createTopic("__mine", partitions: 1) }
        await engine.stop()
    }

    @Test func committedOffsetsSurviveARestart() async throws {
        var (engine, dir) = try await open()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try await engine.createTopic("t", partitions: 3)
        try await engine.commitOffsets(group: "job-1", [("t", 0, 10), ("t", 2, 7)])
        #expect(try await engine.committedOffsets(group: "job-1") == ["t": [0: 10, 2: 7]])
        await engine.stop()
        (engine, _) = try await open(dir)
        #expect(try await engine.committedOffsets(group: "job-1") == ["t": [0: 10, 2: 7]])
        #expect(try await engine.committedOffsets(group: "nobody").isEmpty)
        await engine.stop()
    }

    @Test func transactionsAreInvisibleToCommittedReadersUntilCommitted() async throws {
        let (engine, dir) = try await open()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try await engine.createTopic("out", partitions: 1)
        let producer = try await engine.initTransactions(id: "sink-1")
        _ = try await engine.appendTransactional(producer, topic: "out", partition: 0, records: records("kept-1", "kept-2"))
        var committedRead = try await engine.read(topic: "out", partition: 0, from: 0, isolation: .readCommitted)
        #expect(try values(committedRead).isEmpty, "open transaction visible to read_committed")
        #expect(try values(try await engine.read(topic: "out", partition: 0, from: 0)) == ["kept-1", "kept-2"])
        try await engine.commitTransaction(producer)
        committedRead = try await engine.read(topic: "out", partition: 0, from: 0, isolation: .readCommitted)
        #expect(try values(committedRead) == ["kept-1", "kept-2"])

        _ = try await engine.appendTransactional(producer, topic: "out", partition: 0, records: records("dropped"))
        try await engine.abortTransaction(producer)
        committedRead = try await engine.read(topic: "out", partition: 0, from: 0, isolation: .readCommitted)
        #expect(try values(committedRead) == ["kept-1", "kept-2"])
        #expect(committedRead.abortedTransactions.count == 1)

        // A new instance fences the old one.
        let successor = try await engine.initTransactions(id: "sink-1")
        #expect(successor.epoch == producer.epoch + 1)
        // The zombie is refused by the coordinator when it tries to join a partition to its transaction.
        do {
            _ = try await engine.appendTransactional(producer, topic: "out", partition: 0, records: records("zombie"))
            Issue.record("a fenced producer wrote")
        } catch let e as Engine.Failure {
            #expect(e.code == .producerFenced, "\(e)")
        }
        await engine.stop()
    }
}
