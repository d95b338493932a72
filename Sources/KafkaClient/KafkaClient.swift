import NIOCore
import NIOPosix
import KafkaProtocol

/// A topic and partition, the unit Kafka offsets are kept in.
public struct TopicPartition: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var topic: String
    public var partition: Int32
    public init(_ topic: String, _ partition: Int32) { self.topic = topic; self.partition = partition }
    public static func < (a: Self, b: Self) -> Bool { (a.topic, a.partition) < (b.topic, b.partition) }
    public var description: String { "\(topic)-\(partition)" }
}

/// A Kafka client for an operations console: cluster metadata, groups, committed and end offsets.
///
/// One connection per broker, opened on first use and reopened after a failure with exponential
/// backoff. Every call groups its work by broker (leader or coordinator), so the cost of a
/// refresh grows with the number of brokers, not with groups × partitions.
public actor KafkaClient {
    public let configuration: KafkaClientConfiguration
    private let group: EventLoopGroup
    private var connections: [BrokerAddress: BrokerConnection] = [:]
    private var connecting: [BrokerAddress: Task<BrokerConnection, Error>] = [:]
    private var failures: [BrokerAddress: Failure] = [:]
    private var isShutDown = false
    /// Broker addresses by node id, from the latest metadata.
    public internal(set) var brokers: [Int32: BrokerAddress] = [:]
    var coordinatorCache: [String: Int32] = [:] { didSet { coordinatorGeneration &+= 1 } }
    /// Changes whenever `coordinatorCache` does.
    var coordinatorGeneration = 0
    /// The last complete routing of a group list by coordinator: a console asks about the same
    /// list every refresh, and re-hashing a thousand group ids each time is wasted work.
    var routingMemo: (groups: [String], generation: Int, routed: [Int32?: [String]])?
    /// Requests sent per API since start: the refresh-cost benchmark and tests read this.
    public private(set) var requestCounts: [ApiKey: Int] = [:]
    /// Wall time spent waiting per API since start (summed over concurrent requests).
    public private(set) var requestTime: [ApiKey: Duration] = [:]

    private struct Failure {
        var count: Int
        var retryAt: ContinuousClock.Instant
        var lastError: String
    }

    public init(configuration: KafkaClientConfiguration, group: EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.configuration = configuration
        self.group = group
    }

    /// Closes every connection; later calls fail with ``KafkaClientError/shutDown``.
    public func shutdown() {
        isShutDown = true
        for (_, c) in connections { c.close() }
        connections = [:]
        for (_, t) in connecting { t.cancel() }
        connecting = [:]
    }

    /// The connection to `address`, opening it if needed; fails fast while backing off.
    /// One connection per broker: measured against tansu, spreading requests over several
    /// connections made each slower (the broker contends with itself) and the refresh 20 % longer.
    func connection(to address: BrokerAddress) async throws -> BrokerConnection {
        if isShutDown { throw KafkaClientError.shutDown }
        if let c = connections[address] {
            if c.isActive { return c }
            connections[address] = nil
        }
        if let pending = connecting[address] { return try await pending.value }
        if let f = failures[address], f.retryAt > .now {
            let wait = ContinuousClock.now.duration(to: f.retryAt)
            throw KafkaClientError.backingOff(broker: address.description, lastError: f.lastError,
                                              retryInSeconds: Double(wait.components.seconds) + Double(wait.components.attoseconds) / 1e18)
        }
        let config = configuration
        let group = self.group
        let task = Task { try await BrokerConnection.connect(to: address, group: group, configuration: config) }
        connecting[address] = task
        defer { connecting[address] = nil }
        do {
            let c = try await task.value
            connections[address] = c
            failures[address] = nil
            return c
        } catch {
            recordFailure(address, error)
            throw error
        }
    }

    private func recordFailure(_ address: BrokerAddress, _ error: Error) {
        let count = (failures[address]?.count ?? 0) + 1
        let delay = min(configuration.reconnectBackoffSeconds * Double(1 << min(count - 1, 16)), configuration.reconnectBackoffMaxSeconds)
        failures[address] = Failure(count: count, retryAt: .now + .milliseconds(Int64(delay * 1000)),
                                    lastError: (error as? KafkaClientError)?.reason ?? BrokerConnection.describe(error))
    }

    /// Sends to one broker; a connection-level failure drops the connection so the next call reconnects.
    func send<R: KafkaRequest>(_ request: R, to address: BrokerAddress, version: Int16? = nil) async throws -> R.Response {
        let c = try await connection(to: address)
        requestCounts[R.apiKey, default: 0] += 1
        let started = ContinuousClock.now
        defer { requestTime[R.apiKey, default: .zero] += ContinuousClock.now - started }
        do {
            return try await c.send(request, version: version)
        } catch let error as KafkaClientError {
            switch error {
            case .disconnected, .malformedResponse, .malformedFrame, .timeout:
                c.close()
                // Another caller may already have reconnected while this request failed.
                if connections[address] === c { connections[address] = nil }
                if case .timeout = error {} else { recordFailure(address, error) }
            default: break
            }
            throw error
        }
    }

    /// The version `api` would be sent at to `address`.
    func version(of api: ApiKey, at address: BrokerAddress) async throws -> Int16 {
        try await connection(to: address).version(for: api)
    }

    func address(of nodeId: Int32) throws -> BrokerAddress {
        guard let a = brokers[nodeId] else { throw KafkaClientError.unknownBroker(nodeId: nodeId) }
        return a
    }

    /// Known brokers first, then the bootstrap list, without duplicates.
    private var candidateAddresses: [BrokerAddress] {
        var seen = Set<BrokerAddress>()
        return (brokers.keys.sorted().compactMap { brokers[$0] } + configuration.bootstrap).filter { seen.insert($0).inserted }
    }

    /// Cluster metadata for `topics` (all when `nil`), from the first broker that answers. Updates
    /// the broker table used to route every other call.
    public func metadata(topics: [String]? = nil) async throws -> MetadataResponse {
        var reasons: [String] = []
        for address in candidateAddresses {
            do {
                let response = try await send(MetadataRequest(topics: topics), to: address)
                var table: [Int32: BrokerAddress] = [:]
                for b in response.brokers { table[b.nodeId] = BrokerAddress(host: b.host, port: Int(b.port)) }
                brokers = table
                return response
            } catch let error as KafkaClientError {
                reasons.append(error.reason)
            } catch {
                reasons.append(BrokerConnection.describe(error))
            }
        }
        throw KafkaClientError.bootstrapFailed(servers: configuration.bootstrap.map(\.description),
                                               reason: reasons.last ?? "no brokers")
    }

    public func resetRequestCounts() {
        requestCounts = [:]
        requestTime = [:]
    }

    /// Whether a connection to `address` is open now (for the console's health line).
    public func isConnected(_ address: BrokerAddress) -> Bool { connections[address]?.isActive ?? false }
}
