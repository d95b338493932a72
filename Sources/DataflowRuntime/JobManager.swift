import Dataflow
import EngineCore
import Foundation

/// The engine's jobs: submits definitions (checking their topics first, so a typo is an
/// error at submit rather than a failed job), finds and cancels them, and stops them all when
/// the engine stops.
public final class JobManager: @unchecked Sendable {  // `jobs` guarded by `lock`
    public let engine: Engine
    private let lock = NSLock()
    private var jobs: [RunningJob] = []

    public init(engine: Engine) { self.engine = engine }

    public struct SubmitError: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// Starts `definition` and returns the running job.
    public func submit(_ definition: JobDefinition) async throws -> RunningJob {
        var needed: [String] = []
        var partitionCounts: [String: Int32] = [:]
        if case .topic(let t) = definition.source { needed.append(t.topic) }
        for step in definition.steps { if case .join(let j) = step.operation { needed.append(j.table) } }
        for topic in needed {
            guard let count = try await engine.partitionCount(topic).map({ c -> Int32 in partitionCounts[topic] = c; return c }) else {
                throw SubmitError(description: "topic '\(topic)' does not exist: create it first (sluice engine serves the Kafka protocol, so any client can), or fix the job spec")
            }
            if case .topic(let t) = definition.source, t.topic == topic, let bad = t.partitions?.first(where: { $0 >= count }) {
                throw SubmitError(description: "topic '\(topic)' has \(count) partition\(count == 1 ? "" : "s"); the job spec asks for partition \(bad)")
            }
        }
        let graph = try JobGraph(definition)
        var sinkPartitions: [String: Int32] = [:]
        for v in graph.vertices {
            guard let topic = v.sink?.topic else { continue }
            do {
                sinkPartitions[topic] = try await EngineIO.ensureTopic(engine, topic, partitions: Int32(definition.parallelism))
            } catch let e as Engine.Failure {
                throw SubmitError(description: "sink topic '\(topic)' cannot be created: \(e.message)")
            }
        }
        let job = try RunningJob(id: Self.newId(), definition: definition, graph: graph, engine: engine, sinkPartitions: sinkPartitions,
                                 sourcePartitions: partitionCounts)
        lock.withLock { jobs.append(job) }
        job.start()
        return job
    }

    public var all: [RunningJob] { lock.lock(); defer { lock.unlock() }; return jobs }

    public func job(_ id: String) -> RunningJob? { all.first { $0.id == id } }

    /// Cancels every job still running and waits (up to `timeout` each) for it to stop.
    public func shutdown(timeout: TimeInterval = 10) async {
        for job in all where !job.state.isTerminal { job.cancel() }
        for job in all { await job.waitUntilTerminal(timeout: timeout) }
    }

    /// 32 hex digits, as Flink's job ids.
    static func newId() -> String {
        (0..<2).map { _ in
            let s = String(UInt64.random(in: .min ... .max), radix: 16)
            return String(repeating: "0", count: 16 - s.count) + s
        }.joined()
    }
}
