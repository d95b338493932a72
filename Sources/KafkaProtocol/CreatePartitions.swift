/// CreatePartitions request (key 37), v0–3: raise topics' partition counts (what
/// `kafka-topics --alter --partitions` and admin clients' `create_partitions` send). v2 is
/// flexible; v3 only adds a throttling error.
public struct CreatePartitionsRequest: KafkaRequest {
    public typealias Response = CreatePartitionsResponse
    public static let apiKey = ApiKey.createPartitions

    public struct Topic: Equatable, Sendable {
        public var name: String
        /// The new total partition count.
        public var count: Int32
        /// Broker ids for each new partition; nil: the broker chooses.
        public var assignments: [[Int32]]?
        public init(name: String, count: Int32, assignments: [[Int32]]? = nil) {
            self.name = name; self.count = count; self.assignments = assignments
        }
    }

    public var topics: [Topic]
    public var timeoutMs: Int32
    public var validateOnly: Bool

    public init(topics: [Topic], timeoutMs: Int32 = 30_000, validateOnly: Bool = false) {
        self.topics = topics; self.timeoutMs = timeoutMs; self.validateOnly = validateOnly
    }

    public func encode(into w: inout KafkaWriter, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        w.writeArray(topics, compact: compact) { w, t in
            w.writeString(t.name, compact: compact)
            w.writeInt32(t.count)
            w.writeNullableArray(t.assignments, compact: compact) { w, ids in
                w.writeArray(ids, compact: compact) { w, id in w.writeInt32(id) }
                if compact { w.writeTaggedFields() }
            }
            if compact { w.writeTaggedFields() }
        }
        w.writeInt32(timeoutMs)
        w.writeBool(validateOnly)
        if compact { w.writeTaggedFields() }
    }

    public init(from r: inout KafkaReader, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        topics = try r.readArray(compact: compact, "topics") { r in
            let name = try r.readString(compact: compact, "topic name")
            let count = try r.readInt32("partition count")
            let assignments = try r.readNullableArray(compact: compact, "assignments") { r in
                let ids = try r.readArray(compact: compact, "broker ids") { r in try r.readInt32("broker id") }
                if compact { try r.readTaggedFields() }
                return ids
            }
            if compact { try r.readTaggedFields() }
            return Topic(name: name, count: count, assignments: assignments)
        }
        timeoutMs = try r.readInt32("timeout")
        validateOnly = try r.readBool("validate only")
        if compact { try r.readTaggedFields() }
    }
}

/// CreatePartitions response: an error and message per topic (NONE, UNKNOWN_TOPIC_OR_PARTITION,
/// INVALID_PARTITIONS, INVALID_REPLICA_ASSIGNMENT, …).
public struct CreatePartitionsResponse: KafkaMessage {
    public static let apiKey = ApiKey.createPartitions

    public struct Result: Equatable, Sendable {
        public var name: String
        public var errorCode: KafkaErrorCode
        public var errorMessage: String?
        public init(name: String, errorCode: KafkaErrorCode = .none, errorMessage: String? = nil) {
            self.name = name; self.errorCode = errorCode; self.errorMessage = errorMessage
        }
    }

    public var throttleTimeMs: Int32
    public var results: [Result]

    public init(throttleTimeMs: Int32 = 0, results: [Result]) { self.throttleTimeMs = throttleTimeMs; self.results = results }

    public func encode(into w: inout KafkaWriter, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        w.writeInt32(throttleTimeMs)
        w.writeArray(results, compact: compact) { w, t in
            w.writeString(t.name, compact: compact)
            w.writeInt16(t.errorCode.rawValue)
            w.writeNullableString(t.errorMessage, compact: compact)
            if compact { w.writeTaggedFields() }
        }
        if compact { w.writeTaggedFields() }
    }

    public init(from r: inout KafkaReader, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        throttleTimeMs = try r.readInt32("throttle time")
        results = try r.readArray(compact: compact, "results") { r in
            let t = Result(name: try r.readString(compact: compact, "topic name"), errorCode: KafkaErrorCode(try r.readInt16("error code")),
                           errorMessage: try r.readNullableString(compact: compact, "error message"))
            if compact { try r.readTaggedFields() }
            return t
        }
        if compact { try r.readTaggedFields() }
    }
}
