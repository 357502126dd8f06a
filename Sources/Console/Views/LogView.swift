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
        let rowsShown = state.visibleLog
        let count = rowsShown.count
        let rows = layout.visibleRows(.log)
        // While following, the newest entries are shown; otherwise the cursor's window.
        let following = state.logFollow && (state.focus != .log || l.cursor >= count - 1)
        let scroll = following && state.focus != .log ? max(0, count - rows) : l.scroll
        var right: [String] = []
        if l.editing || !l.filter.isEmpty { right.append("/" + l.filter + (l.editing ? "_" : "")) }
        right.append(following ? "\(state.log.count)" : "\(min(count, l.cursor + 1))/\(count) \(g.dot) scrolled, G follows")
        screen.box(rect, title: "Log", focused: state.focus == .log, right: right.joined(separator: " "))
        let r = rect.inner
        guard !r.isEmpty else { return }
        screen.fill(r)
        if count == 0 {
            let empty = l.filter.isEmpty ? "requests and results appear here" : "no match for “\(l.filter)” (Esc clears the filter)"
            screen.put(r.x + 1, r.y, empty, .dim, maxWidth: r.width - 1)
            return
        }
        for i in 0..<r.height {
            let index = scroll + i
            guard index < count else { break }
            let isCursor = state.focus == .log && index == l.cursor
            if isCursor { screen.fill(Rect(x: r.x, y: r.y + i, width: r.width, height: 1), .cursor) }
            switch rowsShown[index] {
            case .entry(let n):
                let e = state.log[n]
                let base: Style = switch e.kind {
                case .info: .normal
                case .error: .error
                case .request(let ev): (ev.status.map { $0 >= 400 } ?? true) ? .warn : .dim
                case .operation: .header
                case .result(let ok): ok ? .ok : .error
                }
                let used = screen.put(r.x, r.y + i, Reducer.time(e.at) + " ", isCursor ? .cursor : .dim, maxWidth: r.width)
                screen.put(r.x + used, r.y + i, CellWidth.truncate(CellWidth.sanitize(e.text), to: r.width - used), isCursor ? .cursor : base, maxWidth: r.width - used)
            case .fold(let fold, let n, let errors, let first):
                let open = state.logExpanded.contains(fold)
                let at = state.log.indices.contains(first) ? Reducer.time(state.log[first].at) + " " : ""
                let used = screen.put(r.x, r.y + i, at, isCursor ? .cursor : .dim, maxWidth: r.width)
                let what = if case .operation = fold { "    " } else { "" }
                let text = "\(what)\(open ? "▾" : "▸") \(n) request\(n == 1 ? "" : "s")\(errors > 0 ? " \(g.dot) \(errors) failed" : "") \(g.dot) Enter \(open ? "folds" : "shows") them"
                screen.put(r.x + used, r.y + i, CellWidth.truncate(text, to: r.width - used), isCursor ? .cursor : (errors > 0 ? .warn : .dim), maxWidth: r.width - used)
            }
        }
    }
}

/// The bottom line: where you are, tags, mode badges, progress, and what keys do now.
struct StatusLine {
    let state: ConsoleState
    let keys: KeyMap
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
            let verb = op.kind.progressive
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
            let text = CellWidth.sanitize(message)
            let style: Style = state.messageIsError ? .error : .status
            if CellWidth.of(text) <= w - x - 1 {
                put(text, style)
                return
            }
            // Too long beside the breadcrumb: the message takes the line, and wraps onto the row
            // above (over the log's lower border) rather than being cut mid-word.
            let lines = wrap(text, width: max(10, w - 2))
            screen.fill(Rect(x: 0, y: row, width: w, height: 1), .status)
            if lines.count > 1, row > 0 {
                screen.fill(Rect(x: 0, y: row - 1, width: w, height: 1), .status)
                screen.put(1, row - 1, lines[0], style, maxWidth: w - 2)
                let rest = lines.dropFirst().joined(separator: " ")
                screen.put(1, row, CellWidth.truncate(rest, to: w - 2), style, maxWidth: w - 2)
            } else {
                screen.put(1, row, CellWidth.truncate(text, to: w - 2), style, maxWidth: w - 2)
            }
            return
        }
        for (key, text) in hints() {
            guard x + CellWidth.of(key) + CellWidth.of(text) + 2 < w else { break }
            put(key, .statusKey)
            put(" " + text + "  ", .status)
        }
    }

    /// Key hints for what is possible right now: the key table's, for this context.
    func hints() -> [(String, String)] { keys.hints(state).map { ($0.keys, $0.action) } }
}
