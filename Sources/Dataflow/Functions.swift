/// The functions expressions may call (docs/jobs-engine.md, Expressions). Each checks its
/// argument count and the kinds it can see at compile time; at run time a wrong kind gives null.
enum Functions {
    typealias Kind = CompiledExpression.Kind

    struct Signature {
        var arguments: ClosedRange<Int>
        var kinds: [Kind]  // per argument, the last repeating; .any accepts all
        var result: Kind
        var body: @Sendable ([Value]) -> Value
    }

    static let aggregates: Set<String> = ["count", "sum", "min", "max", "avg"]

    static func build(_ name: String, _ args: [Expression], at: Int) throws -> CompiledExpression.Built {
        let key = name.lowercased()
        if aggregates.contains(key) {
            throw ExpressionError(column: at, reason: "\(name)() is an aggregate: it belongs in an aggregate step after a window")
        }
        guard let sig = table[key] else {
            throw ExpressionError(column: at, reason: "unknown function \(name)() (known: \(table.keys.sorted().joined(separator: ", ")))")
        }
        guard sig.arguments.contains(args.count) else {
            let want = sig.arguments.lowerBound == sig.arguments.upperBound ? "\(sig.arguments.lowerBound)"
                : (sig.arguments.upperBound == Int.max ? "at least \(sig.arguments.lowerBound)" : "\(sig.arguments.lowerBound) to \(sig.arguments.upperBound)")
            throw ExpressionError(column: at, reason: "\(name)() takes \(want) argument\(want == "1" ? "" : "s"), not \(args.count)")
        }
        let built = try args.enumerated().map { i, a -> @Sendable (Value) -> Value in
            let (k, f) = try CompiledExpression.build(a)
            let wanted = sig.kinds[min(i, sig.kinds.count - 1)]
            if wanted != .any { try CompiledExpression.need(k, wanted, at: a.position, "argument \(i + 1) of \(name)() must be a \(wanted.rawValue)") }
            return f
        }
        let body = sig.body
        if built.count == 1, let only = built.first { return (sig.result, { r in body([only(r)]) }) }
        return (sig.result, { r in body(built.map { $0(r) }) })
    }

    private static func str(_ f: @escaping @Sendable (String) -> Value) -> @Sendable ([Value]) -> Value {
        { a in if case .string(let s) = a[0] { return f(s) }; return .null }
    }

    private static func num(_ f: @escaping @Sendable (Double) -> Double) -> @Sendable ([Value]) -> Value {
        { a in
            switch a[0] {
            case .int(let i): return .int(Int64(exactly: f(Double(i))) ?? i)
            case .double(let d): return .double(f(d))
            default: return .null
            }
        }
    }

    private static func strings(_ f: @escaping @Sendable (String, String) -> Bool) -> @Sendable ([Value]) -> Value {
        { a in
            guard case .string(let s) = a[0], case .string(let t) = a[1] else { return .null }
            return .bool(f(s, t))
        }
    }

    static let table: [String: Signature] = [
        "lower": Signature(arguments: 1...1, kinds: [.string], result: .string, body: str { .string($0.lowercased()) }),
        "upper": Signature(arguments: 1...1, kinds: [.string], result: .string, body: str { .string($0.uppercased()) }),
        "trim": Signature(arguments: 1...1, kinds: [.string], result: .string, body: str { .string($0.trimmingSpaces) }),
        "length": Signature(arguments: 1...1, kinds: [.any], result: .number, body: { a in
            switch a[0] {
            case .string(let s): return .int(Int64(s.count))
            case .array(let items): return .int(Int64(items.count))
            default: return .null
            }
        }),
        "concat": Signature(arguments: 1...Int.max, kinds: [.any], result: .string, body: { a in
            .string(a.filter { !$0.isNull }.map(\.text).joined())
        }),
        "substring": Signature(arguments: 2...3, kinds: [.string, .number], result: .string, body: { a in
            guard case .string(let s) = a[0], let start = a[1].number, start.isFinite else { return .null }
            let chars = Array(s)
            let from = min(max(0, Int(start)), chars.count)
            var to = chars.count
            if a.count == 3 { guard let n = a[2].number, n.isFinite else { return .null }; to = min(chars.count, from + max(0, Int(n))) }
            return .string(String(chars[from..<to]))
        }),
        "contains": Signature(arguments: 2...2, kinds: [.string], result: .boolean, body: strings { $0.contains($1) }),
        "startswith": Signature(arguments: 2...2, kinds: [.string], result: .boolean, body: strings { $0.hasPrefix($1) }),
        "endswith": Signature(arguments: 2...2, kinds: [.string], result: .boolean, body: strings { $0.hasSuffix($1) }),
        "coalesce": Signature(arguments: 1...Int.max, kinds: [.any], result: .any, body: { a in a.first { !$0.isNull } ?? .null }),
        "abs": Signature(arguments: 1...1, kinds: [.number], result: .number, body: num { Swift.abs($0) }),
        "floor": Signature(arguments: 1...1, kinds: [.number], result: .number, body: num { $0.rounded(.down) }),
        "ceil": Signature(arguments: 1...1, kinds: [.number], result: .number, body: num { $0.rounded(.up) }),
        "round": Signature(arguments: 1...2, kinds: [.number], result: .number, body: { a in
            guard let x = a[0].number else { return .null }
            let digits = a.count == 2 ? Int(a[1].number ?? 0) : 0
            if digits <= 0, case .int = a[0] { return a[0] }
            var scale = 1.0
            for _ in 0..<min(max(digits, 0), 15) { scale *= 10 }
            return .double((x * scale).rounded(.toNearestOrAwayFromZero) / scale)
        }),
        "tostring": Signature(arguments: 1...1, kinds: [.any], result: .string, body: { a in a[0].isNull ? .null : .string(a[0].text) }),
        "tonumber": Signature(arguments: 1...1, kinds: [.any], result: .number, body: { a in
            switch a[0] {
            case .int, .double: return a[0]
            case .string(let s):
                let t = s.trimmingSpaces
                if let i = Int64(t) { return .int(i) }
                if let d = Double(t), d.isFinite { return .double(d) }
                return .null
            case .bool(let b): return .int(b ? 1 : 0)
            default: return .null
            }
        }),
        "parsetime": Signature(arguments: 1...1, kinds: [.string], result: .number, body: str { TimeText.parse($0).map(Value.int) ?? .null }),
        "formattime": Signature(arguments: 1...1, kinds: [.number], result: .string, body: { a in
            guard let ms = a[0].number, ms.isFinite, Swift.abs(ms) < 1e16 else { return .null }
            return .string(TimeText.format(Int64(ms)))
        }),
        "date": Signature(arguments: 1...1, kinds: [.number], result: .string, body: { a in
            guard let ms = a[0].number, ms.isFinite, Swift.abs(ms) < 1e16 else { return .null }
            return .string(String(TimeText.format(Int64(ms)).prefix(10)))
        }),
        "hour": Signature(arguments: 1...1, kinds: [.number], result: .number, body: { a in
            guard let ms = a[0].number, ms.isFinite, Swift.abs(ms) < 1e16 else { return .null }
            return .int(TimeText.floorDivide(Int64(ms), 86_400_000).1 / 3_600_000)
        }),
    ]
}

extension String {
    var trimmingSpaces: String { String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed()) }
}
