import Foundation

/// What a capture must remember across engine restarts besides what the slot holds: whether
/// its initial snapshot is complete (a crash during it takes it again). Written whole to a
/// temporary file, flushed and renamed over the old one.
final class CaptureState: @unchecked Sendable {  // used from its capture's actor only
    let path: String
    private(set) var snapshotDone: Bool

    init(path: String) {
        self.path = path
        let data = FileManager.default.contents(atPath: path)
        snapshotDone = data.flatMap { try? JSONDecoder().decode(Stored.self, from: $0) }?.snapshotDone ?? false
    }

    struct Stored: Codable { var snapshotDone: Bool }

    func markSnapshotDone() throws { try save(true) }
    func reset() throws { try save(false) }

    private func save(_ done: Bool) throws {
        let dir = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let tmp = path + ".tmp"
        let data = try JSONEncoder().encode(Stored(snapshotDone: done))
        guard FileManager.default.createFile(atPath: tmp, contents: data) else { throw CaptureError("cannot write \(tmp)") }
        let fd = open(tmp, O_RDONLY)
        if fd >= 0 { fsync(fd); close(fd) }
        guard rename(tmp, path) == 0 else { throw CaptureError("cannot replace \(path): \(String(cString: strerror(errno)))") }
        snapshotDone = done
    }
}
