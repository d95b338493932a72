/// A topic's settings, by the names Kafka uses (`cleanup.policy`, `retention.ms`, …), as given
/// to CreateTopics and answered by DescribeConfigs. Unknown or malformed values are refused with
/// a message naming the key, so a typo never silently becomes a default.
public struct TopicConfig: Codable, Equatable, Sendable {
    public enum CleanupPolicy: String, Codable, Sendable { case delete, compact, compactDelete = "compact,delete" }

    public var cleanupPolicy: CleanupPolicy = .delete
    /// -1 keeps records forever.
    public var retentionMs: Int64 = 7 * 24 * 3_600_000
    public var retentionBytes: Int64 = -1
    public var segmentBytes: Int64 = 64 << 20
    /// How long a compacted topic keeps tombstones (null values) before compaction drops them.
    public var deleteRetentionMs: Int64 = 24 * 3_600_000
    public var minCompactionLagMs: Int64 = 0
    public var maxMessageBytes: Int64 = 1_048_588
    public var logAppendTime = false
    /// Kafka topic configs the engine accepts, checks and keeps but does not act on (replication,
    /// flushing, tiering and the like on a single node): their values as set, by name.
    public var kept: [String: String]?

    public init() {}

    /// A Kafka topic config the engine keeps without acting on it: its default and what a value
    /// must look like (nil: fine, else why not).
    public struct KeptKey: Sendable {
        public let name: String
        public let defaultValue: String
        let problem: @Sendable (String) -> String?
    }

    private static func whole(_ min: Int64, _ max: Int64 = .max) -> @Sendable (String) -> String? {
        { v in Int64(v).map { (min...max).contains($0) } == true ? nil : "expected a whole number from \(min) to \(max)" }
    }
    private static let boolean: @Sendable (String) -> String? = { ["true", "false"].contains($0.lowercased()) ? nil : "expected true or false" }
    private static func oneOf(_ values: [String]) -> @Sendable (String) -> String? {
        { values.contains($0) ? nil : "expected one of \(values.joined(separator: ", "))" }
    }
    private static let anything: @Sendable (String) -> String? = { _ in nil }

    /// Every other topic config Kafka 4 knows, with Kafka's defaults.
    public static let keptKeys: [KeptKey] = [
        .init(name: "compression.type", defaultValue: "producer", problem: oneOf(["uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"])),
        .init(name: "compression.gzip.level", defaultValue: "-1", problem: { v in v == "-1" ? nil : whole(1, 9)(v) }),
        .init(name: "compression.lz4.level", defaultValue: "9", problem: whole(1, 17)),
        .init(name: "compression.zstd.level", defaultValue: "3", problem: whole(-131_072, 22)),
        .init(name: "file.delete.delay.ms", defaultValue: "60000", problem: whole(0)),
        .init(name: "flush.messages", defaultValue: String(Int64.max), problem: whole(1)),
        .init(name: "flush.ms", defaultValue: String(Int64.max), problem: whole(0)),
        .init(name: "follower.replication.throttled.replicas", defaultValue: "", problem: anything),
        .init(name: "leader.replication.throttled.replicas", defaultValue: "", problem: anything),
        .init(name: "index.interval.bytes", defaultValue: "4096", problem: whole(0, Int64(Int32.max))),
        .init(name: "local.retention.bytes", defaultValue: "-2", problem: whole(-2)),
        .init(name: "local.retention.ms", defaultValue: "-2", problem: whole(-2)),
        .init(name: "max.compaction.lag.ms", defaultValue: String(Int64.max), problem: whole(1)),
        .init(name: "message.downconversion.enable", defaultValue: "true", problem: boolean),
        .init(name: "message.format.version", defaultValue: "3.0-IV1", problem: anything),
        .init(name: "message.timestamp.after.max.ms", defaultValue: String(Int64.max), problem: whole(0)),
        .init(name: "message.timestamp.before.max.ms", defaultValue: String(Int64.max), problem: whole(0)),
        .init(name: "message.timestamp.difference.max.ms", defaultValue: String(Int64.max), problem: whole(0)),
        .init(name: "min.cleanable.dirty.ratio", defaultValue: "0.5", problem: { v in Double(v).map { (0...1).contains($0) } == true ? nil : "expected a number from 0 to 1" }),
        .init(name: "min.insync.replicas", defaultValue: "1", problem: whole(1, Int64(Int32.max))),
        .init(name: "preallocate", defaultValue: "false", problem: boolean),
        .init(name: "remote.log.copy.disable", defaultValue: "false", problem: boolean),
        .init(name: "remote.log.delete.on.disable", defaultValue: "false", problem: boolean),
        .init(name: "remote.storage.enable", defaultValue: "false", problem: boolean),
        .init(name: "segment.index.bytes", defaultValue: "10485760", problem: whole(4, Int64(Int32.max))),
        .init(name: "segment.jitter.ms", defaultValue: "0", problem: whole(0)),
        .init(name: "segment.ms", defaultValue: "604800000", problem: whole(1)),
        .init(name: "unclean.leader.election.enable", defaultValue: "false", problem: boolean),
    ]

    /// Kept configs the engine does act on (the rest are only reported, read-only).
    public static let keptAndActedOn: Set<String> = ["segment.ms", "compression.type", "compression.gzip.level",
                                                     "compression.lz4.level", "compression.zstd.level"]

