import Foundation
import GatewayKit

/// The console's one place of change: `reduce(&state, action)` updates the state and
/// returns the work to do. Pure: no I/O, no clock but what actions carry.
public struct Reducer: Sendable {
    public var keys: KeyMap

    public init(keys: KeyMap = .standard) { self.keys = keys }

    public func reduce(_ s: inout ConsoleState, _ action: Action) -> [Effect] {
        switch action {
        case .key(let k): return key(&s, k)
        case .resize(let w, let h):
            s.width = w
            s.height = h
            for p in Pane.allCases { keepInView(&s, p) }
            return []
        case .interrupt: return interrupt(&s)
        case .tick(let now):
            s.now = now
            // The index took too long to open: our roles are read live after all.
            if let since = s.fleet.openingSince, now.timeIntervalSince(since) >= FleetState.openingGrace {
                s.fleet.openingSince = nil
                return probeRoles(&s)
            }
            return []
        default: return data(&s, action)
        }
    }

    // MARK: keys

    func key(_ s: inout ConsoleState, _ k: Key) -> [Effect] {
        if k == .ctrl("c") { return interrupt(&s) }
        s.interruptArmed = false
        if keys.command(for: k) != .quit { s.quitArmed = false }
        s.message = nil
        s.messageIsError = false
        // A dialog, the help, find or a filter being typed take keys of their own (and a
        // terminal too small only quit's, until it is large enough again).
        let context = KeyContext.of(s)
        if context != .main { return contextKey(&s, context, k) }
        guard let command = keys.command(for: k) else { return [] }
        if let reason = disabledReason(command, s) {
            s.message = reason
            s.messageIsError = true
            return []
        }
        return run(command, &s)
    }

    func interrupt(_ s: inout ConsoleState) -> [Effect] {
        if let op = s.operation, !op.finished, !op.cancelling {
            s.operation?.cancelling = true
            s.interruptArmed = true
            s.message = "cancelling: requests in flight finish, nothing new starts (Ctrl-C again quits)"
            log(&s, .info, "cancel requested", operation: op.id)
            return [.cancelOperation(id: op.id)]
        }
        if s.interruptArmed { return quit(&s, force: true) }
        if s.dialog != nil { s.dialog = nil }
        s.interruptArmed = true
        s.message = "press Ctrl-C again to quit"
        return []
    }

    func quit(_ s: inout ConsoleState, force: Bool = false) -> [Effect] {
        if let op = s.operation, !op.finished {
            if !s.quitArmed && !force {
                s.quitArmed = true
                s.message = "an operation is running: q again stops it and quits (targets not yet sent are not sent)"
                return []
            }
            // Requests in flight finish and every target not sent is recorded "not attempted"
            // before the console exits (ConsoleApp waits for it, bounded); a summary is printed.
            s.quit = true
            s.quitDuring = op.id
            s.message = "quitting: requests in flight finish, the rest is recorded not sent…"
            return [.cancelOperation(id: op.id), .quit]
        }
        s.quit = true
        return [.quit]
    }

    /// Why a command cannot run now, or nil when it can (the key table's availability).
    public func disabledReason(_ command: Command, _ s: ConsoleState) -> String? { keys.disabledReason(command, s) }

