#if canImport(Glibc)
import Glibc
#endif
import CNCursesW
import Console
import Foundation
import Synchronization

/// The curses session on `/dev/tty`: setup, drawing, input, resize, suspend, teardown.
/// Not thread-safe (curses is not): create it, use it and shut it down on one thread.
public final class Terminal {
    /// A UTF-8 locale is active: draw Unicode borders (render with `ascii: !unicode`).
    public private(set) var unicode: Bool
    /// Colour or monochrome, as chosen from the options, `NO_COLOR` and the terminal.
    public let theme: Theme
    public private(set) var width: Int
    public private(set) var height: Int

    private let ttyFD: Int32
    private var screen: OpaquePointer?
    private var outFile: UnsafeMutablePointer<FILE>?
    private var inFile: UnsafeMutablePointer<FILE>?
    private let blitter: Blitter

    /// Takes over the terminal. `wakeFD` is the write end of the run loop's wake pipe:
    /// signal handlers write to it.
    public init(options: TerminalOptions = TerminalOptions(), wakeFD: Int32 = -1) throws {
        guard Terminal.claim() else { throw TerminalError.alreadyRunning }

        let utf8 = Terminal.setUpLocale()
        unicode = options.ascii.map { !$0 } ?? utf8

        let fd = open(options.ttyPath, O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard fd >= 0 else {
            let why = String(cString: strerror(errno))
            Terminal.release()
            throw TerminalError.noTerminal("cannot open \(options.ttyPath): \(why)")
        }
        guard isatty(fd) == 1 else {
            close(fd)
            Terminal.release()
            throw TerminalError.noTerminal("\(options.ttyPath) is not a terminal")
        }
        let term = options.environment["TERM"] ?? ""
        guard !term.isEmpty else {
            close(fd)
            Terminal.release()
            throw TerminalError.unknownTerminalType("")
        }
        guard !["dumb", "unknown", "emacs"].contains(term.lowercased()) else {
            close(fd)
            Terminal.release()
            throw TerminalError.dumbTerminal(term)
        }
        ttyFD = fd

        // Before newterm: save termios for crash restore, and own SIGWINCH/SIGTSTP/SIGINT/
        // SIGTERM so curses does not install handlers that run curses code in signal context.
        Signals.install(ttyFD: fd, wakeFD: wakeFD)

        let inFD = dup(fd)
        let outF = fdopen(fd, "w")
        let inF = inFD >= 0 ? fdopen(inFD, "r") : nil
        let scr = outF != nil && inF != nil ? term.withCString { newterm($0, outF, inF) } : nil
        guard let scr, let outF, let inF else {
            if let inF { fclose(inF) } else if inFD >= 0 { close(inFD) }
            if let outF { fclose(outF) } else { close(fd) }
            Signals.uninstall()
            Terminal.release()
            throw outF == nil || inF == nil
                ? TerminalError.setupFailed("cannot open streams on the terminal")
                : TerminalError.unknownTerminalType(term)
        }
        screen = scr
        outFile = outF
        inFile = inF

        raw() // Ctrl-C, Ctrl-Z, Ctrl-\ arrive as keys
        noecho()
        nonl()
        let win = wamod_stdscr()
        keypad(win, true)
        nodelay(win, true) // the run loop polls first; reads never block
        intrflush(win, false)
        leaveok(win, true) // no cursor moves back after each update: fewer bytes
        curs_set(0)
        mousemask(0, nil)
        if options.environment["ESCDELAY"] == nil { set_escdelay(25) }

        let hasColors = has_colors()
        theme = Theme.choose(colorRequested: options.color, environment: options.environment,
                             terminalColors: Int(wamod_terminfo_colors()), hasColors: hasColors)
        var defaultColors = false
        if theme == .color {
            start_color()
            defaultColors = use_default_colors() == OK
        }
        width = Int(wamod_getmaxx(win))
        height = Int(wamod_getmaxy(win))
        // WAMOD_DRAW=curses sends every frame through curses' own update (for a terminal the
        // console's writer does not suit); otherwise frames after the first skip it.
        let throughCurses = options.environment["WAMOD_DRAW"]?.lowercased() == "curses"
        blitter = Blitter(palette: Palette(theme: theme, defaultColors: defaultColors), unicode: unicode,
                          ttyFD: throughCurses ? -1 : fd)
        // ncurses 6.4 flushes after every cursor move until the screen has once been left
        // and resumed (its `_nc_mvcur` flushes while `_endwin` is still `ewInitial`, and only
        // doupdate's resume from endwin makes it `ewRunning`): one write() per changed span,
        // about 50 for a filter character. Leaving curses mode here, before anything is
        // drawn, makes the first draw resume it; from then on each frame is one write.
        endwin()
        Signals.captureStderr()
    }

    deinit { shutdown() }

    /// Paints `screen`, sending only what changed since the last draw.
    public func draw(_ screen: Screen) {
        guard self.screen != nil else { return }
        blitter.draw(screen)
    }

    /// The next draw repaints the whole terminal.
    public func invalidate() { blitter.invalidate() }

    /// Every key (and resize) waiting in the input, without blocking.
    public func readEvents(limit: Int = 4096) -> [InputEvent] {
        guard screen != nil else { return [] }
        var events: [InputEvent] = []
        var ch: wint_t = 0
        while events.count < limit {
            let rc = wget_wch(wamod_stdscr(), &ch)
            if rc == ERR { break }
            let raw: RawInput = rc == wamod_key_code_yes() ? .keyCode(Int32(bitPattern: ch)) : .character(UInt32(ch))
            if let event = KeyDecoder.decode(raw) { events.append(event) }
        }
        return events
    }

    /// The tty's input descriptor, for `poll`.
    public var inputFD: Int32 { ttyFD }

    /// Asks the tty for its size and resizes curses to it. Returns whether the size changed.
    @discardableResult
    public func refreshSize() -> Bool {
        guard screen != nil else { return false }
        var rows: Int32 = 0, cols: Int32 = 0
        if wamod_winsize(ttyFD, &rows, &cols) == 0, rows != wamod_lines() || cols != wamod_cols() {
            resizeterm(rows, cols)
        }
        let win = wamod_stdscr()
        let (w, h) = (Int(wamod_getmaxx(win)), Int(wamod_getmaxy(win)))
        defer { (width, height) = (w, h) }
        if w != width || h != height {
            blitter.invalidate()
            return true
        }
        return false
    }

    /// Leaves curses mode and stops the process (an outside SIGTSTP); on SIGCONT, comes back
    /// and repaints everything at the next draw.
    public func suspend() {
        guard screen != nil else { return }
        endwin()
        Signals.releaseStderr()
        Signals.suspendProcess()
        Signals.captureStderr()
        resumeAfterStop()
    }

    /// After SIGCONT: the shell may have reset the tty and drawn over the screen. Leaving
    /// curses mode now makes the next update restore it (modes, keypad, alternate screen)
    /// and repaint from scratch.
    public func resumeAfterStop() {
        guard screen != nil else { return }
        if !isendwin() { endwin() }
        refreshSize()
        blitter.invalidate()
    }

    /// Gives the terminal back: curses mode left, handlers removed, descriptors closed.
    /// Safe to call more than once.
    public func shutdown() {
        guard let scr = screen else { return }
        endwin()
        delscreen(scr)
        screen = nil
        Signals.releaseStderr() // after endwin: replayed on the normal screen
        Signals.uninstall()
        if let f = inFile { fclose(f) }
        if let f = outFile { fclose(f) } // closes ttyFD
        inFile = nil
        outFile = nil
        Terminal.release()
    }

    /// For fatal paths, from any thread (async-signal-safe): puts the terminal modes saved at
    /// startup back, shows the cursor and leaves the alternate screen. Does not touch curses.
    @inline(never)
    public static func restoreNow() {
        Signals.emergencyRestore()
    }

    /// `setlocale(LC_ALL, "")`; if that is not UTF-8, C.UTF-8 is tried for curses' own use
    /// (wide characters in names). Returns whether the operator's own locale is UTF-8: only
    /// then are Unicode borders drawn (in the C locale the terminal may well not show them).
    static func setUpLocale() -> Bool {
        setlocale(LC_ALL, "")
        if wamod_codeset_is_utf8() != 0 { return true }
        _ = setlocale(LC_CTYPE, "C.UTF-8")
        return false
    }

    // One terminal per process: curses has one set of globals.
    private static let claimed = Mutex(false)

    private static func claim() -> Bool {
        claimed.withLock { c in
            if c { return false }
            c = true
            return true
        }
    }

    private static func release() {
        claimed.withLock { $0 = false }
    }
}
