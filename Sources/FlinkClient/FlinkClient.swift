import AsyncHTTPClient
import Foundation
@_exported import FlinkWire
import NIOCore
import NIOHTTP1
import Synchronization

/// A client for Flink's REST API (the JobManager's web port): cluster and job overviews, job
/// detail, backpressure, metrics, checkpoints, exceptions, jars, and the job actions — run,
/// savepoint, stop-with-savepoint, cancel.
///
/// Every call is one HTTP request with a timeout; failures come back as ``FlinkClientError``
/// carrying Flink's own message. Counters of requests made are kept for the console's request
/// budget and the benchmarks.
public final class FlinkClient: Sendable {
    public let baseURL: String
    public let timeoutSeconds: Double
    private let http: HTTPClient
    private let counter = Mutex(0)
    private let bearerToken: String?

    /// `baseURL` like `http://127.0.0.1:8081` (a trailing slash is ignored). `bearerToken` is sent
    /// as `Authorization: Bearer …` (a Sluice engine's REST API beyond loopback asks for it; Flink
    /// ignores it); by default `SLUICE_REST_TOKEN` from the environment.
    public init(baseURL: String, timeoutSeconds: Double = 5, http: HTTPClient = .shared,
                bearerToken: String? = ProcessInfo.processInfo.environment["SLUICE_REST_TOKEN"]) {
        self.bearerToken = bearerToken.flatMap { $0.isEmpty ? nil : $0 }
        var url = baseURL
        while url.hasSuffix("/") { url.removeLast() }
        if !url.contains("://") { url = "http://" + url }
        self.baseURL = url
        self.timeoutSeconds = timeoutSeconds
        self.http = http
    }

    /// Requests sent since the client was made (or since the last reset).
    public var requestCount: Int { counter.withLock { $0 } }
    public func resetRequestCount() { counter.withLock { $0 = 0 } }

    // MARK: reading

    public func overview() async throws -> ClusterOverview { try await get("/overview") }

    public func jobs() async throws -> [JobOverview] { try await (get("/jobs/overview") as JobsOverviewResponse).jobs }

    public func job(_ jid: String) async throws -> JobDetail { try await get("/jobs/\(try Self.id(jid))") }

    public func backpressure(job jid: String, vertex: String) async throws -> VertexBackpressure {
        try await get("/jobs/\(try Self.id(jid))/vertices/\(try Self.id(vertex))/backpressure")
    }

