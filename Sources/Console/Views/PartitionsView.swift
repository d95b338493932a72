import Services
import ConsoleModel
import Display

/// Partitions of one topic: leadership, replicas, offsets, rate and skew.
enum PartitionsView {
    static let entry = ViewEntry(kind: .partitions, title: { "Topics ▸ \($0.argument ?? "")" }, table: { spec(topic: $0.argument ?? "") })
    static let columns = [
        Column("PART", width: 4, right: true, priority: .identifier), Column("LEADER", width: 6, right: true), Column("REPLICAS", width: 10, flex: 1, priority: .optional(rank: 2)),
        Column("ISR", width: 10, flex: 1), Column("LOG START", width: 11, right: true, priority: .optional(rank: 1)), Column("HIGH WMARK", width: 11, right: true),
        Column("RATE/s", width: 8, right: true, priority: .optional(rank: 3)), Column("SKEW", width: 6, right: true, priority: .optional(rank: 2)),
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
