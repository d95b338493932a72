import Dataflow

/// A column of the sink's table as Postgres describes it, and how a record's value becomes the
/// text Postgres reads for it (every value is sent as text and cast to the column's type, so one
/// statement form serves every type). Values that cannot fit are refused here, with the reason,
/// instead of failing a whole batch in Postgres and restarting the job on the same record.
public struct PostgresColumn: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case integer, numeric, boolean, time, json, text
    }
    public var name: String
    /// `format_type`: `integer`, `numeric(10,2)`, `timestamp with time zone`, …
    public var type: String
    public var kind: Kind

    public init(name: String, type: String, category: String) {
        self.name = name
        self.type = type
        switch (category, type) {
        case (_, "smallint"), (_, "integer"), (_, "bigint"): kind = .integer
        case ("N", _): kind = .numeric
        case ("B", _): kind = .boolean
        case (_, let t) where t.hasPrefix("timestamp") || t == "date": kind = .time
        case (_, "json"), (_, "jsonb"): kind = .json
        default: kind = .text
        }
    }

    public enum Encoded: Equatable { case value(String?), refused(String) }

    /// The text for `value` (nil: SQL NULL), or why it cannot go into this column.
    public func encode(_ value: Value) -> Encoded {
        if value.isNull { return .value(nil) }
        switch kind {
        case .integer:
            if case .int(let i) = value { return .value(String(i)) }
            if case .double(let d) = value, d == d.rounded(), abs(d) < 9.2e18 { return .value(String(Int64(d))) }
            if case .string(let s) = value, Int64(s) != nil { return .value(s) }
        case .numeric:
            if case .int(let i) = value { return .value(String(i)) }
            if case .double(let d) = value, d.isFinite { return .value(String(d)) }
            if case .string(let s) = value, Double(s) != nil { return .value(s) }
        case .boolean:
            if case .bool(let b) = value { return .value(b ? "true" : "false") }
            if case .string(let s) = value, ["true", "false"].contains(s) { return .value(s) }
        case .time:
            // Event time in the engine is ms since the epoch; text is taken as Postgres reads it.
            if case .int(let ms) = value { return .value(TimeText.format(ms)) }
            if case .double(let ms) = value, ms.isFinite { return .value(TimeText.format(Int64(ms))) }
            if case .string(let s) = value { return .value(s) }
        case .json:
            return .value(JSONWriter.string(value))
        case .text:
            if case .string(let s) = value { return .value(s) }
            if case .array = value { return .value(JSONWriter.string(value)) }
            if case .object = value { return .value(JSONWriter.string(value)) }
            return .value(value.text)
        }
        let shown = JSONWriter.string(value)
        return .refused("column \(name) is \(type): the record's \(value.typeName) \(shown.prefix(40)) does not fit")
    }
}
