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

    /// Where jobs' checkpoints go (`<dir>/<job id>/chk-<n>`); nil: jobs cannot checkpoint.
    public let checkpointDirectory: String?

    /// Where savepoints go when no directory is asked for (Flink's `state.savepoints.dir`).
    public let savepointDirectory: String?

    public init(engine: Engine, checkpointDirectory: String? = nil, savepointDirectory: String? = nil) {
        self.engine = engine
        self.checkpointDirectory = checkpointDirectory
        self.savepointDirectory = savepointDirectory
    }

    public struct SubmitError: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// Starts `definition` and returns the running job; from a checkpoint or savepoint directory
    /// when `restoreFrom` is given (Flink's `--fromSavepoint`): state the job has no operator for
    /// is refused unless `allowNonRestoredState`.
    public func submit(_ definition: JobDefinition, restoreFrom: String? = nil, allowNonRestoredState: Bool = false) async throws -> RunningJob {
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
        var restore: CheckpointStorage.Loaded? = nil
        if let restoreFrom {
            do { restore = try CheckpointStorage.read(restoreFrom) } catch {
                throw SubmitError(description: "cannot restore from \(restoreFrom): \(error)")
            }
            try Self.check(restore!, fits: graph, allowNonRestoredState: allowNonRestoredState)
        }
        if definition.checkpoints != nil && checkpointDirectory == nil {
            throw SubmitError(description: "job '\(definition.name)' asks for checkpoints, but the engine has no checkpoint directory")
        }
        let id = Self.newId()
        let job = try RunningJob(id: id, definition: definition, graph: graph, engine: engine, sinkPartitions: sinkPartitions,
                                 sourcePartitions: partitionCounts, checkpointDirectory: checkpointDirectory.map { "\($0)/\(id)" }, restore: restore)
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

    /// Every state in the snapshot must have an operator to go to (Flink's rule), unless the
    /// caller accepts dropping it.
    static func check(_ loaded: CheckpointStorage.Loaded, fits graph: JobGraph, allowNonRestoredState: Bool) throws {
        var owners: Set<String> = []
        for v in graph.vertices {
            for op in v.operators { owners.insert(op.id) }
            if let o = JobAttempt.sourceOwner(v) { owners.insert(o) }
        }
        let unmatched = loaded.parts.keys.filter { !owners.contains($0) }.sorted()
        guard unmatched.isEmpty || allowNonRestoredState else {
            let names = unmatched.map { "\(loaded.names[$0] ?? $0) (\($0))" }.joined(separator: ", ")
            throw SubmitError(description: "\(loaded.directory) holds state for \(names), which this job does not have: "
                + "restore with allowNonRestoredState to drop it, or run the job the snapshot was taken from")
        }
    }

    /// 32 hex digits, as Flink's job ids.
    static func newId() -> String {
        (0..<2).map { _ in
            let s = String(UInt64.random(in: .min ... .max), radix: 16)
            return String(repeating: "0", count: 16 - s.count) + s
        }.joined()
    }
}
