import Foundation

/// What Sluice remembers about the Flink jobs it launched and the savepoints it took, so that
/// "resume" can run the same jar, entry class, arguments and parallelism from the latest
/// savepoint. Kept in `$XDG_STATE_HOME/sluice/jobs.json` (default `~/.local/state/sluice/jobs.json`),
/// written atomically under a lock so the console and the CLI can share it.
public struct JobLedger: Codable, Sendable, Equatable {
    /// How a job was launched: enough to launch it again.
    public struct Launch: Codable, Sendable, Equatable {
        public var flink: String
        public var jarId: String
        /// The local jar it was uploaded from, to upload again if Flink no longer has `jarId`.
        public var jarPath: String?
        public var entryClass: String?
        public var arguments: [String]
        public var parallelism: Int
        public var allowNonRestoredState: Bool
        public init(flink: String, jarId: String, jarPath: String? = nil, entryClass: String? = nil, arguments: [String] = [],
                    parallelism: Int, allowNonRestoredState: Bool = false) {
            self.flink = flink; self.jarId = jarId; self.jarPath = jarPath; self.entryClass = entryClass
            self.arguments = arguments; self.parallelism = parallelism; self.allowNonRestoredState = allowNonRestoredState
        }
    }

    public struct Savepoint: Codable, Sendable, Equatable {
        public var location: String
        public var time: Double
        /// True when taken by stop-with-savepoint (the job was paused).
        public var stopped: Bool
        public init(location: String, time: Double, stopped: Bool) { self.location = location; self.time = time; self.stopped = stopped }
    }

    public struct Entry: Codable, Sendable, Equatable {
        public var jid: String
        public var name: String?
        public var launch: Launch?
        public var savepoints: [Savepoint]
        /// The job this one was resumed from, and the one it was resumed as.
        public var resumedFrom: String?
        public var resumedAs: String?
    }

    public var jobs: [Entry] = []
    /// Jobs kept; the oldest are forgotten beyond this.
    public static let capacity = 500

    public init() {}

    public func entry(_ jid: String) -> Entry? { jobs.last { $0.jid == jid } }

    public mutating func recordLaunch(jid: String, name: String?, launch: Launch, resumedFrom: String? = nil) {
        jobs.removeAll { $0.jid == jid }
        jobs.append(Entry(jid: jid, name: name, launch: launch, savepoints: [], resumedFrom: resumedFrom))
        if let from = resumedFrom, let i = jobs.lastIndex(where: { $0.jid == from }) { jobs[i].resumedAs = jid }
        if jobs.count > Self.capacity { jobs.removeFirst(jobs.count - Self.capacity) }
    }

    public mutating func recordSavepoint(jid: String, name: String?, _ savepoint: Savepoint) {
        if let i = jobs.lastIndex(where: { $0.jid == jid }) {
            jobs[i].savepoints.append(savepoint)
            if jobs[i].name == nil { jobs[i].name = name }
        } else {
            // A job Sluice did not launch: its savepoint is still worth remembering.
            jobs.append(Entry(jid: jid, name: name, launch: nil, savepoints: [savepoint]))
        }
    }

    /// The latest savepoint taken of `jid`.
    public func latestSavepoint(of jid: String) -> Savepoint? { entry(jid)?.savepoints.max { $0.time < $1.time } }

    // MARK: file

    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        stateDirectory(environment: environment) + "/jobs.json"
    }

    /// `$XDG_STATE_HOME/sluice` (default `~/.local/state/sluice`): the job ledger, recordings.
    public static func stateDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let base = environment["XDG_STATE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ((environment["HOME"] ?? NSHomeDirectory()) + "/.local/state")
        return base + "/sluice"
    }

    public enum FileError: Error, CustomStringConvertible {
        case unreadable(path: String, reason: String)
        case unwritable(path: String, reason: String)
        public var description: String {
            switch self {
            case let .unreadable(path, reason): "cannot read the job ledger \(path): \(reason) (move it aside to start a new one)"
            case let .unwritable(path, reason): "cannot write the job ledger \(path): \(reason)"
            }
        }
    }

    /// A missing file is an empty ledger; a corrupt one is an error (never silently replaced).
    public static func load(path: String) throws -> JobLedger {
        guard let data = FileManager.default.contents(atPath: path) else {
            if FileManager.default.fileExists(atPath: path) { throw FileError.unreadable(path: path, reason: "permission denied") }
            return JobLedger()
        }
        do { return try JSONDecoder().decode(JobLedger.self, from: data) } catch {
            throw FileError.unreadable(path: path, reason: "not a Sluice job ledger (\(error.localizedDescription))")
        }
    }

    /// Read, change and write back under an exclusive lock, atomically (a crash leaves the old file).
    @discardableResult
    public static func update<T>(path: String, _ change: (inout JobLedger) throws -> T) throws -> T {
        let dir = (path as NSString).deletingLastPathComponent
        do { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
            throw FileError.unwritable(path: path, reason: error.localizedDescription)
        }
        let fd = open(path + ".lock", O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw FileError.unwritable(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        flock(fd, LOCK_EX)
        defer { flock(fd, LOCK_UN) }
        var ledger = try load(path: path)
        let result = try change(&ledger)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do { try encoder.encode(ledger).write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            throw FileError.unwritable(path: path, reason: error.localizedDescription)
        }
        return result
    }
}
