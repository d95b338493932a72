import Foundation

extension FlinkClient {
    /// Polls a savepoint or stop-with-savepoint until Flink reports it done; returns its location.
    /// Polling is the REST API's own protocol for these operations (a trigger id, then status).
    public func awaitSavepoint(job jid: String, request: String, action: String = "savepoint", timeoutSeconds: Double = 120,
                               pollSeconds: Double = 0.25) async throws -> String {
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while true {
            switch try await savepointStatus(job: jid, request: request) {
            case let .completed(location): return location
            case let .failed(cause): throw FlinkClientError.savepointFailed(job: jid, cause: cause)
            case .inProgress:
                if Date() >= deadline { throw FlinkClientError.stillInProgress(job: jid, action: action, seconds: timeoutSeconds) }
                try await Task.sleep(nanoseconds: UInt64(pollSeconds * 1e9))
            }
        }
    }

    /// The state `/jobs/overview` reports for `jid` (it follows state changes about 3 s sooner
    /// than `/jobs/:jid`, which Flink serves from a cache); `nil` when the job is not listed.
    public func state(of jid: String) async throws -> JobState? {
        try await jobs().first { $0.jid == jid }?.state
    }
}
