#if canImport(Glibc)
import Glibc
#endif
import Console
import Foundation

/// Drives an `InteractiveApp` on the calling thread (the UI thread): one `poll()` on the tty
/// and a wake pipe, with the app's tick as timeout. No busy loop, no fixed sleeps.
public enum TerminalRunLoop {
    /// Takes over the terminal, runs `app` until `app.shouldQuit`, and restores the terminal
    /// on every way out (quit, a thrown error, SIGTERM / SIGHUP, SIGINT from outside → Ctrl-C,
    /// SIGTSTP / SIGCONT, a crash).
    ///
    /// On SIGTERM or SIGHUP the terminal is restored and then the process exits with
    /// 128+signal, or, with `options.exitOnSignal == false`, `TerminalError.terminated` is thrown.
    public static func run(_ app: any InteractiveApp, options: TerminalOptions = TerminalOptions()) throws {
        let pipe = try WakePipe()
        defer { pipe.close() }
        let terminal = try Terminal(options: options, wakeFD: pipe.writeFD)
        defer { terminal.shutdown() }

        var loop = LoopState(app: app, terminal: terminal, pipe: pipe, backgroundFrameMs: options.backgroundFrameMs)
        if let signal = try loop.run() {
            terminal.shutdown()
            pipe.close()
            if options.exitOnSignal { exit(128 + signal) }
            throw TerminalError.terminated(signal: signal)
        }
    }
}

extension TerminalRunLoop {
    /// Runs the app on a thread of its own (the console's UI thread), so the blocking `poll()`
    /// never holds one of the concurrency pool's few threads for the whole session (on a
    /// two-core machine that is half the pool, which the gateway's tasks need). The app is
    /// made on that thread by `make`, lives there, and gives back what it has to say on exit.
    public static func runOnOwnThread(options: TerminalOptions = TerminalOptions(),
                                      _ make: @escaping @Sendable () throws -> any InteractiveApp) async throws -> [String] {
        try await withCheckedThrowingContinuation { (done: CheckedContinuation<[String], any Error>) in
            let thread = Thread {
                do {
                    let app = try make()
                    try run(app, options: options)
                    done.resume(returning: app.exitSummary)
                } catch {
                    done.resume(throwing: error)
                }
            }
            thread.name = "wamod-ui"
            thread.stackSize = 8 << 20
            thread.start()
        }
    }
}

/// The loop's moving parts; `run()` returns the terminating signal, if one ended it.
struct LoopState {
    let app: any InteractiveApp
    let terminal: Terminal
    let pipe: WakePipe
    private var tickStart: ContinuousClock.Instant?
    private var size = (width: -1, height: -1)
    /// Background changes not drawn yet, and when the last frame was drawn.
    private var backgroundPending = false
    private var lastFrame = ContinuousClock.now
    private let backgroundFrame: Duration

    init(app: any InteractiveApp, terminal: Terminal, pipe: WakePipe, backgroundFrameMs: Int = TerminalOptions().backgroundFrameMs) {
        self.app = app
        self.terminal = terminal
        self.pipe = pipe
        backgroundFrame = .milliseconds(max(0, backgroundFrameMs))
    }

