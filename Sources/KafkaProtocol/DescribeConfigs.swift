/// DescribeConfigs request (key 32), v0–4: configuration of topics (resource type 2) or
/// brokers (4); a null key list asks for every key.
public struct DescribeConfigsRequest: KafkaRequest {
    public typealias Response = DescribeConfigsResponse
    public static let apiKey = ApiKey.describeConfigs

    public static let topicResource: Int8 = 2
    public static let brokerResource: Int8 = 4

    public struct Resource: Equatable, Sendable {
        public var resourceType: Int8
        public var resourceName: String
        public var configurationKeys: [String]?
        public init(resourceType: Int8, resourceName: String, configurationKeys: [String]? = nil) {
            self.resourceType = resourceType; self.resourceName = resourceName; self.configurationKeys = configurationKeys
        }
    }

    public var resources: [Resource]
    public var includeSynonyms: Bool
    public var includeDocumentation: Bool

    public init(resources: [Resource], includeSynonyms: Bool = false, includeDocumentation: Bool = false) {
        self.resources = resources; self.includeSynonyms = includeSynonyms; self.includeDocumentation = includeDocumentation
    }

    public func encode(into w: inout KafkaWriter, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        w.writeArray(resources, compact: compact) { w, res in
            w.writeInt8(res.resourceType)
            w.writeString(res.resourceName, compact: compact)
            w.writeNullableArray(res.configurationKeys, compact: compact) { w, k in w.writeString(k, compact: compact) }
            if compact { w.writeTaggedFields() }
        }
        if version >= 1 { w.writeBool(includeSynonyms) }
        if version >= 3 { w.writeBool(includeDocumentation) }
        if compact { w.writeTaggedFields() }
    }

    public init(from r: inout KafkaReader, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        resources = try r.readArray(compact: compact, "resources") { r in
            let type = try r.readInt8("resource type")
            let name = try r.readString(compact: compact, "resource name")
            let keys = try r.readNullableArray(compact: compact, "configuration keys") { r in try r.readString(compact: compact, "configuration key") }
            if compact { try r.readTaggedFields() }
            return Resource(resourceType: type, resourceName: name, configurationKeys: keys)
        }
        includeSynonyms = version >= 1 ? try r.readBool("include synonyms") : false
        includeDocumentation = version >= 3 ? try r.readBool("include documentation") : false
        if compact { try r.readTaggedFields() }
    }
}

/// DescribeConfigs response: per resource its configuration entries (synonyms not described).
public struct DescribeConfigsResponse: KafkaMessage {
    public static let apiKey = ApiKey.describeConfigs

    /// Where a value comes from (v1+), Kafka's ConfigSource: 1 topic config, 2 dynamic broker
    /// config, 3 dynamic cluster-wide default, 4 static broker config, 5 default.
    public static let sourceTopic: Int8 = 1
    public static let sourceDynamicBroker: Int8 = 2
    public static let sourceDynamicDefaultBroker: Int8 = 3
    public static let sourceStaticBroker: Int8 = 4
    public static let sourceDefault: Int8 = 5

    public struct Entry: Equatable, Sendable {
        public var name: String
        public var value: String?
        public var readOnly: Bool
        public var isDefault: Bool
        public var configSource: Int8
        public var isSensitive: Bool
        public var configType: Int8
        public init(name: String, value: String?, readOnly: Bool = false, isDefault: Bool = false, configSource: Int8 = -1,
                    isSensitive: Bool = false, configType: Int8 = 0) {
            self.name = name; self.value = value; self.readOnly = readOnly; self.isDefault = isDefault
            self.configSource = configSource; self.isSensitive = isSensitive; self.configType = configType
        }
    }

    public struct Result: Equatable, Sendable {
        public var errorCode: KafkaErrorCode
        public var errorMessage: String?
        public var resourceType: Int8
        public var resourceName: String
        public var configs: [Entry]
        public init(errorCode: KafkaErrorCode = .none, errorMessage: String? = nil, resourceType: Int8, resourceName: String, configs: [Entry]) {
            self.errorCode = errorCode; self.errorMessage = errorMessage; self.resourceType = resourceType
            self.resourceName = resourceName; self.configs = configs
        }
    }

    public var throttleTimeMs: Int32
    public var results: [Result]

    public init(throttleTimeMs: Int32 = 0, results: [Result]) { self.throttleTimeMs = throttleTimeMs; self.results = results }

    public func encode(into w: inout KafkaWriter, version: Int16) throws {
        try Self.check(version)
        let compact = Self.apiKey.isFlexible(version)
        w.writeInt32(throttleTimeMs)
        w.writeArray(results, compact: compact) { w, res in
            w.writeInt16(res.errorCode.rawValue)
            w.writeNullableString(res.errorMessage, compact: compact)
            w.writeInt8(res.resourceType)
            w.writeString(res.resourceName, compact: compact)
            w.writeArray(res.configs, compact: compact) { w, e in
                w.writeString(e.name, compact: compact)
                w.writeNullableString(e.value, compact: compact)
                w.writeBool(e.readOnly)
                if version == 0 { w.writeBool(e.isDefault) } else { w.writeInt8(e.configSource) }
                w.writeBool(e.isSensitive)
                if version >= 1 { w.writeArray([Int](), compact: compact) { _, _ in } }   // synonyms
                if version >= 3 {
                    w.writeInt8(e.configType)
                    w.writeNullableString(nil, compact: compact)   // documentation
                }
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
        results = try r.readArray(compact: compact, "results") { r in
            let code = KafkaErrorCode(try r.readInt16("error code"))
            let message = try r.readNullableString(compact: compact, "error message")
            let type = try r.readInt8("resource type")
            let name = try r.readString(compact: compact, "resource name")
            let configs = try r.readArray(compact: compact, "configs") { r in
                var e = Entry(name: try r.readString(compact: compact, "config name"), value: try r.readNullableString(compact: compact, "config value"),
                              readOnly: try r.readBool("read only"))
                if version == 0 { e.isDefault = try r.readBool("is default") } else { e.configSource = try r.readInt8("config source") }
                e.isSensitive = try r.readBool("is sensitive")
                if version >= 1 {
                    _ = try r.readArray(compact: compact, "synonyms") { r in
                        _ = try r.readString(compact: compact, "synonym name")
                        _ = try r.readNullableString(compact: compact, "synonym value")
                        _ = try r.readInt8("synonym source")
                        if compact { try r.readTaggedFields() }
                    }
                }
                if version >= 3 {
                    e.configType = try r.readInt8("config type")
                    _ = try r.readNullableString(compact: compact, "documentation")
                }
                if compact { try r.readTaggedFields() }
                return e
            }
            if compact { try r.readTaggedFields() }
            return Result(errorCode: code, errorMessage: message, resourceType: type, resourceName: name, configs: configs)
        }
        if compact { try r.readTaggedFields() }
    }
}
