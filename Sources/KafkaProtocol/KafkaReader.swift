/// Reads Kafka wire primitives from a byte array, front to back.
///
/// All reads are bounds-checked and throw ``KafkaProtocolError`` rather than trapping, because the
/// bytes come from the network. `compact` selects the flexible-version encodings (KIP-482).
public struct KafkaReader: Sendable {
    public let bytes: [UInt8]
    public private(set) var offset: Int
    private let end: Int

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
        self.offset = 0
        self.end = bytes.count
    }

    /// A reader over `bytes[range]` sharing storage with this one.
    init(bytes: [UInt8], range: Range<Int>) {
        self.bytes = bytes
        self.offset = range.lowerBound
        self.end = range.upperBound
    }

    public var remaining: Int { end - offset }
    public var isAtEnd: Bool { offset >= end }

    @inline(__always)
    private mutating func need(_ n: Int, _ field: String) throws {
        if n > end - offset || n < 0 {
            throw KafkaProtocolError.truncated(field: field, needed: n, remaining: end - offset)
        }
    }

    public mutating func readInt8(_ field: String = "int8") throws -> Int8 {
        try need(1, field)
        defer { offset += 1 }
        return Int8(bitPattern: bytes[offset])
    }

    public mutating func readBool(_ field: String = "bool") throws -> Bool {
        try readInt8(field) != 0
    }

    public mutating func readInt16(_ field: String = "int16") throws -> Int16 {
        Int16(bitPattern: UInt16(truncatingIfNeeded: try readBigEndian(2, field)))
    }

    public mutating func readUInt16(_ field: String = "uint16") throws -> UInt16 {
        UInt16(truncatingIfNeeded: try readBigEndian(2, field))
    }

    public mutating func readInt32(_ field: String = "int32") throws -> Int32 {
        Int32(bitPattern: UInt32(truncatingIfNeeded: try readBigEndian(4, field)))
    }

    public mutating func readUInt32(_ field: String = "uint32") throws -> UInt32 {
        UInt32(truncatingIfNeeded: try readBigEndian(4, field))
    }

    public mutating func readInt64(_ field: String = "int64") throws -> Int64 {
        Int64(bitPattern: try readBigEndian(8, field))
    }

    private mutating func readBigEndian(_ width: Int, _ field: String) throws -> UInt64 {
        try need(width, field)
        var value: UInt64 = 0
        for i in 0..<width { value = value << 8 | UInt64(bytes[offset + i]) }
        offset += width
        return value
    }

    /// Unsigned base-128 varint (no ZigZag), at most 5 bytes for 32 bits.
    public mutating func readUnsignedVarint(_ field: String = "varint") throws -> UInt32 {
        var result: UInt32 = 0
        var shift: UInt32 = 0
        while true {
            try need(1, field)
            let byte = bytes[offset]
            offset += 1
            if shift == 28 && byte & 0xF0 != 0 { throw KafkaProtocolError.malformedVarint(field: field) }
            result |= UInt32(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
    }

    /// ZigZag-encoded signed varint (record-level fields).
    public mutating func readVarint(_ field: String = "varint") throws -> Int32 {
        let raw = try readUnsignedVarint(field)
        return Int32(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    /// ZigZag-encoded signed varlong (record-level fields).
    public mutating func readVarlong(_ field: String = "varlong") throws -> Int64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            try need(1, field)
            let byte = bytes[offset]
            offset += 1
            if shift == 63 && byte & 0xFE != 0 { throw KafkaProtocolError.malformedVarint(field: field) }
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { break }
            shift += 7
        }
        return Int64(bitPattern: (result >> 1) ^ (0 &- (result & 1)))
    }

    public mutating func readUUID(_ field: String = "uuid") throws -> KafkaUUID {
        KafkaUUID(high: UInt64(bitPattern: try readInt64(field)), low: UInt64(bitPattern: try readInt64(field)))
    }

    /// Length of a string/bytes/array: `nil` means null on the wire.
    private mutating func readLength(compact: Bool, wide: Bool, _ field: String) throws -> Int? {
        if compact {
            let n = try readUnsignedVarint(field)
            return n == 0 ? nil : Int(n) - 1
        }
        let n = wide ? Int(try readInt32(field)) : Int(try readInt16(field))
        if n == -1 { return nil }
        if n < 0 { throw KafkaProtocolError.invalidLength(field: field, length: n) }
        return n
    }

    /// Moves past `count` bytes without copying them.
    public mutating func skip(_ count: Int, _ field: String = "bytes") throws {
        guard count >= 0 else { throw KafkaProtocolError.invalidLength(field: field, length: count) }
        try need(count, field)
        offset += count
    }

    public mutating func readRawBytes(_ count: Int, _ field: String = "bytes") throws -> [UInt8] {
        try need(count, field)
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    public mutating func readNullableString(compact: Bool, _ field: String = "string") throws -> String? {
        guard let n = try readLength(compact: compact, wide: false, field) else { return nil }
        try need(n, field)
        defer { offset += n }
        guard let s = String(validating: bytes[offset..<offset + n], as: UTF8.self) else {
            throw KafkaProtocolError.invalidUTF8(field: field)
        }
        return s
    }

    public mutating func readString(compact: Bool, _ field: String = "string") throws -> String {
        guard let s = try readNullableString(compact: compact, field) else {
            throw KafkaProtocolError.invalidValue(field: field, detail: "null where a string is required")
        }
        return s
    }

    public mutating func readNullableBytes(compact: Bool, _ field: String = "bytes") throws -> [UInt8]? {
        guard let n = try readLength(compact: compact, wide: true, field) else { return nil }
        return try readRawBytes(n, field)
    }

    public mutating func readBytes(compact: Bool, _ field: String = "bytes") throws -> [UInt8] {
        try readNullableBytes(compact: compact, field) ?? []
    }

    /// Reads an array; `nil` when null on the wire. Each element must consume at least one byte,
    /// so a hostile count cannot make us allocate more than the input could hold.
    public mutating func readNullableArray<T>(
        compact: Bool, _ field: String = "array", _ element: (inout KafkaReader) throws -> T
    ) throws -> [T]? {
        guard let n = try readLength(compact: compact, wide: true, field) else { return nil }
        if n > remaining { throw KafkaProtocolError.invalidLength(field: field, length: n) }
        var out: [T] = []
        out.reserveCapacity(n)
        for _ in 0..<n { out.append(try element(&self)) }
        return out
    }

    public mutating func readArray<T>(
        compact: Bool, _ field: String = "array", _ element: (inout KafkaReader) throws -> T
    ) throws -> [T] {
        try readNullableArray(compact: compact, field, element) ?? []
    }

    /// Reads a tagged-field section, handing each field's bytes to `handler`; tags the handler does
    /// not know are skipped by size, as the protocol requires.
    public mutating func readTaggedFields(
        _ handler: (_ tag: UInt32, _ field: inout KafkaReader) throws -> Void = { _, _ in }
    ) throws {
        let count = try readUnsignedVarint("tagged field count")
        for _ in 0..<count {
            let tag = try readUnsignedVarint("tag")
            let size = Int(try readUnsignedVarint("tagged field size"))
            try need(size, "tagged field \(tag)")
            var sub = KafkaReader(bytes: bytes, range: offset..<offset + size)
            try handler(tag, &sub)
            offset += size
        }
    }

    /// Throws unless every byte was consumed.
    public func expectEnd() throws {
        if remaining != 0 { throw KafkaProtocolError.trailingBytes(count: remaining) }
    }
}

/// A Kafka UUID (topic ids): 16 bytes, most significant half first.
public struct KafkaUUID: Hashable, Sendable {
    public var high: UInt64
    public var low: UInt64
    public init(high: UInt64, low: UInt64) { self.high = high; self.low = low }
    public static let zero = KafkaUUID(high: 0, low: 0)
}
