/// AlterConfigs request (key 33), v0–2: replace a resource's whole set of dynamic configs (the
/// older admin call; IncrementalAlterConfigs changes single keys). v2 is flexible.
public struct AlterConfigsRequest: KafkaRequest {
    public typealias Response = AlterConfigsResponse
    public static let apiKey = ApiKey.alterConfigs

    public struct Resource: Equatable, Sendable {
        public var resourceType: Int8
        public var resourceName: String
        public var configs: [(name: String, value: String?)]
        public init(resourceType: Int8, resourceName: String, configs: [(name: String, value: String?)]) {
            self.resourceType = resourceType; self.resourceName = resourceName; self.configs = configs
        }
        public static func == (a: Resource, b: Resource) -> Bool {
            a.resourceType == b.resourceType && a.resourceName == b.resourceName
                && a.configs.map(\.name) == b.configs.map(\.name) && a.configs.map(\.value) == b.configs.map(\.value)
        }
    }

    public var resources: [Resource]
    public var validateOnly: Bool

    public init(resources: [Resource], validateOnly: Bool = false) { self.resources = resources; self.validateOnly = validateOnly }

    public func encode(into w: inout KafkaWriter, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        w.writeArray(resources, compact: compact) { w, r in
            w.writeInt8(r.resourceType)
            w.writeString(r.resourceName, compact: compact)
            w.writeArray(r.configs, compact: compact) { w, c in
                w.writeString(c.name, compact: compact)
                w.writeNullableString(c.value, compact: compact)
                if compact { w.writeTaggedFields() }
            }
            if compact { w.writeTaggedFields() }
        }
        w.writeBool(validateOnly)
        if compact { w.writeTaggedFields() }
    }

    public init(from r: inout KafkaReader, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        resources = try r.readArray(compact: compact, "resources") { r in
            let type = try r.readInt8("resource type")
            let name = try r.readString(compact: compact, "resource name")
            let configs = try r.readArray(compact: compact, "configs") { r -> (name: String, value: String?) in
                let c = (name: try r.readString(compact: compact, "config name"), value: try r.readNullableString(compact: compact, "config value"))
                if compact { try r.readTaggedFields() }
                return c
            }
            if compact { try r.readTaggedFields() }
            return Resource(resourceType: type, resourceName: name, configs: configs)
        }
        validateOnly = try r.readBool("validate only")
        if compact { try r.readTaggedFields() }
    }
}

/// The answer to AlterConfigs and IncrementalAlterConfigs: an error per resource.
public struct AlterConfigsResult: Equatable, Sendable {
    public var errorCode: KafkaErrorCode
    public var errorMessage: String?
    public var resourceType: Int8
    public var resourceName: String
    public init(errorCode: KafkaErrorCode = .none, errorMessage: String? = nil, resourceType: Int8, resourceName: String) {
        self.errorCode = errorCode; self.errorMessage = errorMessage; self.resourceType = resourceType; self.resourceName = resourceName
    }

    func encode(into w: inout KafkaWriter, compact: Bool) {
        w.writeInt16(errorCode.rawValue)
        w.writeNullableString(errorMessage, compact: compact)
        w.writeInt8(resourceType)
        w.writeString(resourceName, compact: compact)
        if compact { w.writeTaggedFields() }
    }

    init(from r: inout KafkaReader, compact: Bool) throws {
        errorCode = KafkaErrorCode(try r.readInt16("error code"))
        errorMessage = try r.readNullableString(compact: compact, "error message")
        resourceType = try r.readInt8("resource type")
        resourceName = try r.readString(compact: compact, "resource name")
        if compact { try r.readTaggedFields() }
    }
}

public struct AlterConfigsResponse: KafkaMessage {
    public static let apiKey = ApiKey.alterConfigs
    public var throttleTimeMs: Int32
    public var responses: [AlterConfigsResult]

    public init(throttleTimeMs: Int32 = 0, responses: [AlterConfigsResult]) { self.throttleTimeMs = throttleTimeMs; self.responses = responses }

    public func encode(into w: inout KafkaWriter, version: Int16) throws {
        try Self.check(version)
        AlterConfigsResult.encode(throttleTimeMs, responses, into: &w, compact: Self.apiKey.isFlexible(version))
    }

    public init(from r: inout KafkaReader, version: Int16) throws {
        try Self.check(version)
        (throttleTimeMs, responses) = try AlterConfigsResult.decode(from: &r, compact: Self.apiKey.isFlexible(version))
    }
}

extension AlterConfigsResult {
    /// The body both AlterConfigs and IncrementalAlterConfigs answer with.
    static func encode(_ throttleTimeMs: Int32, _ responses: [AlterConfigsResult], into w: inout KafkaWriter, compact: Bool) {
        w.writeInt32(throttleTimeMs)
        w.writeArray(responses, compact: compact) { w, r in r.encode(into: &w, compact: compact) }
        if compact { w.writeTaggedFields() }
    }

    static func decode(from r: inout KafkaReader, compact: Bool) throws -> (Int32, [AlterConfigsResult]) {
        let throttle = try r.readInt32("throttle time")
        let responses = try r.readArray(compact: compact, "responses") { r in try AlterConfigsResult(from: &r, compact: compact) }
        if compact { try r.readTaggedFields() }
        return (throttle, responses)
    }
}
