import Foundation

/// Small files replaced whole and durably (topic descriptions, the ACLs): written to a temporary
/// file beside the target, flushed, renamed over it, and the directory flushed — so a crash
/// leaves the old contents or the new, never a torn file.
public enum DurableFile {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public static func replace(_ path: String, with data: Data) throws {
        let tmp = path + ".tmp"
        guard FileManager.default.createFile(atPath: tmp, contents: data) else { throw Failure(description: "cannot write \(tmp)") }
        let fd = open(tmp, O_RDONLY)
        if fd >= 0 { fsync(fd); close(fd) }
        guard rename(tmp, path) == 0 else {
            let why = String(cString: strerror(errno))
            unlink(tmp)
            throw Failure(description: "cannot rename \(tmp) to \(path): \(why)")
        }
        let dir = (path as NSString).deletingLastPathComponent
        let dfd = open(dir.isEmpty ? "." : dir, O_RDONLY)
        if dfd >= 0 { fsync(dfd); close(dfd) }
    }
}
