import Foundation
import Logging

/// The engine's structured log: one line per event on stderr, as logfmt
/// (`ts=… level=info msg="topic created" topic=orders`) or JSON, values quoted and escaped so a
/// client-chosen topic or group name cannot forge a line or reach the terminal as a control code.
struct EngineLogHandler: LogHandler {
    enum Format: String { case text, json }

    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]
    let label: String
    let format: Format

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var fields: [(String, String)] = [("ts", Self.timestamp()), ("level", "\(event.level)"), ("msg", "\(event.message)")]
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        for (k, v) in merged.sorted(by: { $0.key < $1.key }) { fields.append((k, "\(v)")) }
        let line: String
        switch format {
        case .text: line = fields.map { "\($0.0)=\(Self.logfmt($0.1))" }.joined(separator: " ")
        case .json: line = "{" + fields.map { "\(Self.json($0.0)):\(Self.json($0.1))" }.joined(separator: ",") + "}"
        }
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    static func timestamp() -> String {
        var tv = timeval()
        gettimeofday(&tv, nil)
        var t = time_t(tv.tv_sec)
        var tm = tm()
        gmtime_r(&t, &tm)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                      Int(tv.tv_usec / 1000))
    }

    static func logfmt(_ s: String) -> String {
        let plain = !s.isEmpty && s.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7f && $0 != "\"" && $0 != "=" && $0 != "\\" }
        return plain ? s : json(s)
    }

    /// A JSON string literal with every control character escaped.
    static func json(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 || (0x7f...0x9f).contains(u.value) { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }
}
