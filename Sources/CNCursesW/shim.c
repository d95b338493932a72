#include "shim.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

int sl_has_cursor_addressing(void) {
    char *cup = tigetstr("cup");
    return cup != NULL && cup != (char *)-1;
}

static struct termios saved_termios;
static int saved_fd = -1;
static int wake_pipe[2] = {-1, -1};

void sl_save_tty(int fd) {
    if (tcgetattr(fd, &saved_termios) == 0) saved_fd = fd;
}

void sl_emergency_restore(void) {
    if (saved_fd >= 0) tcsetattr(saved_fd, TCSANOW, &saved_termios);
    // Leave the alternate screen, show the cursor, reset attributes: plain xterm sequences,
    // understood by every terminal that had the alternate screen in the first place.
    static const char reset[] = "\033[?1049l\033[?25h\033[0m\r\n";
    if (saved_fd >= 0) { ssize_t n = write(STDOUT_FILENO, reset, sizeof reset - 1); (void)n; }
}

static void on_stop_signal(int signo) {
    int saved = errno;
    unsigned char b = (unsigned char)signo;
    if (wake_pipe[1] >= 0) { ssize_t n = write(wake_pipe[1], &b, 1); (void)n; }
    errno = saved;
}

static void on_fatal_signal(int signo) {
    sl_emergency_restore();
    signal(signo, SIG_DFL);
    raise(signo);
}

int sl_install_signal_handlers(void) {
    if (wake_pipe[0] < 0) {
        if (pipe(wake_pipe) != 0) return -1;
        for (int i = 0; i < 2; i++) {
            fcntl(wake_pipe[i], F_SETFL, fcntl(wake_pipe[i], F_GETFL) | O_NONBLOCK);
            fcntl(wake_pipe[i], F_SETFD, FD_CLOEXEC);
        }
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_stop_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGQUIT, &sa, NULL);
    sa.sa_handler = on_fatal_signal;
    sa.sa_flags = SA_RESETHAND;
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    sigaction(SIGILL, &sa, NULL);
    sigaction(SIGABRT, &sa, NULL);
    sigaction(SIGTRAP, &sa, NULL);
    // A parent may have left these blocked (children inherit the mask); the UI thread must get them.
    sigset_t wanted;
    sigemptyset(&wanted);
    sigaddset(&wanted, SIGINT);
    sigaddset(&wanted, SIGTERM);
    sigaddset(&wanted, SIGHUP);
    sigaddset(&wanted, SIGQUIT);
    sigaddset(&wanted, SIGWINCH);
    pthread_sigmask(SIG_UNBLOCK, &wanted, NULL);
    return wake_pipe[0];
}

int sl_wake_fd(void) { return wake_pipe[0]; }

void sl_wake(void) {
    unsigned char b = 0;
    if (wake_pipe[1] >= 0) { ssize_t n = write(wake_pipe[1], &b, 1); (void)n; }
}

int sl_wait(int tty_fd, int timeout_ms) {
    struct pollfd fds[2];
    fds[0].fd = tty_fd; fds[0].events = POLLIN; fds[0].revents = 0;
    fds[1].fd = wake_pipe[0]; fds[1].events = POLLIN; fds[1].revents = 0;
    int n = poll(fds, wake_pipe[0] >= 0 ? 2 : 1, timeout_ms);
    if (n < 0) return -1;
    if (n == 0) return 0;
    if (fds[1].revents & POLLIN) return 2;
    // The terminal went away (hangup with SIGHUP ignored, closed pty): report it rather than
    // letting the caller spin on a descriptor that is readable forever.
    if (fds[0].revents & (POLLHUP | POLLERR | POLLNVAL)) return 3;
    return 1;
}

int sl_drain_wake(void) {
    unsigned char buf[64];
    int last = 0;
    ssize_t n;
    while (wake_pipe[0] >= 0 && (n = read(wake_pipe[0], buf, sizeof buf)) > 0) {
        for (ssize_t i = 0; i < n; i++) if (buf[i] != 0) last = buf[i];
    }
    return last;
}
