/// What the terminal's run loop drives. ConsoleTerminal owns the terminal and calls these on
/// its one UI thread; the app never touches curses.
public protocol InteractiveApp: AnyObject {
    /// Gives the app a way to wake the run loop from any thread (a byte on a pipe).
    /// Called once, before the first `render`.
    func start(wake: @escaping @Sendable () -> Void)
    /// A key was pressed.
    func handle(key: Key)
    /// The terminal is now this size (also called once at start).
    func resize(width: Int, height: Int)
    /// The run loop was woken: take in what background work posted. Says whether anything
    /// changed, and whether someone is waiting to see it.
    func drainInbox() -> InboxChange
    /// The whole screen as it should look now.
    func render(width: Int, height: Int, ascii: Bool) -> Screen
    /// Milliseconds until the app wants to render again without a key or wake (a countdown,
    /// a spinner); nil to wait for input only.
    var tickInterval: Int? { get }
    /// Called when the tick interval passed. Returns whether anything changed.
    func tick() -> Bool
    /// Set when the app is done; the run loop restores the terminal and returns.
    var shouldQuit: Bool { get }
    /// An outside request to stop (SIGINT): treated like Ctrl-C.
    func interrupt()
    /// Lines to print once the terminal is restored (what a quit left undone).
    var exitSummary: [String] { get }
}

/// What taking in the inbox changed.
public enum InboxChange: Sendable, Equatable {
    case nothing
    /// Only what nobody at the keyboard waits for (a request of the background index in the
    /// log, a role learned, the index's progress): drawn with the next frame, at most about
    /// once a second (`TerminalOptions.backgroundFrameMs`), as htop and top refresh.
    case background
    /// An answer to the operator (a list they opened, an operation's step, an alert): drawn now.
    case now
}

extension InteractiveApp {
    public var exitSummary: [String] { [] }
}
