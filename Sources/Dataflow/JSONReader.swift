/// Parses JSON bytes into a ``Value``: the record format of engine topics. Hand-written
/// because record parsing is a job's hottest path; nesting is bounded so a hostile record
/// cannot exhaust the stack.
public struct JSONReader {
    public struct Failure: Error, Equatable, CustomStringConvertible {
        public var offset: Int
        public var reason: String
        public var description: String { "not JSON at byte \(offset): \(reason)" }
    }

    public static let maxDepth = 128

    /// The field names of the objects parsed last, per depth: a record of the same shape as the
    /// one before shares its names array instead of making its own (one reader's, one thread's).
    public final class Shapes {
        var last: [[String]?] = []
        public init() {}
        func at(_ depth: Int) -> [String]? { depth < last.count ? last[depth] : nil }
        func set(_ depth: Int, _ names: [String]) {
            guard depth < 16 else { return }
            while last.count <= depth { last.append(nil) }
            last[depth] = names
        }
    }

    public static func parse(_ bytes: [UInt8], shapes: Shapes? = nil) throws -> Value {
        try bytes.withUnsafeBufferPointer { buffer in
            var reader = JSONReader(buffer: buffer, shapes: shapes)
            reader.skipSpace()
            let value = try reader.value(depth: 0)
            reader.skipSpace()
            guard reader.at == buffer.count else { throw reader.fail("text after the value") }
            return value
        }
    }

    public static func parse(_ text: String) throws -> Value { try parse(Array(text.utf8)) }

    private let buffer: UnsafeBufferPointer<UInt8>
    private let shapes: Shapes?
    private var at = 0

    private init(buffer: UnsafeBufferPointer<UInt8>, shapes: Shapes?) { self.buffer = buffer; self.shapes = shapes }

    private func fail(_ reason: String) -> Failure { Failure(offset: at, reason: reason) }

    private var peek: UInt8? { at < buffer.count ? buffer[at] : nil }

    private mutating func skipSpace() {
        while at < buffer.count, buffer[at] == 0x20 || buffer[at] == 0x0A || buffer[at] == 0x0D || buffer[at] == 0x09 { at += 1 }
    }

    private mutating func expect(_ word: StaticString, _ value: Value) throws -> Value {
        let n = word.utf8CodeUnitCount
        guard at + n <= buffer.count else { throw fail("unexpected end") }
        for i in 0..<n where buffer[at + i] != word.utf8Start[i] { throw fail("unexpected character") }
        at += n
        return value
    }

