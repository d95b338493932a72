import ConsoleModel
import Foundation

/// Writes recording lines as JSON. Kafka readings of a large cluster are most of a recording's
/// bytes and time, so their lines are written by hand — patches' numbers and references' names
/// straight into the buffer; everything else, and parts written whole, goes through JSONEncoder.
/// The reader decodes both the same way (docs/recording.md).
final class LineWriter {
    private let encoder: JSONEncoder

    init() {
        encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    }

    func encode<T: Encodable>(_ value: T) throws -> [UInt8] { Array(try encoder.encode(value)) }

    func bytes(_ line: RecordedLine) throws -> [UInt8] {
        guard let k = line.kafka else { return try encode(line) }
        var out: [UInt8] = []
        out.reserveCapacity(256 + k.topics.count * 64 + k.groups.count * 48)
        out += #"{"kafka":{"brokers":"#.utf8
        out += try encode(k.brokers)
        if let id = k.clusterId {
            out += #","clusterId":"#.utf8
            Self.string(id, into: &out)
        }
        out += #","errors":"#.utf8
        out += try encode(k.errors)
        out += #","groups":["#.utf8
        for (i, e) in k.groups.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            switch e {
            case let .full(g): out += try encode(g)
            case let .same(name): Self.same(name, into: &out)
            case let .patch(p):
                out += #"{"group":"#.utf8
                Self.string(p.group, into: &out)
                out += #","offsets":"#.utf8
                Self.numbers(p.offsets, into: &out)
                out.append(UInt8(ascii: "}"))
            }
        }
        out.append(UInt8(ascii: "]"))
        if k.sameGroups == true { out += #","sameGroups":true"#.utf8 }
        if k.sameTopics == true { out += #","sameTopics":true"#.utf8 }
        out += #","topics":["#.utf8
        for (i, e) in k.topics.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            switch e {
            case let .full(t): out += try encode(t)
            case let .same(name): Self.same(name, into: &out)
            case let .patch(p):
                out += #"{"hw":"#.utf8
                Self.numbers(p.hw, into: &out)
                if let ls = p.ls {
                    out += #","ls":"#.utf8
                    Self.numbers(ls, into: &out)
                }
                out += #","topic":"#.utf8
                Self.string(p.topic, into: &out)
                out.append(UInt8(ascii: "}"))
            }
        }
        out += #"]},"t":"#.utf8
        out += try encode(line.t)
        out.append(UInt8(ascii: "}"))
        return out
    }

    private static func same(_ name: String, into out: inout [UInt8]) {
        out += #"{"same":"#.utf8
        string(name, into: &out)
        out.append(UInt8(ascii: "}"))
    }

    private static func numbers(_ values: [Int64], into out: inout [UInt8]) {
        out.append(UInt8(ascii: "["))
        for (i, v) in values.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out += String(v).utf8
        }
        out.append(UInt8(ascii: "]"))
    }

    /// A JSON string: quotes, backslashes and control characters escaped, the rest as UTF-8.
    static func string(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""): out += #"\""#.utf8
            case UInt8(ascii: "\\"): out += #"\\"#.utf8
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out += #"\u00"#.utf8
                out.append(hex[Int(b >> 4)])
                out.append(hex[Int(b & 0xF)])
            default: out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
