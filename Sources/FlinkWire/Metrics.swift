import Foundation

/// One metric aggregated over a vertex's subtasks (`/subtasks/metrics?get=…`).
public struct AggregatedMetric: Codable, Sendable, Equatable {
    public init(id: String, min: Double?, max: Double?, avg: Double?, sum: Double?) {
        self.id = id; self.min = min; self.max = max; self.avg = avg; self.sum = sum
    }
    public var id: String
    public var min: Double?
    public var max: Double?
    public var avg: Double?
    public var sum: Double?
    enum CodingKeys: String, CodingKey { case id, min, max, avg, sum }
    public init(from d: Decoder) throws {
        let c = try d.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        min = c.lenientNumber(.min); max = c.lenientNumber(.max); avg = c.lenientNumber(.avg); sum = c.lenientNumber(.sum)
    }
    public func encode(to e: Encoder) throws {
        var c = e.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encodeIfPresent(min, forKey: .min); try c.encodeIfPresent(max, forKey: .max)
        try c.encodeIfPresent(avg, forKey: .avg); try c.encodeIfPresent(sum, forKey: .sum)
    }
}

/// One job-level metric (`/jobs/:jid/metrics?get=…`); Flink sends values as strings.
public struct JobMetric: Codable, Sendable, Equatable {
    public init(id: String, value: String) { self.id = id; self.value = value }
    public var id: String
    public var value: String
    public var number: Double? { Double(value.trimmingCharacters(in: .whitespaces)) }
}

/// One watermark metric of a vertex (`/watermarks`). Flink sends the value as a string; a vertex
/// that has seen no watermark yet reports Long.MIN_VALUE.
public struct WatermarkMetric: Codable, Sendable, Equatable {
    public init(id: String, value: String) { self.id = id; self.value = value }
    public var id: String
    public var value: String
    /// The watermark in epoch ms, `nil` when none has arrived or the value is not a number.
    public var milliseconds: Int64? {
        guard let v = Int64(value.trimmingCharacters(in: .whitespaces)), v != Int64.min else { return nil }
        return v
    }
}
