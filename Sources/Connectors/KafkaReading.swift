import KafkaClient
import KafkaProtocol

/// What ``KafkaPoller`` asks of a cluster: the reading half of ``KafkaClient``. A protocol so the
/// poller can be driven by a scripted cluster in tests (and later by the engine in-process).
public protocol KafkaReading: Sendable {
    func metadata(topics: [String]?) async throws -> MetadataResponse
    func fetchOffsets(_ queries: [EndOffsetQuery]) async -> EndOffsets
    func listOffsets(_ leaders: [TopicPartition: Int32], timestamp: Int64) async -> [TopicPartition: Result<Int64, KafkaClientError>]
    func listGroups() async -> (groups: [ListGroupsResponse.Group], errors: [String])
    func findCoordinators(_ groups: [String]) async throws
    func describeGroups(_ groups: [String]) async throws -> [DescribeGroupsResponse.Group]
    func committedOffsets(_ groups: [String]) async throws -> [String: Result<[CommittedPartitionOffset], KafkaClientError>]
    func shutdown() async
}

extension KafkaClient: KafkaReading {}
