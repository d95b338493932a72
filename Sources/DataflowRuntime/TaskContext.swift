import EngineCore
import Foundation

/// What every subtask of a job shares: the engine, its place in the job, the cancel flag.
final class TaskContext: @unchecked Sendable {  // immutable but for `cancelled`, which is locked
    let engine: Engine
    let jobName: String
    let vertexName: String
    let subtask: Int
    let parallelism: Int
    let deadLetterTopic: String
    let metrics: TaskMetrics
    private let flag: CancelFlag

    init(engine: Engine, jobName: String, vertexName: String, subtask: Int, parallelism: Int, deadLetterTopic: String,
         metrics: TaskMetrics, flag: CancelFlag) {
        self.engine = engine; self.jobName = jobName; self.vertexName = vertexName; self.subtask = subtask
        self.parallelism = parallelism; self.deadLetterTopic = deadLetterTopic; self.metrics = metrics; self.flag = flag
    }

    var isCancelled: Bool { flag.isSet }

    func checkCancelled() throws { if flag.isSet { throw TaskCancelled() } }

    static func nowMs() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}

/// Set once when a job stops (cancel or a task's failure); every task polls it.
final class CancelFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var set = false
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return set }
    func raise() { lock.lock(); set = true; lock.unlock() }
}
