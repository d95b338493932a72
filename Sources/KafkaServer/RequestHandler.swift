import Foundation
import KafkaProtocol
import Logging
import NIOCore
import StreamLog
import EngineCore

/// The engine's Kafka front: decodes each request, calls the engine core, encodes the answer.
/// Runs on the engine's event loop (the core's state is confined there); the only state of its
/// own is the fetches waiting for data (long polls).
final class RequestHandler: @unchecked Sendable {   // confined to the engine loop
    /// What a request turns into.
    enum Reply: Sendable {
        /// A whole response frame, size prefix included.
        case frame([UInt8])
        /// A frame in pieces, sent in order: the encoding with holes where record sets go, and
        /// for each hole the stretches of segment files to send there (`sendfile`, no copy).
        case parts([KafkaWriter.Part], files: [[PartitionLog.FileSpan]])
        /// No answer (Produce with acks=0).
        case none
        /// Close the connection (a malformed or unanswerable request), with the reason logged.
        case close(String)
    }

    /// Who sent a request: for logs and for DescribeGroups' client host.
    struct Client: Sendable {
        var address: String
        /// `User:<name>` after SASL, `User:ANONYMOUS` on a listener without authentication.
        var principal: String = "User:ANONYMOUS"
    }

    let engine: Engine
    let configuration: BrokerConfiguration
    var loop: EventLoop { engine.loop }
    var logger: Logger { engine.logger }
    var fetchWaiters: [FetchWaiter] = []
    /// When each denial was last logged (RequestHandler+Authorization).
    var deniedLogged: [String: NIODeadline] = [:]
    private var appendObserver: Int?
    /// The port actually listened on (the configured one may be 0: any free port).
    var listenPort: Int

    /// Where clients are told to connect.
    var advertised: (host: String, port: Int) {
        (configuration.advertised.host, configuration.advertisedPort ?? listenPort)
    }

    /// Made on the engine loop.
    init(engine: Engine, configuration: BrokerConfiguration) {
        self.engine = engine
        self.configuration = configuration
        listenPort = configuration.port
        appendObserver = engine.observeAppends { [weak self] _ in self?.wakeFetchers() }
    }

    /// Answers long polls with what there is, so no connection is left hanging. On the loop.
    func stop() {
        if let appendObserver { engine.removeObserver(appendObserver) }
        appendObserver = nil
        let waiting = fetchWaiters
        fetchWaiters = []
        for w in waiting {
            w.timeout?.cancel()
            w.promise.succeed(readFetch(w.request).0)
        }
    }

    // MARK: - Requests

