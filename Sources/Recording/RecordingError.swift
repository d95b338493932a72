/// Why a recording cannot be written or read, in words a person can act on.
public enum RecordingError: Error, CustomStringConvertible, Equatable {
    case unwritable(path: String, reason: String)
    case exists(path: String)
    case unreadable(path: String, reason: String)
    case notARecording(path: String, reason: String)
    case newerVersion(path: String, version: Int, supported: Int)

    public var description: String {
        switch self {
        case let .unwritable(path, reason): "cannot write the recording \(path): \(reason)"
        case let .exists(path): "\(path) already exists: choose another name or remove it (a recording is never overwritten)"
        case let .unreadable(path, reason): "cannot read \(path): \(reason)"
        case let .notARecording(path, reason): "\(path) is not a Sluice recording: \(reason)"
        case let .newerVersion(path, version, supported):
            "\(path) is a version \(version) recording; this Sluice reads versions up to \(supported): use a newer Sluice"
        }
    }
}

/// Where reading stopped early: the first line that was cut short or could not be read.
public struct RecordingDamage: Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var reason: String
    public var description: String { "line \(line): \(reason); replayed up to the line before" }
}
