import FlinkClient
import Foundation

/// Where job actions go: the console and the CLI hand actions to a JobControl and never talk to
/// a cluster themselves. A recording refuses them; Flink (and the engine's Flink-compatible
/// REST API) runs them.
public protocol JobControl: Sendable {
    /// Runs `action`, keeping the ledger at `ledger`; returns what to tell the user when done.
    func perform(_ action: JobAction, ledger: String) async throws -> String
}

/// Job actions against a Flink REST API, recorded in the job ledger (``JobActions``).
public struct FlinkJobControl: JobControl {
    public let client: FlinkClient

    public init(client: FlinkClient) { self.client = client }

    public init(url: String, timeoutSeconds: Double) {
        client = FlinkClient(baseURL: url, timeoutSeconds: timeoutSeconds)
    }

    public func perform(_ action: JobAction, ledger: String) async throws -> String {
        switch action {
        case let .savepoint(jid, name, dir):
            return try await JobActions.savepoint(client, jid: jid, name: name, directory: dir, stop: false, ledger: ledger)
        case let .pause(jid, name, dir, drain):
            return "stopped; savepoint " + (try await JobActions.savepoint(client, jid: jid, name: name, directory: dir, stop: true,
                                                                           drain: drain, ledger: ledger))
        case let .resume(jid, _):
            let (new, sp) = try await JobActions.resume(client, jid: jid, ledger: ledger)
            return "running as \(new) from \(sp)"
        case let .launch(r):
            let jid = try await JobActions.launch(client, jar: r.jar, entryClass: r.entryClass, arguments: r.arguments,
                                                  parallelism: r.parallelism, savepoint: r.savepoint,
                                                  allowNonRestoredState: r.allowNonRestoredState, ledger: ledger)
            return "running as \(jid)"
        case let .cancel(jid, _):
            try await client.cancel(job: jid)
            return "cancelling \(jid)"
        }
    }
}
