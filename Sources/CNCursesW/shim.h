#ifndef WAMOD_CNCURSESW_SHIM_H
#define WAMOD_CNCURSESW_SHIM_H
// Wide-character ncurses for Swift. These two must come before the curses header, or the
// wide functions (wget_wch, setcchar, mvwadd_wch) are not declared.
#define NCURSES_WIDECHAR 1
#define _XOPEN_SOURCE_EXTENDED 1
#include <locale.h>
#include <langinfo.h>
#include <wchar.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <fcntl.h>
#include <pthread.h>
#include <ncursesw/curses.h>

// ---------------------------------------------------------------------------------------
// Macros and globals Swift cannot import (or, in Swift 6 mode, cannot touch safely).
// Only call these on the UI thread.
// ---------------------------------------------------------------------------------------

static inline WINDOW *wamod_stdscr(void) { return stdscr; }
static inline WINDOW *wamod_curscr(void) { return curscr; }
static inline int wamod_lines(void) { return LINES; }
static inline int wamod_cols(void) { return COLS; }
static inline int wamod_colors(void) { return COLORS; }
// Colours the terminal description promises (COLORS is only set after start_color).
static inline int wamod_terminfo_colors(void) { int n = tigetnum("colors"); return n > 0 ? n : 0; }
static inline int wamod_getmaxy(WINDOW *w) { return getmaxy(w); }
static inline int wamod_getmaxx(WINDOW *w) { return getmaxx(w); }

static inline attr_t wamod_a_normal(void) { return A_NORMAL; }
static inline attr_t wamod_a_bold(void) { return A_BOLD; }
static inline attr_t wamod_a_dim(void) { return A_DIM; }
static inline attr_t wamod_a_reverse(void) { return A_REVERSE; }
static inline attr_t wamod_a_underline(void) { return A_UNDERLINE; }
static inline int wamod_color_pair(int n) { return (int)COLOR_PAIR(n); }

// Key codes returned by wget_wch with KEY_CODE_YES.
static inline int wamod_key_code_yes(void) { return KEY_CODE_YES; }
static inline int wamod_key_f(int n) { return KEY_F(n); }
static inline int wamod_key_resize(void) { return KEY_RESIZE; }
static inline int wamod_key_btab(void) { return KEY_BTAB; }
static inline int wamod_key_up(void) { return KEY_UP; }
static inline int wamod_key_down(void) { return KEY_DOWN; }
static inline int wamod_key_left(void) { return KEY_LEFT; }
static inline int wamod_key_right(void) { return KEY_RIGHT; }
static inline int wamod_key_ppage(void) { return KEY_PPAGE; }
static inline int wamod_key_npage(void) { return KEY_NPAGE; }
static inline int wamod_key_home(void) { return KEY_HOME; }
static inline int wamod_key_end(void) { return KEY_END; }
static inline int wamod_key_find(void) { return KEY_FIND; }
static inline int wamod_key_select(void) { return KEY_SELECT; }
static inline int wamod_key_backspace(void) { return KEY_BACKSPACE; }
static inline int wamod_key_dc(void) { return KEY_DC; }
static inline int wamod_key_enter(void) { return KEY_ENTER; }
static inline int wamod_key_mouse(void) { return KEY_MOUSE; }

// ncurses measures with the C library's wcwidth in the current locale; so do we.
static inline int wamod_wcwidth(unsigned int c) { return wcwidth((wchar_t)c); }

static inline int wamod_codeset_is_utf8(void) {
    const char *cs = nl_langinfo(CODESET);
    return cs != NULL && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
}

// Writes one cell (a spacing character plus up to CCHARW_MAX-1 combining ones).
// Returns ERR when setcchar rejects the sequence (the caller then falls back).
static inline int wamod_put_cell(WINDOW *w, int y, int x, const wchar_t *text, attr_t attrs, short pair) {
    cchar_t cc;
    if (setcchar(&cc, text, attrs, pair, NULL) == ERR) return ERR;
    // Writing the bottom-right cell returns ERR (the cursor cannot advance) but stores it.
    mvwadd_wch(w, y, x, &cc);
    return OK;
}

// ---------------------------------------------------------------------------------------
// The frame writer (ConsoleTerminal/Draw/FrameWriter.swift) sends a frame's changes itself:
// it reads the terminal's strings from terminfo here, and asks ncurses for the bytes of an
// attribute change (vid_puts with a collecting output function) instead of sending them.
// UI thread only.
// ---------------------------------------------------------------------------------------

