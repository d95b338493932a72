import Foundation

/// `GET /overview`.
public struct ClusterOverview: Codable, Sendable, Equatable {
    public init(taskManagers: Int, slotsTotal: Int, slotsAvailable: Int, jobsRunning: Int, jobsFinished: Int, jobsCancelled: Int,
                jobsFailed: Int, flinkVersion: String?) {
        self.taskManagers = taskManagers; self.slotsTotal = slotsTotal; self.slotsAvailable = slotsAvailable
        self.jobsRunning = jobsRunning; self.jobsFinished = jobsFinished; self.jobsCancelled = jobsCancelled
        self.jobsFailed = jobsFailed; self.flinkVersion = flinkVersion
    }
    public var taskManagers: Int
    public var slotsTotal: Int
    public var slotsAvailable: Int
    public var jobsRunning: Int
    public var jobsFinished: Int
    public var jobsCancelled: Int
    public var jobsFailed: Int
    public var flinkVersion: String?
    enum CodingKeys: String, CodingKey {
        case taskManagers = "taskmanagers", slotsTotal = "slots-total", slotsAvailable = "slots-available"
        case jobsRunning = "jobs-running", jobsFinished = "jobs-finished", jobsCancelled = "jobs-cancelled", jobsFailed = "jobs-failed"
        case flinkVersion = "flink-version"
    }
}

/// One entry of `GET /jobs/overview`.
public struct JobOverview: Codable, Sendable, Equatable {
    public init(jid: String, name: String, state: JobState, startTime: Int64?, endTime: Int64?, duration: Int64?,
                lastModification: Int64?, tasks: [String: Int]?) {
        self.jid = jid; self.name = name; self.state = state; self.startTime = startTime; self.endTime = endTime
        self.duration = duration; self.lastModification = lastModification; self.tasks = tasks
    }
    public var jid: String
    public var name: String
    public var state: JobState
    public var startTime: Int64?
    public var endTime: Int64?
    public var duration: Int64?
    public var lastModification: Int64?
    /// Task counts by task state (running, finished, failed, …).
    public var tasks: [String: Int]?
    enum CodingKeys: String, CodingKey {
        case jid, name, state, duration, tasks
        case startTime = "start-time", endTime = "end-time", lastModification = "last-modification"
    }
}

/// `GET /jobs/overview`.
public struct JobsOverviewResponse: Codable, Sendable, Equatable {
    public var jobs: [JobOverview]
    public init(jobs: [JobOverview]) { self.jobs = jobs }
}
