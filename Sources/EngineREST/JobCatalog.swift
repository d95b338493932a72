import Dataflow
import FlinkWire
import Foundation
import JobSpec

/// The job specs the engine knows, listed by `/jars` as Flink lists jars: the samples it
/// ships and the YAML specs uploaded to it (kept under the data directory, so they survive a
/// restart). Each is checked when it arrives: a spec that does not parse is refused with its
/// line and reason, never stored.
final class JobCatalog: @unchecked Sendable {  // guarded by `lock`
    struct Entry: Sendable {
        var id: String
        var text: String
        var uploaded: Int64
        var jobName: String
    }

    static let maxSpecBytes = 1 << 20
    private let lock = NSLock()
    private let directory: String?
    private var entries: [Entry] = []

    init(directory: String?, samples: [(id: String, text: String)]) throws {
        self.directory = directory
        for s in samples {
            let job = try JobSpecParser.parse(s.text)
            entries.append(Entry(id: s.id, text: s.text, uploaded: 0, jobName: job.name))
        }
        guard let directory else { return }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for file in try FileManager.default.contentsOfDirectory(atPath: directory).sorted() where file.hasSuffix(".yaml") {
            let path = directory + "/" + file
            guard let text = try? String(contentsOfFile: path, encoding: .utf8), let job = try? JobSpecParser.parse(text) else { continue }
            let attributes = try? FileManager.default.attributesOfItem(atPath: path)
            let modified = (attributes?[.modificationDate] as? Date).map { Int64($0.timeIntervalSince1970 * 1000) } ?? 0
            entries.append(Entry(id: file, text: text, uploaded: modified, jobName: job.name))
        }
    }

    var all: [Entry] { lock.withLock { entries } }

    func entry(_ id: String) -> Entry? { all.first { $0.id == id } }

    func jarFiles() -> [JarFile] {
        all.map { e in
            JarFile(id: e.id, name: e.id.split(separator: "_", maxSplits: 1).last.map(String.init) ?? e.id, uploaded: e.uploaded,
                    entry: [JarFile.Entry(name: e.jobName, description: e.uploaded == 0 ? "sample shipped with the engine" : "uploaded job spec")])
        }
    }

    /// Checks and stores an uploaded spec; returns its entry. Throws ``JobSpecError`` (the
    /// line and reason) or a size/encoding complaint.
    func upload(_ bytes: [UInt8]) throws -> Entry {
        guard bytes.count <= Self.maxSpecBytes else { throw RESTError.badRequest("a job spec is at most 1 MiB; this one is \(bytes.count) bytes") }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw RESTError.badRequest("the job spec is not UTF-8 text") }
        let job = try JobSpecParser.parse(text)
        var hex = ""
        for _ in 0..<16 { hex += String(format: "%02x", UInt8.random(in: 0...255)) }
        let id = "\(hex)_\(job.name).yaml"
        if let directory {
            let tmp = directory + "/.\(id).tmp"
            try Data(bytes).write(to: URL(fileURLWithPath: tmp))
            try FileManager.default.moveItem(atPath: tmp, toPath: directory + "/" + id)
        }
        let entry = Entry(id: id, text: text, uploaded: Int64(Date().timeIntervalSince1970 * 1000), jobName: job.name)
        lock.withLock { entries.append(entry) }
        return entry
    }

    /// Removes an uploaded spec (`DELETE /jars/:id`); samples stay.
    func delete(_ id: String) throws {
        guard let e = entry(id) else { throw RESTError.notFound("no job spec '\(id)'") }
        guard e.uploaded != 0 else { throw RESTError.badRequest("'\(id)' is a sample shipped with the engine and cannot be deleted") }
        if let directory { try? FileManager.default.removeItem(atPath: directory + "/" + id) }
        lock.withLock { entries.removeAll { $0.id == id } }
    }
}

/// A REST failure with Flink's status and message (answered as `{"errors": [message]}`).
enum RESTError: Error {
    case badRequest(String)
    case notFound(String)
    case unauthorized(String)
    case conflict(String)
    /// A run request Flink would refuse with HTTP 500: the program cannot start.
    case cannotRun(String)
}