// A capability's string, or NULL where the terminal has none (terminfo's -1 is "cancelled").
static inline const char *wamod_tigetstr(const char *name) {
    char *s = tigetstr(name);
    return (s == NULL || s == (char *)-1) ? NULL : s;
}
static inline int wamod_tigetflag(const char *name) { return tigetflag(name) == 1; }
// A capability with two numeric parameters (cup, csr) formatted by terminfo.
static inline const char *wamod_tparm2(const char *cap, int a, int b) { return tiparm(cap, a, b); }

struct wamod_capture_buf { char bytes[512]; int length; };
static inline struct wamod_capture_buf *wamod_capture(void) {
    static struct wamod_capture_buf buf;
    return &buf;
}
static inline int wamod_capture_putc(int c) {
    struct wamod_capture_buf *b = wamod_capture();
    if (b->length < (int)sizeof b->bytes) b->bytes[b->length++] = (char)c;
    return c;
}
static inline int wamod_discard_putc(int c) { return c; }

// The bytes ncurses would send to go from attributes `from` to `to`, written to `out` (at
// most `cap`); returns their count, or -1 if they did not fit. ncurses believes the terminal
// is in its normal attributes between frames (every doupdate ends so, and so does every
// frame the writer sends): that belief is moved to `from` and back without sending anything.
static inline int wamod_attr_change(attr_t from_attrs, short from_pair, attr_t to_attrs, short to_pair, char *out, int cap) {
    struct wamod_capture_buf *b = wamod_capture();
    vid_puts(from_attrs, from_pair, NULL, wamod_discard_putc);
    b->length = 0;
    vid_puts(to_attrs, to_pair, NULL, wamod_capture_putc);
    int n = b->length;
    vid_puts(A_NORMAL, 0, NULL, wamod_discard_putc);
    if (n > cap || n >= (int)sizeof b->bytes) return -1;
    memcpy(out, b->bytes, (size_t)n);
    return n;
}

// pipe2 is declared only under _GNU_SOURCE, which the C library's module was built without.
extern int pipe2(int pipefd[2], int flags);
static inline int wamod_pipe(int fds[2]) { return pipe2(fds, O_NONBLOCK | O_CLOEXEC); }

static inline int wamod_winsize(int fd, int *rows, int *cols) {
    struct winsize ws;
    if (ioctl(fd, TIOCGWINSZ, &ws) != 0 || ws.ws_row == 0 || ws.ws_col == 0) return -1;
    *rows = ws.ws_row;
    *cols = ws.ws_col;
    return 0;
}

// ---------------------------------------------------------------------------------------
// Signals and emergency restore, in C so that the handlers are async-signal-safe (no Swift
// runtime, no locks, no allocation: only atomics, write, tcsetattr, sigaction, raise, _exit).
//
// The state below is `static`: every Swift *source file* that calls these functions gets its
// own copy in a debug build. Call them from ONE Swift file only (ConsoleTerminal/Signals.swift).
// ---------------------------------------------------------------------------------------

#define WAMOD_NSIG 65
struct wamod_sig_state {
    int pending[WAMOD_NSIG];
    int wake_fd;
    int tty_fd;
    int have_termios;
    struct termios termios;
    struct sigaction old[WAMOD_NSIG];
    int installed[WAMOD_NSIG];
    int altstack_ours;
    int stderr_saved;   // the real stderr while it is captured, else -1
    int stderr_capture; // the memory file holding what was written meanwhile, else -1
    char altstack[64 * 1024];
};
// A function-local static: Swift's importer emits it with the function (file-scope static
// arrays are not emitted at all).
static inline struct wamod_sig_state *wamod_sig(void) {
    static struct wamod_sig_state state = { .wake_fd = -1, .tty_fd = -1, .stderr_saved = -1, .stderr_capture = -1 };
    return &state;
}
extern int memfd_create(const char *name, unsigned int flags);

// While curses owns the screen, anything written to stderr (a log handler, the Swift
// runtime's "Fatal error" line) would scribble over it or vanish with the alternate screen.
// If stderr is the terminal, it goes to a memory file instead and is replayed afterwards.
static inline void wamod_stderr_capture_begin(void) {
    struct wamod_sig_state *st = wamod_sig();
    if (st->stderr_saved >= 0 || !isatty(2)) return;
    int mem = memfd_create("wamod-stderr", 1 /* MFD_CLOEXEC */);
    if (mem < 0) return;
    int saved = fcntl(2, F_DUPFD_CLOEXEC, 3);
    if (saved < 0 || dup2(mem, 2) < 0) { close(mem); if (saved >= 0) close(saved); return; }
    __atomic_store_n(&st->stderr_capture, mem, __ATOMIC_SEQ_CST);
    __atomic_store_n(&st->stderr_saved, saved, __ATOMIC_SEQ_CST);
}