    func run(_ command: Command, _ s: inout ConsoleState) -> [Effect] {
        switch command {
        case .focusNext, .focusRight: return focus(&s, Pane(rawValue: (s.focus.rawValue + 1) % Pane.allCases.count) ?? .sessions)
        case .focusPrev, .focusLeft: return focus(&s, Pane(rawValue: (s.focus.rawValue + Pane.allCases.count - 1) % Pane.allCases.count) ?? .sessions)
        case .up, .down, .pageUp, .pageDown, .top, .bottom:
            let page = s.layout.visibleRows(s.focus)
            let delta = switch command {
            case .up: -1
            case .down: 1
            case .pageUp: -page
            case .pageDown: page
            case .top: -Int.max / 2
            default: Int.max / 2
            }
            move(&s, delta)
            // Groups scrolled into view learn our role there.
            return s.focus == .groups ? probeRoles(&s) : []
        case .open: return open(&s)
        case .filter:
            // A kept filter is shown for editing; the first character typed replaces it.
            s.lists[s.focus, default: ListState()].editing = true
            s.lists[s.focus, default: ListState()].replaceOnType = !s.list(s.focus).filter.isEmpty
        case .clearFilter:
            if !s.list(s.focus).filter.isEmpty {
                let p = s.focus
                let before = s.rowIdentity(p, at: s.list(p).cursor)
                s.lists[p, default: ListState()].filter = ""
                let cursor = before.flatMap { s.rowIndex(p, of: $0) } ?? 0
                s.lists[p, default: ListState()].cursor = cursor
                keepInView(&s, p)
            }
        case .tag: tag(&s)
        case .tagAll: tagAll(&s, on: true)
        case .untagAll: tagAll(&s, on: false)
        case .remove: return requestMembers(&s, .remove)
        case .demote: return requestMembers(&s, .demote)
        case .promote: return requestMembers(&s, .promote)
        case .leave: return requestLeave(&s)
        case .resetInvite: return requestGroups(&s, .inviteReset)
        case .lock: return requestGroups(&s, .lock)
        case .unlock: return requestGroups(&s, .unlock)
        case .groupInfo: return requestGroupInfo(&s)
        case .requests:
            guard let key = s.openGroup else { return [] }
            let next = key.requests ? key.members : key.joinRequests
            s.openGroup = next
            s.lists[.participants] = ListState()
            s.focus = .participants
            s.lastListFocus = .participants
            s.updateParticipants(next) { $0.loading = true }
            return [.loadParticipants(next)]
        case .approve: return requestAnswers(&s, approve: true)
        case .reject: return requestAnswers(&s, approve: false)
        case .undo: return requestUndo(&s)
        case .history:
            s.dialog = .history(HistoryDialog())
            return [.loadHistory]
        case .find:
            s.findQuery = ""
        case .newMembers: toggleNew(&s)
        case .removeWatched: return removeWatched(&s)
        case .dismissAlert: dismissAlert(&s)
        case .refresh: return refresh(&s, all: false)
        case .refreshAll: return refresh(&s, all: true)
        case .focusLog: return focus(&s, .log)
        case .zoomLog:
            s.logSize = (s.logSize + 1) % 3
            if s.logSize == 2 { _ = focus(&s, .log) } else if s.logSize == 0, s.focus == .log { _ = focus(&s, s.lastListFocus) }
            for p in Pane.allCases { keepInView(&s, p) }
            s.message = ["log at its usual size", "log taller (z again: full screen)", "log full screen (z again: back)"][s.logSize]
        case .widePane:
            s.widePane.toggle()
            for p in Pane.allCases { keepInView(&s, p) }
            s.message = s.widePane ? "\(s.lastListFocus.title) alone, full width (Tab: the next pane; Z again: side by side)" : "panes side by side"
        case .help:
            s.showHelp = true
            s.helpScroll = 0
        case .interrupt: return interrupt(&s)
        case .quit: return quit(&s)
        }
        return []
    }

    func focus(_ s: inout ConsoleState, _ p: Pane) -> [Effect] {
        if p != .log { s.lastListFocus = p }
        // Leaving the log: it follows new entries again. Entering it while following: the
        // cursor is on the newest.
        if s.focus == .log, p != .log { s.logFollow = true }
        s.focus = p
        if p == .log, s.logFollow {
            s.lists[.log, default: ListState()].cursor = max(0, s.rowCount(.log) - 1)
            keepInView(&s, .log)
        }
        return []
    }

    func move(_ s: inout ConsoleState, _ delta: Int) {
        let p = s.focus
        let count = s.rowCount(p)
        var l = s.list(p)
        if p == .log && count > 0 && s.logFollow { l.cursor = count - 1 }
        l.cursor = count == 0 ? 0 : min(max(0, l.cursor.addingReportingOverflow(delta).partialValue), count - 1)
        s.lists[p] = l
        if p == .log { s.logFollow = l.cursor >= count - 1 }
        keepInView(&s, p)
    }

    /// Keeps the cursor inside the rows on screen, scrolling as little as possible.
    func keepInView(_ s: inout ConsoleState, _ p: Pane) {
        let rows = s.layout.visibleRows(p)
        var l = s.list(p)
        let count = s.rowCount(p)
        l.cursor = count == 0 ? 0 : min(l.cursor, count - 1)
        if l.cursor < l.scroll { l.scroll = l.cursor }
        if l.cursor >= l.scroll + rows { l.scroll = l.cursor - rows + 1 }
        l.scroll = max(0, min(l.scroll, max(0, count - rows)))
        s.lists[p] = l
    }

