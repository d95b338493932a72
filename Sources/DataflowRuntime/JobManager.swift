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

    /// Running spec jobs on disk, run again by ``recover(parse:)`` after a restart.
    private let registry: JobRegistry?
    /// Set by ``shutdown(timeout:)``: jobs stopped by it stay registered.
    private var suspending = false

    /// Makes sinks outside the engine (Postgres tables); nil: jobs with such a sink are refused.
    public let externalSinks: ExternalSinkFactory?

    public init(engine: Engine, checkpointDirectory: String? = nil, savepointDirectory: String? = nil, registryDirectory: String? = nil,
                externalSinks: ExternalSinkFactory? = nil) {
        self.engine = engine
        self.externalSinks = externalSinks
        self.checkpointDirectory = checkpointDirectory
        self.savepointDirectory = savepointDirectory
        registry = registryDirectory.map { JobRegistry(directory: $0) }
    }

    /// A job as its spec was submitted: what a restarted engine needs to run it again.
    public struct SpecSource: Sendable {
        public var text: String
        public var arguments: [String]
        public var parallelism: Int
        /// Where the job first started from (kept when a restarted engine resumes it elsewhere).
        var startedFrom: String? = nil
        public init(text: String, arguments: [String], parallelism: Int) { self.text = text; self.arguments = arguments; self.parallelism = parallelism }
    }

    public struct SubmitError: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// Starts `definition` and returns the running job; from a checkpoint or savepoint directory
    /// when `restoreFrom` is given (Flink's `--fromSavepoint`): state the job has no operator for
    /// is refused unless `allowNonRestoredState`.
    /// With `spec`, the job is registered so that a restarted engine runs it again (`id` keeps
    /// its id then).
    public func submit(_ definition: JobDefinition, restoreFrom: String? = nil, allowNonRestoredState: Bool = false,
                       spec: SpecSource? = nil, id givenId: String? = nil) async throws -> RunningJob {
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
        if let pg = definition.sink.postgres, externalSinks == nil {
            throw SubmitError(description: "job '\(definition.name)' writes Postgres table '\(pg.table)', but this engine has no Postgres sink")
        }
        if definition.sink.exactlyOnce && definition.checkpoints == nil {
            throw SubmitError(description: "job '\(definition.name)': an exactly-once sink commits with checkpoints: add checkpoints (e.g. checkpoints: 10s)")
        }
        if definition.checkpoints != nil && checkpointDirectory == nil {
            throw SubmitError(description: "job '\(definition.name)' asks for checkpoints, but the engine has no checkpoint directory")
        }
        let id = givenId ?? Self.newId()
        let job = try RunningJob(id: id, definition: definition, graph: graph, engine: engine, sinkPartitions: sinkPartitions,
                                 sourcePartitions: partitionCounts, checkpointDirectory: checkpointDirectory.map { "\($0)/\(id)" }, restore: restore,
                                 externalSinks: externalSinks)
        if let spec, let registry, definition.checkpoints != nil {
            let first = givenId == nil ? restoreFrom : spec.startedFrom
            do {
                try registry.save(.init(id: id, spec: spec.text, arguments: spec.arguments, parallelism: spec.parallelism, restoreFrom: first,
                                        allowNonRestoredState: allowNonRestoredState))
            } catch {
                throw SubmitError(description: "job '\(definition.name)' cannot be registered for recovery: \(error)")
            }
            job.onTerminal = { [weak self] (j: RunningJob) in
                guard let self, !self.lock.withLock({ self.suspending }) else { return }
                registry.remove(j.id)
            }
        }
        lock.withLock { jobs.append(job) }
        job.start()
        return job
    }

    /// Runs the registered jobs of a previous engine run again, each from its newest completed
    /// checkpoint (else where it first started from) with its id; `parse` reads a spec. Returns
    /// what could not be run, with the reason (the registration stays, to be looked at).
    public func recover(parse: (String, [String], Int) throws -> JobDefinition) async -> [(id: String, reason: String)] {
        guard let registry else { return [] }
        let (records, damaged) = registry.all()
        var problems = damaged.map { (id: $0.path, reason: "unreadable: \($0.reason)") }
        for r in records {
            let own = checkpointDirectory.map { CheckpointStorage.checkpoints(in: "\($0)/\(r.id)").map(\.path) } ?? []
            var lastError = "no checkpoint or savepoint could be restored"
            var started = false
            // Never from the start when checkpoints exist but none reads back: that would repeat
            // output already committed.
            let candidates: [String?] = own.isEmpty ? [r.restoreFrom] : own.map { Optional($0) } + (r.restoreFrom.map { [$0] } ?? [])
            let definition: JobDefinition
            do { definition = try parse(r.spec, r.arguments, r.parallelism) } catch {
                problems.append((r.id, "\(error)"))
                continue
            }
            var spec = SpecSource(text: r.spec, arguments: r.arguments, parallelism: r.parallelism)
            spec.startedFrom = r.restoreFrom
            for from in candidates {
                do {
                    _ = try await submit(definition, restoreFrom: from, allowNonRestoredState: r.allowNonRestoredState, spec: spec, id: r.id)
                    started = true
                    break
                } catch {
                    lastError = "\(error)"  // a damaged checkpoint: the one before it
                }
            }
            if !started { problems.append((r.id, lastError)) }
        }
        return problems
    }

    public var all: [RunningJob] { lock.lock(); defer { lock.unlock() }; return jobs }

    public func job(_ id: String) -> RunningJob? { all.first { $0.id == id } }

    /// Cancels every job still running and waits (up to `timeout` each) for it to stop.
    public func shutdown(timeout: TimeInterval = 10) async {
        lock.withLock { suspending = true }
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
            if v.sink?.exactlyOnce == true { owners.insert("sink") }
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
