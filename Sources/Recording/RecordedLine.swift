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

    struct MarkerBody: Codable {
        var kind: Marker.Kind
        var text: String
    }

    struct KafkaLine: Codable {
        var clusterId: String?
        var brokers: [KafkaSnapshot.Broker]
        var topics: [Entry<KafkaSnapshot.Topic>]
        var groups: [Entry<KafkaSnapshot.Group>]
        var errors: [String]
    }

    /// A part written whole, or `{"same": name}` for one unchanged since the previous reading.
    enum Entry<T: Codable>: Codable {
        case full(T)
        case same(String)

        private enum Keys: String, CodingKey { case same }

        init(from decoder: Decoder) throws {
            if let c = try? decoder.container(keyedBy: Keys.self), let name = try c.decodeIfPresent(String.self, forKey: .same) {
                self = .same(name)
            } else {
                self = .full(try T(from: decoder))
            }
        }

        func encode(to encoder: Encoder) throws {
            switch self {
            case let .full(value): try value.encode(to: encoder)
            case let .same(name):
                var c = encoder.container(keyedBy: Keys.self)
                try c.encode(name, forKey: .same)
            }
        }
    }
}

/// Turns readings into lines, remembering the previous reading so unchanged parts become
/// references; every `keyframeSeconds` a reading is written whole.
struct DeltaEncoder {
    var keyframeSeconds: Double = 600
    private var topics: [String: KafkaSnapshot.Topic] = [:]
    private var groups: [String: KafkaSnapshot.Group] = [:]
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
            }
        }
    }

    private mutating func kafka(_ s: KafkaSnapshot) -> RecordedLine.KafkaLine {
        let whole = lastKeyframe.map { s.time - $0 >= keyframeSeconds || s.time < $0 } ?? true
        if whole { lastKeyframe = s.time }
        let topicEntries = s.topics.map { t -> RecordedLine.Entry<KafkaSnapshot.Topic> in
            !whole && topics[t.name] == t ? .same(t.name) : .full(t)
        }
        let groupEntries = s.groups.map { g -> RecordedLine.Entry<KafkaSnapshot.Group> in
            !whole && groups[g.groupId] == g ? .same(g.groupId) : .full(g)
        }
        topics = Dictionary(s.topics.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        groups = Dictionary(s.groups.map { ($0.groupId, $0) }, uniquingKeysWith: { a, _ in a })
        return .init(clusterId: s.clusterId, brokers: s.brokers, topics: topicEntries, groups: groupEntries, errors: s.errors)
    }
}

/// Rebuilds events from lines, resolving references against the previous Kafka reading.
struct DeltaDecoder {
    private var topics: [String: KafkaSnapshot.Topic] = [:]
    private var groups: [String: KafkaSnapshot.Group] = [:]

    struct Unresolved: Error, CustomStringConvertible {
        var what: String
        var description: String { "refers to \(what), which no earlier reading holds" }
    }

    /// The parts of a reading, references replaced by the part the previous reading held.
    private static func resolve<T>(_ entries: [RecordedLine.Entry<T>], known: [String: T], what: String) throws -> [T] {
        try entries.map { e in
            switch e {
            case let .full(value): return value
            case let .same(name):
                guard let value = known[name] else { throw Unresolved(what: "\(what) '\(name)'") }
                return value
            }
        }
    }

    mutating func event(from line: RecordedLine) throws -> RecordingEvent {
        if let m = line.marker { return .marker(Marker(time: line.t, kind: m.kind, text: m.text)) }
        if let message = line.kafkaError { return .observation(.kafkaError(time: line.t, message: message)) }
        if let message = line.flinkError { return .observation(.flinkError(time: line.t, message: message)) }
        if let f = line.flink { return .observation(.flink(f)) }
        guard let k = line.kafka else { throw Unresolved(what: "nothing Sluice knows (no kafka, flink, error or marker)") }
        let ts = try Self.resolve(k.topics, known: topics, what: "topic")
        let gs = try Self.resolve(k.groups, known: groups, what: "group")
        topics = Dictionary(ts.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        groups = Dictionary(gs.map { ($0.groupId, $0) }, uniquingKeysWith: { a, _ in a })
        return .observation(.kafka(KafkaSnapshot(time: line.t, clusterId: k.clusterId, brokers: k.brokers, topics: ts, groups: gs, errors: k.errors)))
    }
}
