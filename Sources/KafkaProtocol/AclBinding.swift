/// Kafka's ACL model as it travels on the wire (KIP-140): a resource pattern (type, name, literal
/// or prefixed) and an access control entry (principal, host, operation, allow or deny). The
/// numeric values are Kafka's own, so the enums decode straight from the Int8 fields.
public enum AclResourceType: Int8, Sendable, CaseIterable, CustomStringConvertible {
    case unknown = 0, any = 1, topic = 2, group = 3, cluster = 4, transactionalId = 5, delegationToken = 6, user = 7

    public var description: String {
        switch self {
        case .unknown: "Unknown"
        case .any: "Any"
        case .topic: "Topic"
        case .group: "Group"
        case .cluster: "Cluster"
        case .transactionalId: "TransactionalId"
        case .delegationToken: "DelegationToken"
        case .user: "User"
        }
    }
}

public enum AclPatternType: Int8, Sendable, CaseIterable, CustomStringConvertible {
    /// `any` and `match` are for filters only: any pattern type, or every pattern that would
    /// apply to the filter's name (literal, the wildcard `*`, and prefixes of it).
    case unknown = 0, any = 1, match = 2, literal = 3, prefixed = 4

    public var description: String {
        switch self {
        case .unknown: "UNKNOWN"
        case .any: "ANY"
        case .match: "MATCH"
        case .literal: "LITERAL"
        case .prefixed: "PREFIXED"
        }
    }
}

public enum AclOperation: Int8, Sendable, CaseIterable, CustomStringConvertible {
    case unknown = 0, any = 1, all = 2, read = 3, write = 4, create = 5, delete = 6, alter = 7, describe = 8
    case clusterAction = 9, describeConfigs = 10, alterConfigs = 11, idempotentWrite = 12
    case createTokens = 13, describeTokens = 14

    public var description: String {
        switch self {
        case .unknown: "Unknown"
        case .any: "Any"
        case .all: "All"
        case .read: "Read"
        case .write: "Write"
        case .create: "Create"
        case .delete: "Delete"
        case .alter: "Alter"
        case .describe: "Describe"
        case .clusterAction: "ClusterAction"
        case .describeConfigs: "DescribeConfigs"
        case .alterConfigs: "AlterConfigs"
        case .idempotentWrite: "IdempotentWrite"
        case .createTokens: "CreateTokens"
        case .describeTokens: "DescribeTokens"
        }
    }
}

public enum AclPermissionType: Int8, Sendable, CaseIterable, CustomStringConvertible {
    case unknown = 0, any = 1, deny = 2, allow = 3

    public var description: String {
        switch self {
        case .unknown: "Unknown"
        case .any: "Any"
        case .deny: "Deny"
        case .allow: "Allow"
        }
    }
}

/// One ACL: who (`principal`, e.g. `User:alice` or `User:*`) may or may not do what
/// (`operation`) from where (`host`, an address or `*`) on which resources.
public struct AclBinding: Hashable, Sendable, CustomStringConvertible {
    public var resourceType: AclResourceType
    public var resourceName: String
    public var patternType: AclPatternType
    public var principal: String
    public var host: String
    public var operation: AclOperation
    public var permission: AclPermissionType

    public init(resourceType: AclResourceType, resourceName: String, patternType: AclPatternType = .literal,
                principal: String, host: String = "*", operation: AclOperation, permission: AclPermissionType) {
        self.resourceType = resourceType; self.resourceName = resourceName; self.patternType = patternType
        self.principal = principal; self.host = host; self.operation = operation; self.permission = permission
    }

    /// Kafka's own wording, as kafka-acls.sh prints it.
    public var description: String {
        "(principal=\(principal), host=\(host), operation=\(operation), permissionType=\(permission)) on \(resourceType):\(patternType):\(resourceName)"
    }
}

/// What DescribeAcls and DeleteAcls select: each field `nil` (or `any`) matches everything.
public struct AclBindingFilter: Equatable, Sendable {
    public var resourceType: AclResourceType
    public var resourceName: String?
    public var patternType: AclPatternType
    public var principal: String?
    public var host: String?
    public var operation: AclOperation
    public var permission: AclPermissionType

    public init(resourceType: AclResourceType = .any, resourceName: String? = nil, patternType: AclPatternType = .any,
                principal: String? = nil, host: String? = nil, operation: AclOperation = .any, permission: AclPermissionType = .any) {
        self.resourceType = resourceType; self.resourceName = resourceName; self.patternType = patternType
        self.principal = principal; self.host = host; self.operation = operation; self.permission = permission
    }

    /// Does this filter select `acl`? Kafka's `AclBindingFilter.matches`.
    public func matches(_ acl: AclBinding) -> Bool {
        guard resourceType == .any || resourceType == acl.resourceType,
              principal == nil || principal == acl.principal,
              host == nil || host == acl.host,
              operation == .any || operation == acl.operation,
              permission == .any || permission == acl.permission else { return false }
        switch patternType {
        case .any: return resourceName == nil || resourceName == acl.resourceName
        case .literal, .prefixed: return acl.patternType == patternType && (resourceName == nil || resourceName == acl.resourceName)
        case .match:
            guard let name = resourceName else { return true }
            switch acl.patternType {
            case .literal: return acl.resourceName == name || acl.resourceName == "*"
            case .prefixed: return name.hasPrefix(acl.resourceName)
            default: return false
            }
        case .unknown: return false
        }
    }

    /// Why the filter cannot be used, as Kafka words it, or nil.
    public var invalidReason: String? {
        if resourceType == .unknown { return "the resource type is unknown" }
        if patternType == .unknown { return "the pattern type is unknown" }
        if operation == .unknown { return "the operation is unknown" }
        if permission == .unknown { return "the permission type is unknown" }
        return nil
    }
}

extension KafkaWriter {
    /// An ACL as CreateAcls and DeleteAcls carry it (pattern type from v1, which is all we speak).
    mutating func writeAclBinding(_ a: AclBinding, compact: Bool) {
        writeInt8(a.resourceType.rawValue)
        writeString(a.resourceName, compact: compact)
        writeInt8(a.patternType.rawValue)
        writeString(a.principal, compact: compact)
        writeString(a.host, compact: compact)
        writeInt8(a.operation.rawValue)
        writeInt8(a.permission.rawValue)
    }
}

extension KafkaReader {
    mutating func readAclBinding(compact: Bool) throws -> AclBinding {
        AclBinding(resourceType: try readAclEnum(AclResourceType.self, "resource type"),
                   resourceName: try readString(compact: compact, "resource name"),
                   patternType: try readAclEnum(AclPatternType.self, "pattern type"),
                   principal: try readString(compact: compact, "principal"),
                   host: try readString(compact: compact, "host"),
                   operation: try readAclEnum(AclOperation.self, "operation"),
                   permission: try readAclEnum(AclPermissionType.self, "permission type"))
    }

    mutating func readAclEnum<E: RawRepresentable>(_ type: E.Type, _ field: String) throws -> E where E.RawValue == Int8 {
        // An unknown value reads as `unknown` (0): the broker answers it with an error, as Kafka does.
        E(rawValue: try readInt8(field)) ?? E(rawValue: 0)!
    }
}
