/// Burrow-style evaluation of a group or partition, worst last.
public enum LagStatus: String, Codable, Sendable, Comparable, CaseIterable {
    case ok = "OK"
    /// Lag with members, but too few readings yet to tell WARN or STALL from OK.
    case pending = "PENDING"
    case warn = "WARN"
    case stall = "STALL"
    case rewind = "REWIND"
    case stop = "STOP"
    case err = "ERR"

    private var severity: Int {
        switch self {
        case .ok: 0
        case .pending: 1
        case .warn: 1
        case .stall: 2
        case .rewind: 3
        case .stop: 4
        case .err: 5
        }
    }

    public static func < (a: Self, b: Self) -> Bool { a.severity < b.severity || (a.severity == b.severity && a == .pending && b != .pending) }
}
