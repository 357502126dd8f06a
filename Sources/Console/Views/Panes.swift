import FleetIndex
import Foundation
import GatewayKit

/// The three list panes: sessions, groups, participants.
struct PaneViews {
    let state: ConsoleState
    let layout: Layout
    let g: Glyphs

    func draw(_ screen: inout Screen) {
        if layout.shows(.sessions) { sessions(&screen) }
        if layout.shows(.groups) { groups(&screen) }
        if layout.shows(.participants) { participants(&screen) }
    }

    /// An empty pane's hint, for a pane with nothing opened in it yet.
    func placeholder(_ screen: inout Screen, _ rect: Rect, _ text: String) {
        let r = rect.inner
        screen.fill(r)
        screen.put(r.x + 1, r.y, text, .dim, maxWidth: r.width - 1)
    }

    /// The right side of a pane's title: filter, count, loading.
    func titleRight(_ pane: Pane, shown: Int, total: Int, loading: Bool, cached: Date? = nil) -> String {
        let l = state.list(pane)
        var parts: [String] = []
        if l.editing || !l.filter.isEmpty { parts.append("/" + l.filter + (l.editing ? "_" : "")) }
        if shown != total { parts.append("\(shown)/\(total)") }
        // Rows drawn from the index until the live read replaces them (or after it failed).
        if let cached, total > 0 { parts.append("cached " + Age.text(since: cached, now: state.now)) }
        // An empty pane says "loading…" in its body; the title says it only over rows already shown.
        if loading && total > 0 { parts.append("loading") }
        return parts.joined(separator: " ")
    }

    /// Draws the rows of a list; an empty list shows its loading or error state instead.
    func rows<T>(_ screen: inout Screen, _ pane: Pane, _ items: [T], loaded: Loaded<[T]>?, empty: String,
                 _ row: (inout Screen, Int, Int, Int, T, Style) -> Void) {
        let r = layout.rect(pane).inner
        guard !r.isEmpty else { return }
        screen.fill(r)
        if let error = loaded?.error {
            if items.isEmpty {
                let lines = wrap("! " + error, width: r.width)
                for (i, line) in lines.prefix(max(1, r.height - 1)).enumerated() { screen.put(r.x, r.y + i, line, .error, maxWidth: r.width) }
                if r.height > 1 { screen.put(r.x, r.y + min(lines.count, r.height - 1), "r retry", .dim, maxWidth: r.width) }
                return
            }
            // The last good rows stay; one line above them says the refresh failed.
            screen.putFitted(r.x, r.y, "! refresh failed (r retry): " + error, width: r.width, .error)
        }
        if items.isEmpty {
            let text = (loaded?.loading ?? false) || loaded == nil && pane != .participants ? "loading…" : empty
            screen.put(r.x + 1, r.y, text, .dim, maxWidth: r.width - 1)
            return
        }
        let l = state.list(pane)
        let focused = state.focus == pane && state.dialog == nil && !state.showHelp
        let top = loaded?.error == nil ? 0 : 1
        for i in 0..<max(0, r.height - top) {
            let index = l.scroll + i
            guard index < items.count else { break }
            let style: Style = index == l.cursor ? (focused ? .cursor : .cursorInactive) : .normal
            if style != .normal { screen.fill(Rect(x: r.x, y: r.y + top + i, width: r.width, height: 1), style) }
            row(&screen, r.x, r.y + top + i, r.width, items[index], style)
        }
    }

    func sessions(_ screen: inout Screen) {
        let items = state.visibleSessions
        let rect = layout.sessions
        screen.box(rect, title: Pane.sessions.title, focused: state.focus == .sessions,
                   right: titleRight(.sessions, shown: items.count, total: state.sessions.value?.count ?? 0, loading: state.sessions.loading,
                                     cached: state.fleet.cachedSessions))
        rows(&screen, .sessions, items, loaded: state.sessions, empty: "no sessions") { sc, x, y, w, s, style in
            let mark = s.connected ? g.connected : g.offline
            let open = s.id == state.openSession
            sc.put(x, y, mark, style == .normal ? (s.connected ? .ok : .dim) : style, maxWidth: 1)
            let stateText = s.connected ? g.ok : g.fail
            sc.putFitted(x + 2, y, s.label, width: max(0, w - 4), style == .normal ? (open ? .header : (s.connected ? .normal : .dim)) : style)
            sc.put(x + w - 1, y, stateText, style == .normal ? (s.connected ? .ok : .error) : style, maxWidth: 1)
        }
    }

