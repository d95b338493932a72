/// One reading of a Kafka cluster, taken at `time` (seconds since 1970). Immutable once made;
/// the model and `sluice lag` consume exactly this value (and so will a recording).
public struct KafkaSnapshot: Codable, Sendable, Equatable {
    public struct Broker: Codable, Sendable, Equatable {
        public var nodeId: Int32
        public var host: String
        public var port: Int32
        public var rack: String?
        public init(nodeId: Int32, host: String, port: Int32, rack: String? = nil) {
            self.nodeId = nodeId; self.host = host; self.port = port; self.rack = rack
        }
    }

    public struct Partition: Codable, Sendable, Equatable {
        public var partition: Int32
        public var leader: Int32
        public var replicas: [Int32]
        public var isr: [Int32]
        /// From the leader's Fetch response; `nil` when it could not be read.
        public var highWatermark: Int64?
        public var logStartOffset: Int64?
        public var error: String?
        public init(partition: Int32, leader: Int32, replicas: [Int32] = [], isr: [Int32] = [], highWatermark: Int64?,
                    logStartOffset: Int64? = nil, error: String? = nil) {
            self.partition = partition; self.leader = leader; self.replicas = replicas; self.isr = isr
            self.highWatermark = highWatermark; self.logStartOffset = logStartOffset; self.error = error
        }
    }

    public struct Topic: Codable, Sendable, Equatable {
        public var name: String
        public var isInternal: Bool
        public var partitions: [Partition]
        public init(name: String, isInternal: Bool = false, partitions: [Partition]) {
            self.name = name; self.isInternal = isInternal; self.partitions = partitions
        }
    }

    public struct Member: Codable, Sendable, Equatable {
        public var memberId: String
        public var clientId: String
        public var clientHost: String
        /// Partitions assigned to this member; `nil` when the broker does not say.
        public var assignment: [PartitionRef]?
        public init(memberId: String, clientId: String = "", clientHost: String = "", assignment: [PartitionRef]? = nil) {
            self.memberId = memberId; self.clientId = clientId; self.clientHost = clientHost; self.assignment = assignment
        }
    }

    public struct Group: Codable, Sendable, Equatable {
        public var groupId: String
        /// The state string as the coordinator reported it ("Stable", "Empty", "PreparingRebalance", …).
        public var state: String
        public var protocolType: String
        /// The assignor (range, cooperative-sticky, …); empty when unknown.
        public var assignor: String
        public var members: [Member]
        /// Committed offsets; partitions without a commit are absent.
        public var offsets: [CommittedOffset]
        /// Set when the group could not be read; the other fields are then not meaningful.
        public var error: String?
        public init(groupId: String, state: String, protocolType: String = "consumer", assignor: String = "",
                    members: [Member] = [], offsets: [CommittedOffset] = [], error: String? = nil) {
            self.groupId = groupId; self.state = state; self.protocolType = protocolType; self.assignor = assignor
            self.members = members; self.offsets = offsets; self.error = error
        }
    }

    public var time: Double
    public var clusterId: String?
    public var brokers: [Broker]
    public var topics: [Topic]
    public var groups: [Group]
    /// Partial failures of this reading (a broker that did not answer ListGroups, …).
    public var errors: [String]

    public init(time: Double, clusterId: String? = nil, brokers: [Broker] = [], topics: [Topic] = [], groups: [Group] = [],
                errors: [String] = []) {
        self.time = time; self.clusterId = clusterId; self.brokers = brokers; self.topics = topics
        self.groups = groups; self.errors = errors
    }
}

/// A topic-partition reference as stored in snapshots.
public struct PartitionRef: Codable, Sendable, Hashable, Comparable, CustomStringConvertible {
    public var topic: String
    public var partition: Int32
    public init(_ topic: String, _ partition: Int32) { self.topic = topic; self.partition = partition }
    public static func < (a: Self, b: Self) -> Bool { a.topic != b.topic ? a.topic < b.topic : a.partition < b.partition }
    public var description: String { "\(topic)-\(partition)" }
}

/// A group's committed offset for one partition.
public struct CommittedOffset: Codable, Sendable, Equatable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    public init(topic: String, partition: Int32, offset: Int64) { self.topic = topic; self.partition = partition; self.offset = offset }
    public var ref: PartitionRef { PartitionRef(topic, partition) }
}

/// What a connector hands the model: a reading, or the reason there is none.
public enum Observation: Codable, Sendable, Equatable {
    case kafka(KafkaSnapshot)
    case kafkaError(time: Double, message: String)
    case flink(FlinkSnapshot)
    case flinkError(time: Double, message: String)
    case postgres(SlotSnapshot)
    case postgresError(time: Double, message: String)

    /// When the reading was taken (or failed), epoch seconds.
    public var time: Double {
        switch self {
        case let .kafka(s): s.time
        case let .flink(s): s.time
        case let .postgres(s): s.time
        case let .kafkaError(t, _), let .flinkError(t, _), let .postgresError(t, _): t
        }
    }
}
