/// Where each pane goes for a terminal size. Pure, so the reducer can keep cursors in view
/// and tests can check every size from the minimum up.
public struct Layout: Sendable, Hashable {
    public static let minWidth = 60
    public static let minHeight = 16

    public var sessions: Rect
    public var groups: Rect
    public var participants: Rect
    public var log: Rect
    /// The status line's row.
    public var statusRow: Int
    public var width: Int

    /// The list pane shown alone across the terminal's width (`Z`), or nil: side by side.
    public var wide: Pane?

    /// - Parameters:
    ///   - logSize: 0 as usual, 1 the log takes about half the screen, 2 all of it but the
    ///     status line (`z` steps through them).
    ///   - wide: a list pane to show alone, the terminal's full width, the other two hidden
    ///     (`Z`). A list that spans the width moves by the terminal's own scrolling (curses
    ///     sets a scrolling region and sends one line feed for a one-row scroll) instead of
    ///     being rewritten, which is what a slow link notices; and long names fit.
    public init(width w: Int, height h: Int, logSize: Int = 0, wide: Pane? = nil) {
        width = w
        let logHeight = switch logSize {
        case 1: max(5, (h - 1) / 2)
        case 2: h - 1
        default: h >= 40 ? 10 : max(5, h / 5)
        }
        let top = logSize == 2 ? 0 : max(3, h - 1 - logHeight)
        let sw = min(28, max(16, w / 5))
        let gw = min(48, max(22, w * 35 / 100))
        self.wide = wide == .log ? nil : wide
        if let shown = self.wide {
            // The hidden panes keep their place at the left edge with no width: nothing is
            // drawn for them and no cursor is kept in view against zero rows.
            let full = Rect(x: 0, y: 0, width: w, height: top)
            let none = Rect(x: 0, y: 0, width: 0, height: top)
            sessions = shown == .sessions ? full : none
            groups = shown == .groups ? full : none
            participants = shown == .participants ? full : none
        } else {
            sessions = Rect(x: 0, y: 0, width: sw, height: top)
            groups = Rect(x: sw, y: 0, width: gw, height: top)
            participants = Rect(x: sw + gw, y: 0, width: max(0, w - sw - gw), height: top)
        }
        log = Rect(x: 0, y: top, width: w, height: max(0, h - 1 - top))
        statusRow = h - 1
    }

    public func rect(_ pane: Pane) -> Rect {
        switch pane {
        case .sessions: sessions
        case .groups: groups
        case .participants: participants
        case .log: log
        }
    }

    /// Rows a list pane shows (inside its border). A hidden pane keeps the rows it would
    /// have side by side, so its scroll position is where it was when it is shown again.
    public func visibleRows(_ pane: Pane) -> Int { max(1, rect(pane).height - 2) }

    /// Whether a pane is drawn in this layout.
    public func shows(_ pane: Pane) -> Bool { rect(pane).width > 0 }
}
