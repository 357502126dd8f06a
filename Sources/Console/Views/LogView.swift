import FleetIndex
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
        let full = screen.width
        screen.fill(Rect(x: 0, y: row, width: full, height: 1), .status)
        // The index's part at the right end: what the console follows by, and how old the
        // index is; the rest of the line gives way to it.
        var w = full
        if let fleet = fleetText(long: full >= 100), !fleet.isEmpty, full >= 60 {
            let fw = CellWidth.of(fleet)
            if fw < full / 2 {
                screen.put(full - fw - 1, row, fleet, .status, maxWidth: fw)
                w = full - fw - 2
            }
        }
        var x = 1
        func put(_ text: String, _ style: Style) {
            guard x < w else { return }
            x += screen.put(x, row, text, style, maxWidth: w - x)
        }
        let label = state.currentSession?.label ?? state.gatewayName
        let account = state.currentSession?.account?.phoneNumber.map { " (\($0))" } ?? ""
        let group = state.currentGroup.map { " \(g.crumb) " + CellWidth.sanitize($0.subject) } ?? ""
        let crumb = label + account + group
        put(CellWidth.of(crumb) <= w / 3 ? crumb : CellWidth.truncate(label + group, to: max(10, w / 3)), .status)
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
            let w = full
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

    /// `events: websocket · index 3m` (narrow: `websocket · index 3m`), `polling 5m`,
    /// `indexing 120/4000`; nil without an index.
    func fleetText(long: Bool) -> String? {
        let f = state.fleet
        guard f.available else { return nil }
        var parts: [String] = []
        if let src = f.source {
            let what = src == .polling ? "polling " + Age.text(f.pollEvery) : src.rawValue
            parts.append(long ? "events: " + what : what)
        }
        if let st = f.status {
            let now = max(st.at, state.now)
            // Until a first round has finished, the index has not even listed every group:
            // the groups the console read itself, all read, are not a fresh index.
            if f.following, st.groups > 0, let fr = st.freshness, fr.neverRead > 0 || fr.lastRound == nil {
                parts.append("indexing \(st.groupsRead)/\(st.groups)")
            } else if let fr = st.freshness, let at = fr.lastRound ?? fr.oldest {
                parts.append("index " + Age.text(now.timeIntervalSince(at)))
            } else if st.groups == 0 {
                parts.append(f.following ? "indexing" : "index empty")
            }
        }
        return parts.joined(separator: " \(g.dot) ")
    }
}

/// A watchlisted person seen: one line across the screen (over the log's top border) that
/// stays until they are removed (`w`) or the alert is dismissed (`D`).
struct WatchBanner {
    let state: ConsoleState
    let g: Glyphs

    func draw(_ screen: inout Screen, row: Int) {
        guard let a = state.fleet.alerts.first, let first = a.places.first, row >= 0, row < screen.height else { return }
        let who = a.entry.who.phoneNumber ?? a.entry.who.string
        let more = a.places.count > 1 ? " and \(a.places.count - 1) more group\(a.places.count == 2 ? "" : "s")" : ""
        let others = state.fleet.alerts.count > 1 ? " \(g.dot) \(state.fleet.alerts.count - 1) more alert\(state.fleet.alerts.count == 2 ? "" : "s")" : ""
        let seen = Age.text(since: first.seen, now: state.now)
        let text = " \(g.warnMark) WATCHLIST \(who) (\(a.entry.reason)) in \(first.subject) (\(first.sessionLabel))\(more), seen \(seen) ago by \(first.via)\(others) \(g.dot) w remove \(g.dot) D dismiss "
        screen.fill(Rect(x: 0, y: row, width: screen.width, height: 1), .dialogDanger)
        screen.put(0, row, CellWidth.truncate(CellWidth.sanitize(text), to: screen.width), .dialogDanger, maxWidth: screen.width)
    }
}
