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
}
