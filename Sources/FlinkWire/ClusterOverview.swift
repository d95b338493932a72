import Foundation

/// `GET /overview`.
public struct ClusterOverview: Codable, Sendable, Equatable {
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
