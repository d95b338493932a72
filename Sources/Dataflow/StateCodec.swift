/// The bytes of operator state in checkpoints and savepoints (docs/checkpoints.md, State
/// format): unsigned LEB128 varints, zigzag for signed integers, doubles as 8 bytes little
/// endian, text as a length and UTF-8, and values with a one-byte tag. Compact and fast to
/// write at every checkpoint; read back with every length checked, so a damaged file is an
/// error that names the offset, never a crash.
public struct StateWriter: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init(reservingCapacity n: Int = 0) { bytes.reserveCapacity(n) }

    public mutating func varint(_ v: UInt64) {
        var v = v
        while v >= 0x80 { bytes.append(UInt8(truncatingIfNeeded: v) | 0x80); v >>= 7 }
        bytes.append(UInt8(v))
    }
    public mutating func int(_ v: Int64) { varint(UInt64(bitPattern: (v << 1) ^ (v >> 63))) }
    public mutating func count(_ n: Int) { varint(UInt64(n)) }
    public mutating func bool(_ b: Bool) { bytes.append(b ? 1 : 0) }
    public mutating func double(_ d: Double) { withUnsafeBytes(of: d.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
    public mutating func string(_ s: String) {
        var s = s
        s.withUTF8 { u in count(u.count); bytes.append(contentsOf: u) }
    }
    public mutating func raw(_ b: [UInt8]) { count(b.count); bytes.append(contentsOf: b) }

    public mutating func value(_ v: Value) {
        switch v {
        case .null: bytes.append(0)
        case .bool(let b): bytes.append(b ? 2 : 1)
        case .int(let i): bytes.append(3); int(i)
        case .double(let d): bytes.append(4); double(d)
        case .string(let s): bytes.append(5); string(s)
        case .array(let a): bytes.append(6); count(a.count); for e in a { value(e) }
        case .object(let f):
            bytes.append(7); count(f.count)
            for i in 0..<f.count { string(f.names[i]); value(f.values[i]) }
        }
    }
    public mutating func optionalValue(_ v: Value?) {
        if let v { bytes.append(1); value(v) } else { bytes.append(0) }
    }
}

/// Reads what ``StateWriter`` wrote. Every read checks the bytes left.
public struct StateReader {
    public struct Damaged: Error, CustomStringConvertible, Equatable, Sendable {
        public var offset: Int
        public var reason: String
        public var description: String { "damaged state at byte \(offset): \(reason)" }
        public init(offset: Int, reason: String) { self.offset = offset; self.reason = reason }
    }

    private let bytes: [UInt8]
    public private(set) var offset: Int
    private let end: Int

    public init(_ bytes: [UInt8]) { self.bytes = bytes; offset = 0; end = bytes.count }

    public var isAtEnd: Bool { offset >= end }

    private func damaged(_ reason: String) -> Damaged { Damaged(offset: offset, reason: reason) }

    public mutating func byte() throws -> UInt8 {
        guard offset < end else { throw damaged("ends early") }
        defer { offset += 1 }
        return bytes[offset]
    }
    public mutating func varint() throws -> UInt64 {
        var v: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try byte()
            guard shift < 64 else { throw damaged("a number longer than 64 bits") }
            v |= UInt64(b & 0x7f) << shift
            if b < 0x80 { return v }
            shift += 7
        }
    }
    public mutating func int() throws -> Int64 {
        let z = try varint()
        return Int64(bitPattern: (z >> 1) ^ (0 &- (z & 1)))
    }
    /// A count of things still to read: at most the bytes left (each takes one at least), so a
    /// damaged count cannot make a reader reserve gigabytes.
    public mutating func count() throws -> Int {
        let n = try varint()
        guard n <= UInt64(end - offset) else { throw damaged("a count of \(n) with \(end - offset) bytes left") }
        return Int(n)
    }
    public mutating func bool() throws -> Bool {
        switch try byte() {
        case 0: return false
        case 1: return true
        case let b: throw damaged("\(b) is not a boolean")
        }
    }
    public mutating func double() throws -> Double {
        guard end - offset >= 8 else { throw damaged("ends early") }
        var bits: UInt64 = 0
        for i in 0..<8 { bits |= UInt64(bytes[offset + i]) << (8 * UInt64(i)) }
        offset += 8
        return Double(bitPattern: bits)
    }
    public mutating func raw() throws -> [UInt8] {
        let n = try count()
        defer { offset += n }
        return Array(bytes[offset..<offset + n])
    }
    public mutating func string() throws -> String {
        let n = try count()
        let text = String(validating: bytes[offset..<offset + n], as: UTF8.self)
        guard let text else { throw damaged("text that is not UTF-8") }
        offset += n
        return text
    }

    public mutating func value(depth: Int = 0) throws -> Value {
        guard depth < 64 else { throw damaged("values nested deeper than 64") }
        switch try byte() {
        case 0: return .null
        case 1: return .bool(false)
        case 2: return .bool(true)
        case 3: return .int(try int())
        case 4: return .double(try double())
        case 5: return .string(try string())
        case 6:
            let n = try count()
            var a: [Value] = []
            a.reserveCapacity(n)
            for _ in 0..<n { a.append(try value(depth: depth + 1)) }
            return .array(a)
        case 7:
            let n = try count()
            var f = Value.Fields(reservingCapacity: n)
            for _ in 0..<n {
                let name = try string()
                f[name] = try value(depth: depth + 1)
            }
            return .object(f)
        case let t:
            offset -= 1
            throw damaged("unknown value tag \(t)")
        }
    }
    public mutating func optionalValue() throws -> Value? { try bool() ? try value() : nil }
}
