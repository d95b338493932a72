import Dataflow

/// A sink outside the engine — a database table — that a job's sink subtask writes through
/// (docs/checkpoints.md, Postgres). The runtime calls it on the task's thread: records as they
/// come, `flush` between batches, `drain` before a checkpoint barrier passes and at the end, so
/// a completed checkpoint never covers a record the table could still lose (at least once; an
/// upsert by key makes a replay rewrite the same rows).
public protocol ExternalSink: AnyObject {
    /// Takes a record; returns why it cannot be written (it goes to the dead letters, the job
    /// goes on), or nil. Throws when the table cannot be reached: the job fails over.
    func write(_ record: StreamRecord) throws -> String?
    /// Writes what has waited long enough (called between batches, often).
    func flush() throws
    /// Writes everything taken so far, durably.
    func drain() throws
}

/// Makes a job's external sinks, one per sink subtask and attempt. `make` must not connect:
/// a sink connects on first use, on the task's thread, so an unreachable database fails the
/// task (and the restart strategy decides) rather than the submit.
public protocol ExternalSinkFactory: Sendable {
    func make(_ target: JobDefinition.PostgresTarget, jobName: String, subtask: Int) -> ExternalSink
}
