import Foundation

/// The one part of a `multipart/form-data` body a jar upload carries (`jarfile`), as curl,
/// Flink's web UI and FlinkClient send it.
enum Multipart {
    struct Part { var name: String; var fileName: String?; var body: [UInt8] }

    static func boundary(of contentType: String) -> String? {
        for piece in contentType.split(separator: ";") {
            let t = piece.trimmingCharacters(in: .whitespaces)
            if t.lowercased().hasPrefix("boundary=") {
                var b = String(t.dropFirst("boundary=".count))
                if b.hasPrefix("\""), b.hasSuffix("\""), b.count >= 2 { b = String(b.dropFirst().dropLast()) }
                return b.isEmpty ? nil : b
            }
        }
        return nil
    }

    static func parts(_ body: [UInt8], boundary: String) -> [Part] {
        let delimiter = Array("--\(boundary)".utf8)
        var out: [Part] = []
        var starts: [Int] = []
        var i = 0
        while let at = find(delimiter, in: body, from: i) { starts.append(at); i = at + delimiter.count }
        for (k, start) in starts.enumerated() where k + 1 < starts.count {
            var from = start + delimiter.count
            if from + 1 < body.count, body[from] == 13, body[from + 1] == 10 { from += 2 }
            var to = starts[k + 1]
            if to >= 2, body[to - 2] == 13, body[to - 1] == 10 { to -= 2 }
            guard from <= to, let headerEnd = find([13, 10, 13, 10], in: Array(body[from..<to]), from: 0) else { continue }
            let headers = String(decoding: body[from..<(from + headerEnd)], as: UTF8.self)
            var name = "", fileName: String? = nil
            for line in headers.split(separator: "\r\n") where line.lowercased().hasPrefix("content-disposition") {
                for attr in line.split(separator: ";").dropFirst() {
                    let kv = attr.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
                    guard kv.count == 2 else { continue }
                    let v = kv[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                    if kv[0] == "name" { name = v } else if kv[0] == "filename" { fileName = v }
                }
            }
            out.append(Part(name: name, fileName: fileName, body: Array(body[(from + headerEnd + 4)..<to])))
        }
        return out
    }

    static func find(_ needle: [UInt8], in hay: [UInt8], from: Int) -> Int? {
        guard !needle.isEmpty, hay.count >= needle.count else { return nil }
        var i = from
        while i <= hay.count - needle.count {
            if hay[i] == needle[0] {
                var match = true
                for j in 1..<needle.count where hay[i + j] != needle[j] { match = false; break }
                if match { return i }
            }
            i += 1
        }
        return nil
    }
}
