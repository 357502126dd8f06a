import Foundation
import GatewayKit

extension Reducer {
    /// At most this many groups' participants are read at once in the background to learn
    /// our role.
    static let roleProbeLimit = 40

    /// Our role in the groups on screen whose list does not say it, read in the background
    /// from their member lists, each group once: the first screenful when the list arrives,
    /// more as the operator scrolls (not the whole session's groups at start: a gateway's
    /// rate limit and the console's start both pay for every read).
    func probeRoles(_ s: inout ConsoleState) -> [Effect] {
        guard let sid = s.openSession, s.fleet.openingSince == nil else { return [] }
        // Rows drawn from the index while the live list is on its way are not probed: the
        // live list replaces them, in the gateway's order (not the index's), and its first
        // screenful is what is probed when it comes.
        if s.fleet.cachedGroups[sid] != nil, s.groups[sid]?.loading == true { return [] }
        let shown = s.visibleGroups.dropFirst(s.list(.groups).scroll).prefix(s.layout.visibleRows(.groups))
        let unknown = shown.filter { g in
            let key = GroupKey(session: sid, group: g.jid)
            return g.ourRole == nil && s.participants[key]?.value == nil && !s.rolesAsked.contains(key)
        }.prefix(Self.roleProbeLimit)
        guard !unknown.isEmpty else { return [] }
        for g in unknown { s.rolesAsked.insert(GroupKey(session: sid, group: g.jid)) }
        return [.learnRoles(session: sid, groups: unknown.map(\.jid))]
    }

