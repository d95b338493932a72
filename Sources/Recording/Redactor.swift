import ConsoleModel

/// Replaces topic, group, member, client and host names with stable pseudonyms (the same name
/// always gets the same one within a recording), so a recording can leave the company while
/// every view still groups its rows as the original did.
struct Redactor {
    private var names: [Kind: [String: String]] = [:]

    enum Kind: String { case topic, group, member, client, host, cluster, slot, database, capture }

    mutating func pseudonym(_ name: String, _ kind: Kind) -> String {
        if name.isEmpty { return name }
        if let known = names[kind]?[name] { return known }
        let made = "\(kind.rawValue)-\((names[kind]?.count ?? 0) + 1)"
        names[kind, default: [:]][name] = made
        return made
    }

    mutating func redact(_ o: Observation) -> Observation {
        switch o {
        case let .kafka(s): return .kafka(redact(s))
        case let .kafkaError(t, _): return .kafkaError(time: t, message: "(redacted)")
        case let .flinkError(t, _): return .flinkError(time: t, message: "(redacted)")
        case .flink: return o
        case let .postgresError(t, _): return .postgresError(time: t, message: "(redacted)")
        case let .postgres(s): return .postgres(redact(s))
        }
    }

    mutating func redact(_ s: SlotSnapshot) -> SlotSnapshot {
        var s = s
        s.server = pseudonym(s.server, .host)
        s.slots = s.slots.map { slot in
            var slot = slot
            slot.name = pseudonym(slot.name, .slot)
            slot.database = slot.database.map { pseudonym($0, .database) }
            return slot
        }
        s.captures = s.captures?.map { c in
            var c = c
            c.name = pseudonym(c.name, .capture)
            c.slot = pseudonym(c.slot, .slot)
            c.database = pseudonym(c.database, .database)
            c.lastError = c.lastError == nil ? nil : "(redacted)"
            return c
        }
        return s
    }

    mutating func redact(_ s: KafkaSnapshot) -> KafkaSnapshot {
        var s = s
        s.clusterId = s.clusterId.map { pseudonym($0, .cluster) }
        s.brokers = s.brokers.map { b in .init(nodeId: b.nodeId, host: pseudonym(b.host, .host), port: b.port, rack: b.rack) }
        s.topics = s.topics.map { t in
            var t = t
            t.name = pseudonym(t.name, .topic)
            t.partitions = t.partitions.map { p in var p = p; p.error = p.error == nil ? nil : "(redacted)"; return p }
            return t
        }
        s.groups = s.groups.map { g in
            var g = g
            g.groupId = pseudonym(g.groupId, .group)
            g.members = g.members.map { m in
                .init(memberId: pseudonym(m.memberId, .member), clientId: pseudonym(m.clientId, .client), clientHost: pseudonym(m.clientHost, .host),
                      assignment: m.assignment?.map { PartitionRef(pseudonym($0.topic, .topic), $0.partition) })
            }
            g.offsets = g.offsets.map { CommittedOffset(topic: pseudonym($0.topic, .topic), partition: $0.partition, offset: $0.offset) }
            g.error = g.error == nil ? nil : "(redacted)"
            return g
        }
        s.errors = s.errors.map { _ in "(redacted)" }
        return s
    }
}
