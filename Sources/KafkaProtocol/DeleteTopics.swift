/// DeleteTopics request (key 20), v0–5 (topics by name; v6's topic ids are not offered).
public struct DeleteTopicsRequest: KafkaRequest {
    public typealias Response = DeleteTopicsResponse
    public static let apiKey = ApiKey.deleteTopics

    public var topicNames: [String]
    public var timeoutMs: Int32

    public init(topicNames: [String], timeoutMs: Int32 = 30_000) { self.topicNames = topicNames; self.timeoutMs = timeoutMs }

    public func encode(into w: inout KafkaWriter, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        w.writeArray(topicNames, compact: compact) { w, n in w.writeString(n, compact: compact) }
        w.writeInt32(timeoutMs)
        if compact { w.writeTaggedFields() }
    }

    public init(from r: inout KafkaReader, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        topicNames = try r.readArray(compact: compact, "topic names") { r in try r.readString(compact: compact, "topic name") }
        timeoutMs = try r.readInt32("timeout ms")
        if compact { try r.readTaggedFields() }
    }
}

/// DeleteTopics response: an error per topic, with a message from v5.
public struct DeleteTopicsResponse: KafkaMessage {
    public static let apiKey = ApiKey.deleteTopics

    public struct Topic: Equatable, Sendable {
        public var name: String
        public var errorCode: KafkaErrorCode
        public var errorMessage: String?
        public init(name: String, errorCode: KafkaErrorCode = .none, errorMessage: String? = nil) {
            self.name = name; self.errorCode = errorCode; self.errorMessage = errorMessage
        }
    }

    public var throttleTimeMs: Int32
    public var responses: [Topic]

    public init(throttleTimeMs: Int32 = 0, responses: [Topic]) { self.throttleTimeMs = throttleTimeMs; self.responses = responses }

    public func encode(into w: inout KafkaWriter, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        if version >= 1 { w.writeInt32(throttleTimeMs) }
        w.writeArray(responses, compact: compact) { w, t in
            w.writeString(t.name, compact: compact)
            w.writeInt16(t.errorCode.rawValue)
            if version >= 5 { w.writeNullableString(t.errorMessage, compact: compact) }
            if compact { w.writeTaggedFields() }
        }
        if compact { w.writeTaggedFields() }
    }

    public init(from r: inout KafkaReader, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        throttleTimeMs = version >= 1 ? try r.readInt32("throttle time") : 0
        responses = try r.readArray(compact: compact, "responses") { r in
            var t = Topic(name: try r.readString(compact: compact, "topic name"), errorCode: KafkaErrorCode(try r.readInt16("error code")))
            if version >= 5 { t.errorMessage = try r.readNullableString(compact: compact, "error message") }
            if compact { try r.readTaggedFields() }
            return t
        }
        if compact { try r.readTaggedFields() }
    }
}