    func groups(_ screen: inout Screen) {
        let items = state.visibleGroups
        let rect = layout.groups
        let label = state.currentSession?.label
        let loaded = state.openSession.flatMap { state.groups[$0] }
        screen.box(rect, title: label.map { "Groups (\($0))" } ?? "Groups", focused: state.focus == .groups,
                   right: titleRight(.groups, shown: items.count, total: state.allGroups.count, loading: loaded?.loading ?? false,
                                     cached: state.openSession.flatMap { state.fleet.cachedGroups[$0] }))
        if state.openSession == nil {
            return placeholder(&screen, rect, "Enter on a session")
        }
        let tags = state.openSession.flatMap { state.groupTags[$0] } ?? []
        let op = state.operation.flatMap { $0.showRows ? $0 : nil }
        rows(&screen, .groups, items, loaded: loaded, empty: "no groups") { sc, x, y, w, grp, style in
            let tagged = tags.contains(grp.jid)
            sc.put(x, y, tagged ? g.tagged : g.untagged, style == .normal ? .tagged : style, maxWidth: g.tagWidth)
            let role: String = switch grp.ourRole {
            case .superadmin?: "O"
            case .admin?: "A"
            case .member?: "M"
            case nil: "?"
            }
            let size = grp.size.map(String.init) ?? "?"
            let rowState = op?.key == nil ? op?.state(of: grp.jid) : nil
            let right = rowState.map { stateText($0, width: 14) } ?? ""
            let rightW = right.isEmpty ? 0 : CellWidth.of(right) + 1
            let nameW = max(0, w - g.tagWidth - 1 - 6 - rightW)
            let open = grp.jid == state.openGroup?.group
            // The settings that are on, as badges after the subject, where the name keeps room.
            let settings = state.openSession.flatMap { state.settings(of: GroupKey(session: $0, group: grp.jid)) }
            // The words where the name keeps ten cells, else their initials ("[mia]").
            var badges = settings.map { GroupBadges.text($0) } ?? ""
            if !badges.isEmpty, nameW - CellWidth.of(badges) - 1 < 10, let st = settings { badges = GroupBadges.text(st, short: true) }
            // New members (joined within the window, as the index knows): "+3".
            if let sid = state.openSession {
                let fresh = state.fleet.joinCount(session: sid, group: grp.jid, within: state.fleet.newWindow, now: state.now)
                if fresh > 0 { badges = "+\(fresh)" + (badges.isEmpty ? "" : " " + badges) }
            }
            let badgeW = badges.isEmpty || nameW - CellWidth.of(badges) - 1 < 8 ? 0 : CellWidth.of(badges) + 1
            sc.putFitted(x + g.tagWidth + 1, y, grp.subject, width: nameW - badgeW, style == .normal ? (open ? .header : .normal) : style)
            if badgeW > 0 { sc.put(x + g.tagWidth + 1 + nameW - badgeW, y, badges, style == .normal ? .warn : style, maxWidth: badgeW - 1) }
            sc.putFitted(x + g.tagWidth + 1 + nameW, y, size, width: 4, style == .normal ? .dim : style, alignRight: true)
            sc.put(x + g.tagWidth + 1 + nameW + 5, y, role, style == .normal ? (grp.ourRole?.isAdmin == true ? .admin : .dim) : style, maxWidth: 1)
            if let rowState { sc.put(x + w - rightW + 1, y, right, style == .normal ? stateStyle(rowState) : style, maxWidth: rightW - 1) }
        }
    }

