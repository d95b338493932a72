import Foundation

/// `GET /jobs/:jid/exceptions`: the job's failures, newest first.
public struct ExceptionHistory: Codable, Sendable, Equatable {
    public init(entries: [Entry], truncated: Bool) { self.entries = entries; self.truncated = truncated }
    public var entries: [Entry]
    public var truncated: Bool

    public struct Entry: Codable, Sendable, Equatable {
        public init(exceptionName: String, stacktrace: String?, timestamp: Int64?, taskName: String?, endpoint: String?) {
            self.exceptionName = exceptionName; self.stacktrace = stacktrace; self.timestamp = timestamp; self.taskName = taskName
            self.endpoint = endpoint; self.concurrentExceptions = nil
        }
        public var exceptionName: String
        public var stacktrace: String?
        public var timestamp: Int64?
        public var taskName: String?
        public var endpoint: String?
        public var concurrentExceptions: [Entry]?
    }

    enum Outer: String, CodingKey { case exceptionHistory }
    enum Inner: String, CodingKey { case entries, truncated }
    public init(from d: Decoder) throws {
        let c = try d.container(keyedBy: Outer.self).nestedContainer(keyedBy: Inner.self, forKey: .exceptionHistory)
        entries = try c.decodeIfPresent([Entry].self, forKey: .entries) ?? []
        truncated = try c.decodeIfPresent(Bool.self, forKey: .truncated) ?? false
    }
    public func encode(to e: Encoder) throws {
        var outer = e.container(keyedBy: Outer.self)
        var c = outer.nestedContainer(keyedBy: Inner.self, forKey: .exceptionHistory)
        try c.encode(entries, forKey: .entries)
        try c.encode(truncated, forKey: .truncated)
    }
}
