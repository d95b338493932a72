import Foundation
import KafkaProtocol
import KafkaServer
import Logging
import NIOConcurrencyHelpers
import StreamLog
import Testing

/// An in-process engine broker on a free loopback port, with its log lines captured.
final class TestBroker {
    let directory: String
    let server: KafkaServer
    let logs: LogCapture

    init(reuse: String? = nil, configure: (inout BrokerConfiguration) -> Void = { _ in }, prepare: (String) throws -> Void = { _ in }) async throws {
        directory = reuse ?? FileManager.default.temporaryDirectory.appendingPathComponent("kafka-server-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try prepare(directory)
        var config = BrokerConfiguration()
        config.port = 0
        configure(&config)
        logs = LogCapture()
        let capture = logs
        let logger = Logger(label: "test") { _ in LogCapture.Handler(sink: capture) }
        let store = try LogStore(directory: directory, logConfiguration: .init(fsyncEveryAppend: config.flush == .everyAppend))
        server = try await KafkaServer.start(configuration: config, store: store, logger: logger)
    }

    var port: Int { server.port }

    func connect() throws -> RawConnection { try RawConnection(port: port) }

    func stop() async {
        await server.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// Keeps every log line, for assertions that a refusal was logged. Shared by every logger the
/// broker derives (one per connection), so only the lines are shared, behind a lock.
final class LogCapture: @unchecked Sendable {
    private let lock = NIOLock()
    private var lines: [String] = []
    func append(_ line: String) { lock.withLock { lines.append(line) } }
    var text: String { lock.withLock { lines.joined(separator: "\n") } }

    /// The value-type handler swift-log expects: each logger copy has its own metadata.
    struct Handler: LogHandler {
        let sink: LogCapture
        var logLevel: Logger.Level = .debug
        var metadata: Logger.Metadata = [:]
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            let meta = (event.metadata ?? [:]).merging(metadata) { a, _ in a }.map { "\($0)=\($1)" }.sorted().joined(separator: " ")
            sink.append("\(event.level) \(event.message) \(meta)")
        }
    }
}

/// A blocking TCP connection speaking raw Kafka frames, so tests can send what no client would.
final class RawConnection: @unchecked Sendable {   // one caller at a time
    let fd: Int32
    private var correlation: Int32 = 0

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Foundation.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard rc == 0 else { close(fd); throw POSIXError(.ECONNREFUSED) }
        var tv = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    func send(_ bytes: [UInt8]) {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { Foundation.send(fd, $0.baseAddress! + done, bytes.count - done, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            done += n
        }
    }

    /// Reads one frame's payload; nil when the broker closed the connection (or sent nothing in 10 s).
    func receive() -> [UInt8]? {
        guard let size = read(4) else { return nil }
        let n = Int(UInt32(size[0]) << 24 | UInt32(size[1]) << 16 | UInt32(size[2]) << 8 | UInt32(size[3]))
        return read(n)
    }

    private func read(_ count: Int) -> [UInt8]? {
        var out = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = out.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + done, count - done, 0) }
            if n <= 0 { return nil }
            done += n
        }
        return out
    }

    /// True once the broker has closed its side.
    func isClosedByBroker() -> Bool { receive() == nil }

    /// Sends a request and decodes its response.
    func call<R: KafkaRequest>(_ request: R, version: Int16) throws -> R.Response {
        correlation += 1
        send(try KafkaFrame.request(request, version: version, correlationId: correlation, clientId: "raw-test"))
        let payload = try #require(receive(), "no answer to \(R.apiKey) v\(version)")
        let (id, body) = try KafkaFrame.decodeResponse(R.Response.self, payload: payload, version: version)
        #expect(id == correlation)
        return body
    }
}

/// A blocking call run on a thread of its own. Tests that wait on a broker answer block their
/// thread in `recv`; run on the cooperative pool (a `Task`), such calls from tests running side
/// by side can take every pool thread on a 2-core machine and starve each other.
final class Background<T: Sendable>: @unchecked Sendable {   // `result` is written before `done` signals
    private var result: Result<T, Error>?
    private let done = DispatchSemaphore(value: 0)

    init(_ body: @escaping @Sendable () throws -> T) {
        Thread.detachNewThread { [self] in
            result = Result { try body() }
            done.signal()
        }
    }

    /// Waits for the call and returns its result (or throws its error).
    func value() throws -> T {
        done.wait()
        return try result!.get()
    }
}
