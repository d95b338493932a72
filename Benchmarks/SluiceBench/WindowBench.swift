import Dataflow
import DataflowRuntime
import EngineCore
import Foundation
import KafkaProtocol
import Logging
import StreamLog

/// `SluiceBench window-count N [generator|topic]`: the keyed 1 s tumbling count of Flink's
/// benchmark job, run in an in-process engine at parallelism 2 over N events (1,000 keys,
/// 100 events per millisecond of event time, so a window's results are about 1 % of its input), from the generator source or from JSON records in an engine topic
/// (written first, not timed). Prints wall time and the process's CPU time, so events per
/// second per core compare with Flink's TaskManager running the same job.
/// With `checkpointMs` > 0 the job checkpoints that often (state to files in the temporary
/// directory), for the throughput cost of checkpointing.
func windowBench(events: Int64, source kind: String, checkpointMs: Int64 = 0) async throws -> [String: Any] {
    let dir = NSTemporaryDirectory() + "sluice-window-bench-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let store = try LogStore(directory: dir, logConfiguration: .init(fsyncEveryAppend: false))
    let engine = try await Engine.start(configuration: EngineConfiguration(), store: store,
                                        logger: Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() }))
    let source: JobDefinition.Source
    if kind == "topic" {
        try await engine.createTopic("events", partitions: 2)
        var written: Int64 = 0
        while written < events {
            for p in Int32(0)..<2 {
                let n = min(2000, (events - written) / 2 + 1)
                let records = (0..<n).map { i -> Record in
                    let seq = written + i * 2 + Int64(p)
                    return Record(offsetDelta: 0, value: Array(#"{"key":"k\#(seq % 1000)","ts":\#(seq / 100),"value":\#(seq % 997)}"#.utf8))
                }
                _ = try await engine.append(topic: "events", partition: p, records: records)
            }
            written += 4000
        }
        source = .topic(.init(topic: "events", timestampField: ["ts"], watermark: .init(outOfOrderness: 0, idleAfter: 1000)))
    } else {
        source = .generator(.init(rate: 0, keys: 1000, count: events, startTime: 0, timeStep: 0.01))
    }
    var job = JobDefinition(name: "window-count", parallelism: 2, source: source, steps: [
        .init(.keyBy(try CompiledExpression.compile("key"))),
        .init(.window(.init(assigner: .tumbling(size: 1000), aggregation: try Aggregation([(name: "n", text: "count()")])))),
    ], sink: .init(topic: nil))  // discarded, as the Flink twin's DiscardingSink
    if checkpointMs > 0 { job.checkpoints = .init(interval: checkpointMs) }
    let manager = JobManager(engine: engine, checkpointDirectory: dir + "/checkpoints")
    let cpu0 = processCPUSeconds()
    let start = Date()
    let running = try await manager.submit(job)
    var counted: Int64 = 0
    if kind == "topic" {
        // A topic source never ends: done when the window vertex has taken every event in.
        while counted < events {
            counted = running.vertices[1].subtasks.reduce(0) { $0 + $1.snapshot.recordsIn }
            try await Task.sleep(for: .milliseconds(5))
        }
    } else {
        await running.waitUntilTerminal(timeout: 600)
        counted = running.vertices[1].subtasks.reduce(0) { $0 + $1.snapshot.recordsIn }
    }
    let seconds = Date().timeIntervalSince(start)
    let cpu = processCPUSeconds() - cpu0
    await manager.shutdown()
    await engine.stop()
    guard counted >= events else { fatalError("the window took \(counted) of \(events) events") }
    let completed = running.checkpointStats?.completed ?? 0
    if checkpointMs > 0 && completed == 0 { fatalError("no checkpoint completed in \(seconds) s") }
    return ["bench": "window_count", "engine": "sluice", "source": kind, "events": events, "seconds": seconds, "cpu_seconds": cpu,
            "checkpoint_ms": checkpointMs, "checkpoints": completed,
            "events_per_s": Double(events) / seconds, "events_per_cpu_s": Double(events) / cpu]
}

func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
}
