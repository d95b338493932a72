/// Metadata request (key 3). `topics == nil` asks for all topics (v1+); an empty list asks for
/// brokers only.
public struct MetadataRequest: KafkaRequest {
    public typealias Response = MetadataResponse
    public static let apiKey = ApiKey.metadata
    public var topics: [String]?
    public var allowAutoTopicCreation: Bool
    public var includeTopicAuthorizedOperations: Bool

    public init(topics: [String]?, allowAutoTopicCreation: Bool = false, includeTopicAuthorizedOperations: Bool = false) {
        self.topics = topics
        self.allowAutoTopicCreation = allowAutoTopicCreation
        self.includeTopicAuthorizedOperations = includeTopicAuthorizedOperations
    }

    public func encode(into w: inout KafkaWriter, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        if version == 0 && topics == nil {
            w.writeArray([String](), compact: false) { _, _ in }  // v0: empty means all topics
        } else {
            w.writeNullableArray(topics, compact: compact) { w, name in
                if version >= 10 { w.writeUUID(.zero) }
                w.writeNullableString(name, compact: compact)
                if compact { w.writeTaggedFields() }
            }
        }
        if version >= 4 { w.writeBool(allowAutoTopicCreation) }
        if (8...10).contains(version) { w.writeBool(false) }
        if version >= 8 { w.writeBool(includeTopicAuthorizedOperations) }
        if compact { w.writeTaggedFields() }
    }

    public init(from r: inout KafkaReader, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        let list: [String?]? = try r.readNullableArray(compact: compact, "topics") { r in
            if version >= 10 { _ = try r.readUUID("topic id") }
            let name = try r.readNullableString(compact: compact, "topic name")
            if compact { try r.readTaggedFields() }
            return name
        }
        topics = list.map { $0.compactMap { $0 } }
        if version == 0 && topics?.isEmpty == true { topics = nil }
        allowAutoTopicCreation = version >= 4 ? try r.readBool("allow auto topic creation") : true
        if (8...10).contains(version) { _ = try r.readBool("include cluster authorized operations") }
        includeTopicAuthorizedOperations = version >= 8 ? try r.readBool("include topic authorized operations") : false
        if compact { try r.readTaggedFields() }
    }
}

/// Metadata response: brokers, cluster id, controller, and per-topic partition leadership.
public struct MetadataResponse: KafkaMessage {
    public static let apiKey = ApiKey.metadata

    public struct Broker: Equatable, Sendable {
        public var nodeId: Int32
        public var host: String
        public var port: Int32
        public var rack: String?
        public init(nodeId: Int32, host: String, port: Int32, rack: String? = nil) {
            self.nodeId = nodeId; self.host = host; self.port = port; self.rack = rack
        }
    }

    public struct Partition: Equatable, Sendable {
        public var errorCode: KafkaErrorCode
        public var partitionIndex: Int32
        public var leaderId: Int32
        public var leaderEpoch: Int32
        public var replicaNodes: [Int32]
        public var isrNodes: [Int32]
        public var offlineReplicas: [Int32]
        public init(errorCode: KafkaErrorCode = .none, partitionIndex: Int32, leaderId: Int32, leaderEpoch: Int32 = -1,
                    replicaNodes: [Int32], isrNodes: [Int32], offlineReplicas: [Int32] = []) {
            self.errorCode = errorCode; self.partitionIndex = partitionIndex; self.leaderId = leaderId
            self.leaderEpoch = leaderEpoch; self.replicaNodes = replicaNodes; self.isrNodes = isrNodes
            self.offlineReplicas = offlineReplicas
        }
    }

    public struct Topic: Equatable, Sendable {
        public var errorCode: KafkaErrorCode
        public var name: String
        public var topicId: KafkaUUID
        public var isInternal: Bool
        public var partitions: [Partition]
        public init(errorCode: KafkaErrorCode = .none, name: String, topicId: KafkaUUID = .zero, isInternal: Bool = false,
                    partitions: [Partition]) {
            self.errorCode = errorCode; self.name = name; self.topicId = topicId
            self.isInternal = isInternal; self.partitions = partitions
        }
    }

    public var throttleTimeMs: Int32
    public var brokers: [Broker]
    public var clusterId: String?
    public var controllerId: Int32
    public var topics: [Topic]

