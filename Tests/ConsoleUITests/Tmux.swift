import Foundation
import Testing

/// A tmux server of its own running a shell, so a test can start sluice the way a person would,
/// type keys, read the screen, and check the shell gets its terminal back.
final class Tmux {
    let socket: String
    let session = "t"
    private static let counter = Counter()

    init(width: Int = 120, height: Int = 32, environment: [String: String] = [:]) throws {
        socket = "sluice-ui-\(getpid())-\(Tmux.counter.next())"
        var env = environment.map { "\($0.key)=\($0.value)" }
        env.append("PS1=READY$ ")
        // A clean shell: no rc files, a prompt we can recognise.
        let shell = "env -i PATH=/usr/bin:/bin HOME=/tmp TERM=tmux-256color LANG=C.UTF-8 \(env.joined(separator: " ")) bash --norc --noprofile"
        let r = try tmux(["new-session", "-d", "-s", session, "-x", "\(width)", "-y", "\(height)", shell])
        try #require(r.status == 0, "tmux new-session failed: \(r.stderr)")
        _ = try tmux(["set", "-t", session, "remain-on-exit", "on"])
        try #require(try waitFor(timeout: 10) { $0.contains("READY$") }, "shell prompt did not appear")
    }

    /// Kills the tmux server and everything in it. Tests call it in a `defer`: the deinit alone
    /// was seen not to run (expectation captures can keep the session alive), leaking servers.
    func close() { _ = try? tmux(["kill-server"]) }

    deinit { close() }

    /// Runs a tmux client command. posix_spawn + waitpid rather than Foundation's Process: the
    /// first command forks the tmux server, which keeps inherited descriptors open, and Process's
    /// child monitoring was seen to leave that client unreaped.
    @discardableResult
    func tmux(_ args: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        try spawn("/usr/bin/tmux", ["-L", socket] + args)
    }

    /// Types a command line into the shell.
    func type(_ line: String) throws {
        try tmux(["send-keys", "-t", session, "-l", line])
        try tmux(["send-keys", "-t", session, "Enter"])
    }

    /// Sends tmux key names (`j`, `Enter`, `Escape`, `C-c`).
    func keys(_ names: String...) throws {
        try tmux(["send-keys", "-t", session] + names)
    }

    func screen() throws -> String { try tmux(["capture-pane", "-p", "-t", session]).stdout }

    /// Polls the screen every 50 ms until `predicate` holds; returns whether it did.
    func waitFor(timeout: Double, _ predicate: (String) -> Bool) throws -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        repeat {
            if predicate(try screen()) { return true }
            usleep(50_000)
        } while Date() < deadline
        return false
    }

    func resize(width: Int, height: Int) throws {
        try tmux(["resize-window", "-t", session, "-x", "\(width)", "-y", "\(height)"])
    }

    /// 1 while a full-screen program holds the alternate screen.
    func alternateScreenOn() throws -> Bool {
        try tmux(["display-message", "-p", "-t", session, "#{alternate_on}"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "1"
    }

    private final class Counter: @unchecked Sendable {
        private var n = 0
        private let lock = NSLock()
        func next() -> Int { lock.lock(); defer { lock.unlock() }; n += 1; return n }
    }
}

/// Spawns `path` with stdin from /dev/null and stdout/stderr to temporary files, waits for it.
func spawn(_ path: String, _ args: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
    let dir = NSTemporaryDirectory()
    let outPath = dir + "/sluice-spawn-\(UUID().uuidString).out"
    let errPath = dir + "/sluice-spawn-\(UUID().uuidString).err"
    defer { unlink(outPath); unlink(errPath) }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    let argv = ([path] + args).map { strdup($0) } + [nil]
    defer { for a in argv { free(a) } }
    // Test threads run with most signals blocked and children inherit the mask: a tmux server
    // started that way never acts on kill-server. Give the child a clean mask and default handlers.
    var attr = posix_spawnattr_t()
    posix_spawnattr_init(&attr)
    defer { posix_spawnattr_destroy(&attr) }
    var empty = sigset_t(), all = sigset_t()
    sigemptyset(&empty)
    sigfillset(&all)
    posix_spawnattr_setsigmask(&attr, &empty)
    posix_spawnattr_setsigdefault(&attr, &all)
    posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    var pid: pid_t = 0
    let rc = posix_spawn(&pid, path, &actions, &attr, argv, environ)
    guard rc == 0 else { throw POSIXError(POSIXErrorCode(rawValue: rc) ?? .EIO) }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    let exit = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
    return (exit, (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "", (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
}

enum UIPeer {
    static let env = ProcessInfo.processInfo.environment
    static var kafka: String? { env["SLUICE_TEST_KAFKA"] }
    static var prefix: String { env["SLUICE_TEST_PREFIX"] ?? "it" }
    static var enabled: Bool { kafka != nil || env["CI"] == "true" }
    static var root: URL { URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent() }
    static var sluice: String { env["SLUICE_BIN"] ?? root.appendingPathComponent(".build/debug/sluice").path }
    static var flink: String? { env["SLUICE_TEST_FLINK"] }
    static var flinkJar: String? { env["SLUICE_TEST_FLINK_JAR"] }
    static var flinkEnabled: Bool { flink != nil || env["CI"] == "true" }

    static func requireKafka() throws -> String {
        try #require(kafka, "SLUICE_TEST_KAFKA is not set: scripts/test.sh starts the broker (CI=true requires it)")
    }
}