    /// Work coming back from the gateway.
    func data(_ s: inout ConsoleState, _ action: Action) -> [Effect] {
        switch action {
        case .sessionsLoaded(let result):
            s.sessions.loading = false
            switch result {
            case .success(let list):
                s.sessions.value = list
                s.sessions.error = nil
                // Live wins over the index's rows.
                s.fleet.cachedSessions = nil
                keepInView(&s, .sessions)
                let follow = startFollowing(&s)
                if s.openSession == nil || !list.contains(where: { $0.id == s.openSession }) {
                    // Open the first connected session so the panes are not empty at start.
                    if let first = list.openedFirst {
                        if let i = s.visibleSessions.firstIndex(where: { $0.id == first.id }) { s.lists[.sessions, default: ListState()].cursor = i }
                        return openSession(&s, first.id) + follow
                    }
                }
                return follow
            case .failure(let e):
                s.sessions.error = e.message
                log(&s, .error, "sessions: \(e.message)")
            }
        case .groupsLoaded(let sid, let result):
            s.groups[sid, default: Loaded()].loading = false
            switch result {
            case .success(var list):
                // Keep roles learned from participant lists when this dialect's group list has none.
                let old = s.groups[sid]?.value ?? []
                // Where neither knows it, the index's (a recent full read) is shown. Rows still
                // drawn from the index give only what `knownRoles` keeps of them.
                let fromIndex = s.fleet.cachedGroups[sid] != nil
                let oldRoles = fromIndex ? [:] : Dictionary(old.compactMap { g in g.ourRole.map { (g.jid, $0) } }, uniquingKeysWith: { a, _ in a })
                for i in list.indices where list[i].ourRole == nil {
                    list[i].ourRole = oldRoles[list[i].jid] ?? s.fleet.knownRoles[GroupKey(session: sid, group: list[i].jid)]
                }
                s.groups[sid]?.value = list
                s.groups[sid]?.error = nil
                s.fleet.cachedGroups[sid] = nil
                // A list that tells a group's settings is fresher than what was read before.
                for g in list where g.settings != nil { s.groupSettings[GroupKey(session: sid, group: g.jid)] = nil }
                let present = Set(list.map(\.jid))
                s.groupTags[sid] = s.groupTags[sid]?.intersection(present)
                // A fresh list asks again where a probe found nothing.
                s.rolesAsked = s.rolesAsked.filter { $0.session != sid }
                if sid == s.openSession {
                    keepInView(&s, .groups)
                    return probeRoles(&s)
                }
            case .failure(let e):
                s.groups[sid]?.error = e.message
                log(&s, .error, "groups of \(label(s, sid)): \(e.message)")
                // The index's rows stay on screen: their roles are learned now.
                if sid == s.openSession, s.fleet.cachedGroups[sid] != nil { return probeRoles(&s) }
            }
        case .participantsLoaded(let key, let result):
            s.updateParticipants(key) { $0.loading = false }
            switch result {
            case .success(let list):
                storeParticipants(&s, key, list)
                liveParticipants(&s, key, list)
            case .failure(let e):
                // Rows drawn from the index stay, still marked cached.
                s.updateParticipants(key) { $0.error = e.message }
                log(&s, .error, "participants of \(subject(s, key)): \(e.message)")
            }
        case .rolesLearned(let key, let list):
            if s.participants[key]?.loading != true { storeParticipants(&s, key, list, searchable: key == s.openGroup) }
        case .preflightLoaded(let key, let result):
            guard case .members(var d) = s.dialog, d.key == key, d.plan == nil else { return [] }
            switch result {
            case .success(let list):
                storeParticipants(&s, key, list)
                let session = s.sessions.value?.first { $0.id == key.session }
                    ?? Session(id: key.session, label: key.session, account: nil, connected: true, status: "unknown")
                let plan = Preflight.plan(d.action, targets: d.requested, participants: list, session: session)
                d.plan = plan
                d.confirmation.expected = Friction.required(OperationKind(d.action), targets: plan.toSend.count, subjects: [subject(s, key)]).expected
                // Nothing to send (the owner alone, everyone already so): say so, no Yes.
                d.confirmation.listOnly = plan.toSend.isEmpty && plan.blocker == nil
                d.confirmation.field = d.confirmation.expected == nil ? .buttons : .typed
                // A removal may warn each person first, where the dialect sends texts (and not
                // for an undo): the field starts with the profile's template.
                if d.action == .remove, d.undoes == nil, s.capabilities?.sendsText == true, !d.confirmation.listOnly {
                    d.confirmation.notice = s.noticeTemplate ?? ""
                }
            case .failure(let e):
                d.error = e.message
            }
            s.dialog = .members(d)
        case .groupInfoLoaded(let key, let info):
            guard case .groupInfo(var d) = s.dialog, d.key == key, d.info == nil else { return [] }
            d.info = info
            if case .success(let st)? = info.settings { s.groupSettings[key] = st }
            s.dialog = .groupInfo(d)
        case .leavePreflightLoaded(let sid, let result):
            guard case .leave(var d) = s.dialog, d.session == sid, d.rows == nil else { return [] }
            // An answer for an earlier L (closed since) must not fill this dialog.
            if case .success(let rows) = result, rows.map(\.group.jid) != d.requested { return [] }
            switch result {
            case .success(let rows):
                d.rows = rows
                let sending = rows.filter(\.verdict.sends)
                // Any leave is confirmed by typing: the group's name, or the count for several
                // (or for a blank subject, which cannot be typed).
                d.confirmation.expected = Friction.required(d.kind, targets: sending.count, subjects: sending.map(\.group.subject)).expected
                d.confirmation.listOnly = sending.isEmpty
                d.confirmation.field = d.confirmation.listOnly || d.confirmation.expected == nil ? .buttons : .typed
                // What the read showed of each group's settings feeds the badges.
                for r in rows { if let st = r.group.settings { s.groupSettings[GroupKey(session: sid, group: r.group.jid)] = st } }
            case .failure(let e):
                d.error = e.message
            }
            s.dialog = .leave(d)
        case .operationEvent(let id, let event):
            guard var op = s.operation, op.id == id else { return [] }
            switch event.event {
            case .sending:
                op.update(step: event.step, .sending)
                op.nextAt = nil
            case .waiting(let seconds, let reason):
                op.nextAt = s.now.addingTimeInterval(seconds)
                op.waitReason = reason
                if reason != "pacing" { log(&s, .info, "  waiting \(Int(seconds.rounded(.up))) s: \(reason)", operation: id) }
            case .finished(let r):
                op.update(step: event.step, .ended(r.outcome))
                if let b = r.before { op.before[event.step] = b }
                if r.resumable { op.resumable += 1 }
                // The row says what the step is shown as (for one person removed from several
                // groups, its group).
                let row = op.row(step: event.step)
                let shown = row?.shownAs ?? r.target
                let name = row?.name ?? r.target.string
                let ok = r.outcome.isSuccess
                let text = ok ? "  ✓ \(name)\(r.outcome.reason.map { " (\($0))" } ?? "")" : "  ✗ \(name): \(r.outcome.reason ?? r.outcome.kind)"
                s.operation = op
                log(&s, .result(ok: ok), text, operation: id,
                    detail: "target \(shown)\noutcome \(r.outcome.kind)\(r.outcome.reason.map { "\nreason \($0)" } ?? "")\(r.httpStatus.map { "\nHTTP \($0)" } ?? "")\(r.latencyMs.map { "\nlatency \($0) ms" } ?? "")")
            }
            s.operation = op
        case .findProgress(let who, let p):
            guard case .found(var d) = s.dialog, d.who == who, d.report == nil else { return [] }
            switch p {
            case .session(let label, let read, let total):
                if let i = d.sessions.lastIndex(where: { $0.label == label }) { d.sessions[i] = (label, read, total) } else { d.sessions.append((label, read, total)) }
            case .hit(let h): d.hits.append(h)
            case .notSearched: d.failures += 1
            }
            s.dialog = .found(d)
        case .historyLoaded(let result):
            guard case .history(var d) = s.dialog else { return [] }
            switch result {
            case .success(let items): d.items = items
            case .failure(let e): d.error = e.message
            }
            s.dialog = .history(d)
        case .operationRecorded(let id, let auditID):
            s.auditIDs[id] = auditID
            if s.operation?.id == id { s.operation?.auditID = auditID }
        case .pendingFound(let list, let elsewhere):
            if s.readOnly || s.dryRun, !list.isEmpty {
                // Resuming sends requests: a read-only or dry-run console only says they exist.
                log(&s, .info, "\(list.count) interrupted operation\(list.count == 1 ? "" : "s") in the journal, not offered in \(s.readOnly ? "read-only" : "dry-run") mode: wamod resume lists them")
                return []
            }
            s.pending = list
            if elsewhere > 0 {
                log(&s, .info, "\(elsewhere) interrupted operation\(elsewhere == 1 ? "" : "s") of other gateways in the journal: wamod resume lists them")
            }
            showPending(&s)
        case .foundEverywhere(let who, let report):
            guard case .found(var d) = s.dialog, d.who == who, d.report == nil else { return [] }
            d.report = report
            d.confirming = false
            let n = report.removalSteps.count
            d.confirmation.listOnly = s.readOnly || s.dryRun || n == 0
            let subjects = report.hits.filter(\.removal.sends).map(\.group.subject)
            d.confirmation.expected = d.confirmation.listOnly ? nil : Friction.required(.remove, targets: n, subjects: subjects, sweep: true).expected
            d.confirmation.field = d.confirmation.listOnly ? .buttons : .typed
            // A watchlist alert's removal carries the entry's reason.
            if let r = d.reason { d.confirmation.reason = r }
            s.dialog = .found(d)
            log(&s, .info, "  found in \(report.hits.count) group\(report.hits.count == 1 ? "" : "s")\(report.notSearched.isEmpty ? "" : ", \(report.notSearched.count) not searched")\(report.stopped ? " (stopped after \(report.groupsRead) of \(report.groupsTotal)+ groups)" : "")")
            for n in report.notSearched { log(&s, .error, "  not searched: \(n)") }
        case .notice(let text, let error):
            log(&s, error ? .error : .info, text)
            s.message = text
            s.messageIsError = error
        case .operationFinished(let id):
            guard var op = s.operation, op.id == id else { return [] }
            op.finished = true
            s.operation = op
            return finish(&s, op)
        case .requestLogged(let e, let opID):
            let status = e.status.map(String.init) ?? "---"
            // Status and latency first: a long path is what the pane's edge cuts.
            let text = "\(opID == nil ? "" : "    ")\(status) \(String(format: "%4d", e.latencyMs)) ms  \(e.method) \(e.path)\(e.error.map { "  (\($0))" } ?? "")"
            log(&s, .request(e), text, operation: opID,
                detail: "method \(e.method)\npath \(e.path)\nstatus \(status)\nlatency \(e.latencyMs) ms\nbytes \(e.bytes)\(e.error.map { "\nerror \($0)" } ?? "")")
        default:
            return fleet(&s, action)
        }
        return []
    }

