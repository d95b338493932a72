import ConsoleModel
import CZlib
import Foundation
import Synchronization

/// Appends a recording (docs/recording.md): the header, then one line per observation or marker.
/// Every line is handed to the OS as it is written (gzip: with a sync flush), so a crash loses at
/// most the reading being written and a file cut anywhere replays up to the cut. A failed write
/// (a full disk) stops the recording, keeps what was written readable, and says why.
public final class RecordingWriter: Sendable {
    private struct State {
        var encoder = DeltaEncoder()
        let lineWriter = LineWriter()
        var fd: Int32
        var gz: gzFile?
        var bytes: Int64 = 0
        var lines = 0
        var failure: String?
        /// Just the cause (File too large, No space left on device), for a short status line.
        var failureReason: String?
        var closed = false
    }
    private let state: Mutex<State>
    public let path: String
    public let compressed: Bool
    /// Applied to every observation before it is written (`--redact`).
    private let redactor: Mutex<Redactor?>

    /// Creates `path` (never overwriting one) and writes the header. A name ending in `.gz` is
    /// written gzip-compressed.
    public init(path: String, header: RecordingHeader, redact: Bool = false) throws {
        self.path = path
        compressed = path.hasSuffix(".gz")
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            if errno == EEXIST { throw RecordingError.exists(path: path) }
            throw RecordingError.unwritable(path: path, reason: String(cString: strerror(errno)))
        }
        var s = State(fd: fd)
        if compressed {
            guard let gz = gzdopen(fd, "wb") else {
                Foundation.close(fd)
                throw RecordingError.unwritable(path: path, reason: "cannot start gzip")
            }
            s.gz = gz
        }
        state = Mutex(s)
        redactor = Mutex(redact ? Redactor() : nil)
        var h = header
        h.redacted = redact
        if redact {
            // Addresses and context names name hosts too.
            h.sources = h.sources.map { .init(name: $0.name, address: "(redacted)") }
            h.context = nil
        }
        let first = try Self.json(h)
        try state.withLock { try Self.write(first, to: &$0, path: path) }
    }

    deinit { close() }

    /// Bytes written so far (compressed size for `.gz`).
    public var size: Int64 { state.withLock { $0.bytes } }
    /// Lines written so far, the header included.
    public var lines: Int { state.withLock { $0.lines } }
    /// Why recording stopped, once a write failed.
    public var failure: String? { state.withLock { $0.failure } }
    /// The cause alone of ``failure`` ("File too large").
    public var failureReason: String? { state.withLock { $0.failureReason } }

    public func record(_ observation: Observation) {
        let o = redactor.withLock { r in r == nil ? observation : r!.redact(observation) }
        append(.observation(o))
    }

    public func mark(_ marker: Marker) {
        var m = marker
        if redactor.withLock({ $0 != nil }) && marker.kind != .user { m.text = "(redacted)" }
        append(.marker(m))
    }

    /// Encodes and writes under one lock: lines refer to the reading before them, so they must
    /// reach the file in the order they were encoded.
    private func append(_ event: RecordingEvent) {
        let path = self.path
        state.withLock { s in
            guard s.failure == nil, !s.closed else { return }
            do { try Self.write(try s.lineWriter.bytes(s.encoder.line(for: event)), to: &s, path: path) } catch {
                s.failure = "\(error)"
                if case let .unwritable(_, reason)? = error as? RecordingError { s.failureReason = reason } else { s.failureReason = "\(error)" }
            }
        }
    }

    /// Finishes the file (gzip trailer); later records are ignored.
    public func close() {
        state.withLock { s in
            guard !s.closed else { return }
            s.closed = true
            if let gz = s.gz { gzclose(gz) } else { Foundation.close(s.fd) }
        }
    }

    private static func write(_ bytes: [UInt8], to s: inout State, path: String) throws {
        guard !s.closed else { return }
        defer { s.lines += 1 }
        do {
            var line = bytes
            line.append(UInt8(ascii: "\n"))
            if let gz = s.gz {
                let n = line.withUnsafeBytes { gzwrite(gz, $0.baseAddress, UInt32($0.count)) }
                guard n == Int32(line.count), gzflush(gz, Z_SYNC_FLUSH) == Z_OK else {
                    var code: Int32 = 0
                    let message = gzerror(gz, &code).map { String(cString: $0) } ?? "write failed"
                    throw RecordingError.unwritable(path: path, reason: code == Z_ERRNO ? String(cString: strerror(errno)) : message)
                }
                var st = stat()
                if fstat(s.fd, &st) == 0 { s.bytes = Int64(st.st_size) }
            } else {
                var done = 0
                while done < line.count {
                    let n = line.withUnsafeBytes { Foundation.write(s.fd, $0.baseAddress! + done, line.count - done) }
                    if n < 0 && errno == EINTR { continue }
                    guard n > 0 else { throw RecordingError.unwritable(path: path, reason: String(cString: strerror(errno))) }
                    done += n
                }
                s.bytes += Int64(line.count)
            }
        }
    }

    static func json<T: Encodable>(_ value: T) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }
}
