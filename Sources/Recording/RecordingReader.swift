import ConsoleModel
import CZlib
import Foundation

/// Reads a recording, plain or gzip (zlib reads both), one event at a time. Reading stops at
/// the first line that is cut short or cannot be read; ``damage`` then says which and why, and
/// everything before it has been returned.
public final class RecordingReader {
    public let path: String
    public let header: RecordingHeader
    public private(set) var damage: RecordingDamage?
    private var gz: gzFile?
    private var buffer: [UInt8] = []
    private var start = 0
    private var eof = false
    private var lineNumber = 1
    private var decoder = DeltaDecoder()
    private let json = JSONDecoder()

    public init(path: String) throws {
        self.path = path
        guard let gz = gzopen(path, "rb") else {
            throw RecordingError.unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        self.gz = gz
        gzbuffer(gz, 1 << 17)
        // The header decides whether this is a recording at all: read it before anything else.
        var first: [UInt8]?
        do { first = try Self.nextLine(gz: gz, buffer: &buffer, start: &start, eof: &eof, allowUnterminated: true) } catch {
            gzclose(gz)
            throw RecordingError.unreadable(path: path, reason: "\(error)")
        }
        guard let first, !first.isEmpty else {
            gzclose(gz)
            throw RecordingError.notARecording(path: path, reason: "it is empty")
        }
        guard let h = try? JSONDecoder().decode(RecordingHeader.self, from: Data(first)), h.format == RecordingHeader.formatName else {
            gzclose(gz)
            throw RecordingError.notARecording(path: path, reason: "its first line is not a recording header")
        }
        guard h.version <= RecordingHeader.currentVersion else {
            gzclose(gz)
            throw RecordingError.newerVersion(path: path, version: h.version, supported: RecordingHeader.currentVersion)
        }
        header = h
    }

    deinit { if let gz { gzclose(gz) } }

    /// The next event, or `nil` at the end (or at the damage, see ``damage``).
    public func next() -> RecordingEvent? {
        guard damage == nil, let gz else { return nil }
        let line: [UInt8]?
        do { line = try Self.nextLine(gz: gz, buffer: &buffer, start: &start, eof: &eof) } catch {
            damage = RecordingDamage(line: lineNumber + 1, reason: "\(error)")
            return nil
        }
        guard let line else { return nil }
        lineNumber += 1
        do {
            return try decoder.event(from: try json.decode(RecordedLine.self, from: Data(line)))
        } catch let e as DeltaDecoder.Unresolved {
            damage = RecordingDamage(line: lineNumber, reason: e.description)
        } catch {
            damage = RecordingDamage(line: lineNumber, reason: "not a recording line (\(Self.short(error)))")
        }
        return nil
    }

    /// Every event up to the end or the damage.
    public func readAll() -> [RecordingEvent] {
        var out: [RecordingEvent] = []
        while let e = next() { out.append(e) }
        return out
    }

    struct CutShort: Error, CustomStringConvertible {
        var description: String { "the line is cut short (the file ends mid-line)" }
    }

    struct Unreadable: Error, CustomStringConvertible {
        var reason: String
        var description: String { reason }
    }

    /// The next newline-terminated line; `nil` at a clean end; throws at a cut or a read error.
    /// `allowUnterminated`: a last line without its newline is taken as it is (a header-only file).
    private static func nextLine(gz: gzFile, buffer: inout [UInt8], start: inout Int, eof: inout Bool,
                                 allowUnterminated: Bool = false) throws -> [UInt8]? {
        while true {
            if let nl = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
                let line = Array(buffer[start..<nl])
                start = nl + 1
                if start > 1 << 20 { buffer.removeFirst(start); start = 0 }
                return line
            }
            if eof {
                if start < buffer.count {
                    guard allowUnterminated else { throw CutShort() }
                    defer { start = buffer.count }
                    return Array(buffer[start...])
                }
                return nil
            }
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            let n = chunk.withUnsafeMutableBytes { gzread(gz, $0.baseAddress, UInt32($0.count)) }
            if n < 0 {
                var code: Int32 = 0
                let message = gzerror(gz, &code).map { String(cString: $0) } ?? "read error"
                // A gzip stream cut short (or never closed: its recorder was killed) reads as an
                // error at its end: what came before replays, and the cut is named.
                if code == Z_BUF_ERROR || code == Z_DATA_ERROR { eof = true; throw CutShort() }
                throw Unreadable(reason: message)
            }
            if n == 0 {
                eof = true
                // zlib ends a truncated stream with 0 and says so through gzerror.
                var code: Int32 = 0
                _ = gzerror(gz, &code)
                if code == Z_BUF_ERROR { throw CutShort() }
                continue
            }
            buffer.append(contentsOf: chunk[0..<Int(n)])
        }
    }

    private static func short(_ error: Error) -> String {
        if let e = error as? DecodingError {
            switch e {
            case let .dataCorrupted(c), let .keyNotFound(_, c), let .typeMismatch(_, c), let .valueNotFound(_, c):
                return c.debugDescription
            @unknown default: return "\(e)"
            }
        }
        return "\(error)"
    }
}