// Async-signal-safe: puts stderr back and writes out what was captured.
static inline void wamod_stderr_capture_end(void) {
    struct wamod_sig_state *st = wamod_sig();
    int saved = __atomic_exchange_n(&st->stderr_saved, -1, __ATOMIC_SEQ_CST);
    int mem = __atomic_exchange_n(&st->stderr_capture, -1, __ATOMIC_SEQ_CST);
    if (saved < 0) return;
    dup2(saved, 2);
    close(saved);
    if (mem < 0) return;
    char buf[4096];
    if (lseek(mem, 0, SEEK_SET) == 0) {
        ssize_t n;
        while ((n = read(mem, buf, sizeof buf)) > 0) {
            ssize_t off = 0;
            while (off < n) {
                ssize_t w = write(2, buf + off, (size_t)(n - off));
                if (w <= 0) { if (w < 0 && errno == EINTR) continue; off = n; break; }
                off += w;
            }
        }
    }
    close(mem);
}

static inline void wamod_emergency_restore(void) {
    int fd = __atomic_load_n(&wamod_sig()->tty_fd, __ATOMIC_SEQ_CST);
    if (fd >= 0) {
        if (__atomic_load_n(&wamod_sig()->have_termios, __ATOMIC_SEQ_CST)) tcsetattr(fd, TCSANOW, &wamod_sig()->termios);
        // Attributes off, cursor visible, keypad local (rmkx), leave the alternate screen.
        static const char seq[] = "\033[0m\033[?25h\033[?1l\033>\033[?1049l\r\n";
        ssize_t r = write(fd, seq, sizeof(seq) - 1);
        (void)r;
    }
    wamod_stderr_capture_end();
}

// SIGTERM, SIGHUP, SIGINT, SIGWINCH, SIGCONT, SIGTSTP: count it and wake the UI thread.
// If the UI thread has not taken a previous SIGTERM/SIGHUP (or two SIGINTs), it is stuck:
// restore the terminal here and leave.
static void wamod_sig_on_event(int sig) {
    int saved = errno;
    if (sig <= 0 || sig >= WAMOD_NSIG) return;
    int n = __atomic_add_fetch(&wamod_sig()->pending[sig], 1, __ATOMIC_SEQ_CST);
    if (((sig == SIGTERM || sig == SIGHUP) && n >= 2) || (sig == SIGINT && n >= 3)) {
        wamod_emergency_restore();
        _exit(128 + sig);
    }
    int fd = __atomic_load_n(&wamod_sig()->wake_fd, __ATOMIC_SEQ_CST);
    if (fd >= 0) {
        char b = (char)sig;
        ssize_t r = write(fd, &b, 1); // non-blocking pipe; a full pipe already wakes the loop
        (void)r;
    }
    errno = saved;
}

// A crash: restore the terminal, say so on stderr, and end with the signal's own status.
// The default action is put back rather than the previous handler: the Swift runtime's
// backtracer, on a terminal, waits for someone to ask for a debugger, and the process would
// sit in sigsuspend instead of exiting.
static void wamod_sig_on_crash(int sig, siginfo_t *info, void *ctx) {
    (void)ctx;
    wamod_emergency_restore();
    __atomic_store_n(&wamod_sig()->tty_fd, -1, __ATOMIC_SEQ_CST);
    static const char said[] = "wamod: crashed; the terminal was restored\n";
    ssize_t w = write(2, said, sizeof said - 1);
    (void)w;
    if (sig > 0 && sig < WAMOD_NSIG) {
        struct sigaction dfl;
        memset(&dfl, 0, sizeof dfl);
        dfl.sa_handler = SIG_DFL;
        sigemptyset(&dfl.sa_mask);
        sigaction(sig, &dfl, NULL);
    }
    // A fault (SEGV, BUS, ILL, FPE raised by the CPU) re-faults on return and reaches the
    // previous handler with its real context; anything sent (abort, kill, a trap) is re-raised.
    int fault = info != NULL && info->si_code > 0 && sig != SIGTRAP && sig != SIGABRT && sig != SIGQUIT;
    if (!fault) raise(sig);
}

