import Foundation

/// A child process started with a clean signal mask and default signal actions. Foundation's
/// `Process` hands the child the mask of the spawning test thread, which blocks most signals:
/// SIGTERM then never reaches the child, and clients that rely on signals (kcat) hang.
final class ChildProcess {
    let pid: pid_t
    private(set) var status: Int32?

    /// Starts `path` with stdin from /dev/null and stdout/stderr appended to the given files.
    init(_ path: String, _ args: [String], stdout: String, stderr: String, environment: [String: String]? = nil) throws {
        var actions: posix_spawn_file_actions_t = .init()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        var attr: posix_spawnattr_t = .init()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attr, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for s in [SIGTERM, SIGINT, SIGPIPE, SIGHUP, SIGCHLD] { sigaddset(&defaults, s) }
        posix_spawnattr_setsigdefault(&attr, &defaults)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let env = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        let argv = ([path] + args).map { strdup($0) } + [nil]
        let envp = env.map { strdup($0) } + [nil]
        defer { for p in argv { free(p) }; for p in envp { free(p) } }
        var child: pid_t = 0
        let rc = posix_spawn(&child, path, &actions, &attr, argv, envp)
        guard rc == 0 else { throw POSIXError(POSIXErrorCode(rawValue: rc) ?? .EINVAL) }
        pid = child
    }

    var isRunning: Bool {
        guard status == nil else { return false }
        var s: Int32 = 0
        let r = waitpid(pid, &s, WNOHANG)
        if r == pid { status = s; return false }
        return r == 0
    }

    /// Waits for the exit; after `timeout` seconds sends SIGTERM, then SIGKILL 5 s later.
    /// Returns the exit status, or the signal number for a killed child.
    @discardableResult
    func wait(timeout: Double = .infinity) -> Int32 {
        let deadline = Date().addingTimeInterval(timeout)
        var termSent: Date?
        while isRunning {
            if termSent == nil && Date() >= deadline { kill(pid, SIGTERM); termSent = Date() }
            if let t = termSent, Date().timeIntervalSince(t) > 5 { kill(pid, SIGKILL) }
            usleep(10_000)
        }
        return exitCode
    }

    var exitCode: Int32 {
        guard let s = status else { return -1 }
        let signal = s & 0x7f
        return signal == 0 ? (s >> 8) & 0xff : signal
    }

    func signal(_ signo: Int32) { if isRunning { kill(pid, signo) } }
}
