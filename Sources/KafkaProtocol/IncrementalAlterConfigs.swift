/// IncrementalAlterConfigs request (key 44), v0–1: set, delete (back to the default), append to
/// or subtract from single config keys (what `kafka-configs --alter` and admin clients'
/// `incremental_alter_configs` send). v1 is flexible.
public struct IncrementalAlterConfigsRequest: KafkaRequest {
    public typealias Response = IncrementalAlterConfigsResponse
    public static let apiKey = ApiKey.incrementalAlterConfigs

    public enum Operation: Int8, Sendable { case set = 0, delete = 1, append = 2, subtract = 3 }

    public struct Config: Equatable, Sendable {
        public var name: String
        /// Kept raw: an unknown operation is answered with INVALID_REQUEST, not a dropped connection.
        public var operation: Int8
        public var value: String?
        public init(name: String, operation: Int8, value: String?) { self.name = name; self.operation = operation; self.value = value }
    }

    public struct Resource: Equatable, Sendable {
        public var resourceType: Int8
        public var resourceName: String
        public var configs: [Config]
        public init(resourceType: Int8, resourceName: String, configs: [Config]) {
            self.resourceType = resourceType; self.resourceName = resourceName; self.configs = configs
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
                w.writeInt8(c.operation)
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
            let configs = try r.readArray(compact: compact, "configs") { r in
                let c = Config(name: try r.readString(compact: compact, "config name"), operation: try r.readInt8("config operation"),
                               value: try r.readNullableString(compact: compact, "config value"))
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

/// The answer: an error per resource, as AlterConfigs gives.
public struct IncrementalAlterConfigsResponse: KafkaMessage {
    public static let apiKey = ApiKey.incrementalAlterConfigs
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
