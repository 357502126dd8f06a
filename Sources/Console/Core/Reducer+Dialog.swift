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
        var d = MembersDialog(action, key, subject: s.currentGroup?.subject ?? key.group.string, requested: targets)
        d.hiddenTagged = tags.isEmpty ? 0 : s.hiddenParticipantTags
        s.dialog = .members(d)
        return [.preflight(key)]
    }

    /// L: the tagged groups, else the cursor group (or the open group from the participants pane).
    func requestLeave(_ s: inout ConsoleState) -> [Effect] { requestGroups(&s, .leave) }

    /// L, I, K, O: an operation on the tagged groups themselves, else the cursor group (or
    /// the open group from the participants pane), each read again before the dialog shows
    /// what will happen to it. A lock turns on what the dialect sets of admins-only messages
    /// and locked info; an unlock turns them off.
    func requestGroups(_ s: inout ConsoleState, _ kind: OperationKind) -> [Effect] {
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
        var settings: GroupSettings?
        if kind == .lock || kind == .unlock {
            var c = GroupSettings()
            for setting in [GroupSetting.announce, .locked] where s.capabilities?.setsSettings.contains(setting) ?? true { c[setting] = kind == .lock }
            settings = c
        }
        var d = GroupsDialog(session: sid, requested: groups, kind: kind, settings: settings)
        d.hiddenTagged = s.focus == .groups && !tags.isEmpty ? s.hiddenGroupTags : 0
        s.dialog = .leave(d)
        return [groupsPreflight(s, d)]
    }

    /// The fresh read a groups dialog waits for.
    func groupsPreflight(_ s: ConsoleState, _ d: GroupsDialog) -> Effect {
        let sid = d.session
        let session = s.sessions.value?.first { $0.id == sid } ?? Session(id: sid, label: sid, account: nil, connected: true, status: "unknown")
        let known = s.groups[sid]?.value ?? []
        guard d.kind != .leave else { return .leavePreflight(session: session, groups: d.requested, known: known) }
        var wanted: [JID: GroupSettings] = [:]
        for g in d.requested { if let w = d.wanted(g) { wanted[g] = w } }
        return .groupsPreflight(d.kind, session: session, groups: d.requested, known: known, wanted: wanted)
    }

    /// A / X: the tagged join requests of the open group (its requests shown with J), else
    /// the cursor row; confirmed as the friction policy says.
    func requestAnswers(_ s: inout ConsoleState, approve: Bool) -> [Effect] {
        guard let key = s.openGroup, key.requests else { return [] }
        let tags = s.participantTags[key] ?? []
        let rows = s.allParticipants
        var targets: [JID]
        if tags.isEmpty {
            let visible = s.visibleParticipants
            guard visible.indices.contains(s.list(.participants).cursor) else { return [] }
            targets = [visible[s.list(.participants).cursor].id]
        } else {
            targets = rows.map(\.id).filter(tags.contains)
        }
        var shown: [JID: String] = [:]
        for p in rows where targets.contains(p.id) { shown[p.id] = p.numberText }
        let kind: OperationKind = approve ? .approve : .reject
        let subject = s.currentGroup?.subject ?? key.group.string
        var d = AnswerDialog(kind: kind, key: key, subject: subject, targets: targets, shown: shown)
        d.hiddenTagged = tags.isEmpty ? 0 : s.hiddenParticipantTags
        d.confirmation = Confirmation(expected: Friction.required(kind, targets: targets.count, subjects: [subject]).expected)
        s.dialog = .answer(d)
        return []
    }

    func startAnswers(_ s: inout ConsoleState, _ d: AnswerDialog, id: Int, reason: String) -> [Effect] {
        let steps = d.targets.map { OperationStep(session: d.key.session, group: d.key.group, target: $0) }
        let title = "\(d.kind == .approve ? "approve" : "reject") \(steps.count) request\(steps.count == 1 ? "" : "s") to join \(d.subject)\(reason.isEmpty ? "" : " · reason: \(reason)")"
        let rows = steps.enumerated().map { i, st in OperationState.Row(step: i, on: st, shownAs: st.target, name: d.shown[st.target]) }
        var labels = Self.labels(s, steps, names: [:])
        for (j, n) in d.shown { labels.name(j, n) }
        return start(&s, id: id, title: title, action: nil, kind: d.kind, key: d.key, session: d.key.session, rows: rows, skipped: [],
                     effect: .runAnswers(id: id, d.kind, d.key, requesters: d.targets, reason: reason, labels: labels,
                                         sessions: Self.sessions(s, [d.key.session])))
    }

    /// i: the details of the cursor group (or the open group from the participants pane).
    func requestGroupInfo(_ s: inout ConsoleState) -> [Effect] {
        guard let sid = s.openSession else { return [] }
        let group: Group
        if s.focus == .participants, let g = s.currentGroup {
            group = g
        } else {
            let rows = s.visibleGroups
            guard rows.indices.contains(s.list(.groups).cursor) else { return [] }
            group = rows[s.list(.groups).cursor]
        }
        let key = GroupKey(session: sid, group: group.jid)
        s.dialog = .groupInfo(GroupInfoDialog(key: key, subject: group.subject))
        return [.loadGroupInfo(key)]
    }

    /// u: the inverse of the last remove, demote or promote, on who ended done; read again
    /// and confirmed like any other action.
    func requestUndo(_ s: inout ConsoleState) -> [Effect] {
        if let u = s.lastUndo, !u.settings.isEmpty {
            // A lock (or unlock) undone: each group back to what it was just before.
            var d = GroupsDialog(session: u.key.session, requested: u.targets, kind: .settings)
            d.perGroup = u.settings
            d.undoes = u.auditID
            s.dialog = .leave(d)
            return [groupsPreflight(s, d)]
        }
        guard let u = s.lastUndo, let inverse = try? Undo.inverse(of: u.action.rawValue).get() else { return [] }
        var d = MembersDialog(inverse, u.key, subject: u.subject, requested: u.targets)
        d.undoes = u.auditID
        d.knownNames = u.names
        s.dialog = .members(d)
        return [.preflight(u.key)]
    }

    /// u in the history: the inverse of that operation, on who ended done, read again and
    /// confirmed like any other action.
    func undoFromHistory(_ s: inout ConsoleState, _ item: HistoryItem) -> [Effect] {
        if let why = keys.actingReason(.undo, s) {
            s.message = why
            s.messageIsError = true
            return []
        }
        let inverse: MemberAction
        switch item.undo {
        case .success(let a): inverse = a
        case .failure(let e):
            s.message = "operation \(item.auditID) cannot be undone here: \(e.message)"
            s.messageIsError = true
            return []
        }
        guard let group = item.group else { return [] }
        let key = GroupKey(session: item.session, group: group)
        let known = subject(s, key)
        var d = MembersDialog(inverse, key, subject: known == key.group.string ? (item.subject ?? known) : known, requested: item.done)
        d.undoes = item.auditID
        d.knownNames = item.names
        for p in s.participants[key]?.value ?? [] where item.done.contains(p.id) { d.knownNames[p.id] = p.name }
        if let u = s.undoStack.first(where: { $0.auditID == item.auditID }) { d.knownNames.merge(u.names) { a, _ in a } }
        s.dialog = .members(d)
        return [.preflight(key)]
    }

    /// The confirmation was declined: closed, and the status line says nothing was sent.
    func cancelled(_ s: inout ConsoleState) -> [Effect] {
        s.dialog = nil
        s.message = "cancelled, nothing sent"
        s.messageIsError = false
        return []
    }

    /// The confirmation was given: check it, then start the operation.
    func confirm(_ s: inout ConsoleState) -> [Effect] {
        guard var d = s.dialog, var c = d.confirmation else { return [] }
        if let b = d.blocker {
            c.warning = b
        } else if d.sendCount == 0 {
            c.warning = "nothing to send: every target would be skipped (Esc closes)"
        } else if s.requireReason && d.takesReason && c.reason.trimmingCharacters(in: .whitespaces).isEmpty {
            c.warning = "a reason is required: type it, then confirm"
            c.field = .reason
        } else if let shown = c.expectedShown, !d.typedConfirms {
            c.warning = Int(c.expected ?? "") == nil ? "type the name as shown (\(shown)) or \(d.sendCount) to confirm" : "type \(shown) to confirm"
            c.field = .typed
        }
        if c.warning != nil {
            d.confirmation = c
            s.dialog = d
            return []
        }
        s.dialog = nil
        let reason = c.reason.trimmingCharacters(in: .whitespaces)
        let id = s.nextOperationID
        s.nextOperationID += 1
        switch d {
        case .members(let m): return startMembers(&s, m, id: id, reason: reason)
        case .found(let f): return startSweep(&s, f, id: id, reason: reason)
        case .resume(let r): return startResume(&s, r, id: id)
        case .leave(let l): return startLeave(&s, l, id: id, reason: reason)
        case .answer(let a): return startAnswers(&s, a, id: id, reason: reason)
        case .summary, .detail, .history, .groupInfo: return []
        }
    }

    func startMembers(_ s: inout ConsoleState, _ d: MembersDialog, id: Int, reason: String) -> [Effect] {
        guard let plan = d.plan else { return [] }
        let action = d.action, key = d.key
        let targets = plan.toSend
        var names: [JID: String] = [:]
        for r in plan.rows { names[r.target] = r.participant?.name ?? d.knownNames[r.target] ?? r.participant?.numberText ?? r.target.phoneNumber ?? r.target.string }
        let verb = d.undoes == nil ? action.verb : "undo: \(action == .add ? "re-add" : action.verb)"
        let title = "\(verb) \(targets.count) \(action == .add ? "to" : "from") \(d.subject)\(reason.isEmpty ? "" : " · reason: \(reason)")"
        let steps = targets.map { OperationStep(session: key.session, group: key.group, target: $0) }
        let rows = steps.enumerated().map { i, st in OperationState.Row(step: i, on: st, shownAs: st.target, name: names[st.target]) }
        let effects = start(&s, id: id, title: title, action: action, key: key, session: key.session, rows: rows,
                            skipped: plan.rows.filter { !$0.verdict.sends }.map { (names[$0.target] ?? $0.target.string, $0.verdict.reason ?? $0.verdict.text) },
                            effect: .runMembers(id: id, action, key, targets: targets,
                                                reason: reason.isEmpty && d.undoes != nil ? "undo of \(d.undoes ?? "")" : reason, undoes: d.undoes,
                                                labels: Self.labels(s, steps, names: names),
                                                sessions: Self.sessions(s, [key.session]),
                                                notice: Self.notice(d.confirmation.notice)))
        s.operation?.undoes = d.undoes
        return effects
    }

    /// One person removed from several groups: each step shows as its group.
    func startSweep(_ s: inout ConsoleState, _ d: FindDialog, id: Int, reason: String) -> [Effect] {
        guard let report = d.report else { return [] }
        let who = d.who
        let steps = report.removalSteps
        var names: [JID: String] = [:]
        for h in report.hits { names[h.group.jid] = "\(h.group.subject) (\(h.session.label))" }
        let title = "remove \(who.phoneNumber ?? who.string) from \(steps.count) group\(steps.count == 1 ? "" : "s")\(reason.isEmpty ? "" : " · reason: \(reason)")"
        // Each step named by its own hit: the same group seen through two sessions is two rows.
        let rows = steps.enumerated().map { i, st in
            let hit = report.hits.first { $0.session.id == st.session && $0.group.jid == st.group }
            return OperationState.Row(step: i, on: st, shownAs: st.group, name: hit.map { "\($0.group.subject) (\($0.session.label))" } ?? names[st.group])
        }
        return start(&s, id: id, title: title, action: .remove, key: nil, session: steps.first?.session ?? "", rows: rows,
                     skipped: report.hits.filter { !$0.removal.sends }.map { (names[$0.group.jid] ?? $0.group.subject, $0.removal.reason ?? "") },
                     effect: .runSweep(id: id, steps: steps, reason: reason, labels: Self.labels(s, steps, names: [:]),
                                       sessions: Self.sessions(s, steps.map(\.session))))
    }

    /// The steps left of an interrupted operation, each shown as the operation showed it: its
    /// group for one person across several groups, else its target.
    func startResume(_ s: inout ConsoleState, _ d: ResumeDialog, id: Int) -> [Effect] {
        let p = d.pending
        let plan = p.plan
        let rows = p.remaining.map { i in
            let st = plan.steps[i]
            return plan.rowsAreGroups
                ? OperationState.Row(step: i, on: st, shownAs: st.group, name: subject(s, GroupKey(session: st.session, group: st.group)))
                : OperationState.Row(step: i, on: st, shownAs: st.target, name: plan.labels?.targets[st.target.string] ?? st.target.phoneNumber ?? st.target.string)
        }
        let title = "resume \(plan.action.rawValue) \(plan.id): \(rows.count) left"
        let oneGroup = plan.spansGroups || plan.action.targetsGroups ? nil : plan.groupKeys.first.map { GroupKey(session: $0.session, group: $0.group) }
        let effects = start(&s, id: id, title: title, action: plan.memberAction, kind: plan.action, key: oneGroup,
                            session: plan.steps.first?.session ?? "", rows: rows, skipped: [],
                            effect: .resume(id: id, operation: plan.id, sessions: Self.sessions(s, plan.steps.map(\.session))))
        s.operation?.auditID = plan.id
        // The next interrupted operation (if any) is offered when this one ends.
        if !s.pending.isEmpty { s.pending.removeFirst() }
        return effects
    }

    func startLeave(_ s: inout ConsoleState, _ d: GroupsDialog, id: Int, reason: String) -> [Effect] {
        guard let rows = d.rows else { return [] }
        let session = d.session
        let targets = rows.filter(\.verdict.sends).map(\.group.jid)
        var names: [JID: String] = [:]
        for r in rows { names[r.group.jid] = r.group.subject }
        let what = d.undoes != nil ? "undo: put back the settings of" : d.kind == .leave ? "leave" : d.kind.verb
        let title = "\(what) \(targets.count) group\(targets.count == 1 ? "" : "s")\(reason.isEmpty ? "" : " · reason: \(reason)")"
        var wanted: [JID: GroupSettings] = [:]
        for g in targets { if let w = d.wanted(g) { wanted[g] = w } }
        let steps = targets.map { OperationStep(session: session, group: $0, target: $0, settings: wanted[$0]) }
        let labels = Self.labels(s, steps, names: [:], leave: true), sessions = Self.sessions(s, [session])
        let effect: Effect = d.kind == .leave
            ? .runLeave(id: id, session: session, groups: targets, reason: reason, labels: labels, sessions: sessions)
            : .runGroups(id: id, d.kind, session: session, groups: targets, wanted: wanted,
                         reason: reason.isEmpty && d.undoes != nil ? "undo of \(d.undoes ?? "")" : reason, undoes: d.undoes,
                         labels: labels, sessions: sessions)
        let effects = start(&s, id: id, title: title, action: nil, kind: d.kind, key: nil, session: session,
                            rows: steps.enumerated().map { i, st in OperationState.Row(step: i, on: st, shownAs: st.group, name: names[st.group]) },
                            skipped: rows.filter { !$0.verdict.sends }.map { ($0.group.subject, $0.verdict.reason ?? $0.verdict.text) },
                            effect: effect)
        s.operation?.undoes = d.undoes
        return effects
    }

    /// The notice typed in a remove dialog, or nil when the field is empty.
    static func notice(_ text: String?) -> Notice? {
        guard let t = text?.trimmingCharacters(in: .whitespacesAndNewlines), !t.isEmpty else { return nil }
        return Notice(text: t)
    }

    /// What the operator saw for these steps (names, subjects, session labels), for the
    /// audit log, so it reads without the gateway.
    static func labels(_ s: ConsoleState, _ steps: [OperationStep], names: [JID: String], leave: Bool = false) -> OperationLabels {
        var l = OperationLabels()
        for st in steps {
            let group = s.groups[st.session]?.value?.first { $0.jid == st.group }
            if let subject = group?.subject { l.groups[st.group.string] = subject }
            if let label = s.sessions.value?.first(where: { $0.id == st.session })?.label { l.sessions[st.session] = label }
            if leave {
                if let subject = group?.subject { l.targets[st.target.string] = subject }
            } else if let p = s.participants[GroupKey(session: st.session, group: st.group)]?.value?.first(where: { $0.matches(st.target) }) {
                l.add([p])
            }
        }
        for (j, n) in names where l.targets[j.string] == nil && !n.isEmpty && n != j.string && n != j.phoneNumber { l.targets[j.string] = n }
        return l
    }

    /// The sessions an operation acts through, as last read (their advertised rates pace it).
    static func sessions(_ s: ConsoleState, _ ids: [String]) -> [Session] {
        let wanted = Set(ids)
        return (s.sessions.value ?? []).filter { wanted.contains($0.id) }
    }

    /// Drops the interrupted operation just answered and offers the next, if any.
    func offerNextPending(_ s: inout ConsoleState) -> [Effect] {
        if !s.pending.isEmpty { s.pending.removeFirst() }
        showPending(&s)
        return []
    }

    /// Shows the first interrupted operation still to offer, when nothing else is open.
    func showPending(_ s: inout ConsoleState) {
        if s.dialog == nil, s.operation.map(\.finished) ?? true, let next = s.pending.first {
            // The same friction as the operation itself (typed for five or more, several
            // groups, a leave); the count, since n, q and D are keys here.
            let groups = Set(next.remaining.map { next.plan.steps[$0].group })
            let friction = Friction.required(next.plan.action, targets: next.remaining.count,
                                             subjects: groups.map { next.plan.labels?.groups[$0.string] ?? $0.string })
            s.dialog = .resume(ResumeDialog(next, expected: friction.count.map(String.init)))
        }
    }

    /// Starts an operation: its rows are its steps, each shown as decided where it was made.
    func start(_ s: inout ConsoleState, id: Int, title: String, action: MemberAction?, kind: OperationKind? = nil, key: GroupKey?, session: String,
               rows: [OperationState.Row], skipped: [(String, String)], effect: Effect) -> [Effect] {
        let kind = kind ?? action.map(OperationKind.init) ?? .leave
        log(&s, .operation, (s.dryRun ? "dry run: " : "") + title, operation: id)
        for (name, why) in skipped { log(&s, .result(ok: false), "  – \(name): \(why)", operation: id) }
        if s.dryRun {
            for r in rows { log(&s, .info, "  would \(kind.verb) \(r.name)", operation: id) }
            s.message = "dry run [DRY]: nothing was sent"
            return []
        }
        s.operation = OperationState(id: id, title: title, action: action, kind: kind, key: key, session: session, rows: rows)
        s.operation?.skipped = skipped.map { "\($0.0): \($0.1)" }
        return [effect]
    }
}
