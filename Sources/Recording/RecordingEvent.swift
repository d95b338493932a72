import ConsoleModel

/// One line of a recording after the header.
public enum RecordingEvent: Sendable, Equatable {
    case observation(Observation)
    case marker(Marker)

    /// Epoch seconds.
    public var time: Double {
        switch self {
        case let .observation(o): o.time
        case let .marker(m): m.time
        }
    }
}

/// A point in a recording worth jumping to.
public struct Marker: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        /// Added by the user (`M` in the console).
        case user
        /// An alert raised or cleared.
        case alert
        /// A job action and its result.
        case action
        /// A switch to another context.
        case context
    }
    public var time: Double
    public var kind: Kind
    public var text: String
    public init(time: Double, kind: Kind, text: String) { self.time = time; self.kind = kind; self.text = text }
}
