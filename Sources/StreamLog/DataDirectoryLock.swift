import Foundation

/// An exclusive lock on a data directory (`<dir>/.lock`, flock), held for the life of the
/// process, so two engines never write the same logs. The kernel drops it when the process
/// dies, even by `kill -9`, so a crash never leaves a stale lock.
public final class DataDirectoryLock {
    public struct Busy: Error, CustomStringConvertible {
        public let directory: String
        public let holder: String?
        public var description: String {
            "data directory \(directory) is in use by another engine\(holder.map { " (pid \($0))" } ?? ""); stop it or choose another --data-dir"
        }
    }

    private let fd: Int32

    public init(directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/.lock"
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw PartitionLog.LogError.io(path: path, operation: "open", errno: errno) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
            close(fd)
            throw Busy(directory: directory, holder: holder?.isEmpty == false ? holder : nil)
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
    }

    deinit { close(fd) }
}
