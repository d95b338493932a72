/// The Kafka API keys this codebase speaks, with the version ranges the codec implements and the
/// first flexible (KIP-482 compact/tagged) version of each.
public enum ApiKey: Int16, Sendable, CaseIterable, CustomStringConvertible {
    case produce = 0
    case fetch = 1
    case listOffsets = 2
    case metadata = 3
    case offsetCommit = 8
    case offsetFetch = 9
    case findCoordinator = 10
    case joinGroup = 11
    case heartbeat = 12
    case leaveGroup = 13
    case syncGroup = 14
    case describeGroups = 15
    case listGroups = 16
    case saslHandshake = 17
    case apiVersions = 18
    case createTopics = 19
    case deleteTopics = 20
    case deleteRecords = 21
    case initProducerId = 22
    case addPartitionsToTxn = 24
    case addOffsetsToTxn = 25
    case endTxn = 26
    case txnOffsetCommit = 28
    case describeAcls = 29
    case createAcls = 30
    case deleteAcls = 31
    case describeConfigs = 32
    case alterConfigs = 33
    case saslAuthenticate = 36
    case createPartitions = 37
    case deleteGroups = 42
    case incrementalAlterConfigs = 44
    case offsetDelete = 47
    case describeCluster = 60

    /// First version that uses the flexible encoding (`Int16.max` = never), from the message specs.
    public var firstFlexibleVersion: Int16 {
        switch self {
        case .produce: 9
        case .fetch: 12
        case .listOffsets: 6
        case .metadata: 9
        case .offsetCommit: 8
        case .offsetFetch: 6
        case .findCoordinator: 3
        case .joinGroup: 6
        case .heartbeat: 4
        case .leaveGroup: 4
        case .syncGroup: 4
        case .describeGroups: 5
        case .listGroups: 3
        case .saslHandshake: .max
        case .apiVersions: 3
        case .createTopics: 5
        case .deleteTopics: 4
        case .deleteRecords: 2
        case .initProducerId: 2
        case .addPartitionsToTxn: 3
        case .addOffsetsToTxn: 3
        case .endTxn: 3
        case .txnOffsetCommit: 3
        case .describeAcls, .createAcls, .deleteAcls: 2
        case .describeConfigs: 4
        case .alterConfigs: 2
        case .incrementalAlterConfigs: 1
        case .saslAuthenticate: 2
        case .createPartitions: 2
        case .deleteGroups: 2
        case .offsetDelete: .max
        case .describeCluster: 0
        }
    }

    /// Versions whose bodies this codec encodes and decodes; `nil` for keys not implemented yet.
    public var supportedVersions: ClosedRange<Int16>? {
        switch self {
        case .produce: 3...11
        case .apiVersions: 0...3
        case .metadata: 0...12
        case .listOffsets: 0...8
        case .findCoordinator: 0...5
        case .listGroups: 0...5
        case .describeGroups: 0...5
        case .offsetFetch: 0...9
        case .fetch: 4...12
        case .joinGroup: 0...9
        case .syncGroup: 0...5
        case .heartbeat: 0...4
        case .leaveGroup: 0...5
        case .offsetCommit: 0...9
        case .createTopics: 0...7
        case .deleteTopics: 0...5
        case .deleteRecords: 0...2
        case .createPartitions: 0...3
        case .describeConfigs: 0...4
        case .alterConfigs: 0...2
        case .incrementalAlterConfigs: 0...1
        case .deleteGroups: 0...2
        case .offsetDelete: 0...0
        case .describeCluster: 0...1
        case .initProducerId: 0...5
        case .addPartitionsToTxn: 0...3
        case .addOffsetsToTxn: 0...4
        case .endTxn: 0...4
        case .txnOffsetCommit: 0...4
        case .describeAcls, .createAcls, .deleteAcls: 1...3
        case .saslHandshake: 0...1
        case .saslAuthenticate: 0...2
        }
    }

    public func isFlexible(_ version: Int16) -> Bool { version >= firstFlexibleVersion }

    /// Request header v2 for flexible versions, v1 otherwise.
    public func requestHeaderVersion(_ version: Int16) -> Int16 { isFlexible(version) ? 2 : 1 }

    /// Response header v1 for flexible versions, v0 otherwise; ApiVersions always uses v0 (KIP-511).
    public func responseHeaderVersion(_ version: Int16) -> Int16 {
        self == .apiVersions ? 0 : (isFlexible(version) ? 1 : 0)
    }

    public var description: String {
        switch self {
        case .produce: "Produce"
        case .fetch: "Fetch"
        case .listOffsets: "ListOffsets"
        case .metadata: "Metadata"
        case .offsetCommit: "OffsetCommit"
        case .offsetFetch: "OffsetFetch"
        case .findCoordinator: "FindCoordinator"
        case .joinGroup: "JoinGroup"
        case .heartbeat: "Heartbeat"
        case .leaveGroup: "LeaveGroup"
        case .syncGroup: "SyncGroup"
        case .describeGroups: "DescribeGroups"
        case .listGroups: "ListGroups"
        case .saslHandshake: "SaslHandshake"
        case .apiVersions: "ApiVersions"
        case .createTopics: "CreateTopics"
        case .deleteTopics: "DeleteTopics"
        case .deleteRecords: "DeleteRecords"
        case .createPartitions: "CreatePartitions"
        case .initProducerId: "InitProducerId"
        case .addPartitionsToTxn: "AddPartitionsToTxn"
        case .addOffsetsToTxn: "AddOffsetsToTxn"
        case .endTxn: "EndTxn"
        case .txnOffsetCommit: "TxnOffsetCommit"
        case .describeAcls: "DescribeAcls"
        case .createAcls: "CreateAcls"
        case .deleteAcls: "DeleteAcls"
        case .describeConfigs: "DescribeConfigs"
        case .alterConfigs: "AlterConfigs"
        case .incrementalAlterConfigs: "IncrementalAlterConfigs"
        case .deleteGroups: "DeleteGroups"
        case .offsetDelete: "OffsetDelete"
        case .describeCluster: "DescribeCluster"
        case .saslAuthenticate: "SaslAuthenticate"
        }
    }
}
