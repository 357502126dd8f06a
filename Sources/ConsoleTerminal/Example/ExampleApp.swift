import Console
import Foundation

/// A tiny app to try the run loop by hand (in tmux): a box with the last key, the size,
/// ticks, wakes from a background thread and a line of wide text. `q` (or Ctrl-C twice) quits.
///
///     try TerminalRunLoop.run(ExampleApp(), options: TerminalOptions())
public final class ExampleApp: InteractiveApp {
    public private(set) var lastKey: Key?
    public private(set) var keyCount = 0
    public private(set) var width = 0
    public private(set) var height = 0
    public private(set) var ticks = 0
    public private(set) var wakes = 0
    public private(set) var interrupts = 0
    public private(set) var shouldQuit = false
    private var ctrlCPressed = false
    private let inbox = Inbox()
    /// Background wakes every this many seconds (nil: none).
    private let wakeEvery: Double?

    public init(wakeEverySeconds: Double? = 2) {
        wakeEvery = wakeEverySeconds
    }

    public func start(wake: @escaping @Sendable () -> Void) {
        guard let every = wakeEvery else { return }
        let inbox = inbox
        let thread = Thread {
            while !inbox.isClosed {
                Thread.sleep(forTimeInterval: every)
                inbox.post()
                wake()
            }
        }
        thread.start()
    }

    deinit { inbox.close() }

    public func handle(key: Key) {
        lastKey = key
        keyCount += 1
        switch key {
        case .char("q"):
            shouldQuit = true
        case .ctrl("c"):
            if ctrlCPressed { shouldQuit = true }
            ctrlCPressed = true
            return
        default:
            break
        }
        ctrlCPressed = false
    }

    public func resize(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    public func drainInbox() -> Bool {
        let n = inbox.take()
        wakes += n
        return n > 0
    }

    public var tickInterval: Int? { 1000 }

    public func tick() -> Bool {
        ticks += 1
        return true
    }

    public func interrupt() {
        interrupts += 1
        if ctrlCPressed { shouldQuit = true }
        ctrlCPressed = true
    }

    public func render(width: Int, height: Int, ascii: Bool) -> Screen {
        var s = Screen(width: width, height: height, ascii: ascii)
        guard width >= 24, height >= 9 else {
            s.put(0, 0, "terminal too small", .warn)
            return s
        }
        let box = Rect(x: 1, y: 1, width: width - 2, height: height - 2)
        drawBox(&s, box, ascii: ascii)
        s.put(box.x + 2, box.y, " wamod terminal check ", .titleFocused)
        let lines: [(String, Style)] = [
            ("last key: \(lastKey.map(String.init(describing:)) ?? "(none)")   keys: \(keyCount)", .normal),
            ("size: \(width)x\(height)   \(ascii ? "ascii" : "unicode")", .normal),
            ("ticks: \(ticks)   wakes: \(wakes)   SIGINTs: \(interrupts)", .dim),
            ("wide: 客服 支持群 🎉 👍🏽 👨‍👩‍👧 🇧🇷 ok", .normal),
            (ctrlCPressed ? "press Ctrl-C again to quit" : "q quits", ctrlCPressed ? .warn : .ok),
        ]
        for (i, (text, style)) in lines.enumerated() where box.y + 2 + i < box.y + box.height - 1 {
            s.putFitted(box.x + 2, box.y + 2 + i, text, width: box.width - 4, style)
        }
        s.putFitted(0, height - 1, " q quit  Ctrl-C twice quit", width: width, .status)
        return s
    }

    private func drawBox(_ s: inout Screen, _ r: Rect, ascii: Bool) {
        let (h, v, tl, tr, bl, br) = ascii ? ("-", "|", "+", "+", "+", "+") : ("─", "│", "┌", "┐", "└", "┘")
        for x in r.x..<(r.x + r.width) {
            s.put(x, r.y, h, .borderFocused)
            s.put(x, r.y + r.height - 1, h, .borderFocused)
        }
        for y in r.y..<(r.y + r.height) {
            s.put(r.x, y, v, .borderFocused)
            s.put(r.x + r.width - 1, y, v, .borderFocused)
        }
        s.put(r.x, r.y, tl, .borderFocused)
        s.put(r.x + r.width - 1, r.y, tr, .borderFocused)
        s.put(r.x, r.y + r.height - 1, bl, .borderFocused)
        s.put(r.x + r.width - 1, r.y + r.height - 1, br, .borderFocused)
    }
}

/// Counts wakes posted from a background thread.
private final class Inbox: @unchecked Sendable {
    // @unchecked: both fields are only touched under `lock`.
    private let lock = NSLock()
    private var count = 0
    private var closed = false

    func post() { lock.withLock { count += 1 } }
    func take() -> Int { lock.withLock { defer { count = 0 }; return count } }
    func close() { lock.withLock { closed = true } }
    var isClosed: Bool { lock.withLock { closed } }
}
