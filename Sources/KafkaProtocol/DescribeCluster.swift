/// DescribeCluster request (key 60), v0–1 (flexible from v0): the brokers, the controller and the
/// cluster id, as admin clients' `describe_cluster` asks (v1 adds the endpoint type).
public struct DescribeClusterRequest: KafkaRequest {
    public typealias Response = DescribeClusterResponse
    public static let apiKey = ApiKey.describeCluster
    /// `endpoint_type` values.
    public static let brokersEndpoint: Int8 = 1
    public static let controllersEndpoint: Int8 = 2

    public var includeClusterAuthorizedOperations: Bool
    public var endpointType: Int8

    public init(includeClusterAuthorizedOperations: Bool = false, endpointType: Int8 = brokersEndpoint) {
        self.includeClusterAuthorizedOperations = includeClusterAuthorizedOperations; self.endpointType = endpointType
    }

    public func encode(into w: inout KafkaWriter, version: Int16) throws {
        try Self.check(version)
        w.writeBool(includeClusterAuthorizedOperations)
        if version >= 1 { w.writeInt8(endpointType) }
        w.writeTaggedFields()
    }

    public init(from r: inout KafkaReader, version: Int16) throws {
        try Self.check(version)
        includeClusterAuthorizedOperations = try r.readBool("include cluster authorized operations")
        endpointType = version >= 1 ? try r.readInt8("endpoint type") : Self.brokersEndpoint
        try r.readTaggedFields()
    }
}

/// DescribeCluster response.
public struct DescribeClusterResponse: KafkaMessage {
    public static let apiKey = ApiKey.describeCluster

    public struct Broker: Equatable, Sendable {
        public var brokerId: Int32
        public var host: String
        public var port: Int32
        public var rack: String?
        public init(brokerId: Int32, host: String, port: Int32, rack: String? = nil) {
            self.brokerId = brokerId; self.host = host; self.port = port; self.rack = rack
        }
    }

    public var throttleTimeMs: Int32
    public var errorCode: KafkaErrorCode
    public var errorMessage: String?
    public var endpointType: Int8
    public var clusterId: String
    public var controllerId: Int32
    public var brokers: [Broker]
    /// `Int32.min` when not asked for.
    public var clusterAuthorizedOperations: Int32

    public init(throttleTimeMs: Int32 = 0, errorCode: KafkaErrorCode = .none, errorMessage: String? = nil,
                endpointType: Int8 = DescribeClusterRequest.brokersEndpoint, clusterId: String, controllerId: Int32, brokers: [Broker],
                clusterAuthorizedOperations: Int32 = Int32.min) {
        self.throttleTimeMs = throttleTimeMs; self.errorCode = errorCode; self.errorMessage = errorMessage; self.endpointType = endpointType
        self.clusterId = clusterId; self.controllerId = controllerId; self.brokers = brokers
        self.clusterAuthorizedOperations = clusterAuthorizedOperations
    }

    public func encode(into w: inout KafkaWriter, version: Int16) throws {
        try Self.check(version)
        w.writeInt32(throttleTimeMs)
        w.writeInt16(errorCode.rawValue)
        w.writeNullableString(errorMessage, compact: true)
        if version >= 1 { w.writeInt8(endpointType) }
        w.writeString(clusterId, compact: true)
        w.writeInt32(controllerId)
        w.writeArray(brokers, compact: true) { w, b in
            w.writeInt32(b.brokerId)
            w.writeString(b.host, compact: true)
            w.writeInt32(b.port)
            w.writeNullableString(b.rack, compact: true)
            w.writeTaggedFields()
        }
        w.writeInt32(clusterAuthorizedOperations)
        w.writeTaggedFields()
    }

    public init(from r: inout KafkaReader, version: Int16) throws {
        try Self.check(version)
        throttleTimeMs = try r.readInt32("throttle time")
        errorCode = KafkaErrorCode(try r.readInt16("error code"))
        errorMessage = try r.readNullableString(compact: true, "error message")
        endpointType = version >= 1 ? try r.readInt8("endpoint type") : DescribeClusterRequest.brokersEndpoint
        clusterId = try r.readString(compact: true, "cluster id")
        controllerId = try r.readInt32("controller id")
        brokers = try r.readArray(compact: true, "brokers") { r in
            let b = Broker(brokerId: try r.readInt32("broker id"), host: try r.readString(compact: true, "host"), port: try r.readInt32("port"),
                           rack: try r.readNullableString(compact: true, "rack"))
            try r.readTaggedFields()
            return b
        }
        clusterAuthorizedOperations = try r.readInt32("cluster authorized operations")
        try r.readTaggedFields()
    }
}