    func open(_ s: inout ConsoleState) -> [Effect] {
        switch s.focus {
        case .sessions:
            let rows = s.visibleSessions
            guard rows.indices.contains(s.list(.sessions).cursor) else { return [] }
            let sess = rows[s.list(.sessions).cursor]
            s.focus = .groups
            s.lastListFocus = .groups
            return openSession(&s, sess.id)
        case .groups:
            let rows = s.visibleGroups
            guard let sid = s.openSession, rows.indices.contains(s.list(.groups).cursor) else { return [] }
            let key = GroupKey(session: sid, group: rows[s.list(.groups).cursor].jid)
            s.focus = .participants
            s.lastListFocus = .participants
            if s.openGroup != key {
                s.openGroup = key
                s.lists[.participants] = ListState()
            }
            // Rows read earlier show at once; a fresh read replaces them.
            s.updateParticipants(key) { $0.loading = true }
            return [.loadParticipants(key)]
        case .participants:
            return []
        case .log:
            let rows = s.visibleLog
            let l = s.list(.log)
            guard rows.indices.contains(l.cursor) else { return [] }
            let n: Int
            switch rows[l.cursor] {
            case .fold(let fold, _, _, _):
                if s.logExpanded.remove(fold) == nil { s.logExpanded.insert(fold) }
                s.logFollow = false
                keepInView(&s, .log)
                return []
            case .entry(let i): n = i
            }
            let e = s.log[n]
            var lines = [Self.time(e.at) + " " + e.text] + (e.detail.map { $0.split(separator: "\n").map(String.init) } ?? [])
            if let op = e.operation {
                let audit = s.auditIDs[op]
                lines.append("operation \(op)" + (audit.map { " · audit id \($0) (wamod audit --op \($0))" } ?? ""))
            }
            s.dialog = .detail(TextDialog(title: "Log entry", lines: lines))
            return []
        }
    }

    func openSession(_ s: inout ConsoleState, _ id: String) -> [Effect] {
        if s.openSession != id {
            s.openSession = id
            s.openGroup = nil
            s.lists[.groups] = ListState()
            s.lists[.participants] = ListState()
        }
        // The week's joins of its groups, where the index knows them (counts, `joined:`).
        let joins: [Effect] = s.fleet.available ? [.loadJoins(session: id)] : []
        // Its groups as the index has them, drawn (marked cached) until the live list comes.
        let cached: [Effect] = s.fleet.available && s.groups[id]?.value == nil ? [.loadIndexGroups(session: id)] : []
        // Rows drawn from the index are read live too; rows read live are kept.
        if s.groups[id]?.loading == true || (s.groups[id]?.value != nil && s.fleet.cachedGroups[id] == nil) { return cached + joins }
        s.groups[id, default: Loaded()].loading = true
        return [.loadGroups(session: id)] + cached + joins
    }

    func refresh(_ s: inout ConsoleState, all: Bool) -> [Effect] {
        var effects: [Effect] = []
        // A finished operation's row states (✓ done) give way to what the fresh read says.
        if s.operation?.finished == true { s.operation?.showRows = false }
        let p = s.focus == .log ? s.lastListFocus : s.focus
        if all || p == .sessions {
            s.sessions.loading = true
            effects.append(.loadSessions)
        }
        if (all || p == .groups), let id = s.openSession {
            s.groups[id, default: Loaded()].loading = true
            effects.append(.loadGroups(session: id))
        }
        if (all || p == .participants), let key = s.openGroup {
            s.updateParticipants(key) { $0.loading = true }
            effects.append(.loadParticipants(key))
        }
        return effects
    }

    // MARK: tags

    func tag(_ s: inout ConsoleState) {
        switch s.focus {
        case .groups:
            let rows = s.visibleGroups
            guard let sid = s.openSession, rows.indices.contains(s.list(.groups).cursor) else { return }
            let j = rows[s.list(.groups).cursor].jid
            if s.groupTags[sid, default: []].remove(j) == nil { s.groupTags[sid, default: []].insert(j) }
        case .participants:
            let rows = s.visibleParticipants
            guard let key = s.openGroup, rows.indices.contains(s.list(.participants).cursor) else { return }
            let j = rows[s.list(.participants).cursor].id
            if s.participantTags[key, default: []].remove(j) == nil { s.participantTags[key, default: []].insert(j) }
        default: return
        }
        move(&s, 1)
    }

    func tagAll(_ s: inout ConsoleState, on: Bool) {
        switch s.focus {
        case .groups:
            guard let sid = s.openSession else { return }
            if on { s.groupTags[sid, default: []].formUnion(s.visibleGroups.map(\.jid)) } else { s.groupTags[sid] = [] }
            s.message = on ? "tagged \(s.groupTags[sid]?.count ?? 0) groups" : "untagged all groups"
        case .participants:
            guard let key = s.openGroup else { return }
            if on { s.participantTags[key, default: []].formUnion(s.visibleParticipants.map(\.id)) } else { s.participantTags[key] = [] }
            s.message = on ? "tagged \(s.participantTags[key]?.count ?? 0) participants" : "untagged all participants"
        default: return
        }
    }

    static func time(_ d: Date) -> String {
        TimeText.localClock(d)
    }

    func log(_ s: inout ConsoleState, _ kind: LogEntry.Kind, _ text: String, operation: Int? = nil, detail: String? = nil) {
        s.log.append(LogEntry(at: s.now, kind: kind, text: text, operation: operation, detail: detail))
        // The pane draws the newest rows while following; the cursor is placed only when the
        // log has focus (counting its rows reads the whole log).
        if s.logFollow, s.focus == .log {
            s.lists[.log, default: ListState()].cursor = max(0, s.rowCount(.log) - 1)
            keepInView(&s, .log)
        }
    }
}
