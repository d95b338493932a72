import Foundation
import Synchronization

/// A fault-injecting TCP proxy in front of a Kafka-protocol broker: it forwards every frame, but
/// for every `dropEvery`-th Produce request it lets the broker append and answer, then closes
/// the client's connection instead of forwarding that answer — a client that must retry a batch
/// already written. Clients must be told to connect here (the engine's `--advertised`).
final class DroppingProxy: @unchecked Sendable {   // the listener fd is set once in init
    let port: Int
    private let listener: Int32
    /// The broker's port; may be set after the proxy starts (the broker must know the proxy's).
    let target = Mutex(0)
    private let dropEvery: Int
    private let produces = Mutex(0)
    private let drops = Mutex(0)
    private let stopped = Mutex(false)

    /// How many answers were withheld (connections closed).
    var dropped: Int { drops.withLock { $0 } }

    init(dropEvery: Int) throws {
        self.dropEvery = dropEvery
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = Self.loopback(port: 0)
        let bound = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard bound == 0, listen(fd, 64) == 0 else { close(fd); throw POSIXError(.EADDRINUSE) }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        listener = fd
        port = Int(UInt16(bigEndian: addr.sin_port))
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    func stop() {
        stopped.withLock { $0 = true }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        return addr
    }

    private func acceptLoop() {
        while !stopped.withLock({ $0 }) {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { if errno == EINTR { continue } else { return } }
            let upstream = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var addr = Self.loopback(port: target.withLock { $0 })
            let rc = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            guard rc == 0 else { close(client); close(upstream); continue }
            let doomed = Mutex<Set<Int32>>([])
            let pair = Pair(client: client, upstream: upstream)
            Thread.detachNewThread { [self] in
                // Client → broker: count Produce requests (API key 0), remember the doomed ones.
                forward(from: client, to: upstream, pair: pair) { frame in
                    guard frame.count >= 8, frame[0] == 0, frame[1] == 0 else { return true }
                    let n = produces.withLock { $0 += 1; return $0 }
                    if n % dropEvery == 0 { doomed.withLock { _ = $0.insert(Self.int32(frame, at: 4)) } }
                    return true
                }
            }
            Thread.detachNewThread { [self] in
                // Broker → client: withhold a doomed answer by closing the client's connection.
                forward(from: upstream, to: client, pair: pair) { frame in
                    guard frame.count >= 4, doomed.withLock({ $0.remove(Self.int32(frame, at: 0)) != nil }) else { return true }
                    drops.withLock { $0 += 1 }
                    return false
                }
            }
        }
    }

    private static func int32(_ b: [UInt8], at i: Int) -> Int32 {
        Int32(bitPattern: UInt32(b[i]) << 24 | UInt32(b[i + 1]) << 16 | UInt32(b[i + 2]) << 8 | UInt32(b[i + 3]))
    }

    /// Both sockets of one proxied connection, closed once by whichever side ends first.
    private final class Pair: Sendable {
        let client: Int32, upstream: Int32
        private let closed = Mutex(false)
        init(client: Int32, upstream: Int32) { self.client = client; self.upstream = upstream }
        func close() {
            guard closed.withLock({ c in defer { c = true }; return !c }) else { return }
            shutdown(client, Int32(SHUT_RDWR)); shutdown(upstream, Int32(SHUT_RDWR))
            Glibc.close(client); Glibc.close(upstream)
        }
    }

    /// Copies size-prefixed frames from `source` to `sink`; `pass` sees each frame's payload and
    /// returns false to end the connection instead of forwarding it.
    private func forward(from source: Int32, to sink: Int32, pair: Pair, pass: ([UInt8]) -> Bool) {
        defer { pair.close() }
        while let size = readExactly(source, 4) {
            let n = Int(Self.int32(size, at: 0))
            guard n >= 0, let payload = readExactly(source, n), pass(payload) else { return }
            guard writeAll(sink, size + payload) else { return }
        }
    }

    private func readExactly(_ fd: Int32, _ count: Int) -> [UInt8]? {
        var out = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = out.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + done, count - done, 0) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return nil }
            done += n
        }
        return out
    }

    private func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + done, bytes.count - done, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return false }
            done += n
        }
        return true
    }
}
