/// A Kafka protocol error code with its name as Kafka's `Errors.java` spells it.
public struct KafkaErrorCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: Int16
    public init(rawValue: Int16) { self.rawValue = rawValue }
    public init(_ rawValue: Int16) { self.rawValue = rawValue }

    public static let unknownServerError = KafkaErrorCode(-1)
    public static let none = KafkaErrorCode(0)
    public static let offsetOutOfRange = KafkaErrorCode(1)
    public static let corruptMessage = KafkaErrorCode(2)
    public static let unknownTopicOrPartition = KafkaErrorCode(3)
    public static let leaderNotAvailable = KafkaErrorCode(5)
    public static let notLeaderOrFollower = KafkaErrorCode(6)
    public static let requestTimedOut = KafkaErrorCode(7)
    public static let coordinatorLoadInProgress = KafkaErrorCode(14)
    public static let coordinatorNotAvailable = KafkaErrorCode(15)
    public static let notCoordinator = KafkaErrorCode(16)
    public static let invalidTopic = KafkaErrorCode(17)
    public static let groupAuthorizationFailed = KafkaErrorCode(30)
    public static let unsupportedVersion = KafkaErrorCode(35)
    public static let invalidRequest = KafkaErrorCode(42)
    public static let groupIdNotFound = KafkaErrorCode(69)

    public var isOK: Bool { rawValue == 0 }

    /// Errors after which a client should look the coordinator or leader up again and retry.
    public var isRetriable: Bool {
        [5, 6, 7, 14, 15, 16].contains(rawValue)
    }

    public var name: String {
        switch rawValue {
        case -1: "UNKNOWN_SERVER_ERROR"
        case 0: "NONE"
        case 1: "OFFSET_OUT_OF_RANGE"
        case 2: "CORRUPT_MESSAGE"
        case 3: "UNKNOWN_TOPIC_OR_PARTITION"
        case 5: "LEADER_NOT_AVAILABLE"
        case 6: "NOT_LEADER_OR_FOLLOWER"
        case 7: "REQUEST_TIMED_OUT"
        case 10: "MESSAGE_TOO_LARGE"
        case 14: "COORDINATOR_LOAD_IN_PROGRESS"
        case 15: "COORDINATOR_NOT_AVAILABLE"
        case 16: "NOT_COORDINATOR"
        case 17: "INVALID_TOPIC_EXCEPTION"
        case 22: "ILLEGAL_GENERATION"
        case 24: "INVALID_GROUP_ID"
        case 25: "UNKNOWN_MEMBER_ID"
        case 27: "REBALANCE_IN_PROGRESS"
        case 29: "TOPIC_AUTHORIZATION_FAILED"
        case 30: "GROUP_AUTHORIZATION_FAILED"
        case 35: "UNSUPPORTED_VERSION"
        case 42: "INVALID_REQUEST"
        case 58: "SASL_AUTHENTICATION_FAILED"
        case 69: "GROUP_ID_NOT_FOUND"
        case 88: "UNSTABLE_OFFSET_COMMIT"
        default: "ERROR_\(rawValue)"
        }
    }

    public var description: String { "\(name) (\(rawValue))" }
}
