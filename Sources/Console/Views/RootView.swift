import GatewayKit

/// Renders the whole state into a Screen.
public struct RootView: Sendable {
    /// The views read the key table (names, hints, availability), never the reducer.
    public var keys: KeyMap

    public init(keys: KeyMap = .standard) {
        self.keys = keys
    }

    public func render(_ state: ConsoleState, ascii: Bool = false) -> Screen {
        var screen = Screen(width: state.width, height: state.height, ascii: ascii)
        let g = Glyphs(ascii: ascii)
        if state.tooSmall {
            tooSmall(&screen, state)
            return screen
        }
        let layout = state.layout
        if layout.sessions.height >= 3 { PaneViews(state: state, layout: layout, g: g).draw(&screen) }
        LogView(state: state, layout: layout, g: g).draw(&screen)
        if !state.fleet.alerts.isEmpty { WatchBanner(state: state, g: g).draw(&screen, row: layout.log.y) }
        StatusLine(state: state, keys: keys, g: g).draw(&screen, row: layout.statusRow)
        if state.showHelp { HelpView(state: state, keys: keys).draw(&screen) }
        if let d = state.dialog { DialogView(state: state, dialog: d, g: g).draw(&screen) }
        return screen
    }

    func tooSmall(_ screen: inout Screen, _ state: ConsoleState) {
        let lines = ["terminal too small", "\(state.width)x\(state.height), needs \(Layout.minWidth)x\(Layout.minHeight)", "resize it, or q to quit"]
        let top = max(0, (state.height - lines.count) / 2)
        for (i, l) in lines.enumerated() {
            let w = CellWidth.of(l)
            screen.put(max(0, (state.width - w) / 2), top + i, l, i == 0 ? .warn : .normal)
        }
    }
}
