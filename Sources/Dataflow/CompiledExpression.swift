/// An expression checked and turned into a function of a record. Checking knows only what the
/// text says (literals, operators, functions); a field's type is known when the record comes,
/// and a value of the wrong type then gives null (a filter passes only `true`).
public struct CompiledExpression: Sendable {
    public enum Kind: String, Sendable { case any, boolean, number, string, null }

    public let source: String
    public let kind: Kind
    public let tree: Expression
    let run: @Sendable (Value) -> Value

    public func evaluate(_ record: Value) -> Value { run(record) }

    /// Parses and checks `source`. `expecting` is what its place needs (a filter a boolean).
    public static func compile(_ source: String, expecting: Kind = .any) throws -> CompiledExpression {
        let tree = try ExpressionParser.parse(source)
        return try compile(tree, source: source, expecting: expecting)
    }

    public static func compile(_ tree: Expression, source: String, expecting: Kind = .any) throws -> CompiledExpression {
        let (kind, run) = try build(tree)
        if expecting != .any, kind != .any, kind != expecting, kind != .null {
            throw ExpressionError(column: tree.position, reason: "gives a \(kind.rawValue) where a \(expecting.rawValue) is needed")
        }
        return CompiledExpression(source: source, kind: kind, tree: tree, run: run)
    }

    typealias Built = (Kind, @Sendable (Value) -> Value)

    static func build(_ e: Expression) throws -> Built {
        switch e {
        case .literal(let v, _):
            let kind: Kind
            switch v {
            case .bool: kind = .boolean
            case .int, .double: kind = .number
            case .string: kind = .string
            case .null: kind = .null
            default: kind = .any
            }
            return (kind, { _ in v })
        case .field(let path, _):
            if path.count == 1 {
                let name = path[0]
                return (.any, { r in
                    if case .object(let f) = r { return f[name] ?? .null }
                    return .null
                })
            }
            return (.any, { $0.lookup(path) ?? .null })
        case .unary(let op, let inner, let at):
            let (k, f) = try build(inner)
            switch op {
            case .negate:
                try need(k, .number, at: at, "'-' needs a number")
                return (.number, { r in
                    switch f(r) {
                    case .int(let i): return i == .min ? .double(-Double(i)) : .int(-i)
                    case .double(let d): return .double(-d)
                    default: return .null
                    }
                })
            case .not:
                try need(k, .boolean, at: at, "'not' needs a boolean")
                return (.boolean, { r in if case .bool(let b) = f(r) { return .bool(!b) }; return .null })
            }
        case .binary(let op, let l, let r, let at):
            return try binary(op, l, r, at: at)
        case .list(let subject, let items, let negated, _):
            let (_, f) = try build(subject)
            let built = try items.map { try build($0).1 }
            return (.boolean, { r in
                let v = f(r)
                if v.isNull { return .null }
                let found = built.contains { Value.loosely(v, equals: $0(r)) }
                return .bool(found != negated)
            })
        case .call(let name, let args, let at):
            return try Functions.build(name, args, at: at)
        }
    }

    static func need(_ k: Kind, _ wanted: Kind, at: Int, _ reason: String) throws {
        if k != .any, k != .null, k != wanted { throw ExpressionError(column: at, reason: "\(reason), not a \(k.rawValue)") }
    }

    private static func binary(_ op: Expression.BinaryOperator, _ l: Expression, _ r: Expression, at: Int) throws -> Built {
        let (lk, lf) = try build(l)
        let (rk, rf) = try build(r)
        switch op {
        case .and, .or:
            try need(lk, .boolean, at: l.position, "'\(op.rawValue)' needs booleans")
            try need(rk, .boolean, at: r.position, "'\(op.rawValue)' needs booleans")
            let isAnd = op == .and
            // Three-valued, as SQL: false and null is false, true or null is true.
            return (.boolean, { rec in
                let a = lf(rec)
                if case .bool(let x) = a, x != isAnd { return a }
                let b = rf(rec)
                if case .bool(let y) = b {
                    if y != isAnd { return b }
                    if case .bool = a { return a }
                }
                return .null
            })
        case .equal, .notEqual:
            if lk != .any, rk != .any, lk != .null, rk != .null, lk != rk {
                throw ExpressionError(column: at, reason: "compares a \(lk.rawValue) with a \(rk.rawValue)")
            }
            let wantEqual = op == .equal
            return (.boolean, { rec in .bool(Value.loosely(lf(rec), equals: rf(rec)) == wantEqual) })
        case .less, .lessOrEqual, .greater, .greaterOrEqual:
            if lk != .any, rk != .any, lk != rk {
                throw ExpressionError(column: at, reason: "compares a \(lk.rawValue) with a \(rk.rawValue)")
            }
            let test: @Sendable (Int) -> Bool
            switch op {
            case .less: test = { $0 < 0 }
            case .lessOrEqual: test = { $0 <= 0 }
            case .greater: test = { $0 > 0 }
            default: test = { $0 >= 0 }
            }
            return (.boolean, { rec in
                let a = lf(rec), b = rf(rec)
                guard !a.isNull, !b.isNull, let c = Value.compare(a, b) else { return .null }
                return .bool(test(c))
            })
        case .add, .subtract, .multiply, .divide, .remainder:
            if op == .add, lk == .string || rk == .string {
                try need(lk, .string, at: l.position, "'+' joins strings only with strings")
                try need(rk, .string, at: r.position, "'+' joins strings only with strings")
                return (.string, { rec in
                    guard case .string(let a) = lf(rec), case .string(let b) = rf(rec) else { return .null }
                    return .string(a + b)
                })
            }
            try need(lk, .number, at: l.position, "'\(op.rawValue)' needs numbers")
            try need(rk, .number, at: r.position, "'\(op.rawValue)' needs numbers")
            return (.number, arithmetic(op, lf, rf))
        }
    }

    private static func arithmetic(_ op: Expression.BinaryOperator, _ lf: @escaping @Sendable (Value) -> Value,
                                   _ rf: @escaping @Sendable (Value) -> Value) -> @Sendable (Value) -> Value {
        { rec in
            let a = lf(rec), b = rf(rec)
            if op == .add, case .string(let x) = a, case .string(let y) = b { return .string(x + y) }
            if case .int(let x) = a, case .int(let y) = b, op != .divide {
                let (v, overflow): (Int64, Bool)
                switch op {
                case .add: (v, overflow) = x.addingReportingOverflow(y)
                case .subtract: (v, overflow) = x.subtractingReportingOverflow(y)
                case .multiply: (v, overflow) = x.multipliedReportingOverflow(by: y)
                default:
                    if y == 0 { return .null }
                    (v, overflow) = x.remainderReportingOverflow(dividingBy: y)
                }
                if !overflow { return .int(v) }
            }
            guard let x = a.number, let y = b.number else { return .null }
            switch op {
            case .add: return .double(x + y)
            case .subtract: return .double(x - y)
            case .multiply: return .double(x * y)
            case .divide: return y == 0 ? .null : .double(x / y)
            default: return y == 0 ? .null : .double(x.truncatingRemainder(dividingBy: y))
            }
        }
    }
}
