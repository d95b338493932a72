/// Postgres's logical replication messages as the `pgoutput` plugin writes them (protocol
/// version 1; docs/capture.md): one message per change row of the slot. Decoding is bounds-
/// checked throughout: a short or unknown message is an error naming what was expected, never
/// a crash.
public enum PgOutput {
    public struct Column: Sendable, Equatable {
        public var name: String
        public var typeOid: UInt32
        public var typmod: Int32
        /// Part of the replica identity (the key) of the relation.
        public var isKey: Bool
    }

    public struct Relation: Sendable, Equatable {
        public var oid: UInt32
        public var namespace: String
        public var name: String
        /// `d` default (primary key), `n` nothing, `f` full, `i` index.
        public var replicaIdentity: Character
        public var columns: [Column]
    }

    /// A column's value in a change: SQL NULL, a TOASTed value that did not change (not sent),
    /// or the value's text as Postgres prints it.
    public enum Datum: Sendable, Equatable {
        case null, unchangedToast, text(String)
    }

    public enum Message: Sendable, Equatable {
        /// Commit timestamps are µs since 2000-01-01 (Postgres's epoch).
        case begin(finalLSN: UInt64, commitTime: Int64, xid: UInt32)
        case commit(commitLSN: UInt64, endLSN: UInt64, commitTime: Int64)
        case relation(Relation)
        case insert(relation: UInt32, new: [Datum])
        /// `old` holds the key columns (`K`) or the whole old row (`O`, REPLICA IDENTITY FULL),
        /// when Postgres sends them.
        case update(relation: UInt32, old: [Datum]?, oldIsKeyOnly: Bool, new: [Datum])
        case delete(relation: UInt32, old: [Datum], oldIsKeyOnly: Bool)
        case truncate(relations: [UInt32], cascade: Bool, restartIdentity: Bool)
        /// Origin, type and logical-decoding messages: nothing a change topic carries.
        case other(Character)
    }

    public struct Malformed: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// Microseconds between the Unix epoch and Postgres's (2000-01-01).
    public static let epochOffsetMicros: Int64 = 946_684_800_000_000

    public static func decode(_ bytes: [UInt8]) throws -> Message {
        var r = Reader(bytes: bytes)
        let tag = Character(UnicodeScalar(try r.byte()))
        switch tag {
        case "B":
            return .begin(finalLSN: try r.u64(), commitTime: Int64(bitPattern: try r.u64()), xid: try r.u32())
        case "C":
            _ = try r.byte()  // flags, unused
            return .commit(commitLSN: try r.u64(), endLSN: try r.u64(), commitTime: Int64(bitPattern: try r.u64()))
        case "R":
            let oid = try r.u32(), namespace = try r.string(), name = try r.string()
            let identity = Character(UnicodeScalar(try r.byte()))
            let n = Int(try r.u16())
            var columns: [Column] = []
            columns.reserveCapacity(n)
            for _ in 0..<n {
                let flags = try r.byte()
                columns.append(Column(name: try r.string(), typeOid: try r.u32(), typmod: Int32(bitPattern: try r.u32()), isKey: flags & 1 == 1))
            }
            return .relation(Relation(oid: oid, namespace: namespace, name: name, replicaIdentity: identity, columns: columns))
        case "I":
            let rel = try r.u32()
            try r.expect("N", "a new tuple")
            return .insert(relation: rel, new: try r.tuple())
        case "U":
            let rel = try r.u32()
            var old: [Datum]? = nil, keyOnly = false
            var next = Character(UnicodeScalar(try r.byte()))
            if next == "K" || next == "O" {
                keyOnly = next == "K"
                old = try r.tuple()
                next = Character(UnicodeScalar(try r.byte()))
            }
            guard next == "N" else { throw Malformed(description: "update: expected a new tuple (N), found '\(next)'") }
            return .update(relation: rel, old: old, oldIsKeyOnly: keyOnly, new: try r.tuple())
        case "D":
            let rel = try r.u32()
            let kind = Character(UnicodeScalar(try r.byte()))
            guard kind == "K" || kind == "O" else { throw Malformed(description: "delete: expected a key (K) or old (O) tuple, found '\(kind)'") }
            return .delete(relation: rel, old: try r.tuple(), oldIsKeyOnly: kind == "K")
        case "T":
            let n = Int(try r.u32())
            let options = try r.byte()
            guard n <= r.remaining / 4 else { throw Malformed(description: "truncate: \(n) relations in \(r.remaining) bytes") }
            var oids: [UInt32] = []
            for _ in 0..<n { oids.append(try r.u32()) }
            return .truncate(relations: oids, cascade: options & 1 != 0, restartIdentity: options & 2 != 0)
        case "O", "Y", "M":
            return .other(tag)
        default:
            throw Malformed(description: "unknown pgoutput message '\(tag)' (protocol version 1 is asked for)")
        }
    }

    struct Reader {
        let bytes: [UInt8]
        var at = 0
        var remaining: Int { bytes.count - at }

        mutating func byte() throws -> UInt8 {
            guard at < bytes.count else { throw Malformed(description: "message ends early at byte \(at)") }
            defer { at += 1 }
            return bytes[at]
        }
        mutating func u16() throws -> UInt16 { UInt16(try byte()) << 8 | UInt16(try byte()) }
        mutating func u32() throws -> UInt32 { UInt32(try u16()) << 16 | UInt32(try u16()) }
        mutating func u64() throws -> UInt64 { UInt64(try u32()) << 32 | UInt64(try u32()) }
        mutating func string() throws -> String {
            guard let end = bytes[at...].firstIndex(of: 0) else { throw Malformed(description: "a name without its terminating zero at byte \(at)") }
            defer { at = end + 1 }
            return String(decoding: bytes[at..<end], as: UTF8.self)
        }
        mutating func expect(_ c: Character, _ what: String) throws {
            let b = try byte()
            guard Character(UnicodeScalar(b)) == c else { throw Malformed(description: "expected \(what) ('\(c)'), found '\(Character(UnicodeScalar(b)))'") }
        }
        mutating func tuple() throws -> [Datum] {
            let n = Int(try u16())
            var out: [Datum] = []
            out.reserveCapacity(n)
            for _ in 0..<n {
                switch Character(UnicodeScalar(try byte())) {
                case "n": out.append(.null)
                case "u": out.append(.unchangedToast)
                case "t":
                    let len = Int(try u32())
                    guard len <= remaining else { throw Malformed(description: "a value of \(len) bytes with \(remaining) left") }
                    out.append(.text(String(decoding: bytes[at..<at + len], as: UTF8.self)))
                    at += len
                case let k: throw Malformed(description: "a column value of kind '\(k)' (text values are asked for)")
                }
            }
            return out
        }
    }
}
