/// The first line of a recording (docs/recording.md): what made it, when, from which sources.
public struct RecordingHeader: Codable, Sendable, Equatable {
    public static let formatName = "sluice-recording"
    /// The version this build writes and the newest it reads.
    public static let currentVersion = 2

    public struct Source: Codable, Sendable, Equatable {
        public var name: String
        /// Where it was read from, without credentials.
        public var address: String
        public init(name: String, address: String) { self.name = name; self.address = address }
    }

    public struct TerminalSize: Codable, Sendable, Equatable {
        public var width: Int
        public var height: Int
        public init(width: Int, height: Int) { self.width = width; self.height = height }
    }

    public var format: String
    public var version: Int
    /// Epoch seconds.
    public var started: Double
    public var sluice: String
    public var sources: [Source]
    /// The console context recorded (`--context`, or the console's own), shown in a replay's header.
    public var context: String?
    public var terminal: TerminalSize?
    /// True when names were replaced by pseudonyms (`--redact`).
    public var redacted: Bool

    public init(started: Double, sluice: String, sources: [Source], context: String? = nil, terminal: TerminalSize? = nil, redacted: Bool = false) {
        format = Self.formatName
        version = Self.currentVersion
        self.started = started; self.sluice = sluice; self.sources = sources; self.context = context; self.terminal = terminal
        self.redacted = redacted
    }
}
