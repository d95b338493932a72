/// The expression language of job steps (filter, map, keyBy, aggregates): field paths,
/// literals, arithmetic, comparisons, and/or/not, `in (…)` and a few functions.
/// docs/jobs-engine.md, Expressions, is the reference; ``ExpressionParser`` reads it and
/// ``CompiledExpression`` checks and runs it.
public indirect enum Expression: Sendable, Equatable {
    case literal(Value, at: Int)
    case field([String], at: Int)
    case unary(UnaryOperator, Expression, at: Int)
    case binary(BinaryOperator, Expression, Expression, at: Int)
    case call(String, [Expression], at: Int)
    case list(Expression, [Expression], negated: Bool, at: Int)

    public enum UnaryOperator: String, Sendable { case negate = "-", not = "not" }

    public enum BinaryOperator: String, Sendable {
        case add = "+", subtract = "-", multiply = "*", divide = "/", remainder = "%"
        case equal = "==", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
        case and, or

        var isComparison: Bool { [.equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual].contains(self) }
        var isArithmetic: Bool { [.add, .subtract, .multiply, .divide, .remainder].contains(self) }
    }

    /// Column (0-based) where the expression starts in its source text.
    public var position: Int {
        switch self {
        case .literal(_, let at), .field(_, let at), .unary(_, _, let at), .binary(_, _, _, let at), .call(_, _, let at), .list(_, _, _, let at): return at
        }
    }

    /// The name a result of this expression gets when the spec gives none: a field path's
    /// last name (`customer.id` → `id`), else nil.
    public var impliedName: String? {
        if case .field(let path, _) = self { return path.last }
        return nil
    }
}

/// A problem with an expression: where (column) and what, for the spec error that quotes it.
public struct ExpressionError: Error, Equatable, CustomStringConvertible {
    public var column: Int
    public var reason: String
    public init(column: Int, reason: String) { self.column = column; self.reason = reason }
    public var description: String { "column \(column + 1): \(reason)" }
}
