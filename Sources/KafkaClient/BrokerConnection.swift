import NIOCore
import NIOPosix
import NIOConcurrencyHelpers
import KafkaFraming
import KafkaProtocol

/// One TCP connection to one broker, with the API versions that broker advertised.
final class BrokerConnection: Sendable {
    let address: BrokerAddress
    let channel: Channel
    let clientId: String
    let requestTimeout: TimeAmount
    private let correlation = NIOLockedValueBox<Int32>(0)
    private let versions = NIOLockedValueBox<ApiVersionsResponse?>(nil)

    private init(address: BrokerAddress, channel: Channel, clientId: String, requestTimeout: TimeAmount) {
        self.address = address
        self.channel = channel
        self.clientId = clientId
        self.requestTimeout = requestTimeout
    }

    var isActive: Bool { channel.isActive }

    /// Opens a connection and negotiates API versions (v3, falling back as the broker asks).
    static func connect(to address: BrokerAddress, group: EventLoopGroup, configuration: KafkaClientConfiguration) async throws -> BrokerConnection {
        let name = address.description
        let channel: Channel
        do {
            channel = try await ClientBootstrap(group: group)
                .connectTimeout(.milliseconds(Int64(configuration.connectTimeoutSeconds * 1000)))
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandlers([
                            ByteToMessageHandler(KafkaFrameDecoder(maxFrameSize: KafkaFrame.maxFrameSize)),
                            KafkaChannelHandler(broker: name),
                        ])
                    }
                }
                .connect(host: address.host, port: address.port).get()
        } catch {
            throw KafkaClientError.connectFailed(broker: name, reason: Self.describe(error))
        }
        let connection = BrokerConnection(address: address, channel: channel, clientId: configuration.clientId,
                                          requestTimeout: .milliseconds(Int64(configuration.requestTimeoutSeconds * 1000)))
        do {
            try await connection.negotiateVersions()
        } catch {
            connection.close()
            throw error
        }
        return connection
    }

    private func negotiateVersions() async throws {
        var version: Int16 = 3
        for _ in 0..<3 {
            let payload = try await roundTrip(ApiVersionsRequest(), version: version)
            var r = KafkaReader(payload)
            _ = try? r.readInt32()
            let code = KafkaErrorCode((try? r.readInt16()) ?? 0)
            if code == .unsupportedVersion {
                // The broker answers in v0 form; retry at the highest version it offers (KIP-511).
                let fallback = try? KafkaFrame.decodeResponse(ApiVersionsResponse.self, payload: payload, version: 0)
                let offered = fallback?.body.range(for: .apiVersions)?.upperBound ?? 0
                version = min(version - 1, offered)
                continue
            }
            let body = try decode(ApiVersionsResponse.self, payload: payload, version: version)
            guard body.errorCode.isOK else {
                throw KafkaClientError.brokerError(api: .apiVersions, broker: address.description, code: body.errorCode)
            }
            versions.withLockedValue { $0 = body }
            return
        }
        throw KafkaClientError.unsupportedApi(api: .apiVersions, broker: address.description)
    }

    /// The highest version both sides implement, or `nil` when there is none.
    func negotiatedVersion(_ api: ApiKey) -> Int16? {
        guard let ours = api.supportedVersions,
              let theirs = versions.withLockedValue({ $0 })?.range(for: api) else { return nil }
        let high = min(ours.upperBound, theirs.upperBound)
        return high >= max(ours.lowerBound, theirs.lowerBound) ? high : nil
    }

    func version(for api: ApiKey) throws -> Int16 {
        guard let v = negotiatedVersion(api) else { throw KafkaClientError.unsupportedApi(api: api, broker: address.description) }
        return v
    }

    /// Sends `request` at the negotiated (or given) version and decodes the response.
    func send<R: KafkaRequest>(_ request: R, version: Int16? = nil) async throws -> R.Response {
        let v = try version ?? self.version(for: R.apiKey)
        let payload = try await roundTrip(request, version: v)
        return try decode(R.Response.self, payload: payload, version: v)
    }

    private func decode<M: KafkaMessage>(_ type: M.Type, payload: [UInt8], version: Int16) throws -> M {
        do {
            return try KafkaFrame.decodeResponse(type, payload: payload, version: version).body
        } catch let error as KafkaProtocolError {
            // A connection that produced garbage cannot be trusted for the next frame either.
            close()
            throw KafkaClientError.malformedResponse(api: M.apiKey, broker: address.description, error: error)
        }
    }

    private func roundTrip<R: KafkaRequest>(_ request: R, version: Int16) async throws -> [UInt8] {
        let id = correlation.withLockedValue { value -> Int32 in
            value = value == Int32.max ? 1 : value + 1
            return value
        }
        let frame = try KafkaFrame.request(request, version: version, correlationId: id, clientId: clientId)
        let promise = channel.eventLoop.makePromise(of: [UInt8].self)
        let outbound = OutboundRequest(correlationId: id, api: R.apiKey, frame: frame, timeout: requestTimeout, promise: promise)
        channel.writeAndFlush(outbound).whenFailure { error in
            promise.fail(KafkaClientError.disconnected(broker: self.address.description))
        }
        return try await promise.futureResult.get()
    }

    func close() {
        channel.close(promise: nil)
    }

    static func describe(_ error: Error) -> String {
        if let e = error as? KafkaClientError { return e.description }
        if let e = error as? IOError { return e.description }
        let text = String(describing: error)
        if text.contains("connectTimeout") { return "connect timed out" }
        if text.contains("Connection refused") || text.contains("connectionRefused") { return "connection refused" }
        return text
    }
}
