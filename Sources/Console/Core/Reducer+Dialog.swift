import Foundation
import GatewayKit

extension Reducer {
    /// x / d / p: the tagged participants of the open group, else the cursor row; the group is
    /// read again before the dialog shows what will happen to each.
    func requestMembers(_ s: inout ConsoleState, _ action: MemberAction) -> [Effect] {
        guard let key = s.openGroup else { return [] }
        let tags = s.participantTags[key] ?? []
        var targets: [JID]
        if tags.isEmpty {
            let rows = s.visibleParticipants
            guard rows.indices.contains(s.list(.participants).cursor) else { return [] }
            targets = [rows[s.list(.participants).cursor].id]
        } else {
            // In display order, so the dialog lists them as the pane does.
            let order = s.allParticipants.map(\.id)
            targets = order.filter(tags.contains) + tags.filter { !order.contains($0) }.sorted()
        }
        var d = Dialog(kind: .members(action, key, subject: s.currentGroup?.subject ?? key.group.string))
        d.requested = targets
        d.hiddenTagged = tags.isEmpty ? 0 : s.hiddenParticipantTags
        s.dialog = d
        return [.preflight(key)]
    }

    /// L: the tagged groups, else the cursor group (or the open group from the participants pane).
    func requestLeave(_ s: inout ConsoleState) -> [Effect] {
        guard let sid = s.openSession else { return [] }
        var groups: [JID]
        let tags = s.groupTags[sid] ?? []
        if s.focus == .participants, let key = s.openGroup {
            groups = [key.group]
        } else if !tags.isEmpty {
            groups = s.allGroups.map(\.jid).filter(tags.contains)
        } else {
            let rows = s.visibleGroups
            guard rows.indices.contains(s.list(.groups).cursor) else { return [] }
            groups = [rows[s.list(.groups).cursor].jid]
        }
        var d = Dialog(kind: .leave(session: sid))
        d.requested = groups
        d.hiddenTagged = s.focus == .groups && !tags.isEmpty ? s.hiddenGroupTags : 0
        s.dialog = d
        return [.leavePreflight(session: sid, groups: groups)]
    }

    func helpKey(_ s: inout ConsoleState, _ k: Key) -> [Effect] {
        switch k {
        case .char("G"), .end: s.helpScroll = 1000
        case .char("g"), .home: s.helpScroll = 0
        case .down, .char("j"): s.helpScroll += 1
        case .up, .char("k"): s.helpScroll = max(0, s.helpScroll - 1)
        case .pageDown: s.helpScroll += 10
        case .pageUp: s.helpScroll = max(0, s.helpScroll - 10)
        default: s.showHelp = false
        }
        return []
    }

    func filterKey(_ s: inout ConsoleState, _ k: Key) -> [Effect] {
        let p = s.focus
        var l = s.list(p)
        switch k {
        case .escape:
            l.filter = ""
            l.editing = false
        case .enter, .tab, .down, .up:
            l.editing = false
        case .backspace, .delete:
            if !l.filter.isEmpty { l.filter.removeLast() } else { l.editing = false }
        case .char(let c):
            l.filter.append(c)
        default:
            return []
        }
        l.cursor = 0
        s.lists[p] = l
        keepInView(&s, p)
        if k == .down || k == .up { move(&s, k == .down ? 1 : -1) }
        return []
    }

    func dialogKey(_ s: inout ConsoleState, _ k: Key) -> [Effect] {
        guard var d = s.dialog else { return [] }
        if !d.isConfirmation || d.loading || d.error != nil {
            switch k {
            case .down, .char("j"): d.scroll += 1
            case .up, .char("k"): d.scroll = max(0, d.scroll - 1)
            case .escape, .enter, .char("q"), .char("n"): s.dialog = nil; return []
            default: break
            }
            s.dialog = d
            return []
        }
        d.warning = nil
        if k == .escape { s.dialog = nil; return [] }
        if k == .tab || k == .backTab {
            d.field = switch d.field {
            case .reason: d.expected == nil ? .buttons : .typed
            case .typed, .buttons: .reason
            }
            s.dialog = d
            return []
        }
        switch d.field {
        case .reason, .typed:
            switch k {
            case .char(let c):
                if d.field == .reason { d.reason.append(c) } else { d.typed.append(c) }
            case .backspace, .delete:
                if d.field == .reason { _ = d.reason.popLast() } else { _ = d.typed.popLast() }
            case .enter:
                if d.field == .reason { d.field = d.expected == nil ? .buttons : .typed } else {
                    s.dialog = d
                    return confirm(&s)
                }
            case .down: d.scroll += 1
            case .up: d.scroll = max(0, d.scroll - 1)
            default: break
            }
        case .buttons:
            switch k {
            case .char("y"), .char("Y"):
                s.dialog = d
                return confirm(&s)
            case .char("n"), .char("N"), .char("q"):
                s.dialog = nil
                return []
            case .left, .right, .char("h"), .char("l"):
                d.yesFocused.toggle()
            case .enter:
                if d.yesFocused {
                    s.dialog = d
                    return confirm(&s)
                }
                s.dialog = nil
                return []
            case .down, .char("j"): d.scroll += 1
            case .up, .char("k"): d.scroll = max(0, d.scroll - 1)
            default: break
            }
        }
        s.dialog = d
        return []
    }

