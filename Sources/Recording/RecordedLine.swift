import ConsoleModel

/// One event line as written (docs/recording.md). A Kafka reading refers to topics and groups
/// that did not change since the previous reading instead of writing them again.
struct RecordedLine: Codable {
    var t: Double
    var kafka: KafkaLine?
    var kafkaError: String?
    var flink: FlinkSnapshot?
    var flinkError: String?
    var marker: MarkerBody?
    /// A replication-slot reading, written whole: a few slots, small.
    var postgres: SlotSnapshot?
    var postgresError: String?

    struct MarkerBody: Codable {
        var kind: Marker.Kind
        var text: String
    }

    struct KafkaLine: Codable {
        var clusterId: String?
        var brokers: [KafkaSnapshot.Broker]
        var topics: [Entry<KafkaSnapshot.Topic, TopicPatch>]
        var groups: [Entry<KafkaSnapshot.Group, GroupPatch>]
        var errors: [String]
        /// Every topic (or group) exactly as in the previous reading, in the same order; the list
        /// is then empty (format version 2).
        var sameTopics: Bool?
        var sameGroups: Bool?
    }

    /// A topic whose partitions kept their leaders, replicas and ISR: the change of each
    /// partition's high watermark (and log start, when it moved) since the previous reading, in
    /// the previous reading's partition order.
    struct TopicPatch: Codable, Equatable {
        var topic: String
        var hw: [Int64]
        var ls: [Int64]?
    }

    /// A group that changed only its committed offsets: the change of each, in the previous
    /// reading's order.
    struct GroupPatch: Codable, Equatable {
        var group: String
        var offsets: [Int64]
    }

    /// A part written whole, `{"same": name}` for one unchanged since the previous reading, or a
    /// patch against the previous reading's part (format version 2).
    enum Entry<T: Codable, Patch: Codable>: Codable {
        case full(T)
        case same(String)
        case patch(Patch)

        private enum Keys: String, CodingKey { case same, topic, group }

        init(from decoder: Decoder) throws {
            let c = try? decoder.container(keyedBy: Keys.self)
            if let c, let name = try c.decodeIfPresent(String.self, forKey: .same) {
                self = .same(name)
            } else if let c, c.contains(.topic) || c.contains(.group) {
                self = .patch(try Patch(from: decoder))
            } else {
                self = .full(try T(from: decoder))
            }
        }

        func encode(to encoder: Encoder) throws {
            switch self {
            case let .full(value): try value.encode(to: encoder)
            case let .patch(value): try value.encode(to: encoder)
            case let .same(name):
                var c = encoder.container(keyedBy: Keys.self)
                try c.encode(name, forKey: .same)
            }
        }
    }
}

extension RecordedLine.TopicPatch {
    /// The patch taking `old` to `new`, when only watermarks moved.
    init?(from old: KafkaSnapshot.Topic, to new: KafkaSnapshot.Topic) {
        guard old.name == new.name, old.isInternal == new.isInternal, old.partitions.count == new.partitions.count else { return nil }
        var hw: [Int64] = [], ls: [Int64] = []
        hw.reserveCapacity(new.partitions.count)
        var lsMoved = false
        for (a, b) in zip(old.partitions, new.partitions) {
            guard a.partition == b.partition, a.leader == b.leader, a.replicas == b.replicas, a.isr == b.isr, a.error == b.error,
                  let ah = a.highWatermark, let bh = b.highWatermark else { return nil }
            hw.append(bh &- ah)
            if a.logStartOffset != b.logStartOffset {
                guard a.logStartOffset != nil, b.logStartOffset != nil else { return nil }
                lsMoved = true
            }
            ls.append((b.logStartOffset ?? 0) &- (a.logStartOffset ?? 0))
        }
        topic = new.name
        self.hw = hw
        self.ls = lsMoved ? ls : nil
    }

    func apply(to old: KafkaSnapshot.Topic) -> KafkaSnapshot.Topic? {
        guard hw.count == old.partitions.count, ls.map({ $0.count == hw.count }) ?? true else { return nil }
        var t = old
        for i in t.partitions.indices {
            t.partitions[i].highWatermark = t.partitions[i].highWatermark.map { $0 &+ hw[i] }
            if let ls { t.partitions[i].logStartOffset = t.partitions[i].logStartOffset.map { $0 &+ ls[i] } }
        }
        return t
    }
}

extension RecordedLine.GroupPatch {
    /// The patch taking `old` to `new`, when only committed offsets moved.
    init?(from old: KafkaSnapshot.Group, to new: KafkaSnapshot.Group) {
        guard old.groupId == new.groupId, old.state == new.state, old.protocolType == new.protocolType, old.assignor == new.assignor,
              old.error == new.error, old.offsets.count == new.offsets.count, old.members == new.members else { return nil }
        var deltas: [Int64] = []
        deltas.reserveCapacity(new.offsets.count)
        for (a, b) in zip(old.offsets, new.offsets) {
            guard a.partition == b.partition, a.topic == b.topic else { return nil }
            deltas.append(b.offset &- a.offset)
        }
        group = new.groupId
        offsets = deltas
    }

    func apply(to old: KafkaSnapshot.Group) -> KafkaSnapshot.Group? {
        guard offsets.count == old.offsets.count else { return nil }
        var g = old
        for i in g.offsets.indices { g.offsets[i].offset = g.offsets[i].offset &+ offsets[i] }
        return g
    }
}

/// Turns readings into lines, remembering the previous reading so unchanged parts become
/// references; every `keyframeSeconds` a reading is written whole.
struct DeltaEncoder {
    var keyframeSeconds: Double = 600
    private var topics: [String: KafkaSnapshot.Topic] = [:]
    private var groups: [String: KafkaSnapshot.Group] = [:]
    private var lastTopics: [KafkaSnapshot.Topic] = []
    private var lastGroups: [KafkaSnapshot.Group] = []
    private var lastKeyframe: Double?

