import Foundation
import GatewayKit

/// The log pane: every request under the operation that made it, every error, for the whole run.
struct LogView {
    let state: ConsoleState
    let layout: Layout
    let g: Glyphs

    func draw(_ screen: inout Screen) {
        let rect = layout.log
        guard rect.height >= 2 else { return }
        let l = state.list(.log)
        let count = state.log.count
        let rows = layout.visibleRows(.log)
        // While following, the newest entries are shown; otherwise the cursor's window.
        let scroll = state.logFollow && state.focus != .log ? max(0, count - rows) : l.scroll
        let right = state.logFollow ? "\(count)" : "\(min(count, l.cursor + 1))/\(count) \(g.dot) scrolled"
        screen.box(rect, title: "Log", focused: state.focus == .log, right: right)
        let r = rect.inner
        guard !r.isEmpty else { return }
        screen.fill(r)
        if count == 0 {
            screen.put(r.x + 1, r.y, "requests and results appear here", .dim, maxWidth: r.width - 1)
            return
        }
        for i in 0..<r.height {
            let index = scroll + i
            guard index < count else { break }
            let e = state.log[index]
            let isCursor = state.focus == .log && index == l.cursor
            let base: Style = switch e.kind {
            case .info: .normal
            case .error: .error
            case .request(let ev): (ev.status.map { $0 >= 400 } ?? true) ? .warn : .dim
            case .operation: .header
            case .result(let ok): ok ? .ok : .error
            }
            let style = isCursor ? .cursor : base
            if isCursor { screen.fill(Rect(x: r.x, y: r.y + i, width: r.width, height: 1), .cursor) }
            let used = screen.put(r.x, r.y + i, Reducer.time(e.at) + " ", isCursor ? .cursor : .dim, maxWidth: r.width)
            screen.put(r.x + used, r.y + i, CellWidth.truncate(CellWidth.sanitize(e.text), to: r.width - used), style, maxWidth: r.width - used)
        }
    }
}

/// The bottom line: where you are, tags, mode badges, progress, and what keys do now.
struct StatusLine {
    let state: ConsoleState
    let keys: KeyMap
    let reducer: Reducer
    let g: Glyphs

    func draw(_ screen: inout Screen, row: Int) {
        let w = screen.width
        screen.fill(Rect(x: 0, y: row, width: w, height: 1), .status)
        var x = 1
        func put(_ text: String, _ style: Style) {
            guard x < w else { return }
            x += screen.put(x, row, text, style, maxWidth: w - x)
        }
        let label = state.currentSession?.label ?? state.gatewayName
        let account = state.currentSession?.account?.phoneNumber.map { " (\($0))" } ?? ""
        let group = state.currentGroup.map { " \(g.crumb) " + CellWidth.sanitize($0.subject) } ?? ""
        let full = label + account + group
        put(CellWidth.of(full) <= w / 3 ? full : CellWidth.truncate(label + group, to: max(10, w / 3)), .status)
        let tagged = state.tagsHere.count
        if tagged > 0 {
            let hidden = state.focus == .groups ? state.hiddenGroupTags : state.hiddenParticipantTags
            put("   tagged \(tagged)" + (hidden > 0 ? " (\(hidden) hidden by filter)" : ""), .badge)
        }
        if state.readOnly { put("   [RO]", .badge) }
        if state.dryRun { put("   [DRY]", .badge) }
        if let op = state.operation, !op.finished {
            let verb = op.action?.progressive ?? "leaving"
            var progress = "   \(op.cancelling ? "cancelling" : verb) \(op.done + op.failed)/\(op.targets.count)" + (op.failed > 0 ? " \(g.dot) \(op.failed) failed" : "")
            if let next = op.nextAt, next > state.now {
                progress += " \(g.dot) next in \(Int(next.timeIntervalSince(state.now).rounded(.up))) s"
            }
            put(progress, op.failed > 0 ? .error : .warn)
        }
        put("   ", .status)
        if let q = state.findQuery {
            put("find (number or JID): ", .statusKey)
            put(CellWidth.sanitize(q) + "_", .status)
            return
        }
        if let message = state.message {
            put(CellWidth.sanitize(message), state.messageIsError ? .error : .status)
            return
        }
        for (key, text) in hints() {
            guard x + CellWidth.of(key) + CellWidth.of(text) + 2 < w else { break }
            put(key, .statusKey)
            put(" " + text + "  ", .status)
        }
    }

    /// Key hints for what is possible right now.
    func hints() -> [(String, String)] {
        if state.tooSmall { return [("q", "quit")] }
        if let d = state.dialog {
            guard d.isConfirmation, !d.loading, d.error == nil else { return [("Esc", "close")] }
            if case .resume = d.kind { return [("y", "resume"), ("n", "later"), ("D", "give up")] }
            return d.expected == nil ? [("y", "confirm"), ("n/Esc", "cancel"), ("Tab", "reason")] : [("Enter", "confirm once typed"), ("Esc", "cancel"), ("Tab", "reason")]
        }
        if state.showHelp { return [("Esc", "close")] }
        if state.findQuery != nil { return [("Enter", "find"), ("Esc", "cancel")] }
        if state.list(state.focus).editing { return [("Enter", "keep"), ("Esc", "clear")] }
        var commands: [Command] = [.help]
        switch state.focus {
        case .sessions: commands += [.open, .filter, .refresh]
        case .groups: commands += [.open, .tag, .filter, .leave]
        case .participants: commands += [.remove, .demote, .promote, .tag, .filter]
        case .log: commands += [.open]
        }
        commands.append(.quit)
        return commands.compactMap { c in
            guard reducer.disabledReason(c, state) == nil, let b = keys.binding(c) else { return nil }
            return (keys.keyName(c), b.hint ?? c.rawValue)
        }
    }
}