    /// `names` aggregated over the vertex's subtasks (min, max, avg, sum). Flink omits metrics it
    /// does not have yet, and may answer zeros on the first call (it fetches metrics lazily).
    public func subtaskMetrics(job jid: String, vertex: String, names: [String]) async throws -> [AggregatedMetric] {
        let list = names.map { $0.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed.subtracting(CharacterSet(charactersIn: ",&="))) ?? $0 }
        return try await get("/jobs/\(try Self.id(jid))/vertices/\(try Self.id(vertex))/subtasks/metrics?get=\(list.joined(separator: ","))")
    }

    /// Job-level metrics such as `numRestarts`.
    public func jobMetrics(job jid: String, names: [String]) async throws -> [JobMetric] {
        try await get("/jobs/\(try Self.id(jid))/metrics?get=\(names.map { $0.filter { $0.isLetter || $0.isNumber || $0 == "." || $0 == "_" } }.joined(separator: ","))")
    }

    public func watermarks(job jid: String, vertex: String) async throws -> [WatermarkMetric] {
        try await get("/jobs/\(try Self.id(jid))/vertices/\(try Self.id(vertex))/watermarks")
    }

    public func checkpoints(job jid: String) async throws -> CheckpointStatistics { try await get("/jobs/\(try Self.id(jid))/checkpoints") }

    public func checkpointConfig(job jid: String) async throws -> CheckpointConfig {
        try await get("/jobs/\(try Self.id(jid))/checkpoints/config")
    }

    public func exceptions(job jid: String, max: Int = 20) async throws -> ExceptionHistory {
        try await get("/jobs/\(try Self.id(jid))/exceptions?maxExceptions=\(max)")
    }

    public func jars() async throws -> [JarFile] { try await (get("/jars") as JarListResponse).files }

    // MARK: acting

    /// Uploads a local jar — or a YAML job spec, which the Sluice engine takes in the jar's
    /// place (docs/jobs-engine.md) — and returns its id (the name `run` takes).
    public func uploadJar(path: String) async throws -> String {
        let url = URL(fileURLWithPath: path)
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw FlinkClientError.malformed(path: "/jars/upload", detail: "no readable jar at \(path)")
        }
        let data = try Data(contentsOf: url)
        let isSpec = Self.isJobSpec(path)
        guard isSpec || data.starts(with: [0x50, 0x4B]) else {
            throw FlinkClientError.malformed(path: "/jars/upload", detail: "\(path) is not a jar (zip) file")
        }
        let boundary = "sluice-\(UUID().uuidString)"
        var body = Data()
        body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\"\(url.lastPathComponent.replacingOccurrences(of: "\"", with: "_"))\"\r\nContent-Type: \(isSpec ? "application/x-yaml" : "application/x-java-archive")\r\n\r\n".utf8))
        body.append(data)
        body.append(Data("\r\n--\(boundary)--\r\n".utf8))
        let r: UploadResponse = try await send(.POST, "/jars/upload", body: body, contentType: "multipart/form-data; boundary=\(boundary)")
        guard r.status == "success", let id = r.filename.split(separator: "/").last else {
            throw FlinkClientError.malformed(path: "/jars/upload", detail: "upload status \(r.status)")
        }
        return String(id)
    }

    /// A YAML job spec for the Sluice engine (`.yaml`, `.yml`), uploaded where a jar would be.
    public static func isJobSpec(_ path: String) -> Bool {
        let lower = path.lowercased()
        return lower.hasSuffix(".yaml") || lower.hasSuffix(".yml")
    }

    /// Runs an uploaded jar; returns the new job's id.
    public func run(jar id: String, _ run: JarRun) async throws -> String {
        let r: RunResponse = try await send(.POST, "/jars/\(try Self.id(id))/run", json: run)
        return r.jobid
    }

    /// Triggers a savepoint; returns the trigger id to poll with ``savepointStatus(job:request:)``.
    public func triggerSavepoint(job jid: String, targetDirectory: String?) async throws -> String {
        let r: TriggerResponse = try await send(.POST, "/jobs/\(try Self.id(jid))/savepoints", json: SavepointTriggerRequest(targetDirectory: targetDirectory))
        return r.requestId
    }

    /// Stop-with-savepoint ("pause"); `drain` advances event time to the end first. Polled like a savepoint.
    public func stopWithSavepoint(job jid: String, targetDirectory: String?, drain: Bool) async throws -> String {
        let r: TriggerResponse = try await send(.POST, "/jobs/\(try Self.id(jid))/stop", json: StopWithSavepointRequest(targetDirectory: targetDirectory, drain: drain))
        return r.requestId
    }

    public func savepointStatus(job jid: String, request: String) async throws -> SavepointProgress {
        let r: SavepointStatusResponse = try await get("/jobs/\(try Self.id(jid))/savepoints/\(try Self.id(request))")
        guard r.status.id == "COMPLETED" else { return .inProgress }
        if let location = r.operation?.location { return .completed(location: location) }
        // A failed savepoint is "COMPLETED" too, with a failure cause instead of a location.
        let trace = r.operation?.failureCause?.stackTrace ?? r.operation?.failureCause?.className ?? "no cause given"
        return .failed(cause: FlinkClientError.summary([trace]))
    }

    public func cancel(job jid: String) async throws {
        let _: Empty = try await send(.PATCH, "/jobs/\(try Self.id(jid))?mode=cancel", body: nil, contentType: nil)
    }

    // MARK: transport

    struct Empty: Decodable {}

    /// Ids go into URL paths: anything but [A-Za-z0-9._-] is refused rather than sent.
    public static func id(_ s: String) throws -> String {
        guard !s.isEmpty, s.utf8.count <= 256, s.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }) else {
            throw FlinkClientError.malformed(path: "-", detail: "not a Flink id: '\(s.prefix(80))'")
        }
        return s
    }

    func get<T: Decodable>(_ path: String) async throws -> T {
        try await send(.GET, path, body: nil, contentType: nil)
    }

    func send<T: Decodable, B: Encodable>(_ method: HTTPMethod, _ path: String, json: B) async throws -> T {
        try await send(method, path, body: try JSONEncoder().encode(json), contentType: "application/json")
    }

    func send<T: Decodable>(_ method: HTTPMethod, _ path: String, body: Data?, contentType: String?) async throws -> T {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        request.headers.add(name: "Accept", value: "application/json")
        if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
        if let bearerToken { request.headers.add(name: "Authorization", value: "Bearer \(bearerToken)") }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        counter.withLock { $0 += 1 }
        let bytes: ByteBuffer
        let status: Int
        do {
            let response = try await http.execute(request, timeout: .milliseconds(Int64(timeoutSeconds * 1000)))
            status = Int(response.status.code)
            bytes = try await response.body.collect(upTo: 64 << 20)
        } catch let e as HTTPClientError where e == .deadlineExceeded || e == .readTimeout || e == .connectTimeout {
            throw FlinkClientError.timeout(url: baseURL, seconds: timeoutSeconds)
        } catch {
            throw FlinkClientError.unreachable(url: baseURL, reason: Self.describe(error))
        }
        let data = Data(bytes.readableBytesView)
        guard (200..<300).contains(status) else {
            let messages = (try? JSONDecoder().decode(ErrorResponse.self, from: data).errors)
                ?? [String(decoding: data.prefix(500), as: UTF8.self)]
            throw FlinkClientError.http(status: status, method: method.rawValue, path: Self.pathOnly(path), messages: messages)
        }
        if T.self == Empty.self { return Empty() as! T }
        do { return try JSONDecoder().decode(T.self, from: data) } catch {
            throw FlinkClientError.malformed(path: Self.pathOnly(path), detail: Self.describe(decoding: error))
        }
    }

    static func pathOnly(_ path: String) -> String { String(path.split(separator: "?", maxSplits: 1).first ?? "") }

    static func describe(_ error: Error) -> String {
        let text = String(describing: error)
        if text.contains("connectionRefused") || text.contains("Connection refused") { return "connection refused" }
        if text.contains("remoteConnectionClosed") { return "connection closed by Flink" }
        return text
    }

    static func describe(decoding error: Error) -> String {
        switch error as? DecodingError {
        case let .keyNotFound(key, ctx)?: return "missing \((ctx.codingPath + [key]).map(\.stringValue).joined(separator: "."))"
        case let .typeMismatch(_, ctx)?, let .valueNotFound(_, ctx)?:
            return "wrong type at \(ctx.codingPath.map(\.stringValue).joined(separator: ".")): \(ctx.debugDescription)"
        case let .dataCorrupted(ctx)?: return "not JSON: \(ctx.debugDescription)"
        default: return String(describing: error)
        }
    }
}