    func participants(_ screen: inout Screen) {
        let items = state.visibleParticipants
        let rect = layout.participants
        let group = state.currentGroup
        let loaded = state.openGroup.flatMap { state.participants[$0] }
        let requests = state.openGroup?.requests == true
        let onlyNew = state.fleet.onlyNew && !requests
        let fresh = state.openGroup.map { state.newCount($0) } ?? 0
        let newText = fresh > 0 ? " \(g.dot) \(fresh) new" : ""
        let title = requests
            ? group.map { "Join requests \(g.dot) \($0.subject) (\(state.allParticipants.count))" } ?? "Join requests"
            : onlyNew
            ? group.map { "New members (\(Age.text(state.fleet.newWindow))) \(g.dot) \($0.subject)" } ?? "New members"
            : group.map { "Participants \(g.dot) \($0.subject)" + ($0.size.map { " (\($0))" } ?? "") + newText } ?? "Participants"
        screen.box(rect, title: title, focused: state.focus == .participants,
                   right: titleRight(.participants, shown: items.count, total: state.allParticipants.count, loading: loaded?.loading ?? false,
                                     cached: state.openGroup.flatMap { state.fleet.cachedParticipants[$0] }))
        if state.openGroup == nil {
            return placeholder(&screen, rect, "Enter on a group")
        }
        let tags = state.openGroup.flatMap { state.participantTags[$0] } ?? []
        let candidate = state.operation?.key == state.openGroup ? state.operation.flatMap { $0.showRows ? $0 : nil } : nil
        // Row states show while their rows are still here (a finished removal's rows are gone).
        let op = candidate.flatMap { o in items.contains { o.state(of: $0.id) != nil } ? o : nil }
        // When and how each joined, where only new members are shown (n, or `joined:<…`).
        let showJoined = !requests && (onlyNew || FilterQuery(state.list(.participants).filter).joined != nil)
        // The columns are sized by the whole group, not by the rows a filter leaves: they stay
        // where they are while a filter is typed, and are measured once per list read.
        var whole = state.participantsKey
        whole.filter = ""
        whole.onlyNew = false
        whole.second = 0
        whole.metaVersion = 0
        let widths = state.derived.widths(DerivedCache.WidthsKey(list: whole, ownerWidth: CellWidth.of(g.owner))) {
            ParticipantColumns.contentWidths(state.allParticipants, g: g)
        }
        let cols = ParticipantColumns(width: rect.inner.width, tagWidth: g.tagWidth, widths: widths, running: op.map { !$0.finished }, joined: showJoined)
        let since = state.now.addingTimeInterval(-state.fleet.newWindow)
        let meta = state.openGroup.flatMap { state.fleet.meta[$0] } ?? [:]
        let empty = requests ? "no pending requests (J: the members)"
            : onlyNew ? (state.allParticipants.isEmpty ? "no participants" : "no member joined in the last \(Age.text(state.fleet.newWindow)) (n: everyone)")
            : "no participants"
        rows(&screen, .participants, items, loaded: loaded, empty: empty) { sc, x, y, w, p, style in
            sc.put(x, y, tags.contains(p.id) ? g.tagged : g.untagged, style == .normal ? .tagged : style, maxWidth: g.tagWidth)
            let ownerMark = p.role == .superadmin ? g.owner + " " : ""
            sc.putFitted(x + cols.nameX, y, ownerMark + (p.name ?? "–"), width: cols.nameW, style == .normal ? (p.name == nil ? .dim : .normal) : style)
            sc.putNumber(x + cols.numberX, y, p.numberText, width: cols.numberW, style == .normal ? .dim : style)
            // The role is always shown, also beside an operation's row state.
            let isNew = meta[p.id]?.isNew(since: since) == true
            let roleText = p.role == .superadmin ? "owner" : (p.role == .admin ? "admin" : (isNew && !showJoined ? "new" : ""))
            if cols.roleW > 0 {
                sc.putFitted(x + cols.roleX, y, roleText, width: cols.roleW, style == .normal ? (p.role == .superadmin ? .owner : (p.role == .admin ? .admin : .ok)) : style)
            }
            if cols.stateW > 0, let rowState = op?.state(of: p.id) {
                sc.putFitted(x + cols.stateX, y, stateText(rowState, width: cols.stateW), width: cols.stateW, style == .normal ? stateStyle(rowState) : style)
            } else if cols.stateW > 0, showJoined, let m = meta[p.id] {
                sc.putFitted(x + cols.stateX, y, JoinedText.text(m, now: state.now, width: cols.stateW), width: cols.stateW, style == .normal ? .dim : style)
            }
        }
    }

    func stateText(_ st: OperationState.RowState, width: Int) -> String {
        if width < 3 {
            switch st {
            case .pending: return g.pending
            case .sending: return g.sending
            case .ended(let o): return o.isSuccess ? g.ok : g.fail
            }
        }
        switch st {
        case .pending: return g.pending + " pending"
        case .sending: return g.sending + " sending"
        case .ended(let o):
            // Narrow: a short label; wide (while running): the reason itself.
            let detail = width >= 16 ? (o.reason ?? o.shortLabel) : o.shortLabel
            return CellWidth.truncate((o.isSuccess ? g.ok : g.fail) + " " + detail, to: width)
        }
    }

    func stateStyle(_ st: OperationState.RowState) -> Style {
        switch st {
        case .pending: .dim
        case .sending: .warn
        case .ended(let o): o.isSuccess ? .ok : .error
        }
    }
}

/// Breaks text into lines of at most `width` cells, at spaces where possible.
func wrap(_ text: String, width: Int) -> [String] {
    guard width > 1 else { return [text] }
    var lines: [String] = []
    var line = ""
    for word in text.split(separator: " ", omittingEmptySubsequences: false) {
        let w = String(word)
        let candidate = line.isEmpty ? w : line + " " + w
        if CellWidth.of(candidate) <= width {
            line = candidate
            continue
        }
        if !line.isEmpty { lines.append(line) }
        var rest = w
        while CellWidth.of(rest) > width {
            var head = ""
            for ch in rest {
                if CellWidth.of(head) + CellWidth.of(ch) > width { break }
                head.append(ch)
            }
            lines.append(head)
            rest = String(rest.dropFirst(head.count))
        }
        line = rest
    }
    if !line.isEmpty { lines.append(line) }
    return lines
}

/// A group's settings that are on, as the groups pane shows them: `msg` only admins send,
/// `info` only admins edit info, `appr` approval for new members. Only admins adding is
/// WhatsApp's default, so it is not a badge (the details, `i`, show it).
enum GroupBadges {
    static func text(_ st: GroupSettings, short: Bool = false) -> String {
        let on = [GroupSetting.announce, .locked, .approval].filter { st[$0] == true }
        guard !on.isEmpty else { return "" }
        if short { return "[" + on.map { String(word($0).prefix(1)) }.joined() + "]" }
        return "[" + on.map(word).joined(separator: " ") + "]"
    }

    static func word(_ s: GroupSetting) -> String {
        switch s {
        case .announce: "msg"
        case .locked: "info"
        case .adminsAdd: "add"
        case .approval: "appr"
        }
    }
}
