import Testing
@testable import Dataflow

/// Records of one shape parsed by one reader share their names array; any other shape, a
/// repeated name or a nested object still parses exactly as without the cache.
@Suite struct JSONShapesTests {
    func fields(_ v: Value) throws -> Value.Fields {
        guard case .object(let f) = v else { throw Failure.notAnObject }
        return f
    }
    enum Failure: Error { case notAnObject }

    func storage(_ names: [String]) -> UnsafeRawPointer? { names.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) } }

    @Test func sameShapedRecordsShareTheirNames() throws {
        let shapes = JSONReader.Shapes()
        let a = try fields(JSONReader.parse(Array(#"{"key":"k1","ts":1,"n":{"x":1}}"#.utf8), shapes: shapes))
        let b = try fields(JSONReader.parse(Array(#"{"key":"k2","ts":2,"n":{"x":2}}"#.utf8), shapes: shapes))
        #expect(a.names == ["key", "ts", "n"] && b.names == a.names)
        #expect(storage(a.names) == storage(b.names), "one names array for both")
        #expect(b["key"] == .string("k2") && b.values.count == 3)
        let nestedA = try fields(#require(a["n"])), nestedB = try fields(#require(b["n"]))
        #expect(storage(nestedA.names) == storage(nestedB.names) && nestedB["x"] == .int(2))
    }

    @Test func otherShapesParseAsWithoutTheCache() throws {
        let shapes = JSONReader.Shapes()
        let texts = [#"{"a":1,"b":2,"c":3}"#, #"{"a":1,"b":2}"#, #"{"a":1,"x":2,"c":3}"#, #"{"a":1,"b":2,"c":3,"d":4}"#,
                     #"{"a":1,"a":5,"b":2}"#, #"{"b":1,"a":2}"#, #"{}"#, #"{"a":1,"b":2,"b":7}"#, #"{"a":{"b":1},"b":[{"c":2}]}"#]
        for _ in 0..<2 {
            for t in texts {
                let cached = try JSONReader.parse(Array(t.utf8), shapes: shapes), plain = try JSONReader.parse(t)
                #expect(cached == plain, "\(t)")
                #expect(JSONWriter.string(cached) == JSONWriter.string(plain))
            }
        }
        // A repeated name keeps its first place and its last value, cached or not.
        #expect(try fields(JSONReader.parse(Array(#"{"a":1,"a":5,"b":2}"#.utf8), shapes: shapes)).names == ["a", "b"])
        #expect(try JSONReader.parse(Array(#"{"a":1,"b":2,"b":7}"#.utf8), shapes: shapes).lookup(["b"]) == .int(7))
    }
}
