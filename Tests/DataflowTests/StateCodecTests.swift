import Testing
@testable import Dataflow

@Suite struct StateCodecTests {
    func randomValue(_ rng: inout some RandomNumberGenerator, depth: Int = 0) -> Value {
        switch Int.random(in: 0..<(depth > 3 ? 5 : 7), using: &rng) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &rng))
        case 2: return .int([Int64.min, Int64.max, 0, -1, Int64.random(in: .min ... .max, using: &rng)].randomElement(using: &rng)!)
        case 3: return .double([0.5, -1e300, .infinity, Double.random(in: -1e6...1e6, using: &rng)].randomElement(using: &rng)!)
        case 4: return .string(["", "k17", "naïve ☕️", String(repeating: "x", count: 300)].randomElement(using: &rng)!)
        case 5: return .array((0..<Int.random(in: 0..<4, using: &rng)).map { _ in randomValue(&rng, depth: depth + 1) })
        default:
            return .object((0..<Int.random(in: 0..<4, using: &rng)).map { ("f\($0)", randomValue(&rng, depth: depth + 1)) })
        }
    }

    @Test func valuesAndNumbersRoundTrip() throws {
        var rng = SystemRandomNumberGenerator()
        var w = StateWriter()
        var values: [Value] = []
        for _ in 0..<500 { let v = randomValue(&rng); values.append(v); w.value(v) }
        for n: Int64 in [0, 1, -1, 63, -64, 64, .max, .min] { w.int(n) }
        w.optionalValue(nil); w.optionalValue(.int(3))
        var r = StateReader(w.bytes)
        for v in values { #expect(try r.value() == v) }
        for n: Int64 in [0, 1, -1, 63, -64, 64, .max, .min] { #expect(try r.int() == n) }
        #expect(try r.optionalValue() == nil)
        #expect(try r.optionalValue() == .int(3))
        #expect(r.isAtEnd)
    }

    /// Every prefix of a valid encoding, and random byte changes, read as an error or a value:
    /// never a crash, never a reader that runs past the end.
    @Test func truncatedOrDamagedBytesAreAnErrorWithTheOffset() throws {
        var rng = SystemRandomNumberGenerator()
        var w = StateWriter()
        for _ in 0..<20 { w.value(randomValue(&rng)) }
        let bytes = w.bytes
        for cut in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 300)) {
            var r = StateReader(Array(bytes[..<cut]))
            let error = #expect(throws: StateReader.Damaged.self) { for _ in 0..<20 { _ = try r.value() } }
            #expect((error?.offset ?? -1) <= cut)
        }
        for _ in 0..<2000 {
            var damaged = bytes
            for _ in 0..<3 { damaged[Int.random(in: 0..<damaged.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng) }
            var r = StateReader(damaged)
            do { for _ in 0..<20 { _ = try r.value() } } catch let e as StateReader.Damaged { #expect(e.offset <= damaged.count) }
        }
        var huge = StateWriter()
        huge.varint(1 << 40)
        var r = StateReader([6] + huge.bytes)
        #expect(throws: StateReader.Damaged.self) { try r.value() }
    }
}