    /// Decodes and answers one request. Runs on `loop`.
    func handle(header: RequestHeader, body: KafkaReader, client: Client) -> EventLoopFuture<Reply> {
        loop.preconditionInEventLoop()
        guard let api = ApiKey(rawValue: header.apiKey) else {
            return loop.makeSucceededFuture(.close("unknown API key \(header.apiKey)"))
        }
        if api == .apiVersions, !(api.supportedVersions?.contains(header.apiVersion) ?? false) {
            return loop.makeSucceededFuture(apiVersionsFallback(header))
        }
        guard let versions = Self.advertised[api], versions.contains(header.apiVersion) else {
            return loop.makeSucceededFuture(.close("\(api) v\(header.apiVersion) is not supported (this broker speaks \(Self.advertised[api].map { "v\($0.lowerBound)–v\($0.upperBound)" } ?? "none"))"))
        }
        let gate = gate(for: client, api: api)
        do {
            switch api {
            case .apiVersions: return try answer(ApiVersionsRequest.self, header, body) { _ in self.apiVersions() }
            case .metadata: return try answer(MetadataRequest.self, header, body) { try self.authorizedMetadata($0, gate) }
            case .produce: return try produce(header, body, gate)
            case .fetch:
                var reader = body
                let request = try FetchRequest(from: &reader, version: header.apiVersion)
                return authorizedFetch(request, version: header.apiVersion, gate).flatMapThrowing { answer in
                    .parts(try KafkaFrame.responseParts(answer.response, version: header.apiVersion, correlationId: header.correlationId),
                           files: answer.files)
                }
            case .listOffsets: return try answer(ListOffsetsRequest.self, header, body) { try self.authorizedListOffsets($0, gate) }
            case .findCoordinator: return try answer(FindCoordinatorRequest.self, header, body) { self.authorizedFindCoordinator($0, version: header.apiVersion, gate) }
            case .createTopics: return try answer(CreateTopicsRequest.self, header, body) { self.authorizedCreateTopics($0, gate) }
            case .deleteTopics: return try answer(DeleteTopicsRequest.self, header, body) { self.authorizedDeleteTopics($0, gate) }
            case .createPartitions: return try answer(CreatePartitionsRequest.self, header, body) { self.authorizedCreatePartitions($0, gate) }
            case .deleteRecords: return try answer(DeleteRecordsRequest.self, header, body) { self.authorizedDeleteRecords($0, gate) }
            case .describeConfigs: return try answer(DescribeConfigsRequest.self, header, body) { self.authorizedDescribeConfigs($0, gate) }
            case .alterConfigs: return try answer(AlterConfigsRequest.self, header, body) { self.authorizedAlterConfigs($0, gate) }
            case .incrementalAlterConfigs: return try answer(IncrementalAlterConfigsRequest.self, header, body) { self.authorizedIncrementalAlterConfigs($0, gate) }
            case .joinGroup: return try answerLater(JoinGroupRequest.self, header, body) {
                guard gate.allows(.read, .group, $0.groupId) else {
                    return self.loop.makeSucceededFuture(.init(errorCode: .groupAuthorizationFailed, protocolName: nil, leader: "", memberId: $0.memberId))
                }
                return self.engine.groups.join($0, version: header.apiVersion, clientId: header.clientId ?? "", host: client.address)
            }
            case .syncGroup: return try answerLater(SyncGroupRequest.self, header, body) {
                gate.allows(.read, .group, $0.groupId) ? self.engine.groups.sync($0) : self.loop.makeSucceededFuture(.init(errorCode: .groupAuthorizationFailed, assignment: []))
            }
            case .heartbeat: return try answer(HeartbeatRequest.self, header, body) {
                gate.allows(.read, .group, $0.groupId) ? self.engine.groups.heartbeat($0) : .init(errorCode: .groupAuthorizationFailed)
            }
            case .leaveGroup: return try answer(LeaveGroupRequest.self, header, body) {
                gate.allows(.read, .group, $0.groupId) ? self.engine.groups.leave($0) : .init(errorCode: .groupAuthorizationFailed)
            }
            case .offsetCommit: return try answerLater(OffsetCommitRequest.self, header, body) { self.authorizedOffsetCommit($0, gate) }
            case .offsetFetch: return try answer(OffsetFetchRequest.self, header, body) { self.authorizedOffsetFetch($0, gate) }
            case .listGroups: return try answer(ListGroupsRequest.self, header, body) { self.authorizedListGroups($0, gate) }
            case .describeGroups: return try answer(DescribeGroupsRequest.self, header, body) { self.authorizedDescribeGroups($0, gate) }
            case .deleteGroups: return try answerLater(DeleteGroupsRequest.self, header, body) { self.authorizedDeleteGroups($0, gate) }
            case .describeCluster: return try answer(DescribeClusterRequest.self, header, body) {
                gate.allowsCluster(.describe) ? self.describeCluster($0)
                    : .init(errorCode: .clusterAuthorizationFailed, errorMessage: "not authorized to describe the cluster", endpointType: $0.endpointType, clusterId: "", controllerId: -1, brokers: [])
            }
            case .offsetDelete: return try answerLater(OffsetDeleteRequest.self, header, body) { self.authorizedOffsetDelete($0, gate) }
            case .initProducerId: return try answerLater(InitProducerIdRequest.self, header, body) {
                if let code = self.initProducerIdRefusal($0, gate) { return self.loop.makeSucceededFuture(.init(errorCode: code)) }
                return self.engine.transactions.initProducerId($0)
            }
            case .addPartitionsToTxn: return try answer(AddPartitionsToTxnRequest.self, header, body) { self.authorizedAddPartitionsToTxn($0, gate) }
            case .addOffsetsToTxn: return try answer(AddOffsetsToTxnRequest.self, header, body) {
                guard gate.allows(.write, .transactionalId, $0.transactionalId) else { return .init(errorCode: .transactionalIdAuthorizationFailed) }
                guard gate.allows(.read, .group, $0.groupId) else { return .init(errorCode: .groupAuthorizationFailed) }
                return self.engine.transactions.addOffsets($0)
            }
            case .endTxn: return try answerLater(EndTxnRequest.self, header, body) {
                gate.allows(.write, .transactionalId, $0.transactionalId) ? self.engine.transactions.end($0) : self.loop.makeSucceededFuture(.init(errorCode: .transactionalIdAuthorizationFailed))
            }
            case .txnOffsetCommit: return try answer(TxnOffsetCommitRequest.self, header, body) { self.authorizedTxnOffsetCommit($0, gate) }
            case .describeAcls: return try answer(DescribeAclsRequest.self, header, body) { self.describeAcls($0, gate) }
            case .createAcls: return try answer(CreateAclsRequest.self, header, body) { self.createAcls($0, gate) }
            case .deleteAcls: return try answer(DeleteAclsRequest.self, header, body) { self.deleteAcls($0, gate) }
            case .saslHandshake, .saslAuthenticate:
                // Answered by the connection before it reaches the broker; here only out of turn.
                return loop.makeSucceededFuture(.close("\(api) after authentication"))
            }
        } catch {
            return loop.makeSucceededFuture(.close("malformed \(api) v\(header.apiVersion) request: \(error)"))
        }
    }

