/// Burrow-style evaluation of a group or partition, worst last.
public enum LagStatus: String, Codable, Sendable, Comparable, CaseIterable {
    case ok = "OK"
    case warn = "WARN"
    case stall = "STALL"
    case rewind = "REWIND"
    case stop = "STOP"
    case err = "ERR"

    private var severity: Int {
        switch self {
        case .ok: 0
        case .warn: 1
        case .stall: 2
        case .rewind: 3
        case .stop: 4
        case .err: 5
        }
    }

    public static func < (a: Self, b: Self) -> Bool { a.severity < b.severity }
}
