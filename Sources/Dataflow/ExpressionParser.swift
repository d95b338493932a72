/// Reads expression text into an ``Expression`` (precedence from loosest: or, and, not,
/// comparison and `in`, + -, * / %, unary minus). Errors name the column.
public struct ExpressionParser {
    enum Token: Equatable {
        case number(Value), string(String), name(String), quotedName(String), symbol(String), end
    }

    private var tokens: [(token: Token, at: Int)] = []
    private var index = 0

    public static func parse(_ text: String) throws -> Expression {
        var parser = ExpressionParser()
        parser.tokens = try tokenize(text)
        let e = try parser.or()
        guard parser.current == .end else { throw ExpressionError(column: parser.position, reason: "unexpected \(describe(parser.current))") }
        return e
    }

    private var current: Token { tokens[index].token }
    private var position: Int { tokens[index].at }
    private mutating func advance() { if index < tokens.count - 1 { index += 1 } }

    private static func describe(_ t: Token) -> String {
        switch t {
        case .number(let v): return "number \(v.text)"
        case .string(let s): return "string '\(s)'"
        case .name(let n), .quotedName(let n): return "'\(n)'"
        case .symbol(let s): return "'\(s)'"
        case .end: return "end of expression"
        }
    }

    private func isWord(_ w: String) -> Bool { if case .name(let n) = current { return n.lowercased() == w }; return false }
    private func isSymbol(_ s: String) -> Bool { current == .symbol(s) }

    private mutating func or() throws -> Expression {
        var left = try and()
        while isWord("or") || isSymbol("||") {
            let at = position; advance()
            left = .binary(.or, left, try and(), at: at)
        }
        return left
    }

    private mutating func and() throws -> Expression {
        var left = try not()
        while isWord("and") || isSymbol("&&") {
            let at = position; advance()
            left = .binary(.and, left, try not(), at: at)
        }
        return left
    }

    private mutating func not() throws -> Expression {
        if isWord("not") || isSymbol("!") {
            let at = position; advance()
            return .unary(.not, try not(), at: at)
        }
        return try comparison()
    }

    private mutating func comparison() throws -> Expression {
        let left = try additive()
        let negated = isWord("not")
        if negated || isWord("in") {
            let at = position
            advance()
            if negated {
                guard isWord("in") else { throw ExpressionError(column: position, reason: "expected 'in' after 'not'") }
                advance()
            }
            guard isSymbol("(") else { throw ExpressionError(column: position, reason: "expected '(' to start the list after 'in'") }
            advance()
            var items: [Expression] = []
            if !isSymbol(")") {
                repeat {
                    if isSymbol(",") { advance() }
                    items.append(try additive())
                } while isSymbol(",")
            }
            guard isSymbol(")") else { throw ExpressionError(column: position, reason: "expected ')' to close the list") }
            advance()
            return .list(left, items, negated: negated, at: at)
        }
        let ops: [String: Expression.BinaryOperator] = ["==": .equal, "=": .equal, "!=": .notEqual, "<>": .notEqual, "<": .less, "<=": .lessOrEqual,
                                                       ">": .greater, ">=": .greaterOrEqual]
        if case .symbol(let s) = current, let op = ops[s] {
            let at = position
            advance()
            return .binary(op, left, try additive(), at: at)
        }
        return left
    }

    private mutating func additive() throws -> Expression {
        var left = try multiplicative()
        while case .symbol(let s) = current, s == "+" || s == "-" {
            let at = position; advance()
            left = .binary(s == "+" ? .add : .subtract, left, try multiplicative(), at: at)
        }
        return left
    }

    private mutating func multiplicative() throws -> Expression {
        var left = try unary()
        while case .symbol(let s) = current, s == "*" || s == "/" || s == "%" {
            let at = position; advance()
            left = .binary(s == "*" ? .multiply : (s == "/" ? .divide : .remainder), left, try unary(), at: at)
        }
        return left
    }

    private mutating func unary() throws -> Expression {
        if isSymbol("-") {
            let at = position; advance()
            return .unary(.negate, try unary(), at: at)
        }
        return try primary()
    }

