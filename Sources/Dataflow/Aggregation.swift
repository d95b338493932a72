/// An aggregate step's outputs (`revenue: sum(amount)`, `orders: count()`): what each keeps
/// per key and window, how two are merged (session windows), and the result fields.
public struct Aggregation: Sendable {
    public enum Function: String, Sendable, CaseIterable { case count, sum, min, max, avg }

    public struct Output: Sendable {
        public var name: String
        public var function: Function
        public var argument: CompiledExpression?
    }

    /// One output's running value. Sums stay integers until a double or an overflow.
    public struct Accumulator: Sendable, Equatable {
        var count: Int64 = 0
        var intSum: Int64 = 0
        var doubleSum: Double = 0
        var isDouble = false
        var extreme: Value? = nil
    }

    public let outputs: [Output]

    /// `specs` pairs an output name with its text, in the order results are written.
    public init(_ specs: [(name: String, text: String)]) throws {
        outputs = try specs.map { name, text in
            let tree = try ExpressionParser.parse(text)
            guard case .call(let fname, let args, let at) = tree, let f = Function(rawValue: fname.lowercased()) else {
                throw ExpressionError(column: tree.position, reason: "an aggregate is one of \(Function.allCases.map { "\($0.rawValue)()" }.joined(separator: ", ")) around an expression")
            }
            if f == .count {
                guard args.count <= 1 else { throw ExpressionError(column: at, reason: "count() takes no argument or one") }
            } else {
                guard args.count == 1 else { throw ExpressionError(column: at, reason: "\(fname)() takes one argument") }
            }
            let argument = try args.first.map { a -> CompiledExpression in
                let c = try CompiledExpression.compile(a, source: text)
                if f == .sum || f == .avg { try CompiledExpression.need(c.kind, .number, at: a.position, "\(fname)() needs a number") }
                return c
            }
            return Output(name: name, function: f, argument: argument)
        }
    }

    public func initial() -> [Accumulator] { Array(repeating: Accumulator(), count: outputs.count) }

    /// Adds a record to the running values at `state[base ..< base + outputs.count]` (a window
    /// pane keeps every key's values in one array).
    public func add(_ record: Value, to state: inout [Accumulator], at base: Int = 0) {
        for k in outputs.indices {
            let i = base + k
            guard outputs[k].argument != nil else { state[i].count += 1; continue }  // count(): no copy of the output
            let o = outputs[k]
            let v = o.argument!.evaluate(record)
            if v.isNull { continue }
            switch o.function {
            case .count: state[i].count += 1
            case .sum, .avg:
                switch v {
                case .int(let x):
                    state[i].count += 1
                    if state[i].isDouble { state[i].doubleSum += Double(x); continue }
                    let (s, overflow) = state[i].intSum.addingReportingOverflow(x)
                    if overflow { state[i].isDouble = true; state[i].doubleSum = Double(state[i].intSum) + Double(x) } else { state[i].intSum = s }
                case .double(let x):
                    state[i].count += 1
                    if !state[i].isDouble { state[i].isDouble = true; state[i].doubleSum = Double(state[i].intSum) }
                    state[i].doubleSum += x
                default: continue  // a string in a sum is skipped, as SQL skips nulls
                }
            case .min, .max:
                guard let current = state[i].extreme else { state[i].extreme = v; state[i].count += 1; continue }
                guard let c = Value.compare(v, current) else { continue }
                if (o.function == .min && c < 0) || (o.function == .max && c > 0) { state[i].extreme = v }
                state[i].count += 1
            }
        }
    }

    /// Two windows' running values as one (session windows that grow together).
    public func merge(_ a: [Accumulator], _ b: [Accumulator]) -> [Accumulator] {
        var out = a
        for i in outputs.indices {
            switch outputs[i].function {
            case .count: out[i].count += b[i].count
            case .sum, .avg:
                out[i].count += b[i].count
                if a[i].isDouble || b[i].isDouble {
                    out[i].doubleSum = (a[i].isDouble ? a[i].doubleSum : Double(a[i].intSum)) + (b[i].isDouble ? b[i].doubleSum : Double(b[i].intSum))
                    out[i].isDouble = true
                } else {
                    let (s, overflow) = a[i].intSum.addingReportingOverflow(b[i].intSum)
                    if overflow { out[i].isDouble = true; out[i].doubleSum = Double(a[i].intSum) + Double(b[i].intSum) } else { out[i].intSum = s }
                }
            case .min, .max:
                out[i].count += b[i].count
                guard let y = b[i].extreme else { continue }
                guard let x = a[i].extreme, let c = Value.compare(y, x) else { out[i].extreme = a[i].extreme ?? y; continue }
                if (outputs[i].function == .min && c < 0) || (outputs[i].function == .max && c > 0) { out[i].extreme = y }
            }
        }
        return out
    }

    /// The result values, appended to `values` in the spec's order (named by `outputs`).
    public func write(_ state: [Accumulator], at base: Int = 0, into values: inout [Value]) {
        for i in outputs.indices {
            let a = state[base + i]
            let v: Value
            switch outputs[i].function {
            case .count: v = .int(a.count)
            case .sum: v = a.count == 0 ? .null : (a.isDouble ? .double(a.doubleSum) : .int(a.intSum))
            case .avg: v = a.count == 0 ? .null : .double((a.isDouble ? a.doubleSum : Double(a.intSum)) / Double(a.count))
            case .min, .max: v = a.extreme ?? .null
            }
            values.append(v)
        }
    }
}
