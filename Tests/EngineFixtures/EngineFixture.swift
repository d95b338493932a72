import Dataflow
import EngineCore
import Foundation
import KafkaProtocol
import Logging
import RecordCodecs
import StreamLog

/// An in-process engine over a fresh directory, with helpers to write JSON records and read a
/// topic back: shared by the test targets that run jobs in-process.
public struct EngineFixture: Sendable {
    public let engine: Engine
    public let directory: String

    public static func start(configure: (inout EngineConfiguration) -> Void = { _ in }) async throws -> EngineFixture {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dataflow-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var config = EngineConfiguration()
        configure(&config)
        let store = try LogStore(directory: dir, logConfiguration: .init(fsyncEveryAppend: false))
        let engine = try await Engine.start(configuration: config, store: store, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        return EngineFixture(engine: engine, directory: dir)
    }

    public func stop() async {
        await engine.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Appends `values` (JSON text) one batch per call, with Kafka timestamps `times` (ms) if given.
    public func produce(_ topic: String, partition: Int32 = 0, _ values: [String], keys: [String?]? = nil, time: Int64? = nil) async throws {
        let records = values.enumerated().map { i, v in
            Record(offsetDelta: 0, key: keys?[i].map { Array($0.utf8) }, value: Array(v.utf8))
        }
        _ = try await engine.append(topic: topic, partition: partition, records: records, timestamp: time)
    }

    public struct Read: Sendable {
        public var key: String?
        public var value: [UInt8]?
        public var time: Int64
        public var headers: [Record.Header]
        public var text: String { String(decoding: value ?? [], as: UTF8.self) }
        public var json: Value? { value.flatMap { try? JSONReader.parse($0) } }
    }

    /// Every record in `topic` now, all partitions; with `committed`, as a `read_committed`
    /// consumer sees them (up to the last stable offset, aborted transactions skipped).
    public func readAll(_ topic: String, committed: Bool = false) async throws -> [Read] {
        guard let n = try await engine.partitionCount(topic) else { return [] }
        var out: [Read] = []
        for p in 0..<n {
            var offset = try await engine.offsets(topic: topic, partition: p).logStart
            var aborted: Set<Int64> = []
            while true {
                let r = try await engine.read(topic: topic, partition: p, from: offset, isolation: committed ? .readCommitted : .readUncommitted)
                if r.batches.isEmpty { break }
                var pending = r.abortedTransactions.sorted { $0.firstOffset < $1.firstOffset }[...]
                for (batch, start) in try RecordBatch.split(r.batches, allowTruncatedTail: true) {
                    offset = batch.lastOffset + 1
                    while let a = pending.first, a.firstOffset <= batch.lastOffset { aborted.insert(a.producerId); pending.removeFirst() }
                    if batch.isControl { aborted.remove(batch.producerId); continue }
                    if committed && batch.isTransactional && aborted.contains(batch.producerId) { continue }
                    for rec in try batch.decodedRecords(in: r.batches, at: start) {
                        out.append(Read(key: rec.key.map { String(decoding: $0, as: UTF8.self) }, value: rec.value,
                                        time: batch.baseTimestamp + rec.timestampDelta, headers: rec.headers))
                    }
                }
                if offset >= (committed ? r.lastStableOffset : r.highWatermark) { break }
            }
        }
        return out
    }

    /// Reads `topic` until `done` holds for what is there, or `seconds` pass (then returns what is there).
    public func readUntil(_ topic: String, seconds: Double = 20, _ done: ([Read]) -> Bool) async throws -> [Read] {
        let deadline = Date().addingTimeInterval(seconds)
        var last: [Read] = []
        while Date() < deadline {
            last = try await readAll(topic)
            if done(last) { return last }
            try await Task.sleep(for: .milliseconds(50))
        }
        return last
    }
}
