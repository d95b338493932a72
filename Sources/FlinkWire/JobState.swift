import Foundation

// Flink's REST answers (Flink 2.x) as Codable values, read by FlinkClient and written by the
// engine's REST server. Every field Flink may leave out is optional, unknown fields are ignored,
// and enum-like strings stay open (an unknown state is kept, not an error).

/// A job state as Flink names it (RUNNING, FINISHED, …); unknown names are kept as they are.
public struct JobState: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(from decoder: Decoder) throws { rawValue = try decoder.singleValueContainer().decode(String.self) }
    public func encode(to encoder: Encoder) throws { var c = encoder.singleValueContainer(); try c.encode(rawValue) }
    public var description: String { rawValue }

    public static let initializing = JobState("INITIALIZING"), created = JobState("CREATED"), running = JobState("RUNNING")
    public static let failing = JobState("FAILING"), failed = JobState("FAILED"), cancelling = JobState("CANCELLING")
    public static let canceled = JobState("CANCELED"), finished = JobState("FINISHED"), restarting = JobState("RESTARTING")
    public static let suspended = JobState("SUSPENDED"), reconciling = JobState("RECONCILING")

    /// FINISHED, CANCELED, FAILED (and SUSPENDED): the job will not run again by itself.
    public var isTerminal: Bool { [.finished, .canceled, .failed, .suspended].contains(self) }
}
