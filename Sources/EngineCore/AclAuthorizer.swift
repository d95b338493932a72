import KafkaProtocol

/// Kafka's authorization rule over a set of ACLs (docs/security.md), pure so it is tested alone:
/// super users may do anything; otherwise the ACLs on the resource decide — those naming it
/// literally, the wildcard `*`, and prefixed patterns it starts with. No ACL on the resource:
/// `allow.everyone.if.no.acl.found`. Any matching DENY wins over every ALLOW; READ, WRITE, DELETE
/// and ALTER each imply DESCRIBE, ALTER_CONFIGS implies DESCRIBE_CONFIGS, ALL implies everything.
public struct AclAuthorizer: Sendable {
    /// Principals (`User:admin`) never checked.
    public var superUsers: Set<String>
    public var allowEveryoneIfNoAclFound: Bool
    /// Every ACL, in the order created.
    public private(set) var acls: [AclBinding] = []
    private var byType: [AclResourceType: [AclBinding]] = [:]

    public init(superUsers: Set<String> = [], allowEveryoneIfNoAclFound: Bool = false, acls: [AclBinding] = []) {
        self.superUsers = superUsers
        self.allowEveryoneIfNoAclFound = allowEveryoneIfNoAclFound
        for acl in acls { insert(acl) }
    }

    /// Adds `acl`; false when it was there already (creating an ACL twice is not an error in Kafka).
    @discardableResult
    public mutating func insert(_ acl: AclBinding) -> Bool {
        guard !(byType[acl.resourceType]?.contains(acl) ?? false) else { return false }
        acls.append(acl)
        byType[acl.resourceType, default: []].append(acl)
        return true
    }

    /// Removes the ACLs `filter` selects and returns them.
    public mutating func remove(matching filter: AclBindingFilter) -> [AclBinding] {
        let gone = acls.filter(filter.matches)
        guard !gone.isEmpty else { return [] }
        acls.removeAll(where: filter.matches)
        for type in Set(gone.map(\.resourceType)) { byType[type]?.removeAll(where: filter.matches) }
        return gone
    }

    public func isSuperUser(_ principal: String) -> Bool { superUsers.contains(principal) }

    /// May `principal`, connected from `host`, do `operation` on the resource?
    public func authorize(principal: String, host: String, operation: AclOperation, resourceType: AclResourceType, resourceName: String) -> Bool {
        if superUsers.contains(principal) { return true }
        let onResource = (byType[resourceType] ?? []).filter { acl in
            switch acl.patternType {
            case .literal: acl.resourceName == resourceName || acl.resourceName == "*"
            case .prefixed: resourceName.hasPrefix(acl.resourceName)
            default: false
            }
        }
        if onResource.isEmpty { return allowEveryoneIfNoAclFound }
        func applies(_ acl: AclBinding, _ op: AclOperation, _ permission: AclPermissionType) -> Bool {
            Self.applies(acl, principal: principal, host: host, operation: op, permission: permission)
        }
        if onResource.contains(where: { applies($0, operation, .deny) }) { return false }
        let granting: [AclOperation] = switch operation {
        case .describe: [.describe, .read, .write, .delete, .alter]
        case .describeConfigs: [.describeConfigs, .alterConfigs]
        default: [operation]
        }
        return granting.contains { op in onResource.contains { applies($0, op, .allow) } }
    }

    /// Could `principal` do `operation` on some resource of the type (Kafka's
    /// `authorizeByResourceType`: an idempotent producer needs WRITE on some topic)? True when an
    /// ALLOW names it on a resource no DENY of it covers, or, with no ACLs to go by,
    /// `allow.everyone.if.no.acl.found`.
    public func mayDoSomewhere(principal: String, host: String, operation: AclOperation, resourceType: AclResourceType) -> Bool {
        if superUsers.contains(principal) { return true }
        let acls = byType[resourceType] ?? []
        func applies(_ acl: AclBinding, _ permission: AclPermissionType) -> Bool {
            Self.applies(acl, principal: principal, host: host, operation: operation, permission: permission)
        }
        let denies = acls.filter { applies($0, .deny) }
        func deniedEverywhere(_ name: String) -> Bool {
            denies.contains { d in d.patternType == .literal ? (d.resourceName == "*" || d.resourceName == name) : name.hasPrefix(d.resourceName) }
        }
        if acls.contains(where: { applies($0, .allow) && !deniedEverywhere($0.resourceName) }) { return true }
        return allowEveryoneIfNoAclFound && !denies.contains { $0.patternType == .literal && $0.resourceName == "*" }
    }

    /// Does `acl` speak of this principal (or `User:*`), host (or `*`) and operation (or `All`) with this permission?
    private static func applies(_ acl: AclBinding, principal: String, host: String, operation: AclOperation, permission: AclPermissionType) -> Bool {
        acl.permission == permission && (acl.principal == principal || acl.principal == "User:*")
            && (acl.host == host || acl.host == "*") && (acl.operation == operation || acl.operation == .all)
    }

    /// Why `acl` cannot be created, in Kafka's words, or nil.
    public static func problem(_ acl: AclBinding) -> String? {
        if [.unknown, .any].contains(acl.resourceType) { return "invalid resource type \(acl.resourceType): name a topic, group, cluster, transactional id, delegation token or user" }
        if ![.literal, .prefixed].contains(acl.patternType) { return "invalid pattern type \(acl.patternType): use LITERAL or PREFIXED" }
        if [.unknown, .any].contains(acl.operation) { return "invalid operation \(acl.operation)" }
        if ![.allow, .deny].contains(acl.permission) { return "invalid permission type \(acl.permission): use Allow or Deny" }
        if acl.resourceName.isEmpty { return "the resource name must not be empty" }
        if acl.resourceType == .cluster && acl.resourceName != "kafka-cluster" { return "the cluster resource is named kafka-cluster, not '\(acl.resourceName)'" }
        let parts = acl.principal.split(separator: ":", maxSplits: 1)
        if parts.count != 2 || parts[0].isEmpty || parts[1].isEmpty { return "principal '\(acl.principal)' is not of the form Type:name (e.g. User:alice)" }
        if acl.host.isEmpty { return "the host must be an address or *" }
        return nil
    }
}