    private mutating func primary() throws -> Expression {
        let at = position
        switch current {
        case .number(let v): advance(); return .literal(v, at: at)
        case .string(let s): advance(); return .literal(.string(s), at: at)
        case .symbol("("):
            advance()
            let e = try or()
            guard isSymbol(")") else { throw ExpressionError(column: position, reason: "expected ')'") }
            advance()
            return e
        case .name(let n):
            switch n.lowercased() {
            case "true": advance(); return .literal(.bool(true), at: at)
            case "false": advance(); return .literal(.bool(false), at: at)
            case "null": advance(); return .literal(.null, at: at)
            case "and", "or", "not", "in": throw ExpressionError(column: at, reason: "'\(n)' needs a value before it")
            default: break
            }
            advance()
            if isSymbol("(") {
                advance()
                var args: [Expression] = []
                if !isSymbol(")") {
                    args.append(try or())
                    while isSymbol(",") { advance(); args.append(try or()) }
                }
                guard isSymbol(")") else { throw ExpressionError(column: position, reason: "expected ',' or ')' in the call of \(n)") }
                advance()
                return .call(n, args, at: at)
            }
            return .field(try pathRest(first: n), at: at)
        case .quotedName(let n):
            advance()
            return .field(try pathRest(first: n), at: at)
        default:
            throw ExpressionError(column: at, reason: "expected a value, found \(Self.describe(current))")
        }
    }

    private mutating func pathRest(first: String) throws -> [String] {
        var path = [first]
        while isSymbol(".") {
            advance()
            switch current {
            case .name(let n), .quotedName(let n): path.append(n); advance()
            default: throw ExpressionError(column: position, reason: "expected a field name after '.'")
            }
        }
        return path
    }

    static func tokenize(_ text: String) throws -> [(token: Token, at: Int)] {
        let chars = Array(text.unicodeScalars)
        var out: [(Token, Int)] = []
        var i = 0
        func isNameStart(_ c: Unicode.Scalar) -> Bool { c == "_" || c == "$" || c.properties.isAlphabetic }
        func isNamePart(_ c: Unicode.Scalar) -> Bool { isNameStart(c) || ("0"..."9").contains(c) }
        while i < chars.count {
            let c = chars[i]
            if c == " " || c == "\t" || c == "\n" || c == "\r" { i += 1; continue }
            let start = i
            if ("0"..."9").contains(c) {
                while i < chars.count, ("0"..."9").contains(chars[i]) { i += 1 }
                var integral = true
                if i + 1 < chars.count, chars[i] == ".", ("0"..."9").contains(chars[i + 1]) {
                    integral = false
                    i += 1
                    while i < chars.count, ("0"..."9").contains(chars[i]) { i += 1 }
                }
                if i < chars.count, chars[i] == "e" || chars[i] == "E" {
                    var j = i + 1
                    if j < chars.count, chars[j] == "+" || chars[j] == "-" { j += 1 }
                    if j < chars.count, ("0"..."9").contains(chars[j]) {
                        integral = false
                        i = j
                        while i < chars.count, ("0"..."9").contains(chars[i]) { i += 1 }
                    }
                }
                let s = String(String.UnicodeScalarView(chars[start..<i]))
                if integral, let v = Int64(s) { out.append((.number(.int(v)), start)) }
                else if let d = Double(s) { out.append((.number(.double(d)), start)) }
                else { throw ExpressionError(column: start, reason: "number \(s) is out of range") }
            } else if c == "'" || c == "\"" || c == "`" {
                i += 1
                var s = String.UnicodeScalarView()
                var closed = false
                while i < chars.count {
                    if chars[i] == c {
                        if i + 1 < chars.count, chars[i + 1] == c { s.append(c); i += 2; continue }  // doubled quote
                        closed = true; i += 1; break
                    }
                    if chars[i] == "\\", i + 1 < chars.count { s.append(chars[i + 1]); i += 2; continue }
                    s.append(chars[i]); i += 1
                }
                guard closed else { throw ExpressionError(column: start, reason: "unterminated \(c == "`" ? "quoted name" : "string")") }
                out.append((c == "`" ? .quotedName(String(s)) : .string(String(s)), start))
            } else if isNameStart(c) {
                while i < chars.count, isNamePart(chars[i]) { i += 1 }
                out.append((.name(String(String.UnicodeScalarView(chars[start..<i]))), start))
            } else {
                let two = i + 1 < chars.count ? String(String.UnicodeScalarView([c, chars[i + 1]])) : ""
                if ["==", "!=", "<=", ">=", "<>", "&&", "||"].contains(two) {
                    out.append((.symbol(two), start)); i += 2
                } else if "+-*/%()<>=!.,".unicodeScalars.contains(c) {
                    out.append((.symbol(String(c)), start)); i += 1
                } else {
                    throw ExpressionError(column: start, reason: "unexpected character '\(c.escaped(asASCII: true))'")
                }
            }
        }
        out.append((.end, chars.count))
        return out
    }
}
