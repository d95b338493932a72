import Foundation
import KafkaProtocol
import RecordCodecs
import StreamLog

/// `SluiceBench compaction [GB] [codec]`: a compacted topic's log of about GB gigabytes on disk,
/// written as `codec`-compressed batches of 500 records over 200,000 keys (each key rewritten
/// many times), then one compaction pass timed: what compaction costs the engine when producers
/// compress (docs/engine.md, Compression).
func compactionBench(gigabytes: Double, codec: RecordBatch.Compression) throws -> [String: Any] {
    let dir = NSTemporaryDirectory() + "sluice-compaction-bench-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let log = try PartitionLog(directory: dir, configuration: .init(segmentBytes: 64 << 20, fsyncEveryAppend: false))
    let keys = 200_000, perBatch = 500
    let target = Int(gigabytes * 1e9)
    var rng = SystemRandomNumberGenerator()
    let words = ["order", "paid", "shipped", "user", "item", "warehouse", "eu-west", "priority", "gift", "retry"]
    // Pools built once, so the run measures the log rather than string building.
    let keyBytes = (0..<keys).map { Array("key-\($0)".utf8) }
    let values = (0..<4096).map { _ in Array((0..<24).map { _ in words[Int.random(in: 0..<words.count, using: &rng)] }.joined(separator: " ").utf8) }
    let t0: Int64 = 1_700_000_000_000
    var written = 0, batches = 0, records = 0
    while written < target {
        let recs = (0..<perBatch).map { i -> Record in
            Record(offsetDelta: Int32(i), timestampDelta: Int64(i), key: keyBytes[Int.random(in: 0..<keys, using: &rng)],
                   value: values[Int.random(in: 0..<values.count, using: &rng)])
        }
        let bytes = try RecordBatch.encode(baseTimestamp: t0 + Int64(batches), compression: codec, records: recs)
        _ = try log.append(bytes)
        written += bytes.count
        batches += 1
        records += perBatch
    }
    let before = log.sizeInBytes
    let start = Date()
    let result = try log.compact(now: t0 + 86_400_000, deleteRetentionMs: 0)
    let seconds = Date().timeIntervalSince(start)
    return ["bench": "compaction", "codec": codec.name, "keys": keys, "records": records, "bytes_before": before,
            "bytes_after": log.sizeInBytes, "records_removed": result.recordsRemoved,
            "segments_rewritten": result.segmentsRewritten, "seconds": seconds]
}
