import Foundation
import KafkaProtocol

/// Checkpoints and savepoints on disk (docs/checkpoints.md, On disk): a directory per snapshot
/// holding one file per stateful operator and subtask and per source subtask, each with its
/// CRC-32C in the `_metadata` file, which is written last (flushed, then renamed into place):
/// a directory without `_metadata` is an unfinished snapshot and is never restored.
struct CheckpointStorage: Sendable {
    /// `_metadata`: what the snapshot holds, self-contained (a copied directory restores).
    struct Metadata: Codable, Sendable, Equatable {
        var format: Int = 1
        var job: String
        var checkpointId: Int64
        var timestamp: Int64
        var isSavepoint: Bool
        var files: [File]

        struct File: Codable, Sendable, Equatable {
            /// An operator id, or `source` / `table:<topic>` for a source's positions.
            var owner: String
            /// The operator's name when written, for messages.
            var name: String
            var subtask: Int
            var parallelism: Int
            var file: String
            var bytes: Int
            var crc32c: UInt32
        }
    }

    /// One state file's owner and contents.
    struct Part: Sendable {
        var owner: String
        var name: String
        var subtask: Int
        var parallelism: Int
        var state: [UInt8]
    }

    struct Failure: Error, CustomStringConvertible, Sendable {
        var description: String
    }

    /// Writes a snapshot into `directory` (made if missing), durably; returns its size in bytes.
    static func write(_ parts: [Part], job: String, checkpointId: Int64, timestamp: Int64, isSavepoint: Bool,
                      to directory: String) throws -> Int64 {
        try makeDirectory(directory)
        var files: [Metadata.File] = []
        var total: Int64 = 0
        for p in parts {
            let safe = p.owner.map { $0.isLetter || $0.isNumber ? $0 : "_" }
            let name = "\(String(safe))-\(p.subtask)"
            try writeFile(directory + "/" + name, p.state)
            files.append(.init(owner: p.owner, name: p.name, subtask: p.subtask, parallelism: p.parallelism, file: name,
                               bytes: p.state.count, crc32c: CRC32C.checksum(p.state)))
            total += Int64(p.state.count)
        }
        let meta = Metadata(job: job, checkpointId: checkpointId, timestamp: timestamp, isSavepoint: isSavepoint, files: files)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(meta)
        try writeFile(directory + "/_metadata.tmp", Array(data))
        guard rename(directory + "/_metadata.tmp", directory + "/_metadata") == 0 else {
            throw Failure(description: "cannot finish \(directory)/_metadata: \(String(cString: strerror(errno)))")
        }
        syncDirectory(directory)
        return total + Int64(data.count)
    }

    /// A snapshot read back whole: every file present, of its size and checksum.
    struct Loaded: Sendable {
        var directory: String
        var metadata: Metadata
        /// owner → subtask → state
        var parts: [String: [Int: [UInt8]]]
        var names: [String: String]
    }

    static func read(_ directory: String) throws -> Loaded {
        let metaPath = directory + "/_metadata"
        guard let data = FileManager.default.contents(atPath: metaPath) else {
            throw Failure(description: "\(metaPath) is missing or unreadable: not a finished checkpoint or savepoint")
        }
        let meta: Metadata
        do { meta = try JSONDecoder().decode(Metadata.self, from: data) } catch {
            throw Failure(description: "\(metaPath) is damaged: \(error)")
        }
        guard meta.format == 1 else { throw Failure(description: "\(metaPath) has format \(meta.format); this engine reads format 1") }
        var parts: [String: [Int: [UInt8]]] = [:]
        var names: [String: String] = [:]
        for f in meta.files {
            guard !f.file.contains("/"), f.file != "..", f.file != "." else { throw Failure(description: "\(metaPath) names a file outside its directory: \(f.file)") }
            let path = directory + "/" + f.file
            guard let bytes = FileManager.default.contents(atPath: path).map(Array.init) else {
                throw Failure(description: "\(path) is missing or unreadable")
            }
            guard bytes.count == f.bytes else { throw Failure(description: "\(path) has \(bytes.count) bytes, not \(f.bytes): truncated or damaged") }
            guard CRC32C.checksum(bytes) == f.crc32c else { throw Failure(description: "\(path) fails its checksum: damaged") }
            parts[f.owner, default: [:]][f.subtask] = bytes
            names[f.owner] = f.name
        }
        return Loaded(directory: directory, metadata: meta, parts: parts, names: names)
    }

    /// The first of `candidates` (newest first) that reads back whole, and why each one before
    /// it could not be used.
    static func newestReadable(_ candidates: [String]) -> (Loaded?, [String]) {
        var unusable: [String] = []
        for c in candidates {
            do { return (try read(c), unusable) } catch { unusable.append("checkpoint not usable, trying an older one: \(error)") }
        }
        return (nil, unusable)
    }

    /// Finished checkpoints under `jobDirectory` (`chk-<id>` with a `_metadata`), newest first.
    static func checkpoints(in jobDirectory: String) -> [(id: Int64, path: String)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: jobDirectory)) ?? []
        return names.compactMap { n -> (Int64, String)? in
            guard n.hasPrefix("chk-"), let id = Int64(n.dropFirst(4)) else { return nil }
            let path = jobDirectory + "/" + n
            return FileManager.default.fileExists(atPath: path + "/_metadata") ? (id, path) : nil
        }.sorted { $0.0 > $1.0 }
    }

    static func remove(_ directory: String) { try? FileManager.default.removeItem(atPath: directory) }

    private static func makeDirectory(_ path: String) throws {
        do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
            throw Failure(description: "cannot make \(path): \((error as NSError).localizedDescription)")
        }
    }

    /// Writes and flushes a file; the error names the path and the system's reason (a full
    /// disk is ENOSPC: "No space left on device").
    private static func writeFile(_ path: String, _ bytes: [UInt8]) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw Failure(description: "cannot write \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + done, bytes.count - done) }
            if n < 0 {
                if errno == EINTR { continue }
                throw Failure(description: "cannot write \(path): \(String(cString: strerror(errno)))")
            }
            done += n
        }
        guard fsync(fd) == 0 else { throw Failure(description: "cannot flush \(path): \(String(cString: strerror(errno)))") }
    }

    private static func syncDirectory(_ path: String) {
        let fd = open(path, O_RDONLY)
        if fd >= 0 { fsync(fd); close(fd) }
    }
}
