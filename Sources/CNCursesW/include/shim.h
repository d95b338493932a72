// C shim for ncursesw: the wide-character API, constants hidden behind macros, and the
// async-signal-safe pieces Swift cannot write (signal handlers, terminal restore on a crash).
#ifndef SLUICE_NCURSES_SHIM_H
#define SLUICE_NCURSES_SHIM_H

#define NCURSES_WIDECHAR 1
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1

#endif
#include <locale.h>
#include <wchar.h>
#include <stdio.h>
#include <ncursesw/curses.h>

static const attr_t SL_A_NORMAL = A_NORMAL;
static const attr_t SL_A_BOLD = A_BOLD;
static const attr_t SL_A_DIM = A_DIM;
static const attr_t SL_A_REVERSE = A_REVERSE;
static const attr_t SL_A_UNDERLINE = A_UNDERLINE;
static const int SL_KEY_CODE_YES = KEY_CODE_YES;

static inline WINDOW *sl_stdscr(void) { return stdscr; }
static inline int sl_colors(void) { return COLORS; }
static inline int sl_color_pairs(void) { return COLOR_PAIRS; }

/// 1 when the terminal can address the cursor (a usable full-screen terminal), else 0.
int sl_has_cursor_addressing(void);

/// Saves the tty's termios (call before newterm) so a crash handler can put it back.
void sl_save_tty(int fd);
/// Best effort from a signal handler: restores termios and leaves the alternate screen.
void sl_emergency_restore(void);

/// Installs handlers: SIGINT/SIGTERM/SIGHUP/SIGQUIT write their number to the wake pipe;
/// SIGSEGV/SIGBUS/SIGILL/SIGABRT/SIGTRAP restore the terminal, then re-raise.
/// Returns the read end of the pipe, or -1.
int sl_install_signal_handlers(void);
/// The read end of the wake pipe (-1 before installation).
int sl_wake_fd(void);
/// Wakes the UI loop from any thread (writes one zero byte).
void sl_wake(void);
/// Waits until `tty_fd` or the wake pipe is readable or `timeout_ms` passes (-1 = forever).
/// Returns: 1 tty readable, 2 woken, 3 terminal hung up, 0 timeout, -1 interrupted (e.g. SIGWINCH).
int sl_wait(int tty_fd, int timeout_ms);
/// Drains the wake pipe; returns the last signal number received through it, or 0.
int sl_drain_wake(void);


#endif