    mutating func line(for event: RecordingEvent) -> RecordedLine {
        switch event {
        case let .marker(m):
            return RecordedLine(t: m.time, marker: .init(kind: m.kind, text: m.text))
        case let .observation(o):
            switch o {
            case let .kafka(s): return RecordedLine(t: s.time, kafka: kafka(s))
            case let .kafkaError(t, message): return RecordedLine(t: t, kafkaError: message)
            case let .flink(s): return RecordedLine(t: s.time, flink: s)
            case let .flinkError(t, message): return RecordedLine(t: t, flinkError: message)
            case let .postgres(s): return RecordedLine(t: s.time, postgres: s)
            case let .postgresError(t, message): return RecordedLine(t: t, postgresError: message)
            }
        }
    }

    private mutating func kafka(_ s: KafkaSnapshot) -> RecordedLine.KafkaLine {
        let whole = lastKeyframe.map { s.time - $0 >= keyframeSeconds || s.time < $0 } ?? true
        if whole { lastKeyframe = s.time }
        // A quiet cluster: the whole list as before, one flag instead of a reference per part.
        let sameTopics = !whole && s.topics == lastTopics
        let sameGroups = !whole && s.groups == lastGroups
        let topicEntries = sameTopics ? [] : s.topics.map { t -> RecordedLine.Entry<KafkaSnapshot.Topic, RecordedLine.TopicPatch> in
            guard !whole, let old = topics[t.name] else { return .full(t) }
            if old == t { return .same(t.name) }
            return RecordedLine.TopicPatch(from: old, to: t).map { .patch($0) } ?? .full(t)
        }
        let groupEntries = sameGroups ? [] : s.groups.map { g -> RecordedLine.Entry<KafkaSnapshot.Group, RecordedLine.GroupPatch> in
            guard !whole, let old = groups[g.groupId] else { return .full(g) }
            if old == g { return .same(g.groupId) }
            return RecordedLine.GroupPatch(from: old, to: g).map { .patch($0) } ?? .full(g)
        }
        if !sameTopics {
            topics = Dictionary(s.topics.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
            lastTopics = s.topics
        }
        if !sameGroups {
            groups = Dictionary(s.groups.map { ($0.groupId, $0) }, uniquingKeysWith: { a, _ in a })
            lastGroups = s.groups
        }
        return .init(clusterId: s.clusterId, brokers: s.brokers, topics: topicEntries, groups: groupEntries, errors: s.errors,
                     sameTopics: sameTopics ? true : nil, sameGroups: sameGroups ? true : nil)
    }
}

/// Rebuilds events from lines, resolving references against the previous Kafka reading.
struct DeltaDecoder {
    private var topics: [String: KafkaSnapshot.Topic] = [:]
    private var groups: [String: KafkaSnapshot.Group] = [:]
    private var lastTopics: [KafkaSnapshot.Topic]?
    private var lastGroups: [KafkaSnapshot.Group]?

    struct Unresolved: Error, CustomStringConvertible {
        var what: String
        var description: String { "refers to \(what), which no earlier reading holds" }
    }

    /// The parts of a reading, references and patches resolved against the previous reading's.
    private static func resolve<T, P>(_ entries: [RecordedLine.Entry<T, P>], known: [String: T], what: String,
                                      patch: (P) -> (name: String, apply: (T) -> T?)) throws -> [T] {
        try entries.map { e in
            switch e {
            case let .full(value): return value
            case let .same(name):
                guard let value = known[name] else { throw Unresolved(what: "\(what) '\(name)'") }
                return value
            case let .patch(p):
                let (name, apply) = patch(p)
                guard let old = known[name] else { throw Unresolved(what: "\(what) '\(name)'") }
                guard let value = apply(old) else { throw Unresolved(what: "\(what) '\(name)' with another number of partitions") }
                return value
            }
        }
    }

    mutating func event(from line: RecordedLine) throws -> RecordingEvent {
        if let m = line.marker { return .marker(Marker(time: line.t, kind: m.kind, text: m.text)) }
        if let message = line.kafkaError { return .observation(.kafkaError(time: line.t, message: message)) }
        if let message = line.flinkError { return .observation(.flinkError(time: line.t, message: message)) }
        if let f = line.flink { return .observation(.flink(f)) }
        if let message = line.postgresError { return .observation(.postgresError(time: line.t, message: message)) }
        if let p = line.postgres { return .observation(.postgres(p)) }
        guard let k = line.kafka else { throw Unresolved(what: "nothing Sluice knows (no kafka, flink, postgres, error or marker)") }
        let ts: [KafkaSnapshot.Topic], gs: [KafkaSnapshot.Group]
        if k.sameTopics == true {
            guard let last = lastTopics else { throw Unresolved(what: "the previous reading's topics") }
            ts = last
        } else {
            ts = try Self.resolve(k.topics, known: topics, what: "topic") { p in (p.topic, p.apply(to:)) }
            topics = Dictionary(ts.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
            lastTopics = ts
        }
        if k.sameGroups == true {
            guard let last = lastGroups else { throw Unresolved(what: "the previous reading's groups") }
            gs = last
        } else {
            gs = try Self.resolve(k.groups, known: groups, what: "group") { p in (p.group, p.apply(to:)) }
            groups = Dictionary(gs.map { ($0.groupId, $0) }, uniquingKeysWith: { a, _ in a })
            lastGroups = gs
        }
        return .observation(.kafka(KafkaSnapshot(time: line.t, clusterId: k.clusterId, brokers: k.brokers, topics: ts, groups: gs, errors: k.errors)))
    }
}
