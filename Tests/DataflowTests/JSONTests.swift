import Testing
@testable import Dataflow

@Suite struct JSONTests {
    @Test func roundTripKeepsFieldOrderAndIntegers() throws {
        let text = #"{"z":1,"a":[true,false,null],"n":{"x":-12.5,"big":9007199254740993},"s":"q\"\\\n\u00e9\ud83d\ude00"}"#
        let v = try JSONReader.parse(text)
        guard case .object(let f) = v else { Issue.record("not an object"); return }
        #expect(f.names == ["z", "a", "n", "s"])
        #expect(v.lookup(["n", "big"]) == .int(9_007_199_254_740_993))
        #expect(v.lookup(["n", "x"]) == .double(-12.5))
        #expect(v.lookup(["s"]) == .string("q\"\\\né😀"))
        #expect(try JSONReader.parse(JSONWriter.string(v)) == v)
    }

    @Test func badJSONSaysWhere() {
        for (text, offset) in [("{\"a\":}", 5), ("[1,2", 4), ("{\"a\" 1}", 5), ("tru", 0), ("1 2", 2), ("\"abc", 4), ("-", 1)] {
            #expect(throws: JSONReader.Failure.self) { try JSONReader.parse(text) }
            do { _ = try JSONReader.parse(text) } catch let e as JSONReader.Failure { #expect(e.offset == offset, "\(text): \(e)") } catch {}
        }
    }

    @Test func deepNestingIsRefusedNotACrash() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONReader.Failure.self) { try JSONReader.parse(deep) }
    }

    @Test func integersBeyondInt64BecomeDoubles() throws {
        #expect(try JSONReader.parse("-9223372036854775808") == .int(.min))
        #expect(try JSONReader.parse("99999999999999999999") == .double(1e20))
        #expect(try JSONReader.parse("1e3") == .double(1000))
    }

    @Test func writerEscapesControlCharacters() {
        #expect(JSONWriter.string(.string("a\u{1b}[31mb\u{7f}")) == #""a\u001b[31mb\u007f""#)
        #expect(JSONWriter.string(.double(.nan)) == "null")
        #expect(JSONWriter.string(.double(2)) == "2.0")
    }

    @Test func timeTextRoundTrips() {
        #expect(TimeText.parse("1970-01-01") == 0)
        #expect(TimeText.parse("2024-02-29T12:34:56.789Z") == 1_709_210_096_789)
        #expect(TimeText.parse("2024-02-29T14:34:56.789+02:00") == 1_709_210_096_789)
        #expect(TimeText.format(1_709_210_096_789) == "2024-02-29T12:34:56.789Z")
        #expect(TimeText.format(-1) == "1969-12-31T23:59:59.999Z")
        #expect(TimeText.parse("2024-13-01") == nil)
        #expect(TimeText.parse("yesterday") == nil)
        #expect(TimeText.parse("2024-01-01T10:00Zjunk") == nil)
    }
}
