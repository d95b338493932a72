import Services
import ConsoleModel
import Display

/// Topics: partitions, retained messages, produce rate and the hottest partition's skew.
enum TopicsView {
    static let entry = ViewEntry(kind: .topics, route: .topics, key: "2", commands: ["topics", "topic", "t"], title: { _ in "Topics" },
                                 table: { _ in spec }, emptyText: "no topics", help: "Topics")
    static let columns = [
        Column("TOPIC", width: 20, flex: 3, priority: .identifier), Column("PARTS", width: 5, right: true), Column("MESSAGES", width: 12, right: true),
        Column("RATE/s", width: 9, right: true, priority: .optional(rank: 3)), Column("MAX SKEW", width: 8, right: true, priority: .optional(rank: 2)), Column("INTERNAL", width: 8, priority: .optional(rank: 1)),
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
