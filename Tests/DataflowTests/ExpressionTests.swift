import Testing
@testable import Dataflow

@Suite struct ExpressionTests {
    let order = try! JSONReader.parse(#"{"status":"paid","amount":12.5,"qty":3,"customer":{"id":"c1","tier":"gold"},"tags":["a"],"ts":"2024-05-01T10:00:00Z"}"#)

    func eval(_ text: String) throws -> Value { try CompiledExpression.compile(text).evaluate(order) }

    @Test func fieldsLiteralsAndArithmetic() throws {
        #expect(try eval("amount * qty") == .double(37.5))
        #expect(try eval("qty * 2 + 1") == .int(7))
        #expect(try eval("qty / 2") == .double(1.5))
        #expect(try eval("qty % 2") == .int(1))
        #expect(try eval("-qty") == .int(-3))
        #expect(try eval("customer.id") == .string("c1"))
        #expect(try eval("`customer`.tier + '!'") == .string("gold!"))
        #expect(try eval("missing + 1") == .null)
        #expect(try eval("qty / 0") == .null)
        #expect(try eval("9223372036854775807 + 1") == .double(9.223372036854775808e18))
    }

    @Test func comparisonsAndLogic() throws {
        #expect(try eval("status == 'paid'") == .bool(true))
        #expect(try eval("status = 'paid' and amount > 10") == .bool(true))
        #expect(try eval("status != 'paid' or qty >= 3") == .bool(true))
        #expect(try eval("not (qty < 3)") == .bool(true))
        #expect(try eval("qty == 3.0") == .bool(true))
        #expect(try eval("status in ('paid', 'shipped')") == .bool(true))
        #expect(try eval("status not in ('paid')") == .bool(false))
        #expect(try eval("missing > 1") == .null)
        #expect(try eval("missing == null") == .bool(true))
        #expect(try eval("missing > 1 and false") == .bool(false))
        #expect(try eval("missing > 1 or true") == .bool(true))
        #expect(try eval("status > 1") == .null, "a string and a number do not order")
    }

    @Test func functions() throws {
        #expect(try eval("upper(customer.tier)") == .string("GOLD"))
        #expect(try eval("length(tags)") == .int(1))
        #expect(try eval("concat(status, '-', qty)") == .string("paid-3"))
        #expect(try eval("substring(status, 1, 2)") == .string("ai"))
        #expect(try eval("startsWith(status, 'pa')") == .bool(true))
        #expect(try eval("coalesce(missing, qty)") == .int(3))
        #expect(try eval("round(amount / 7, 2)") == .double(1.79))
        #expect(try eval("parseTime(ts)") == .int(1_714_557_600_000))
        #expect(try eval("formatTime(parseTime(ts) + 1500)") == .string("2024-05-01T10:00:01.500Z"))
        #expect(try eval("hour(parseTime(ts))") == .int(10))
        #expect(try eval("toNumber('42')") == .int(42))
    }

    @Test(arguments: [
        ("status ==", "expected a value"),
        ("status === 'x'", "expected a value"),
        ("'paid' * 2", "'*' needs numbers, not a string"),
        ("qty + 1 == 'three'", "compares a number with a string"),
        ("nosuch(qty)", "unknown function nosuch()"),
        ("upper(1)", "argument 1 of upper() must be a string"),
        ("lower(a, b)", "lower() takes 1 argument, not 2"),
        ("sum(amount)", "aggregate"),
        ("(qty", "expected ')'"),
        ("'open", "unterminated string"),
        ("qty # 2", "unexpected character '#'"),
        ("1 and qty", "'and' needs booleans, not a number"),
    ])
    func badExpressionsSayWhatAndWhere(text: String, reason: String) {
        do {
            _ = try CompiledExpression.compile(text)
            Issue.record("\(text) compiled")
        } catch let e as ExpressionError {
            #expect(e.reason.contains(reason), "\(text): \(e)")
        } catch { Issue.record("\(error)") }
    }

    @Test func aFilterMustBeBoolean() {
        #expect(throws: ExpressionError.self) { try CompiledExpression.compile("amount * 2", expecting: .boolean) }
        #expect(throws: Never.self) { try CompiledExpression.compile("flag", expecting: .boolean) }
    }

    @Test func errorColumnPointsAtTheProblem() {
        do { _ = try CompiledExpression.compile("qty > 1 and 'x' * 2"); Issue.record("compiled") } catch let e as ExpressionError {
            #expect(e.column == 12)
        } catch { Issue.record("\(error)") }
    }
}
