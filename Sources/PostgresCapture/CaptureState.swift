import Foundation
import StreamLog

/// What a capture must remember across engine restarts besides what the slot holds: whether
/// its initial snapshot is complete (a crash during it takes it again), replaced durably.
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
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try DurableFile.replace(path, with: try JSONEncoder().encode(Stored(snapshotDone: done)))
        snapshotDone = done
    }
}