    public init(throttleTimeMs: Int32 = 0, brokers: [Broker], clusterId: String? = nil, controllerId: Int32 = -1, topics: [Topic]) {
        self.throttleTimeMs = throttleTimeMs; self.brokers = brokers; self.clusterId = clusterId
        self.controllerId = controllerId; self.topics = topics
    }

    public func encode(into w: inout KafkaWriter, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        if version >= 3 { w.writeInt32(throttleTimeMs) }
        w.writeArray(brokers, compact: compact) { w, b in
            w.writeInt32(b.nodeId)
            w.writeString(b.host, compact: compact)
            w.writeInt32(b.port)
            if version >= 1 { w.writeNullableString(b.rack, compact: compact) }
            if compact { w.writeTaggedFields() }
        }
        if version >= 2 { w.writeNullableString(clusterId, compact: compact) }
        if version >= 1 { w.writeInt32(controllerId) }
        w.writeArray(topics, compact: compact) { w, t in
            w.writeInt16(t.errorCode.rawValue)
            w.writeString(t.name, compact: compact)
            if version >= 10 { w.writeUUID(t.topicId) }
            if version >= 1 { w.writeBool(t.isInternal) }
            w.writeArray(t.partitions, compact: compact) { w, p in
                w.writeInt16(p.errorCode.rawValue)
                w.writeInt32(p.partitionIndex)
                w.writeInt32(p.leaderId)
                if version >= 7 { w.writeInt32(p.leaderEpoch) }
                w.writeArray(p.replicaNodes, compact: compact) { $0.writeInt32($1) }
                w.writeArray(p.isrNodes, compact: compact) { $0.writeInt32($1) }
                if version >= 5 { w.writeArray(p.offlineReplicas, compact: compact) { $0.writeInt32($1) } }
                if compact { w.writeTaggedFields() }
            }
            if version >= 8 { w.writeInt32(Int32.min) }
            if compact { w.writeTaggedFields() }
        }
        if (8...10).contains(version) { w.writeInt32(Int32.min) }
        if compact { w.writeTaggedFields() }
    }

    public init(from r: inout KafkaReader, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        throttleTimeMs = version >= 3 ? try r.readInt32("throttle time") : 0
        brokers = try r.readArray(compact: compact, "brokers") { r in
            let b = Broker(nodeId: try r.readInt32("node id"), host: try r.readString(compact: compact, "broker host"),
                           port: try r.readInt32("broker port"),
                           rack: version >= 1 ? try r.readNullableString(compact: compact, "rack") : nil)
            if compact { try r.readTaggedFields() }
            return b
        }
        clusterId = version >= 2 ? try r.readNullableString(compact: compact, "cluster id") : nil
        controllerId = version >= 1 ? try r.readInt32("controller id") : -1
        topics = try r.readArray(compact: compact, "topics") { r in
            let error = KafkaErrorCode(try r.readInt16("topic error"))
            let name = try r.readNullableString(compact: compact, "topic name") ?? ""
            let id = version >= 10 ? try r.readUUID("topic id") : .zero
            let isInternal = version >= 1 ? try r.readBool("is internal") : false
            let partitions = try r.readArray(compact: compact, "partitions") { r in
                let p = Partition(
                    errorCode: KafkaErrorCode(try r.readInt16("partition error")),
                    partitionIndex: try r.readInt32("partition index"),
                    leaderId: try r.readInt32("leader id"),
                    leaderEpoch: version >= 7 ? try r.readInt32("leader epoch") : -1,
                    replicaNodes: try r.readArray(compact: compact, "replicas") { try $0.readInt32("replica") },
                    isrNodes: try r.readArray(compact: compact, "isr") { try $0.readInt32("isr node") },
                    offlineReplicas: version >= 5 ? try r.readArray(compact: compact, "offline replicas") { try $0.readInt32("offline replica") } : [])
                if compact { try r.readTaggedFields() }
                return p
            }
            if version >= 8 { _ = try r.readInt32("topic authorized operations") }
            if compact { try r.readTaggedFields() }
            return Topic(errorCode: error, name: name, topicId: id, isInternal: isInternal, partitions: partitions)
        }
        if (8...10).contains(version) { _ = try r.readInt32("cluster authorized operations") }
        if compact { try r.readTaggedFields() }
    }
}