    mutating func run() throws -> Int32? {
        app.start(wake: pipe.waker)
        terminal.refreshSize()
        syncSize()
        render()
        while !app.shouldQuit {
            let timeout = frameTimeout(tickTimeout())
            var fds = [
                pollfd(fd: terminal.inputFD, events: Int16(POLLIN), revents: 0),
                pollfd(fd: pipe.readFD, events: Int16(POLLIN), revents: 0),
            ]
            let rc = poll(&fds, 2, timeout)
            if rc < 0 && errno != EINTR {
                throw TerminalError.setupFailed("poll: \(String(cString: strerror(errno)))")
            }
            var changed = false

            // Signals first: they were counted by the handlers; the pipe byte only woke us.
            if let signal = takeTerminatingSignal() { return signal }
            if rc > 0 && fds[1].revents != 0 { pipe.drain() }
            changed = handleSignals() || changed
            if rc > 0 && fds[1].revents != 0 {
                switch app.drainInbox() {
                case .nothing: break
                case .background: backgroundPending = true
                case .now: changed = true
                }
            }

            if rc > 0 {
                let tty = fds[0].revents
                if tty & Int16(POLLIN) != 0 { changed = readInput() || changed }
                // The tty is gone (hung up without a SIGHUP reaching us): leave like SIGHUP,
                // or poll would return at once forever.
                if tty & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 && tty & Int16(POLLIN) == 0 { return SIGHUP }
            }
            if tickDue() { changed = app.tick() || changed }
            if backgroundPending && ContinuousClock.now >= lastFrame.advanced(by: backgroundFrame) { changed = true }
            if changed && !app.shouldQuit { render() }
        }
        return nil
    }

    // MARK: - Input and signals

    private mutating func readInput() -> Bool {
        let events = terminal.readEvents()
        for event in events {
            switch event {
            case .key(let key): app.handle(key: key)
            case .resize: terminal.refreshSize(); syncSize()
            }
            if app.shouldQuit { break }
        }
        return !events.isEmpty
    }

    private func takeTerminatingSignal() -> Int32? {
        if Signals.take(.terminate) > 0 { return SIGTERM }
        if Signals.take(.hangup) > 0 { return SIGHUP }
        return nil
    }

    private mutating func handleSignals() -> Bool {
        var changed = false
        for _ in 0..<Signals.take(.interrupt) {
            app.interrupt()
            changed = true
        }
        if Signals.take(.suspend) > 0 {
            terminal.suspend() // returns after SIGCONT
            _ = Signals.take(.resume)
            syncSize()
            changed = true
        }
        if Signals.take(.resume) > 0 {
            terminal.resumeAfterStop()
            syncSize()
            changed = true
        }
        if Signals.take(.resize) > 0 {
            terminal.refreshSize()
            changed = syncSize() || changed
        }
        return changed
    }

    /// Tells the app the terminal's size when it differs from what the app last heard.
    @discardableResult
    private mutating func syncSize() -> Bool {
        guard terminal.width != size.width || terminal.height != size.height else { return false }
        size = (terminal.width, terminal.height)
        app.resize(width: size.width, height: size.height)
        return true
    }

    private mutating func render() {
        let screen = app.render(width: terminal.width, height: terminal.height, ascii: !terminal.unicode)
        terminal.draw(screen)
        backgroundPending = false
        lastFrame = ContinuousClock.now
    }

    /// The poll timeout, shortened to when background changes are due to be drawn.
    private func frameTimeout(_ tick: Int32) -> Int32 {
        guard backgroundPending else { return tick }
        let ms = Self.millisecondsUntil(lastFrame.advanced(by: backgroundFrame))
        return tick < 0 ? ms : min(tick, ms)
    }

    /// Whole milliseconds from now until `due`, rounded up (0 when it has passed): what poll waits.
    private static func millisecondsUntil(_ due: ContinuousClock.Instant) -> Int32 {
        let left = ContinuousClock.now.duration(to: due)
        if left <= .zero { return 0 }
        let (seconds, attoseconds) = left.components
        return Int32(clamping: seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000)
    }

    // MARK: - Ticks

    /// Milliseconds to wait in poll: until the next tick, or -1 (no tick wanted).
    private mutating func tickTimeout() -> Int32 {
        guard let interval = app.tickInterval else {
            tickStart = nil
            return -1
        }
        let start = tickStart ?? ContinuousClock.now
        tickStart = start
        return Self.millisecondsUntil(start.advanced(by: .milliseconds(max(0, interval))))
    }

    private mutating func tickDue() -> Bool {
        guard let interval = app.tickInterval, let start = tickStart else { return false }
        guard ContinuousClock.now >= start.advanced(by: .milliseconds(max(0, interval))) else { return false }
        tickStart = ContinuousClock.now
        return true
    }
}