static inline int wamod_sig_set(int sig, int crash) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    if (crash) {
        sa.sa_sigaction = wamod_sig_on_crash;
        sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    } else {
        sa.sa_handler = wamod_sig_on_event;
        sa.sa_flags = SA_RESTART; // other threads' blocking calls keep going
    }
    if (sigaction(sig, &sa, &wamod_sig()->old[sig]) != 0) return -1;
    wamod_sig()->installed[sig] = 1;
    return 0;
}

/// Saves the terminal state (before curses changes it) and installs every handler.
static inline int wamod_signals_install(int tty_fd, int wake_fd) {
    if (tcgetattr(tty_fd, &wamod_sig()->termios) == 0) __atomic_store_n(&wamod_sig()->have_termios, 1, __ATOMIC_SEQ_CST);
    __atomic_store_n(&wamod_sig()->tty_fd, tty_fd, __ATOMIC_SEQ_CST);
    __atomic_store_n(&wamod_sig()->wake_fd, wake_fd, __ATOMIC_SEQ_CST);
    for (int i = 0; i < WAMOD_NSIG; i++) __atomic_store_n(&wamod_sig()->pending[i], 0, __ATOMIC_SEQ_CST);
    // An alternate stack so a stack overflow on the UI thread can still restore the terminal.
    stack_t old;
    if (sigaltstack(NULL, &old) == 0 && (old.ss_flags & SS_DISABLE)) {
        stack_t st;
        st.ss_sp = wamod_sig()->altstack;
        st.ss_size = sizeof wamod_sig()->altstack;
        st.ss_flags = 0;
        if (sigaltstack(&st, NULL) == 0) wamod_sig()->altstack_ours = 1;
    }
    const int events[] = { SIGTERM, SIGHUP, SIGINT, SIGWINCH, SIGCONT, SIGTSTP };
    const int crashes[] = { SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT, SIGFPE, SIGQUIT };
    int rc = 0;
    for (unsigned i = 0; i < sizeof events / sizeof events[0]; i++) rc |= wamod_sig_set(events[i], 0);
    for (unsigned i = 0; i < sizeof crashes / sizeof crashes[0]; i++) rc |= wamod_sig_set(crashes[i], 1);
    return rc;
}

/// Puts back every previous handler and forgets the terminal.
static inline void wamod_signals_uninstall(void) {
    for (int i = 1; i < WAMOD_NSIG; i++) {
        if (wamod_sig()->installed[i]) {
            sigaction(i, &wamod_sig()->old[i], NULL);
            wamod_sig()->installed[i] = 0;
        }
    }
    __atomic_store_n(&wamod_sig()->wake_fd, -1, __ATOMIC_SEQ_CST);
    __atomic_store_n(&wamod_sig()->tty_fd, -1, __ATOMIC_SEQ_CST);
    __atomic_store_n(&wamod_sig()->have_termios, 0, __ATOMIC_SEQ_CST);
    if (wamod_sig()->altstack_ours) {
        stack_t st;
        memset(&st, 0, sizeof st);
        st.ss_flags = SS_DISABLE;
        sigaltstack(&st, NULL);
        wamod_sig()->altstack_ours = 0;
    }
}

/// How many times `sig` arrived since the last call (and resets the count).
static inline int wamod_signals_take(int sig) {
    if (sig <= 0 || sig >= WAMOD_NSIG) return 0;
    return __atomic_exchange_n(&wamod_sig()->pending[sig], 0, __ATOMIC_SEQ_CST);
}

/// Stops the process as SIGTSTP would (after the caller left curses mode), then re-arms.
static inline void wamod_signals_suspend(void) {
    struct sigaction dfl, ours;
    memset(&dfl, 0, sizeof dfl);
    sigemptyset(&dfl.sa_mask);
    dfl.sa_handler = SIG_DFL;
    sigaction(SIGTSTP, &dfl, &ours);
    sigset_t set, oldset;
    sigemptyset(&set);
    sigaddset(&set, SIGTSTP);
    pthread_sigmask(SIG_UNBLOCK, &set, &oldset);
    raise(SIGTSTP); // returns after SIGCONT
    pthread_sigmask(SIG_SETMASK, &oldset, NULL);
    sigaction(SIGTSTP, &ours, NULL);
}

#endif
