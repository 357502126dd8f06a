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

    /// - Parameter logSize: 0 as usual, 1 the log takes about half the screen, 2 all of it
    ///   but the status line (`z` steps through them).
    public init(width w: Int, height h: Int, logSize: Int = 0) {
        width = w
        let logHeight = switch logSize {
        case 1: max(5, (h - 1) / 2)
        case 2: h - 1
        default: h >= 40 ? 10 : max(5, h / 5)
        }
        let top = logSize == 2 ? 0 : max(3, h - 1 - logHeight)
        let sw = min(28, max(16, w / 5))
        let gw = min(48, max(22, w * 35 / 100))
        sessions = Rect(x: 0, y: 0, width: sw, height: top)
        groups = Rect(x: sw, y: 0, width: gw, height: top)
        participants = Rect(x: sw + gw, y: 0, width: max(0, w - sw - gw), height: top)
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

    /// Rows a list pane shows (inside its border).
    public func visibleRows(_ pane: Pane) -> Int { max(1, rect(pane).height - 2) }
}
