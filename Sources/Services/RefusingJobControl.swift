/// Job control that refuses every action with a reason (a replay acts on no cluster).
public struct RefusingJobControl: JobControl {
    public let reason: String
    public init(reason: String) { self.reason = reason }

    public struct Refused: Error, CustomStringConvertible {
        public var description: String
    }

    public func perform(_ action: JobAction, ledger: String) async throws -> String {
        throw Refused(description: reason)
    }
}
