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

    public init() {}

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
                throw Invalid(key: name, message: "unknown topic config \(name); supported: \(Self.keys.joined(separator: ", "))")
            }
        }
    }

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
