import Foundation
import GatewayKit

/// Keys outside the main screen: looked up in the context's table (`KeyMap.table`), and the
/// command found run for that context. A printable key no binding takes is typed where the
/// context takes text.
extension Reducer {
    func contextKey(_ s: inout ConsoleState, _ context: KeyContext, _ k: Key) -> [Effect] {
        let table = keys.table(context)
        let command = table.command(for: k)
        if context.confirms, command != .nothing {
            // Any key answers the warning of the last attempt.
            s.dialog?.confirmation?.warning = nil
        }
        guard let command else {
            if case .char(let c) = k, let entry = table.text { type(&s, c, into: entry) }
            // A filter of the groups brings other groups on screen: their role is learned.
            return context == .filter && s.focus == .groups ? probeRoles(&s) : []
        }
        switch context {
        case .confirmYesNo, .confirmTyped, .confirmReason, .resumeYesNo, .resumeTyped: return confirmationCommand(&s, command)
        case .history: return historyCommand(&s, command)
        case .findRunning, .dialogInfo: return readingCommand(&s, command)
        case .findList: return findListCommand(&s, command)
        case .watchReason: return watchReasonCommand(&s, command)
        case .groupInfo:
            guard case .groupInfo(var g) = s.dialog else { return [] }
            switch command {
            case .reveal: g.revealed.toggle()
            case .scroll(let n): g.scroll = max(0, g.scroll + n)
            case .close: s.dialog = nil; return []
            default: return []
            }
            s.dialog = .groupInfo(g)
        case .help: helpCommand(&s, command)
        case .find: return findCommand(&s, command)
        case .filter:
            filterCommand(&s, command)
            return s.focus == .groups ? probeRoles(&s) : []
        case .tooSmall: return command == .quit ? quit(&s) : []
        case .main: break
        }
        return []
    }

    /// Printable keys typed where the context takes text.
    func type(_ s: inout ConsoleState, _ c: Character, into entry: TextEntry) {
        switch entry {
        case .confirmationField:
            guard var f = s.dialog?.confirmation else { return }
            if f.field == .reason { f.reason.append(c) } else if f.field == .typed { f.typed.append(c) }
            else if f.field == .notice, (f.notice?.count ?? 0) < Notice.maxLength { f.notice = (f.notice ?? "") + String(c) }
            s.dialog?.confirmation = f
        case .findQuery:
            if let q = s.findQuery, q.count < 64 { s.findQuery = q + String(c) }
        case .watchReason:
            if case .found(var d) = s.dialog, let r = d.watchReason, r.count < 200 {
                d.watchReason = r + String(c)
                d.watchWarning = nil
                s.dialog = .found(d)
            }
        case .filter:
            editFilter(&s) { l, replace in
                if replace { l.filter = "" }
                if l.filter.count < 128 { l.filter.append(c) }
            }
        }
    }

    // MARK: confirmations

    func confirmationCommand(_ s: inout ConsoleState, _ command: ContextCommand) -> [Effect] {
        guard var d = s.dialog, var c = d.confirmation else { return [] }
        switch command {
        case .confirm, .resume:
            return confirm(&s)
        case .cancel:
            return cancelled(&s)
        case .choose:
            return c.yesFocused ? confirm(&s) : cancelled(&s)
        case .later:
            guard case .resume(let r) = d else { return [] }
            s.dialog = nil
            s.message = "operation \(r.pending.plan.id) stays in the journal: wamod resume \(r.pending.plan.id) finishes it later"
            return offerNextPending(&s)
        case .giveUp:
            guard case .resume(let r) = d else { return [] }
            let p = r.pending
            s.dialog = nil
            log(&s, .info, "interrupted operation \(p.plan.id) given up: \(p.remaining.count) not sent (recorded in the audit log)")
            return [.discard(operation: p.plan.id)] + offerNextPending(&s)
        case .nextField:
            c.field = switch c.field {
            case .reason: c.notice != nil ? .notice : c.expected == nil ? .buttons : .typed
            case .notice: c.expected == nil ? .buttons : .typed
            case .typed, .buttons: .reason
            }
        case .toggle:
            c.yesFocused.toggle()
        case .deleteChar:
            if c.field == .reason { _ = c.reason.popLast() } else if c.field == .typed { _ = c.typed.popLast() }
            else if c.field == .notice { _ = c.notice?.popLast() }
        case .scroll(let n):
            c.scroll = max(0, c.scroll + n)
        default:
            return []
        }
        d.confirmation = c
        s.dialog = d
        return []
    }

    // MARK: dialogs that are read

