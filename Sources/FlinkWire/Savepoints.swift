import Foundation

/// Where a savepoint (or stop-with-savepoint) stands.
public enum SavepointProgress: Sendable, Equatable {
    case inProgress
    case completed(location: String)
    case failed(cause: String)
}


/// `POST /jobs/:jid/savepoints`: Flink's hyphenated keys.
public struct SavepointTriggerRequest: Codable, Sendable, Equatable {
    public var targetDirectory: String?
    public var cancelJob: Bool
    public init(targetDirectory: String?, cancelJob: Bool = false) { self.targetDirectory = targetDirectory; self.cancelJob = cancelJob }
    enum CodingKeys: String, CodingKey { case targetDirectory = "target-directory", cancelJob = "cancel-job" }
}

/// `POST /jobs/:jid/stop` (stop with a savepoint): camelCase keys, unlike the trigger's.
public struct StopWithSavepointRequest: Codable, Sendable, Equatable {
    public var targetDirectory: String?
    public var drain: Bool
    public init(targetDirectory: String?, drain: Bool) { self.targetDirectory = targetDirectory; self.drain = drain }
}

/// The answer to a savepoint trigger or a stop: the id to poll with.
public struct TriggerResponse: Codable, Sendable, Equatable {
    public var requestId: String
    public init(requestId: String) { self.requestId = requestId }
    enum CodingKeys: String, CodingKey { case requestId = "request-id" }
}

/// `GET /jobs/:jid/savepoints/:trigger`: IN_PROGRESS or COMPLETED, with a location or a failure cause.
public struct SavepointStatusResponse: Codable, Sendable, Equatable {
    public struct Status: Codable, Sendable, Equatable {
        public var id: String
        public init(id: String) { self.id = id }
    }
    public struct Operation: Codable, Sendable, Equatable {
        public var location: String?
        public var failureCause: FailureCause?
        public init(location: String? = nil, failureCause: FailureCause? = nil) { self.location = location; self.failureCause = failureCause }
        enum CodingKeys: String, CodingKey { case location; case failureCause = "failure-cause" }
    }
    public struct FailureCause: Codable, Sendable, Equatable {
        public var className: String?
        public var stackTrace: String?
        public init(className: String?, stackTrace: String?) { self.className = className; self.stackTrace = stackTrace }
        enum CodingKeys: String, CodingKey { case className = "class"; case stackTrace = "stack-trace" }
    }
    public var status: Status
    public var operation: Operation?
    public init(status: Status, operation: Operation? = nil) { self.status = status; self.operation = operation }
}

/// Flink's error answer: `{"errors": [...]}`.
public struct ErrorResponse: Codable, Sendable, Equatable {
    public var errors: [String]
    public init(errors: [String]) { self.errors = errors }
}
