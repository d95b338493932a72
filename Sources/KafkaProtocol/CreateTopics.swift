/// CreateTopics request (key 19), v0–7. Explicit replica assignments are carried but a
/// single-node server only accepts its own node id in them.
public struct CreateTopicsRequest: KafkaRequest {
    public typealias Response = CreateTopicsResponse
    public static let apiKey = ApiKey.createTopics

    public struct Assignment: Equatable, Sendable {
        public var partitionIndex: Int32
        public var brokerIds: [Int32]
        public init(partitionIndex: Int32, brokerIds: [Int32]) { self.partitionIndex = partitionIndex; self.brokerIds = brokerIds }
    }

    public struct Config: Equatable, Sendable {
        public var name: String
        public var value: String?
        public init(name: String, value: String?) { self.name = name; self.value = value }
    }

    public struct Topic: Equatable, Sendable {
        public var name: String
        /// -1 (v4+) asks for the broker default.
        public var numPartitions: Int32
        public var replicationFactor: Int16
        public var assignments: [Assignment]
        public var configs: [Config]
        public init(name: String, numPartitions: Int32, replicationFactor: Int16 = -1, assignments: [Assignment] = [], configs: [Config] = []) {
            self.name = name; self.numPartitions = numPartitions; self.replicationFactor = replicationFactor
            self.assignments = assignments; self.configs = configs
        }
    }

    public var topics: [Topic]
    public var timeoutMs: Int32
    public var validateOnly: Bool

    public init(topics: [Topic], timeoutMs: Int32 = 60_000, validateOnly: Bool = false) {
        self.topics = topics; self.timeoutMs = timeoutMs; self.validateOnly = validateOnly
    }

    public func encode(into w: inout KafkaWriter, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        w.writeArray(topics, compact: compact) { w, t in
            w.writeString(t.name, compact: compact)
            w.writeInt32(t.numPartitions)
            w.writeInt16(t.replicationFactor)
            w.writeArray(t.assignments, compact: compact) { w, a in
                w.writeInt32(a.partitionIndex)
                w.writeArray(a.brokerIds, compact: compact) { w, id in w.writeInt32(id) }
                if compact { w.writeTaggedFields() }
            }
            w.writeArray(t.configs, compact: compact) { w, c in
                w.writeString(c.name, compact: compact)
                w.writeNullableString(c.value, compact: compact)
                if compact { w.writeTaggedFields() }
            }
            if compact { w.writeTaggedFields() }
        }
        w.writeInt32(timeoutMs)
        if version >= 1 { w.writeBool(validateOnly) }
        if compact { w.writeTaggedFields() }
    }

    public init(from r: inout KafkaReader, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        topics = try r.readArray(compact: compact, "topics") { r in
            let name = try r.readString(compact: compact, "topic name")
            let partitions = try r.readInt32("num partitions")
            let replication = try r.readInt16("replication factor")
            let assignments = try r.readArray(compact: compact, "assignments") { r in
                let index = try r.readInt32("partition index")
                let ids = try r.readArray(compact: compact, "broker ids") { r in try r.readInt32("broker id") }
                if compact { try r.readTaggedFields() }
                return Assignment(partitionIndex: index, brokerIds: ids)
            }
            let configs = try r.readArray(compact: compact, "configs") { r in
                let c = Config(name: try r.readString(compact: compact, "config name"), value: try r.readNullableString(compact: compact, "config value"))
                if compact { try r.readTaggedFields() }
                return c
            }
            if compact { try r.readTaggedFields() }
            return Topic(name: name, numPartitions: partitions, replicationFactor: replication, assignments: assignments, configs: configs)
        }
        timeoutMs = try r.readInt32("timeout ms")
        validateOnly = version >= 1 ? try r.readBool("validate only") : false
        if compact { try r.readTaggedFields() }
    }
}

/// CreateTopics response: per topic an error with a message (v1+) and, from v5, what was created.
public struct CreateTopicsResponse: KafkaMessage {
    public static let apiKey = ApiKey.createTopics

    public struct Topic: Equatable, Sendable {
        public var name: String
        public var topicId: KafkaUUID
        public var errorCode: KafkaErrorCode
        public var errorMessage: String?
        public var numPartitions: Int32
        public var replicationFactor: Int16
        public init(name: String, topicId: KafkaUUID = .zero, errorCode: KafkaErrorCode = .none, errorMessage: String? = nil,
                    numPartitions: Int32 = -1, replicationFactor: Int16 = -1) {
            self.name = name; self.topicId = topicId; self.errorCode = errorCode; self.errorMessage = errorMessage
            self.numPartitions = numPartitions; self.replicationFactor = replicationFactor
        }
    }

    public var throttleTimeMs: Int32
    public var topics: [Topic]

    public init(throttleTimeMs: Int32 = 0, topics: [Topic]) { self.throttleTimeMs = throttleTimeMs; self.topics = topics }

    public func encode(into w: inout KafkaWriter, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        if version >= 2 { w.writeInt32(throttleTimeMs) }
        w.writeArray(topics, compact: compact) { w, t in
            w.writeString(t.name, compact: compact)
            if version >= 7 { w.writeUUID(t.topicId) }
            w.writeInt16(t.errorCode.rawValue)
            if version >= 1 { w.writeNullableString(t.errorMessage, compact: compact) }
            if version >= 5 {
                w.writeInt32(t.numPartitions)
                w.writeInt16(t.replicationFactor)
                w.writeNullableArray([Int](), compact: compact) { _, _ in }   // configs: none described
            }
            if compact { w.writeTaggedFields() }
        }
        if compact { w.writeTaggedFields() }
    }

    public init(from r: inout KafkaReader, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        throttleTimeMs = version >= 2 ? try r.readInt32("throttle time") : 0
        topics = try r.readArray(compact: compact, "topics") { r in
            var t = Topic(name: try r.readString(compact: compact, "topic name"))
            if version >= 7 { t.topicId = try r.readUUID("topic id") }
            t.errorCode = KafkaErrorCode(try r.readInt16("error code"))
            if version >= 1 { t.errorMessage = try r.readNullableString(compact: compact, "error message") }
            if version >= 5 {
                t.numPartitions = try r.readInt32("num partitions")
                t.replicationFactor = try r.readInt16("replication factor")
                _ = try r.readNullableArray(compact: compact, "configs") { r in
                    _ = try r.readString(compact: compact, "config name")
                    _ = try r.readNullableString(compact: compact, "config value")
                    _ = try r.readBool("read only")
                    _ = try r.readInt8("config source")
                    _ = try r.readBool("is sensitive")
                    try r.readTaggedFields()
                }
            }
            if compact { try r.readTaggedFields() }
            return t
        }
        if compact { try r.readTaggedFields() }
    }
}
