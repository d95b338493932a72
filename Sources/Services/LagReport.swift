import Foundation
import ConsoleModel
import Display

/// The non-interactive `sluice lag` report, as text (like `kafka-consumer-groups --describe`) or
/// as the stable JSON form documented in docs/lag-json.md.
public enum LagReport {
    /// The documented JSON shape; field names are part of Sluice's interface.
    public struct Document: Codable, Equatable {
        public var time: String
        public var bootstrap: String
        public var groups: [Group]
    }

    public struct Group: Codable, Equatable {
        public var group: String
        public var state: String
        public var status: String
        public var protocolType: String
        public var assignor: String?
        public var totalLag: Int64?
        public var error: String?
        public var members: [Member]
        public var partitions: [Partition]

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(group, forKey: .group)
            try c.encode(state, forKey: .state)
            try c.encode(status, forKey: .status)
            try c.encode(protocolType, forKey: .protocolType)
            try c.encode(assignor, forKey: .assignor)
            try c.encode(totalLag, forKey: .totalLag)
            try c.encode(error, forKey: .error)
            try c.encode(members, forKey: .members)
            try c.encode(partitions, forKey: .partitions)
        }
    }

    public struct Member: Codable, Equatable {
        public var memberId: String
        public var clientId: String?
        public var host: String?
        public var assignment: [PartitionRef]?

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(memberId, forKey: .memberId)
            try c.encode(clientId, forKey: .clientId)
            try c.encode(host, forKey: .host)
            try c.encode(assignment, forKey: .assignment)
        }
    }

    public struct Partition: Codable, Equatable {
        public var topic: String
        public var partition: Int32
        public var committed: Int64?
        public var endOffset: Int64?
        public var lag: Int64?
        public var timeLagMs: Int64?
        public var timeLagIsLowerBound: Bool
        public var memberId: String?
        public var status: String

        // Explicit so that unknown values appear as null instead of vanishing: consumers of the
        // JSON can rely on every key being present.
        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(topic, forKey: .topic)
            try c.encode(partition, forKey: .partition)
            try c.encode(committed, forKey: .committed)
            try c.encode(endOffset, forKey: .endOffset)
            try c.encode(lag, forKey: .lag)
            try c.encode(timeLagMs, forKey: .timeLagMs)
            try c.encode(timeLagIsLowerBound, forKey: .timeLagIsLowerBound)
            try c.encode(memberId, forKey: .memberId)
            try c.encode(status, forKey: .status)
        }
    }

    public static func document(_ groups: [GroupSummary], bootstrap: String, time: Double) -> Document {
        Document(time: iso8601(time), bootstrap: bootstrap, groups: groups.map { g in
            Group(group: g.groupId, state: g.state.isEmpty ? "Unknown" : g.state, status: g.rawStatus.rawValue,
                  protocolType: g.protocolType, assignor: g.assignor.isEmpty ? nil : g.assignor, totalLag: g.totalLag, error: g.error,
                  members: g.members.map { Member(memberId: $0.memberId, clientId: $0.clientId.isEmpty ? nil : $0.clientId,
                                                  host: $0.clientHost.isEmpty ? nil : $0.clientHost, assignment: $0.assignment) },
                  partitions: g.partitions.map { p in
                      Partition(topic: p.topic, partition: p.partition, committed: p.committed, endOffset: p.endOffset, lag: p.lag,
                                timeLagMs: p.timeLag.flatMap { $0.seconds.isFinite ? Int64(($0.seconds * 1000).rounded()) : nil },
                                timeLagIsLowerBound: p.timeLag?.isLowerBound ?? false, memberId: p.owner?.memberId, status: p.status.rawValue)
                  })
        })
    }

    /// The document as JSON; a failure to encode is an error, never a silent `{}`.
    public static func json(_ doc: Document) throws -> String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try enc.encode(doc), as: UTF8.self)
    }

    /// Columns as kafka-consumer-groups prints them, plus time lag and status. Remote strings are
    /// sanitised and cut by display width.
    public static func text(_ groups: [GroupSummary]) -> String {
        let header = ["GROUP", "TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG", "TIME-LAG", "CONSUMER-ID", "HOST", "CLIENT-ID", "STATUS"]
        // Rows per group (sanitised, cut), so each group's block is printed from its own list.
        let cellsByGroup: [[[String]]] = groups.map { g in
            var rows: [[String]] = []
            if g.partitions.isEmpty {
                rows.append([g.groupId, "-", "-", "-", "-", "-", "-", "-", "-", "-", g.rawStatus.rawValue])
            }
            for p in g.partitions {
                rows.append([g.groupId, p.topic, String(p.partition), p.committed.map(String.init) ?? "-",
                             p.endOffset.map(String.init) ?? "-", p.lag.map(String.init) ?? "-", Format.timeLag(p.timeLag),
                             nonEmpty(p.owner?.memberId), nonEmpty(p.owner?.clientHost), nonEmpty(p.owner?.clientId), p.status.rawValue])
            }
            return rows.map { $0.map { DisplayText.cell($0, width: 64) } }
        }
        var widths = header.map(DisplayText.width)
        for rows in cellsByGroup { for r in rows { for (i, c) in r.enumerated() { widths[i] = max(widths[i], DisplayText.width(c)) } } }
        var out = ""
        for (index, g) in groups.enumerated() {
            if index > 0 { out += "\n" }
            out += "GROUP \(DisplayText.cell(g.groupId, width: 200)): state \(DisplayText.cell(g.state.isEmpty ? "Unknown" : g.state, width: 40)), "
            out += "\(g.members.count) member\(g.members.count == 1 ? "" : "s"), lag \(Format.count(g.totalLag)), status \(g.rawStatus.rawValue)"
            if let e = g.error { out += " — \(DisplayText.cell(e, width: 200))" }
            out += "\n"
            out += line(header, widths) + "\n"
            for r in cellsByGroup[index] { out += line(r, widths) + "\n" }
        }
        return out.isEmpty ? "no consumer groups\n" : out
    }

    private static func nonEmpty(_ s: String?) -> String { (s?.isEmpty ?? true) ? "-" : s! }

    private static func line(_ cells: [String], _ widths: [Int]) -> String {
        zip(cells, widths).enumerated().map { i, cw in
            DisplayText.padded(cw.0, width: cw.1, alignRight: (2...5).contains(i))
        }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
    }

    static func iso8601(_ t: Double) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: Date(timeIntervalSince1970: t))
    }
}