    func storeParticipants(_ s: inout ConsoleState, _ key: GroupKey, _ list: [Participant], searchable: Bool = true) {
        s.setParticipants(key, list, searchable: searchable)
        s.updateParticipants(key) { $0.error = nil; $0.loading = false }
        let present = Set(list.map(\.id))
        s.participantTags[key] = s.participantTags[key]?.intersection(present)
        // The participant list tells our role where the group list did not (a list of join
        // requests tells nothing about us).
        if !key.requests, let session = s.sessions.value?.first(where: { $0.id == key.session }), let role = list.role(of: session),
           let i = s.groups[key.session]?.value?.firstIndex(where: { $0.jid == key.group }) {
            s.groups[key.session]?.value?[i].ourRole = role
            s.groups[key.session]?.value?[i].size = list.count
            s.fleet.knownRoles[key.members] = role
        }
        if key == s.openGroup { keepInView(&s, .participants) }
    }

    /// An operation ended: a summary of failures, tags cleared for what was done, panes re-read.
    func finish(_ s: inout ConsoleState, _ op: OperationState) -> [Effect] {
        let failures = op.rows.compactMap { r -> String? in
            guard case .ended(let o) = r.state, !o.isSuccess else { return nil }
            return "✗ \(r.name): \(o.reason ?? o.kind)"
        }
        let verb = op.kind.pastTense
        let summary = "\(verb) \(op.done) of \(op.targets.count)\(op.failed > 0 ? ", \(op.failed) not done" : "")\(op.cancelling ? " (cancelled)" : "")"
        let idText = op.auditID.map { " [\($0)]" } ?? ""
        log(&s, failures.isEmpty ? .info : .error, "\(op.title): \(summary)\(idText)", operation: op.id,
            detail: op.auditID.map { "audit id \($0)\nwamod audit --op \($0) shows every result" })
        s.message = "\(op.title.split(separator: "·").first.map { String($0).trimmingCharacters(in: .whitespaces) } ?? op.title): \(summary)"
        if !failures.isEmpty {
            let head = op.title.split(separator: "·").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? op.title
            let left = op.resumable == 0 ? [] : ["– \(op.resumable) not finished stay in the journal: `wamod resume\(op.auditID.map { " " + $0 } ?? "")` (or the next start of the console) finishes them once the cause passes"]
            let idLine = op.auditID.map { ["operation \($0) (wamod audit --op \($0))"] } ?? []
            if !s.quit { s.dialog = .summary(TextDialog(title: "\(head) — \(summary)", lines: failures + op.skipped.map { "– skipped \($0)" } + left + idLine)) }
        }
        let doneRows = op.rows.filter { if case .ended(let o) = $0.state { o.isSuccess } else { false } }
        let done = Set(doneRows.map(\.shownAs))
        // What u can undo: who this operation changed (not who was already so).
        let changedRows = op.rows.filter { if case .ended(.done) = $0.state { true } else { false } }
        if op.kind.changesSettings {
            // The badges show the change at once (the group list, read again, may not tell it).
            for r in changedRows {
                let key = GroupKey(session: r.on.session, group: r.on.group)
                var now = s.settings(of: key) ?? GroupSettings()
                for (setting, on) in (r.on.settings ?? GroupSettings()).known { now[setting] = on }
                s.groupSettings[key] = now
            }
        }
        if let undone = op.undoes {
            // Undone: off the stack (even partly: what is left is for wamod undo), and the
            // undo itself is not offered (u walks back, it does not redo).
            s.undoStack.removeAll { $0.auditID == undone }
            if let next = s.lastUndo { s.message = (s.message ?? "") + " · u undoes the one before (\(next.auditID))" }
        } else if op.kind.changesSettings, let auditID = op.auditID, !changedRows.isEmpty {
            // A lock or unlock: u puts back each changed group's settings from just before.
            var before: [JID: GroupSettings] = [:]
            for r in changedRows { if let b = op.before[r.step], !b.isEmpty { before[r.on.group] = b } }
            if let first = changedRows.first, !before.isEmpty {
                // (The member action is unused for a settings change: `settings` decides.)
                var u = UndoCandidate(auditID: auditID, action: .promote, key: GroupKey(session: first.on.session, group: first.on.group),
                                      subject: first.name, targets: changedRows.map(\.on.group).filter { before[$0] != nil })
                u.settings = before
                s.undoStack.append(u)
                if s.undoStack.count > 50 { s.undoStack.removeFirst() }
                s.message = (s.message ?? "") + " · u puts the settings back"
            }
        } else if let action = op.action, action != .add, let key = op.key, let auditID = op.auditID, !changedRows.isEmpty {
            // One group's participants only: an operation across groups is undone by `wamod undo`.
            var names: [JID: String] = [:]
            for r in op.rows { names[r.shownAs] = r.name }
            s.undoStack.append(UndoCandidate(auditID: auditID, action: action, key: key, subject: subject(s, key), targets: changedRows.map(\.shownAs), names: names))
            if s.undoStack.count > 50 { s.undoStack.removeFirst() }
            s.message = (s.message ?? "") + " · u undoes"
        }
        var effects: [Effect] = []
        if let key = op.key {
            s.participantTags[key]?.subtract(done)
            s.updateParticipants(key) { $0.loading = true }
            effects.append(.loadParticipants(key))
            // Approved requests are members now: the members are read again too, if read before.
            if key.requests, op.kind == .approve, s.participants[key.members]?.value != nil {
                s.updateParticipants(key.members) { $0.loading = true }
                effects.append(.loadParticipants(key.members))
            }
        } else if op.rows.allSatisfy(\.actsOnGroup) {
            // Groups acted on themselves (a leave): their tags go.
            s.groupTags[op.session]?.subtract(done)
        } else if let open = s.openGroup, op.rows.contains(where: { $0.on.group == open.group }) {
            // One person in several groups: the open one is read again if it was one of them.
            s.updateParticipants(open) { $0.loading = true }
            effects.append(.loadParticipants(open))
        }
        clearHandledAlerts(&s, op)
        showPending(&s)
        guard !op.session.isEmpty else { return effects }
        s.groups[op.session, default: Loaded()].loading = true
        effects.append(.loadGroups(session: op.session))
        return effects
    }

    func label(_ s: ConsoleState, _ sid: String) -> String {
        s.sessions.value?.first { $0.id == sid }?.label ?? sid
    }

    func subject(_ s: ConsoleState, _ key: GroupKey) -> String {
        s.groups[key.session]?.value?.first { $0.jid == key.group }?.subject ?? key.group.string
    }
}
