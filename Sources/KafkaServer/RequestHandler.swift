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
    }

    let engine: Engine
    let configuration: BrokerConfiguration
    var loop: EventLoop { engine.loop }
    var logger: Logger { engine.logger }
    var fetchWaiters: [FetchWaiter] = []
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
        do {
            switch api {
            case .apiVersions: return try answer(ApiVersionsRequest.self, header, body) { _ in self.apiVersions() }
            case .metadata: return try answer(MetadataRequest.self, header, body) { try self.metadata($0) }
            case .produce: return try produce(header, body)
            case .fetch:
                var reader = body
                let request = try FetchRequest(from: &reader, version: header.apiVersion)
                return fetch(request, version: header.apiVersion).flatMapThrowing { answer in
                    .parts(try KafkaFrame.responseParts(answer.response, version: header.apiVersion, correlationId: header.correlationId),
                           files: answer.files)
                }
            case .listOffsets: return try answer(ListOffsetsRequest.self, header, body) { try self.listOffsets($0) }
            case .findCoordinator: return try answer(FindCoordinatorRequest.self, header, body) { self.findCoordinator($0, version: header.apiVersion) }
            case .createTopics: return try answer(CreateTopicsRequest.self, header, body) { self.createTopics($0) }
            case .deleteTopics: return try answer(DeleteTopicsRequest.self, header, body) { self.deleteTopics($0) }
            case .createPartitions: return try answer(CreatePartitionsRequest.self, header, body) { self.createPartitions($0) }
            case .deleteRecords: return try answer(DeleteRecordsRequest.self, header, body) { self.engine.deleteRecords($0) }
            case .describeConfigs: return try answer(DescribeConfigsRequest.self, header, body) { self.describeConfigs($0) }
            case .alterConfigs: return try answer(AlterConfigsRequest.self, header, body) { self.alterConfigs($0) }
            case .incrementalAlterConfigs: return try answer(IncrementalAlterConfigsRequest.self, header, body) { self.incrementalAlterConfigs($0) }
            case .joinGroup: return try answerLater(JoinGroupRequest.self, header, body) { self.engine.groups.join($0, version: header.apiVersion, clientId: header.clientId ?? "", host: client.address) }
            case .syncGroup: return try answerLater(SyncGroupRequest.self, header, body) { self.engine.groups.sync($0) }
            case .heartbeat: return try answer(HeartbeatRequest.self, header, body) { self.engine.groups.heartbeat($0) }
            case .leaveGroup: return try answer(LeaveGroupRequest.self, header, body) { self.engine.groups.leave($0) }
            case .offsetCommit: return try answerLater(OffsetCommitRequest.self, header, body) { self.engine.groups.commit($0) }
            case .offsetFetch: return try answer(OffsetFetchRequest.self, header, body) { self.engine.fetchOffsets($0) }
            case .listGroups: return try answer(ListGroupsRequest.self, header, body) { self.engine.groups.list($0) }
            case .describeGroups: return try answer(DescribeGroupsRequest.self, header, body) { self.engine.groups.describe($0) }
            case .deleteGroups: return try answerLater(DeleteGroupsRequest.self, header, body) { self.engine.groups.delete($0) }
            case .describeCluster: return try answer(DescribeClusterRequest.self, header, body) { self.describeCluster($0) }
            case .offsetDelete: return try answerLater(OffsetDeleteRequest.self, header, body) { self.engine.groups.deleteOffsets($0) }
            case .initProducerId: return try answerLater(InitProducerIdRequest.self, header, body) { self.engine.transactions.initProducerId($0) }
            case .addPartitionsToTxn: return try answer(AddPartitionsToTxnRequest.self, header, body) { self.engine.transactions.addPartitions($0) }
            case .addOffsetsToTxn: return try answer(AddOffsetsToTxnRequest.self, header, body) { self.engine.transactions.addOffsets($0) }
            case .endTxn: return try answerLater(EndTxnRequest.self, header, body) { self.engine.transactions.end($0) }
            case .txnOffsetCommit: return try answer(TxnOffsetCommitRequest.self, header, body) { self.engine.transactions.commitOffsets($0) }
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