    // Bytes after the end of a request body are ignored, as Kafka's own parser does: librdkafka
    // 2.16 sends three extra bytes after a Metadata v12 request for all topics.
    private func answer<R: KafkaRequest>(_ type: R.Type, _ header: RequestHeader, _ body: KafkaReader,
                                         _ f: (R) throws -> R.Response) throws -> EventLoopFuture<Reply> {
        var body = body
        let request = try R(from: &body, version: header.apiVersion)
        let response = try f(request)
        return loop.makeSucceededFuture(.frame(try KafkaFrame.response(response, version: header.apiVersion, correlationId: header.correlationId)))
    }

    private func answerLater<R: KafkaRequest>(_ type: R.Type, _ header: RequestHeader, _ body: KafkaReader,
                                              _ f: (R) throws -> EventLoopFuture<R.Response>) throws -> EventLoopFuture<Reply> {
        var body = body
        let request = try R(from: &body, version: header.apiVersion)
        return try f(request).flatMapThrowing { .frame(try KafkaFrame.response($0, version: header.apiVersion, correlationId: header.correlationId)) }
    }

    // MARK: - ApiVersions

    /// The versions this broker offers: what the codec implements. Every key the feature checks
    /// of librdkafka look for reaches down to the versions they test.
    static let advertised: [ApiKey: ClosedRange<Int16>] = {
        var out: [ApiKey: ClosedRange<Int16>] = [:]
        for key in ApiKey.allCases { if let r = key.supportedVersions { out[key] = r } }
        return out
    }()

    private func apiVersions() -> ApiVersionsResponse {
        ApiVersionsResponse(apiKeys: Self.advertised.sorted { $0.key.rawValue < $1.key.rawValue }.map {
            .init(apiKey: $0.key.rawValue, minVersion: $0.value.lowerBound, maxVersion: $0.value.upperBound)
        })
    }

    /// A client asking with an ApiVersions version newer than ours gets UNSUPPORTED_VERSION in
    /// the v0 layout, listing our ApiVersions range so it can retry lower (KIP-511).
    private func apiVersionsFallback(_ header: RequestHeader) -> Reply {
        var response = apiVersions()
        response.errorCode = .unsupportedVersion
        response.apiKeys = response.apiKeys.filter { $0.apiKey == ApiKey.apiVersions.rawValue }
        return (try? KafkaFrame.response(response, version: 0, correlationId: header.correlationId)).map(Reply.frame) ?? .close("cannot encode")
    }

    /// A fetch answer: the response, whose record sets are external, and the file stretches
    /// holding them, one list per partition with records, in encoding order.
    struct FetchAnswer: @unchecked Sendable {
        var response: FetchResponse
        var files: [[PartitionLog.FileSpan]]
    }

    final class FetchWaiter: @unchecked Sendable {
        let request: FetchRequest
        let version: Int16
        let promise: EventLoopPromise<FetchAnswer>
        var timeout: Scheduled<Void>?
        init(request: FetchRequest, version: Int16, promise: EventLoopPromise<FetchAnswer>) {
            self.request = request; self.version = version; self.promise = promise
        }
    }
}
