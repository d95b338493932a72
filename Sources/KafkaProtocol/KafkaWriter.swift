/// Appends Kafka wire primitives to a growable byte array.
public struct KafkaWriter: Sendable {
    public private(set) var bytes: [UInt8]
    /// When set, large record sets are not copied in: `writeRecords` writes their length and
    /// notes them in `deferred`, to be sent after `bytes[..<position]` (a server's fetch answers).
    public var defersRecords = false
    /// Record sets left out of `bytes`, each to go at its position, in order: bytes in hand, or
    /// (`external`) bytes the sender supplies itself, such as a file region.
    public private(set) var deferred: [(position: Int, bytes: [UInt8]?, length: Int)] = []

    /// One piece of an encoding whose record sets were left out.
    public enum Part: Equatable, Sendable {
        case bytes(ArraySlice<UInt8>)
        /// The `ordinal`-th external record set (in encoding order), `length` bytes long.
        case external(ordinal: Int, length: Int)
    }

    /// The encoded size including deferred record sets.
    public var totalCount: Int { bytes.count + deferred.reduce(0) { $0 + $1.length } }

    public init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    public var count: Int { bytes.count }

    public mutating func writeInt8(_ v: Int8) { bytes.append(UInt8(bitPattern: v)) }
    public mutating func writeBool(_ v: Bool) { bytes.append(v ? 1 : 0) }
    public mutating func writeInt16(_ v: Int16) { writeBigEndian(v) }
    public mutating func writeUInt16(_ v: UInt16) { writeBigEndian(v) }
    public mutating func writeInt32(_ v: Int32) { writeBigEndian(v) }
    public mutating func writeUInt32(_ v: UInt32) { writeBigEndian(v) }
    public mutating func writeInt64(_ v: Int64) { writeBigEndian(v) }

    /// One append of the value's bytes rather than one per byte (requests carry thousands of them).
    private mutating func writeBigEndian<T: FixedWidthInteger>(_ v: T) {
        withUnsafeBytes(of: v.bigEndian) { bytes.append(contentsOf: $0) }
    }

    public mutating func writeUnsignedVarint(_ v: UInt32) {
        var v = v
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    public mutating func writeVarint(_ v: Int32) {
        writeUnsignedVarint(UInt32(bitPattern: (v << 1) ^ (v >> 31)))
    }

    public mutating func writeVarlong(_ v: Int64) {
        var u = UInt64(bitPattern: (v << 1) ^ (v >> 63))
        while u >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: u) | 0x80)
            u >>= 7
        }
        bytes.append(UInt8(u))
    }

    public mutating func writeUUID(_ v: KafkaUUID) {
        writeInt64(Int64(bitPattern: v.high))
        writeInt64(Int64(bitPattern: v.low))
    }

    public mutating func writeRawBytes<C: Collection>(_ b: C) where C.Element == UInt8 { bytes.append(contentsOf: b) }

    private mutating func writeLength(_ n: Int?, compact: Bool, wide: Bool) {
        if compact {
            writeUnsignedVarint(n.map { UInt32($0 + 1) } ?? 0)
        } else if wide {
            writeInt32(n.map { Int32($0) } ?? -1)
        } else {
            writeInt16(n.map { Int16($0) } ?? -1)
        }
    }

    public mutating func writeNullableString(_ s: String?, compact: Bool) {
        guard let s else { return writeLength(nil, compact: compact, wide: false) }
        let utf8 = s.utf8
        writeLength(utf8.count, compact: compact, wide: false)
        bytes.append(contentsOf: utf8)
    }

    public mutating func writeString(_ s: String, compact: Bool) { writeNullableString(s, compact: compact) }

    public mutating func writeNullableBytes(_ b: [UInt8]?, compact: Bool) {
        guard let b else { return writeLength(nil, compact: compact, wide: true) }
        writeLength(b.count, compact: compact, wide: true)
        bytes.append(contentsOf: b)
    }

    public mutating func writeBytes(_ b: [UInt8], compact: Bool) { writeNullableBytes(b, compact: compact) }

    /// A `records` field: nullable bytes, left out of `bytes` when `defersRecords` is set and the
    /// set is large enough that copying it would cost more than sending it separately.
    public mutating func writeRecords(_ b: [UInt8]?, compact: Bool) {
        guard defersRecords, let b, b.count >= 16 * 1024 else { return writeNullableBytes(b, compact: compact) }
        writeLength(b.count, compact: compact, wide: true)
        deferred.append((bytes.count, b, b.count))
    }

    /// A `records` field of `length` bytes that the sender will supply (only with `defersRecords`).
    public mutating func writeExternalRecords(length: Int, compact: Bool) {
        precondition(defersRecords, "external records need a writer that defers them")
        writeLength(length, compact: compact, wide: true)
        deferred.append((bytes.count, nil, length))
    }

    /// The pieces in wire order: stretches of `bytes` with the deferred record sets between them.
    public var parts: [Part] {
        var out: [Part] = []
        var at = 0
        var ordinal = 0
        for d in deferred {
            if d.position > at { out.append(.bytes(bytes[at..<d.position])) }
            if let b = d.bytes {
                out.append(.bytes(b[...]))
            } else {
                out.append(.external(ordinal: ordinal, length: d.length))
                ordinal += 1
            }
            at = d.position
        }
        if at < bytes.count { out.append(.bytes(bytes[at...])) }
        return out
    }

    public mutating func writeNullableArray<T>(
        _ items: [T]?, compact: Bool, _ element: (inout KafkaWriter, T) throws -> Void
    ) rethrows {
        guard let items else { return writeLength(nil, compact: compact, wide: true) }
        writeLength(items.count, compact: compact, wide: true)
        for item in items { try element(&self, item) }
    }

    public mutating func writeArray<T>(
        _ items: [T], compact: Bool, _ element: (inout KafkaWriter, T) throws -> Void
    ) rethrows {
        try writeNullableArray(items, compact: compact, element)
    }

    /// Writes a tagged-field section: `fields` must be in ascending tag order.
    public mutating func writeTaggedFields(_ fields: [(tag: UInt32, body: KafkaWriter)] = []) {
        writeUnsignedVarint(UInt32(fields.count))
        for f in fields {
            writeUnsignedVarint(f.tag)
            writeUnsignedVarint(UInt32(f.body.count))
            bytes.append(contentsOf: f.body.bytes)
        }
    }

    /// Overwrites a big-endian Int32 at `position` (frame sizes, batch lengths).
    public mutating func patchInt32(_ v: Int32, at position: Int) {
        let u = UInt32(bitPattern: v)
        for i in 0..<4 { bytes[position + i] = UInt8(truncatingIfNeeded: u >> (UInt32(3 - i) * 8)) }
    }
}
