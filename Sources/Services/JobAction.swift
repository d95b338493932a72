import Foundation

/// A job action the user asked for, ready to run.
public enum JobAction: Sendable, Equatable {
    case savepoint(jid: String, name: String, directory: String?)
    case pause(jid: String, name: String, directory: String?, drain: Bool)
    case resume(jid: String, name: String)
    case launch(LaunchRequest)
    case cancel(jid: String, name: String)

    /// "savepoint of orders-enrich", for the status line and the action log.
    public var title: String {
        switch self {
        case let .savepoint(_, name, _): "savepoint of \(name)"
        case let .pause(_, name, _, drain): "pause of \(name)\(drain ? " (drain)" : "")"
        case let .resume(_, name): "resume of \(name)"
        case let .launch(r): "launch of \(r.jar)"
        case let .cancel(_, name): "cancel of \(name)"
        }
    }
}

/// What the launch form collects: the Flink CLI's run options.
public struct LaunchRequest: Sendable, Equatable {
    public var jar: String
    public var entryClass: String?
    public var arguments: [String]
    public var parallelism: Int
    public var savepoint: String?
    public var allowNonRestoredState: Bool

    public init(jar: String, entryClass: String?, arguments: [String], parallelism: Int, savepoint: String?, allowNonRestoredState: Bool) {
        self.jar = jar; self.entryClass = entryClass; self.arguments = arguments; self.parallelism = parallelism
        self.savepoint = savepoint; self.allowNonRestoredState = allowNonRestoredState
    }
}