    func historyCommand(_ s: inout ConsoleState, _ command: ContextCommand) -> [Effect] {
        guard case .history(var h) = s.dialog, let items = h.items else { return [] }
        switch command {
        case .move(let n):
            h.cursor = min(max(0, items.count - 1), max(0, h.cursor + n))
        case .undo:
            guard items.indices.contains(h.cursor) else { return [] }
            return undoFromHistory(&s, items[h.cursor])
        case .close:
            s.dialog = nil
            return []
        default:
            return []
        }
        s.dialog = .history(h)
        return []
    }

    /// A summary, details, a list that confirms nothing, or a dialog waiting for its read (a
    /// search under way stops; one stop is enough).
    func readingCommand(_ s: inout ConsoleState, _ command: ContextCommand) -> [Effect] {
        guard var d = s.dialog else { return [] }
        switch command {
        case .scroll(let n):
            d.scroll = max(0, d.scroll + n)
        case .close:
            s.dialog = nil
            return []
        case .watch:
            return startWatchReason(&s)
        case .stopSearch:
            guard case .found(var f) = d, !f.stopping else { return [] }
            if f.fromIndex, f.indexHits == nil {
                // Asking the index takes an instant: Esc closes.
                s.dialog = nil
                return [.stopFind]
            }
            f.stopping = true
            s.dialog = .found(f)
            return [.stopFind]
        default:
            return []
        }
        s.dialog = d
        return []
    }

    func helpCommand(_ s: inout ConsoleState, _ command: ContextCommand) {
        switch command {
        case .scroll(let n): s.helpScroll = max(0, s.helpScroll + n)
        case .top: s.helpScroll = 0
        case .bottom: s.helpScroll = 1000
        default: s.showHelp = false
        }
    }

    // MARK: typing

    /// Typing the number or JID to find everywhere.
    func findCommand(_ s: inout ConsoleState, _ command: ContextCommand) -> [Effect] {
        guard let q = s.findQuery else { return [] }
        switch command {
        case .cancel:
            s.findQuery = nil
        case .deleteChar:
            s.findQuery = q.isEmpty ? nil : String(q.dropLast())
        case .find:
            let text = q.trimmingCharacters(in: .whitespaces)
            guard !text.isEmpty else { s.findQuery = nil; return [] }
            let who: JID
            do { who = try JID.member(text) } catch {
                s.message = "find: \(error.description)"
                s.messageIsError = true
                return []
            }
            s.findQuery = nil
            var d = FindDialog(who: who)
            d.watch = s.fleet.entry(for: who, now: s.now)
            // The index answers at once where it has read groups; else every group is read live.
            if s.fleet.available, s.fleet.status?.usable == true {
                d.fromIndex = true
                s.dialog = .found(d)
                log(&s, .info, "find \(who.phoneNumber ?? who.string) in the index")
                return [.findInIndex(who)]
            }
            s.dialog = .found(d)
            log(&s, .info, "find \(who.phoneNumber ?? who.string) in every group of every session")
            return [.findEverywhere(who)]
        default:
            break
        }
        return []
    }

    func filterCommand(_ s: inout ConsoleState, _ command: ContextCommand) {
        switch command {
        case .clear:
            editFilter(&s) { l, _ in l.filter = ""; l.editing = false }
        case .keep:
            editFilter(&s) { l, _ in l.editing = false }
            let p = s.focus
            if !s.list(p).filter.isEmpty, s.rowCount(p) == 0 {
                s.message = "no match for “\(s.list(p).filter)” (Esc clears the filter)"
            }
        case .stopTyping:
            editFilter(&s) { l, _ in l.editing = false }
        case .move(let n):
            editFilter(&s) { l, _ in l.editing = false }
            move(&s, n)
        case .deleteChar:
            editFilter(&s) { l, _ in if !l.filter.isEmpty { l.filter.removeLast() } else { l.editing = false } }
        case .deleteAll:
            editFilter(&s) { l, _ in l.filter = "" }
        case .deleteWord:
            // The last word, and the spaces after it.
            editFilter(&s) { l, _ in
                while l.filter.last == " " { l.filter.removeLast() }
                while let c = l.filter.last, c != " " { _ = c; l.filter.removeLast() }
            }
        default:
            break
        }
    }

    /// Changes the focused pane's filter (`replace`: the kept filter shown for editing is
    /// replaced by what is typed first). The cursor stays on the row it was on while that row
    /// is still shown (Esc puts it back on the same person, not on the first row).
    func editFilter(_ s: inout ConsoleState, _ change: (inout ListState, _ replace: Bool) -> Void) {
        let p = s.focus
        var l = s.list(p)
        let before = s.rowIdentity(p, at: l.cursor)
        let replace = l.replaceOnType
        l.replaceOnType = false
        change(&l, replace)
        s.lists[p] = l
        let cursor = before.flatMap { s.rowIndex(p, of: $0) } ?? 0
        s.lists[p]?.cursor = cursor
        keepInView(&s, p)
    }
}
