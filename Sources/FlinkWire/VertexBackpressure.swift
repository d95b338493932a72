import Foundation

/// Flink's backpressure level of a vertex or subtask.
public enum BackpressureLevel: String, Sendable, Codable, Comparable {
    case ok, low, high
    public static func < (a: Self, b: Self) -> Bool {
        let order: [Self] = [.ok, .low, .high]
        return order.firstIndex(of: a)! < order.firstIndex(of: b)!
    }
}

/// `GET /jobs/:jid/vertices/:vid/backpressure`. `status` "deprecated" means not sampled (yet).
public struct VertexBackpressure: Codable, Sendable, Equatable {
    public init(status: String, level: BackpressureLevel?, endTimestamp: Int64?, subtasks: [Subtask]?) {
        self.status = status; self.level = level; self.endTimestamp = endTimestamp; self.subtasks = subtasks
    }
    public var status: String
    public var level: BackpressureLevel?
    public var endTimestamp: Int64?
    public var subtasks: [Subtask]?
    public var isSampled: Bool { status == "ok" && level != nil }

    public struct Subtask: Codable, Sendable, Equatable {
        public init(subtask: Int, level: BackpressureLevel?, ratio: Double?, idleRatio: Double?, busyRatio: Double?) {
            self.subtask = subtask; self.level = level; self.ratio = ratio; self.idleRatio = idleRatio; self.busyRatio = busyRatio
        }
        public var subtask: Int
        public var level: BackpressureLevel?
        public var ratio: Double?
        public var idleRatio: Double?
        public var busyRatio: Double?
        enum CodingKeys: String, CodingKey { case subtask, ratio, idleRatio, busyRatio; case level = "backpressure-level", camelLevel = "backpressureLevel" }
        public init(from d: Decoder) throws {
            let c = try d.container(keyedBy: CodingKeys.self)
            subtask = try c.decode(Int.self, forKey: .subtask)
            level = (try? c.decodeIfPresent(BackpressureLevel.self, forKey: .level)) ?? (try? c.decodeIfPresent(BackpressureLevel.self, forKey: .camelLevel))
            ratio = c.lenientNumber(.ratio)
            idleRatio = c.lenientNumber(.idleRatio)
            busyRatio = c.lenientNumber(.busyRatio)
        }
        public func encode(to e: Encoder) throws {
            var c = e.container(keyedBy: CodingKeys.self)
            try c.encode(subtask, forKey: .subtask)
            try c.encodeIfPresent(level, forKey: .level)
            try c.encodeIfPresent(level, forKey: .camelLevel)
            try c.encodeIfPresent(ratio, forKey: .ratio); try c.encodeIfPresent(idleRatio, forKey: .idleRatio); try c.encodeIfPresent(busyRatio, forKey: .busyRatio)
        }
    }
    // Flink 2.3 writes the level under both names (its OpenAPI file lists only the camelCase one).
    enum CodingKeys: String, CodingKey {
        case status, subtasks; case level = "backpressure-level", camelLevel = "backpressureLevel", endTimestamp = "end-timestamp"
    }
    public init(from d: Decoder) throws {
        let c = try d.container(keyedBy: CodingKeys.self)
        status = try c.decodeIfPresent(String.self, forKey: .status) ?? "unknown"
        // An unknown level (a future Flink) reads as unsampled rather than failing the call.
        level = (try? c.decodeIfPresent(BackpressureLevel.self, forKey: .level)) ?? (try? c.decodeIfPresent(BackpressureLevel.self, forKey: .camelLevel))
        endTimestamp = try c.decodeIfPresent(Int64.self, forKey: .endTimestamp)
        subtasks = try c.decodeIfPresent([Subtask].self, forKey: .subtasks)
    }
    public func encode(to e: Encoder) throws {
        var c = e.container(keyedBy: CodingKeys.self)
        try c.encode(status, forKey: .status)
        try c.encodeIfPresent(level, forKey: .level)
        try c.encodeIfPresent(level, forKey: .camelLevel)
        try c.encodeIfPresent(endTimestamp, forKey: .endTimestamp)
        try c.encodeIfPresent(subtasks, forKey: .subtasks)
    }
}
