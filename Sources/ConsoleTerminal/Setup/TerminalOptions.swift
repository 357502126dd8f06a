import Foundation

/// How to run the console's terminal.
public struct TerminalOptions: Sendable {
    /// Use colours when the terminal has them (`--no-color` sets this to false). `NO_COLOR`
    /// in the environment turns them off too.
    public var color: Bool
    /// Force ASCII borders (true) or Unicode (false); nil: decide from the locale.
    public var ascii: Bool?
    /// On SIGTERM / SIGHUP, after restoring the terminal: exit with 128+signal (true), or
    /// return control by throwing `TerminalError.terminated` (false) so the caller can flush.
    public var exitOnSignal: Bool
    /// The terminal device to open.
    public var ttyPath: String
    /// Environment to read `NO_COLOR`, `ESCDELAY` and `TERM` from.
    public var environment: [String: String]
    /// At most one frame per this many milliseconds for changes nobody at the keyboard waits
    /// for (`InboxChange.background`); keys and answers to the operator are drawn at once.
    public var backgroundFrameMs: Int

    public init(
        color: Bool = true,
        ascii: Bool? = nil,
        exitOnSignal: Bool = true,
        ttyPath: String = "/dev/tty",
        environment: [String: String] = ProcessInfo.processInfo.environment,
        backgroundFrameMs: Int = 1000
    ) {
        self.backgroundFrameMs = backgroundFrameMs
        self.color = color
        self.ascii = ascii
        self.exitOnSignal = exitOnSignal
        self.ttyPath = ttyPath
        self.environment = environment
    }
}

/// Why the console could not start, or why it stopped.
public enum TerminalError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    /// No controlling terminal (cron, a pipe, `ssh host cmd` without -t).
    case noTerminal(String)
    /// curses does not know the terminal type.
    case unknownTerminalType(String)
    /// A terminal that cannot move the cursor or draw panes (TERM=dumb, an editor's shell).
    case dumbTerminal(String)
    /// Another console is already running in this process.
    case alreadyRunning
    case setupFailed(String)
    /// SIGTERM or SIGHUP arrived; the terminal was restored (only with `exitOnSignal == false`).
    case terminated(signal: Int32)

    public var description: String {
        switch self {
        case .noTerminal(let why):
            "the console needs a terminal (\(why)). Without one, use the command-line mode: "
                + "`wamod sessions`, `wamod groups …`; see `wamod --help`. Over ssh, add -t."
        case .unknownTerminalType(let term):
            "the terminal type \(term.isEmpty ? "(TERM is not set)" : "'\(term)'") is unknown to curses: "
                + "set TERM=xterm-256color (or xterm) and try again, or use the command-line mode (`wamod --help`)."
        case .dumbTerminal(let term):
            "the terminal type '\(term)' cannot draw the console (no cursor movement): run it in a full terminal "
                + "(TERM=xterm-256color), or use the command-line mode (`wamod sessions`, `wamod groups …`; see `wamod --help`)."
        case .alreadyRunning:
            "the console is already running in this process."
        case .setupFailed(let why):
            "could not set up the terminal: \(why)."
        case .terminated(let signal):
            "stopped by signal \(signal); the terminal was restored."
        }
    }

    public var errorDescription: String? { description }

    /// The exit status a process conventionally uses for this error (128+signal).
    public var exitStatus: Int32 {
        if case .terminated(let signal) = self { return 128 + signal }
        return 1
    }
}
