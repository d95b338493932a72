import Services
import ConsoleModel
import Display

/// Topics: partitions, retained messages, produce rate and the hottest partition's skew.
enum TopicsView {
    static let columns = [
        Column("TOPIC", width: 20, flex: 3), Column("PARTS", width: 5, right: true), Column("MESSAGES", width: 12, right: true),
        Column("RATE/s", width: 9, right: true), Column("MAX SKEW", width: 8, right: true), Column("INTERNAL", width: 8),
    ]

    static let spec = TableSpec(columns: columns, rows: { model in
        model.topics.map { t in
            TableRow(id: t.name,
                     cells: [t.name, "\(t.partitions.count)", Format.count(t.messages), Format.rate(t.produceRate), skew(t.maxSkew),
                             t.isInternal ? "yes" : ""],
                     sortKeys: [.text(t.name), .number(Double(t.partitions.count)), num(t.messages), num(t.produceRate), num(t.maxSkew),
                                .text(t.isInternal ? "1" : "0")],
                     cellRoles: [nil, nil, nil, nil, (t.maxSkew ?? 0) >= 2 ? .statusWarn : nil, .dim])
        }
    }, open: { .partitions(topic: $0) })

    static func skew(_ s: Double?) -> String {
        guard let s, s.isFinite else { return "-" }
        return "\(Double(Int(s * 100)) / 100)×"
    }
}

/// Partitions of one topic: leadership, replicas, offsets, rate and skew.
enum PartitionsView {
    static let columns = [
        Column("PART", width: 4, right: true), Column("LEADER", width: 6, right: true), Column("REPLICAS", width: 10, flex: 1),
        Column("ISR", width: 10, flex: 1), Column("LOG START", width: 11, right: true), Column("HIGH WMARK", width: 11, right: true),
        Column("RATE/s", width: 8, right: true), Column("SKEW", width: 6, right: true),
    ]

    static func spec(topic: String) -> TableSpec {
        TableSpec(columns: columns, rows: { model in
            guard let t = model.topics.first(where: { $0.name == topic }) else { return [] }
            return t.partitions.map { p in
                let underReplicated = Set(p.isr) != Set(p.replicas)
                return TableRow(id: "\(p.partition)",
                                cells: ["\(p.partition)", "\(p.leader)", p.replicas.map(String.init).joined(separator: ","),
                                        p.isr.map(String.init).joined(separator: ","), Format.count(p.logStartOffset),
                                        p.highWatermark.map { Format.count($0) } ?? (p.error.map { _ in "unknown" } ?? "-"),
                                        Format.rate(p.produceRate), TopicsView.skew(p.skew)],
                                sortKeys: [.number(Double(p.partition)), .number(Double(p.leader)), .text(""), .text(""),
                                           num(p.logStartOffset), num(p.highWatermark), num(p.produceRate), num(p.skew)],
                                cellRoles: [nil, p.leader < 0 ? .statusErr : nil, nil, underReplicated ? .statusWarn : nil, nil,
                                            p.highWatermark == nil ? .dim : nil, nil, (p.skew ?? 0) >= 2 ? .statusWarn : nil],
                                filterText: "\(p.partition)")
            }
        }, preamble: { model in
            guard let t = model.topics.first(where: { $0.name == topic }) else { return ["topic \(topic) is not in the latest reading"] }
            return ["\(t.partitions.count) partitions  ·  \(Format.count(t.messages)) messages  ·  \(Format.rate(t.produceRate)) msg/s"]
        })
    }
}

/// Rebalances: the timeline, newest first.
enum RebalancesView {
    static let columns = [
        Column("GROUP", width: 16, flex: 2), Column("DETECTED", width: 8), Column("DURATION", width: 8, right: true),
        Column("MEMBERS", width: 7, right: true), Column("MOVED", width: 5, right: true), Column("CAUSE", width: 14, flex: 2),
    ]

    static let spec = TableSpec(columns: columns, defaultSort: (1, false), rows: { model in
        model.rebalances.events.enumerated().map { i, e in
            let members = "\(e.membersBefore)→\(e.membersAfter.map(String.init) ?? "?")"
            let duration = e.duration.map { $0 == 0 ? "<\(Format.duration(max(1, e.detectedAt - e.earliestStart)))" : Format.duration($0) } ?? "open"
            return TableRow(id: "\(i)", cells: [e.groupId, Format.clock(e.detectedAt), duration, members,
                                                e.partitionsMoved.map(String.init) ?? "?", e.cause],
                            sortKeys: [.text(e.groupId), .number(e.detectedAt), num(e.duration), .number(Double(e.membersBefore)),
                                       num(e.partitionsMoved.map(Int64.init)), .text(e.cause)],
                            cellRoles: [nil, nil, e.isOpen ? .statusWarn : nil, nil, nil, nil],
                            filterText: "\(e.groupId) \(e.cause)")
        }
    })
}
