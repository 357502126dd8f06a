#if canImport(Glibc)
import Glibc
#endif
import CNCursesW

/// The one Swift file that talks to the C signal code in shim.h. That code keeps `static`
/// state, and every Swift file that calls it gets its own copy in a debug build: keep every
/// `wamod_signals_*` / `wamod_stderr_*` / `wamod_emergency_restore` call in this file.
/// `@inline(never)` keeps each body here, so cross-module optimisation cannot copy the C
/// state into another module either.
enum Signals {
    /// Signals the run loop reacts to (handlers only count them and wake the pipe).
    enum Event: CaseIterable {
        case terminate, hangup, interrupt, resize, resume, suspend

        var number: Int32 {
            switch self {
            case .terminate: SIGTERM
            case .hangup: SIGHUP
            case .interrupt: SIGINT
            case .resize: SIGWINCH
            case .resume: SIGCONT
            case .suspend: SIGTSTP
            }
        }
    }

    /// Saves the tty's termios (before curses touches it) and installs the handlers:
    /// events → count + a byte on `wakeFD`; crashes → restore the terminal, then the previous
    /// handler. Must run before `newterm`, so curses does not install its own.
    @inline(never)
    static func install(ttyFD: Int32, wakeFD: Int32) {
        _ = wamod_signals_install(ttyFD, wakeFD)
    }

    @inline(never)
    static func uninstall() {
        wamod_signals_uninstall()
    }

    /// How many times `event` arrived since last asked.
    @inline(never)
    static func take(_ event: Event) -> Int {
        Int(wamod_signals_take(event.number))
    }

    /// Stops the process like SIGTSTP would; returns after SIGCONT. Leave curses mode first.
    @inline(never)
    static func suspendProcess() {
        wamod_signals_suspend()
    }

    /// While curses owns the screen, stderr (when it is the terminal) goes to a memory file;
    /// `releaseStderr` (and any restore, even from a crash) puts it back and replays it.
    @inline(never)
    static func captureStderr() {
        wamod_stderr_capture_begin()
    }

    @inline(never)
    static func releaseStderr() {
        wamod_stderr_capture_end()
    }

    /// Async-signal-safe: the saved termios back, cursor shown, alternate screen left.
    @inline(never)
    static func emergencyRestore() {
        wamod_emergency_restore()
    }
}
