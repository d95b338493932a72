import Foundation

/// An asciicast v2 file (the format `asciinema play` and its web player read): a JSON header
/// line, then `[time, "o", text]` output events and `[time, "m", label]` markers, one per line,
/// times in seconds from the start and never going back. An existing file is never overwritten.
public final class AsciicastWriter {
    public let path: String
    private let fd: Int32
    private var buffer: [UInt8] = []
    private var lastTime = 0.0
    public private(set) var events = 0

    public struct WriteError: Error, CustomStringConvertible {
        public let description: String
    }

    public init(path: String, width: Int, height: Int, timestamp: Double, title: String) throws {
        self.path = path
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        if fd < 0 {
            let e = errno
            throw WriteError(description: e == EEXIST ? "\(path) already exists: choose another name or remove it first"
                                                      : "cannot write \(path): \(String(cString: strerror(e)))")
        }
        let header = "{\"version\": 2, \"width\": \(width), \"height\": \(height), \"timestamp\": \(Int(timestamp)), "
            + "\"title\": \(Self.quoted(title)), \"env\": {\"TERM\": \"xterm-256color\"}}\n"
        buffer += Array(header.utf8)
    }

    deinit { if fd >= 0 { close(fd) } }

    /// Terminal output at `time` (clamped so times never go back).
    public func output(_ time: Double, _ text: String) throws {
        guard !text.isEmpty else { return }
        try event(time, "o", text)
    }

    /// A marker (asciinema's player can jump between them).
    public func marker(_ time: Double, _ label: String) throws { try event(time, "m", label) }

    private func event(_ time: Double, _ code: String, _ text: String) throws {
        lastTime = max(lastTime, time)
        buffer += Array("[\(String(format: "%.6f", lastTime)), \"\(code)\", \(Self.quoted(text))]\n".utf8)
        events += 1
        if buffer.count >= 1 << 16 { try flush() }
    }

    /// Writes what is buffered and closes the file.
    public func finish() throws {
        try flush()
        if fsync(fd) != 0 && errno != EINVAL { throw failure() }
    }

    private func flush() throws {
        var done = 0
        while done < buffer.count {
            let n = buffer[done...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue }; throw failure() }
            done += n
        }
        buffer.removeAll(keepingCapacity: true)
    }

    private func failure() -> WriteError { WriteError(description: "cannot write \(path): \(String(cString: strerror(errno)))") }

    /// A JSON string (quotes, backslashes and control characters — the ESC of every sequence — escaped).
    static func quoted(_ s: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        return (try? encoder.encode(s)).map { String(decoding: $0, as: UTF8.self) } ?? "\"\""
    }
}
