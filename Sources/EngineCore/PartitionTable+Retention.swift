import Foundation
import StreamLog

extension PartitionTable {
    /// Retention for `delete` topics and compaction for `compact` ones (both for
    /// `compact,delete`), every `log.retention.check.interval.ms`. Runs on the engine loop, as
    /// the logs are not shared with other threads; compaction only rewrites closed segments.
    func applyRetention(now: Int64) {
        for (name, states) in partitions {
            guard let config = store.topics[name]?.config else { continue }
            for s in states {
                do {
                    if config.deletes {
                        let deleted = try s.log.applyRetention(now: now, retentionMs: config.retentionMs >= 0 ? config.retentionMs : nil,
                                                               retentionBytes: config.retentionBytes >= 0 ? config.retentionBytes : nil)
                        if deleted > 0 {
                            logger.info("retention deleted segments", metadata: ["topic": "\(name)", "partition": "\(s.index)", "segments": "\(deleted)",
                                                                                 "log_start_offset": "\(s.log.logStartOffset)"])
                        }
                    }
                    if config.compacts {
                        let r = try s.log.compact(now: now, deleteRetentionMs: config.deleteRetentionMs, minLagMs: config.minCompactionLagMs)
                        if r.segmentsRewritten > 0 {
                            logger.info("log compacted", metadata: ["topic": "\(name)", "partition": "\(s.index)", "segments": "\(r.segmentsRewritten)",
                                                                    "records_removed": "\(r.recordsRemoved)", "tombstones_removed": "\(r.tombstonesRemoved)",
                                                                    "bytes_before": "\(r.bytesBefore)", "bytes_after": "\(r.bytesAfter)"])
                        }
                    }
                } catch {
                    logger.error("retention or compaction failed", metadata: ["topic": "\(name)", "partition": "\(s.index)", "error": "\(error)"])
                }
            }
        }
    }
}