    private mutating func value(depth: Int) throws -> Value {
        guard let c = peek else { throw fail("unexpected end") }
        switch c {
        case UInt8(ascii: "{"): return try object(depth: depth + 1)
        case UInt8(ascii: "["): return try array(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return try expect("true", .bool(true))
        case UInt8(ascii: "f"): return try expect("false", .bool(false))
        case UInt8(ascii: "n"): return try expect("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default: throw fail("unexpected character")
        }
    }

    private mutating func object(depth: Int) throws -> Value {
        guard depth <= Self.maxDepth else { throw fail("nested deeper than \(Self.maxDepth)") }
        at += 1
        // While the names match the last object's at this depth, none are copied: `matched`
        // counts them; the first difference makes this object's own names array.
        let cached = shapes?.at(depth) ?? []
        var matched = 0
        var names: [String]? = nil
        var values: [Value] = []
        values.reserveCapacity(max(cached.count, 4))
        skipSpace()
        if peek == UInt8(ascii: "}") { at += 1; return .object(Value.Fields()) }
        while true {
            skipSpace()
            guard peek == UInt8(ascii: "\"") else { throw fail("expected a field name") }
            let name = try string()
            skipSpace()
            guard peek == UInt8(ascii: ":") else { throw fail("expected ':'") }
            at += 1
            skipSpace()
            let v = try value(depth: depth)
            if names == nil, matched < cached.count, cached[matched] == name {
                matched += 1  // the cached names are distinct: no repeat to look for
                values.append(v)
            } else {
                if names == nil { names = Array(cached[..<matched]) }
                if let i = names!.firstIndex(of: name) {
                    values[i] = v  // a repeated name keeps the last value, as most parsers do
                } else {
                    names!.append(name)
                    values.append(v)
                }
            }
            skipSpace()
            switch peek {
            case UInt8(ascii: ","): at += 1
            case UInt8(ascii: "}"):
                at += 1
                let own: [String]
                if let names { own = names; shapes?.set(depth, names) } else { own = matched == cached.count ? cached : Array(cached[..<matched]) }
                return .object(Value.Fields(names: own, values: values))
            default: throw fail("expected ',' or '}'")
            }
        }
    }

    private mutating func array(depth: Int) throws -> Value {
        guard depth <= Self.maxDepth else { throw fail("nested deeper than \(Self.maxDepth)") }
        at += 1
        var items: [Value] = []
        skipSpace()
        if peek == UInt8(ascii: "]") { at += 1; return .array(items) }
        while true {
            skipSpace()
            items.append(try value(depth: depth))
            skipSpace()
            switch peek {
            case UInt8(ascii: ","): at += 1
            case UInt8(ascii: "]"): at += 1; return .array(items)
            default: throw fail("expected ',' or ']'")
            }
        }
    }

    private mutating func string() throws -> String {
        at += 1
        let start = at
        // Fast path: no escapes.
        while at < buffer.count {
            let c = buffer[at]
            if c == UInt8(ascii: "\"") {
                let s = String(decoding: UnsafeBufferPointer(rebasing: buffer[start..<at]), as: UTF8.self)
                at += 1
                return s
            }
            if c == UInt8(ascii: "\\") { break }
            if c < 0x20 { throw fail("control character in a string") }
            at += 1
        }
        var out = Array(buffer[start..<at])
        while at < buffer.count {
            let c = buffer[at]
            if c == UInt8(ascii: "\"") { at += 1; return String(decoding: out, as: UTF8.self) }
            if c < 0x20 { throw fail("control character in a string") }
            if c != UInt8(ascii: "\\") { out.append(c); at += 1; continue }
            at += 1
            guard let e = peek else { break }
            at += 1
            switch e {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if (0xD800..<0xDC00).contains(scalar), at + 1 < buffer.count, buffer[at] == UInt8(ascii: "\\"), buffer[at + 1] == UInt8(ascii: "u") {
                    at += 2
                    let low = try hex4()
                    scalar = (0xDC00..<0xE000).contains(low) ? 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00) : 0xFFFD
                }
                out.append(contentsOf: Array(String(Unicode.Scalar(scalar).map(Character.init) ?? "\u{FFFD}").utf8))
            default: throw fail("unknown escape")
            }
        }
        throw fail("unterminated string")
    }

    private mutating func hex4() throws -> UInt32 {
        guard at + 4 <= buffer.count else { throw fail("short \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = buffer[at]
            let d: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = c - UInt8(ascii: "A") + 10
            default: throw fail("bad \\u escape")
            }
            v = v << 4 | UInt32(d)
            at += 1
        }
        return v
    }

    private mutating func number() throws -> Value {
        let start = at
        if peek == UInt8(ascii: "-") { at += 1 }
        var integral = true
        var digits = 0
        var magnitude: Int64 = 0
        var fits = true
        while let c = peek, c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") {
            let (m, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (n, o2) = m.addingReportingOverflow(Int64(c - UInt8(ascii: "0")))
            if o1 || o2 { fits = false } else { magnitude = n }
            at += 1; digits += 1
        }
        guard digits > 0 else { throw fail("a number needs digits") }
        if peek == UInt8(ascii: ".") {
            integral = false
            at += 1
            var frac = 0
            while let c = peek, c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") { at += 1; frac += 1 }
            guard frac > 0 else { throw fail("digits must follow '.'") }
        }
        if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
            integral = false
            at += 1
            if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { at += 1 }
            var exp = 0
            while let c = peek, c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") { at += 1; exp += 1 }
            guard exp > 0 else { throw fail("digits must follow the exponent") }
        }
        if integral, fits { return .int(buffer[start] == UInt8(ascii: "-") ? -magnitude : magnitude) }
        let text = String(decoding: UnsafeBufferPointer(rebasing: buffer[start..<at]), as: UTF8.self)
        if integral, let i = Int64(text) { return .int(i) }  // Int64.min
        guard let d = Double(text) else { throw fail("number out of range") }
        return .double(d)
    }
}