    /// The confirmation was given: check it, then start the operation.
    func confirm(_ s: inout ConsoleState) -> [Effect] {
        guard var d = s.dialog else { return [] }
        if let b = d.plan?.blocker {
            d.warning = b.text
        } else if d.sendCount == 0 {
            d.warning = "nothing to send: every target would be skipped (Esc closes)"
        } else if s.requireReason && d.reason.trimmingCharacters(in: .whitespaces).isEmpty {
            d.warning = "a reason is required: type it, then confirm"
            d.field = .reason
        } else if let expected = d.expected, d.typed.trimmingCharacters(in: .whitespaces) != expected.trimmingCharacters(in: .whitespaces) {
            d.warning = "type \(expected) exactly to confirm"
            d.field = .typed
        }
        if d.warning != nil {
            s.dialog = d
            return []
        }
        s.dialog = nil
        let reason = d.reason.trimmingCharacters(in: .whitespaces)
        let id = s.nextOperationID
        s.nextOperationID += 1
        switch d.kind {
        case .members(let action, let key, let subject):
            guard let plan = d.plan else { return [] }
            let targets = plan.toSend
            var names: [JID: String] = [:]
            for r in plan.rows { names[r.target] = r.participant?.name ?? r.participant?.numberText ?? r.target.phoneNumber ?? r.target.string }
            let title = "\(action.verb) \(targets.count) from \(subject)\(reason.isEmpty ? "" : " · reason: \(reason)")"
            return start(&s, id: id, title: title, action: action, key: key, session: key.session, targets: targets, names: names,
                         skipped: plan.rows.filter { !$0.verdict.sends }.map { (names[$0.target] ?? $0.target.string, $0.verdict.reason ?? $0.verdict.text) },
                         effect: .runMembers(id: id, action, key, targets: targets, reason: reason))
        case .leave(let session):
            guard let rows = d.leaveRows else { return [] }
            let targets = rows.filter(\.verdict.sends).map(\.group.jid)
            var names: [JID: String] = [:]
            for r in rows { names[r.group.jid] = r.group.subject }
            let title = "leave \(targets.count) group\(targets.count == 1 ? "" : "s")\(reason.isEmpty ? "" : " · reason: \(reason)")"
            return start(&s, id: id, title: title, action: nil, key: nil, session: session, targets: targets, names: names,
                         skipped: rows.filter { !$0.verdict.sends }.map { ($0.group.subject, $0.verdict.reason ?? $0.verdict.text) },
                         effect: .runLeave(id: id, session: session, groups: targets, reason: reason))
        case .summary, .detail:
            return []
        }
    }

    func start(_ s: inout ConsoleState, id: Int, title: String, action: MemberAction?, key: GroupKey?, session: String,
               targets: [JID], names: [JID: String], skipped: [(String, String)], effect: Effect) -> [Effect] {
        log(&s, .operation, (s.dryRun ? "dry run: " : "") + title, operation: id)
        for (name, why) in skipped { log(&s, .result(ok: false), "  – \(name): \(why)", operation: id) }
        if s.dryRun {
            for t in targets { log(&s, .info, "  would \(action?.verb ?? "leave") \(names[t] ?? t.string)", operation: id) }
            s.message = "dry run [DRY]: nothing was sent"
            return []
        }
        var rows: [JID: OperationState.RowState] = [:]
        for t in targets { rows[t] = .pending }
        s.operation = OperationState(id: id, title: title, action: action, key: key, session: session, targets: targets, names: names, rows: rows)
        s.operation?.skipped = skipped.map { "\($0.0): \($0.1)" }
        return [effect]
    }
}