    /// The kept configs with their values (set or default), and whether each was set.
    public var keptEntries: [(name: String, value: String, isSet: Bool)] {
        Self.keptKeys.map { k in (k.name, kept?[k.name] ?? k.defaultValue, kept?[k.name] != nil) }
    }

    /// Puts `name` back to its value in `defaults` (IncrementalAlterConfigs' DELETE).
    public mutating func reset(_ name: String, to defaults: TopicConfig) throws {
        if Self.keptKeys.contains(where: { $0.name == name }) {
            kept?[name] = defaults.kept?[name]
            if kept?.isEmpty == true { kept = nil }
            return
        }
        guard let value = defaults.entries.first(where: { $0.name == name })?.value else {
            throw Invalid(key: name, message: "unknown topic config \(name)")
        }
        self = try TopicConfig([(name, value)], over: self)
    }

    /// Every key with its value as Kafka prints it, in a stable order.
    public var entries: [(name: String, value: String)] {
        [("cleanup.policy", cleanupPolicy.rawValue), ("retention.ms", String(retentionMs)), ("retention.bytes", String(retentionBytes)),
         ("segment.bytes", String(segmentBytes)), ("delete.retention.ms", String(deleteRetentionMs)),
         ("min.compaction.lag.ms", String(minCompactionLagMs)), ("max.message.bytes", String(maxMessageBytes)),
         ("message.timestamp.type", logAppendTime ? "LogAppendTime" : "CreateTime")]
    }

    public static let keys: [String] = TopicConfig().entries.map(\.name)

    public struct Invalid: Error, Equatable, CustomStringConvertible {
        public let key: String
        public let message: String
        public init(key: String, message: String) { self.key = key; self.message = message }
        public var description: String { message }
    }

    /// Applies `name=value` settings over `base` (the defaults); a nil value leaves it as it is.
    public init(_ settings: [(name: String, value: String?)], over base: TopicConfig = TopicConfig()) throws {
        self = base
        for (name, value) in settings {
            guard let value else { continue }
            func number(min: Int64) throws -> Int64 {
                guard let n = Int64(value), n >= min else {
                    throw Invalid(key: name, message: "\(name)=\(value) is not valid: expected a whole number ≥ \(min)")
                }
                return n
            }
            switch name {
            case "cleanup.policy":
                let parts = Set(value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
                switch parts {
                case ["delete"]: cleanupPolicy = .delete
                case ["compact"]: cleanupPolicy = .compact
                case ["compact", "delete"]: cleanupPolicy = .compactDelete
                default: throw Invalid(key: name, message: "cleanup.policy=\(value) is not valid: expected delete, compact or compact,delete")
                }
            case "retention.ms": retentionMs = try number(min: -1)
            case "retention.bytes": retentionBytes = try number(min: -1)
            case "segment.bytes": segmentBytes = try number(min: 14)
            case "delete.retention.ms": deleteRetentionMs = try number(min: 0)
            case "min.compaction.lag.ms": minCompactionLagMs = try number(min: 0)
            case "max.message.bytes": maxMessageBytes = try number(min: 0)
            case "message.timestamp.type":
                switch value {
                case "CreateTime": logAppendTime = false
                case "LogAppendTime": logAppendTime = true
                default: throw Invalid(key: name, message: "message.timestamp.type=\(value) is not valid: expected CreateTime or LogAppendTime")
                }
            default:
                guard let k = Self.keptKeys.first(where: { $0.name == name }) else {
                    throw Invalid(key: name, message: "unknown topic config \(name); Kafka's topic configs are accepted (\(Self.keys.joined(separator: ", ")) act)")
                }
                if let why = k.problem(value) { throw Invalid(key: name, message: "\(name)=\(value) is not valid: \(why)") }
                kept = (kept ?? [:]).merging([name: value]) { _, new in new }
            }
        }
    }

    /// `segment.ms`, which the engine acts on (it closes the segment being written once it is
    /// this old); nil until set, Kafka's 7 days is then too long to matter for a single node.
    public var segmentMs: Int64? { kept?["segment.ms"].flatMap(Int64.init) }

    /// `compression.type`: `producer` (the default) keeps each batch as its producer compressed
    /// it; `uncompressed`, `gzip`, `snappy`, `lz4` or `zstd` makes the engine recompress batches
    /// that arrive otherwise, as Kafka does.
    public var compressionType: String { kept?["compression.type"] ?? "producer" }

    /// The level `compression.<codec>.level` sets for a codec (nil: the codec's default).
    public func compressionLevel(_ codec: String) -> Int? { kept?["compression.\(codec).level"].flatMap(Int.init) }

    public var compacts: Bool { cleanupPolicy != .delete }
    public var deletes: Bool { cleanupPolicy != .compact }
}

import Foundation

/// Kafka's rule for topic names: 1–249 characters from `[a-zA-Z0-9._-]`, and not `.` or `..`.
public enum TopicName {
    public static let maxLength = 249

    /// Nil when `name` is legal, else why it is not.
    public static func problem(_ name: String) -> String? {
        if name.isEmpty { return "a topic name cannot be empty" }
        if name == "." || name == ".." { return "a topic name cannot be '.' or '..'" }
        if name.utf8.count > maxLength { return "topic name is \(name.utf8.count) characters; the limit is \(maxLength)" }
        if let bad = name.unicodeScalars.first(where: { !($0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "." || $0 == "_" || $0 == "-")) }) {
            return "topic name contains '\(bad.escaped(asASCII: true))'; only letters, digits, '.', '_' and '-' are allowed"
        }
        return nil
    }
}
