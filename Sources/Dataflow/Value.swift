/// A record's value as jobs see it: JSON's data model with integers kept apart from doubles
/// (event times and counts stay exact). Objects keep their field order, so a record written
/// back out reads like the one that came in. docs/jobs-engine.md, Records.
public enum Value: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([Value])
    case object(Fields)

    /// An object's fields in order: the names in one array, the values in another. Records
    /// made by one step share one names array (a generator's, a map's, a window's results, a
    /// topic's JSON of one shape), so a record costs one allocation for its values and one
    /// reference to its names, not a string per field to make and free (docs/jobs-engine.md,
    /// Records). Records have few fields, so a linear scan beats hashing.
    public struct Fields: Sendable, Hashable {
        public private(set) var names: [String]
        public private(set) var values: [Value]
        public init() { names = []; values = [] }
        public init(reservingCapacity n: Int) { names = []; values = []; names.reserveCapacity(n); values.reserveCapacity(n) }
        /// Values for `names`, which the caller knows to be distinct (and shares between records).
        public init(names: [String], values: [Value]) {
            precondition(names.count == values.count, "one value per name")
            self.names = names
            self.values = values
        }
        public init(_ pairs: [(String, Value)]) {
            self.init(reservingCapacity: pairs.count)
            for (n, v) in pairs { self[n] = v }
        }
        public var count: Int { names.count }
        public subscript(name: String) -> Value? {
            get {
                for i in names.indices where names[i] == name { return values[i] }
                return nil
            }
            set {
                if let i = names.firstIndex(of: name) {
                    if let newValue { values[i] = newValue } else { names.remove(at: i); values.remove(at: i) }
                } else if let newValue {
                    appendNew(name, newValue)
                }
            }
        }
        /// Appends without looking for an existing field (the caller knows the name is new).
        public mutating func appendNew(_ name: String, _ value: Value) { names.append(name); values.append(value) }
    }

    public static func object(_ pairs: [(String, Value)]) -> Value { .object(Fields(pairs)) }

    public var isNull: Bool { if case .null = self { return true }; return false }

    /// A number as Double (ints widen), else nil.
    public var number: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }

    public var string: String? { if case .string(let s) = self { return s }; return nil }

    /// The value at a field path (`a.b.c`); nil when any step is missing or not an object.
    public func lookup(_ path: [String]) -> Value? {
        var current = self
        for name in path {
            guard case .object(let fields) = current, let next = fields[name] else { return nil }
            current = next
        }
        return current
    }

    /// What a key or a text sink writes: strings as they are, everything else as JSON.
    public var text: String {
        if case .string(let s) = self { return s }
        return String(decoding: JSONWriter.bytes(self), as: UTF8.self)
    }

    /// The name users see in errors: JSON's type names.
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .int, .double: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}

extension Value {
    /// Orders values of one kind (numbers with numbers, strings with strings, …); nil across
    /// kinds, so a comparison between a number and a string is false rather than arbitrary.
    public static func compare(_ a: Value, _ b: Value) -> Int? {
        switch (a, b) {
        case (.int(let x), .int(let y)): return x < y ? -1 : (x == y ? 0 : 1)
        case (.string(let x), .string(let y)): return x < y ? -1 : (x == y ? 0 : 1)
        case (.bool(let x), .bool(let y)): return x == y ? 0 : (!x ? -1 : 1)
        case (.null, .null): return 0
        default:
            guard let x = a.number, let y = b.number else { return nil }
            return x < y ? -1 : (x == y ? 0 : 1)
        }
    }

    /// Equality as expressions mean it: 1 == 1.0.
    public static func loosely(_ a: Value, equals b: Value) -> Bool {
        if let c = compare(a, b) { return c == 0 }
        return a == b
    }
}
