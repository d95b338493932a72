/// DescribeAcls request (key 29), v1–3 (flexible from v2; Kafka 4 dropped v0): the ACLs a filter
/// selects, as `kafka-acls.sh --list` and admin clients' `describe_acls` ask.
public struct DescribeAclsRequest: KafkaRequest {
    public typealias Response = DescribeAclsResponse
    public static let apiKey = ApiKey.describeAcls

    public var filter: AclBindingFilter

    public init(filter: AclBindingFilter) { self.filter = filter }

    public func encode(into w: inout KafkaWriter, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        w.writeAclFilter(filter, compact: compact)
        if compact { w.writeTaggedFields() }
    }

    public init(from r: inout KafkaReader, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        filter = try r.readAclFilter(compact: compact)
        if compact { try r.readTaggedFields() }
    }
}

/// DescribeAcls response: the matching ACLs grouped by resource pattern.
public struct DescribeAclsResponse: KafkaMessage {
    public static let apiKey = ApiKey.describeAcls

    public struct Resource: Equatable, Sendable {
        public var resourceType: AclResourceType
        public var resourceName: String
        public var patternType: AclPatternType
        public var acls: [Entry]
        public init(resourceType: AclResourceType, resourceName: String, patternType: AclPatternType, acls: [Entry]) {
            self.resourceType = resourceType; self.resourceName = resourceName; self.patternType = patternType; self.acls = acls
        }
    }

    public struct Entry: Equatable, Sendable {
        public var principal: String
        public var host: String
        public var operation: AclOperation
        public var permission: AclPermissionType
        public init(principal: String, host: String, operation: AclOperation, permission: AclPermissionType) {
            self.principal = principal; self.host = host; self.operation = operation; self.permission = permission
        }
    }

    public var throttleTimeMs: Int32
    public var errorCode: KafkaErrorCode
    public var errorMessage: String?
    public var resources: [Resource]

    public init(throttleTimeMs: Int32 = 0, errorCode: KafkaErrorCode = .none, errorMessage: String? = nil, resources: [Resource] = []) {
        self.throttleTimeMs = throttleTimeMs; self.errorCode = errorCode; self.errorMessage = errorMessage; self.resources = resources
    }

    /// The bindings grouped by resource pattern, in the order first seen.
    public init(bindings: [AclBinding]) {
        var order: [String] = []
        var byKey: [String: Resource] = [:]
        for b in bindings {
            let key = "\(b.resourceType.rawValue)\u{0}\(b.patternType.rawValue)\u{0}\(b.resourceName)"
            let entry = Entry(principal: b.principal, host: b.host, operation: b.operation, permission: b.permission)
            if byKey[key] == nil { order.append(key); byKey[key] = Resource(resourceType: b.resourceType, resourceName: b.resourceName, patternType: b.patternType, acls: []) }
            byKey[key]!.acls.append(entry)
        }
        self.init(resources: order.map { byKey[$0]! })
    }

    /// Every ACL of the answer, one binding each.
    public var bindings: [AclBinding] {
        resources.flatMap { r in
            r.acls.map { AclBinding(resourceType: r.resourceType, resourceName: r.resourceName, patternType: r.patternType,
                                    principal: $0.principal, host: $0.host, operation: $0.operation, permission: $0.permission) }
        }
    }

    public func encode(into w: inout KafkaWriter, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        w.writeInt32(throttleTimeMs)
        w.writeInt16(errorCode.rawValue)
        w.writeNullableString(errorMessage, compact: compact)
        w.writeArray(resources, compact: compact) { w, r in
            w.writeInt8(r.resourceType.rawValue)
            w.writeString(r.resourceName, compact: compact)
            w.writeInt8(r.patternType.rawValue)
            w.writeArray(r.acls, compact: compact) { w, a in
                w.writeString(a.principal, compact: compact)
                w.writeString(a.host, compact: compact)
                w.writeInt8(a.operation.rawValue)
                w.writeInt8(a.permission.rawValue)
                if compact { w.writeTaggedFields() }
            }
            if compact { w.writeTaggedFields() }
        }
        if compact { w.writeTaggedFields() }
    }

    public init(from r: inout KafkaReader, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        throttleTimeMs = try r.readInt32("throttle time")
        errorCode = KafkaErrorCode(try r.readInt16("error code"))
        errorMessage = try r.readNullableString(compact: compact, "error message")
        resources = try r.readArray(compact: compact, "resources") { r in
            let type = try r.readAclEnum(AclResourceType.self, "resource type")
            let name = try r.readString(compact: compact, "resource name")
            let pattern = try r.readAclEnum(AclPatternType.self, "pattern type")
            let acls = try r.readArray(compact: compact, "acls") { r in
                let e = Entry(principal: try r.readString(compact: compact, "principal"), host: try r.readString(compact: compact, "host"),
                              operation: try r.readAclEnum(AclOperation.self, "operation"),
                              permission: try r.readAclEnum(AclPermissionType.self, "permission type"))
                if compact { try r.readTaggedFields() }
                return e
            }
            if compact { try r.readTaggedFields() }
            return Resource(resourceType: type, resourceName: name, patternType: pattern, acls: acls)
        }
        if compact { try r.readTaggedFields() }
    }
}

extension KafkaWriter {
    mutating func writeAclFilter(_ f: AclBindingFilter, compact: Bool) {
        writeInt8(f.resourceType.rawValue)
        writeNullableString(f.resourceName, compact: compact)
        writeInt8(f.patternType.rawValue)
        writeNullableString(f.principal, compact: compact)
        writeNullableString(f.host, compact: compact)
        writeInt8(f.operation.rawValue)
        writeInt8(f.permission.rawValue)
    }
}

extension KafkaReader {
    mutating func readAclFilter(compact: Bool) throws -> AclBindingFilter {
        AclBindingFilter(resourceType: try readAclEnum(AclResourceType.self, "resource type filter"),
                         resourceName: try readNullableString(compact: compact, "resource name filter"),
                         patternType: try readAclEnum(AclPatternType.self, "pattern type filter"),
                         principal: try readNullableString(compact: compact, "principal filter"),
                         host: try readNullableString(compact: compact, "host filter"),
                         operation: try readAclEnum(AclOperation.self, "operation"),
                         permission: try readAclEnum(AclPermissionType.self, "permission type"))
    }
}
