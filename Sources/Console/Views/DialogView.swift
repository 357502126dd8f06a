import Foundation
import GatewayKit

/// The modal box: the confirmation of an action (what happens to each target), a summary
/// of failures, or a log entry's details.
struct DialogView {
    let state: ConsoleState
    let dialog: Dialog
    let g: Glyphs

    func draw(_ screen: inout Screen) {
        let w = min(screen.width - 4, 84)
        let lines = body(width: w - 4)
        let footer = footerLines()
        let maxH = screen.height - 2
        let h = min(maxH, lines.count + footer.count + 3)
        let r = Rect(x: (screen.width - w) / 2, y: max(0, (screen.height - h) / 2), width: w, height: h)
        screen.fill(r, .dialog)
        screen.box(r, title: title(), focused: true)
        let inner = r.inner
        let bodyRows = max(0, inner.height - footer.count)
        var scroll = min(dialog.scroll, max(0, lines.count - bodyRows))
        if case .history = dialog.kind {
            // The cursor's row (after the heading line) is always in view.
            let row = dialog.cursor + 1
            scroll = max(0, min(row - bodyRows / 2, lines.count - bodyRows))
        }
        for i in 0..<bodyRows {
            guard scroll + i < lines.count else { break }
            let (text, style) = lines[scroll + i]
            screen.put(inner.x + 1, inner.y + i, text, style, maxWidth: inner.width - 2)
        }
        if lines.count > bodyRows && bodyRows > 0 {
            screen.put(inner.x + inner.width - 8, inner.y + bodyRows - 1, " ↓ more ", .dim, maxWidth: 8)
        }
        for (i, (text, style)) in footer.enumerated() {
            let y = inner.y + bodyRows + i
            screen.put(inner.x + 1, y, text, style, maxWidth: inner.width - 2)
        }
        drawFields(&screen, inner: inner, footerTop: inner.y + bodyRows)
    }

    func title() -> String {
        switch dialog.kind {
        case .members(let action, _, let subject):
            let n = dialog.plan?.toSend.count ?? dialog.requested.count
            let verb = dialog.undoes == nil ? action.verb.capitalized : "Undo: \(action == .add ? "re-add" : action.verb)"
            if dialog.listOnly, dialog.plan != nil { return "Nothing to \(action.verb) in \(subject)" }
            return "\(verb) \(n) participant\(n == 1 ? "" : "s") \(action == .add ? "to" : "from") \(subject)"
        case .resume:
            return "An operation did not finish"
        case .found(let who):
            let n = dialog.found?.hits.count
            let stopped = dialog.found?.stopped == true ? " of those read (stopped)" : ""
            return "\(who.phoneNumber ?? who.string)" + (n.map { " is in \($0) group\($0 == 1 ? "" : "s")\(stopped)" } ?? "")
        case .leave:
            let n = dialog.leaveRows?.filter(\.verdict.sends).count ?? dialog.requested.count
            return "Leave \(n) group\(n == 1 ? "" : "s")"
        case .summary(let title, _): return title
        case .detail(let title, _): return title
        case .history: return "History: this gateway's operations" + (dialog.history.map { " (\($0.count))" } ?? "")
        }
    }

    func body(width: Int) -> [(String, Style)] {
        var out: [(String, Style)] = []
        switch dialog.kind {
        case .resume(let p):
            out.append((p.summary, .dialog))
            out.append(("Operation \(p.plan.id)\(p.plan.reason.map { " · reason: \($0)" } ?? "")", .dim))
            out += wrap("Each group is read again first: a target already done is recorded so, not sent twice.", width: width).map { ($0, .dim) }
            for i in p.remaining.prefix(200) {
                let st = p.plan.steps[i]
                let group = state.groups[st.session]?.value?.first { $0.jid == st.group }?.subject ?? st.group.string
                let who = p.plan.action.targetsGroups ? p.plan.action.rawValue : (p.plan.labels?.targets[st.target.string] ?? st.target.phoneNumber ?? st.target.string)
                out.append(("\(CellWidth.fit(CellWidth.sanitize(who), to: 18)) \(g.dot) \(CellWidth.sanitize(group))", .dialogDanger))
            }
            return out
        case .history:
            if let e = dialog.error { return wrap("Could not read the audit log: \(e)", width: width).map { ($0, .error) } }
            guard let items = dialog.history else { return [("reading the audit log…", .dim)] }
            if items.isEmpty { return [("No operation of this gateway in the audit log yet.", .dialog)] }
            out.append(("newest first \(g.dot) u or Enter undoes the one under the cursor", .dim))
            let groupW = max(10, min(30, width - 46))
            for (i, it) in items.enumerated() {
                let time = it.time.count >= 16 ? String(it.time.dropFirst(5).prefix(11)).replacingOccurrences(of: "T", with: " ") : it.time
                let subject = it.group.map { j in state.groups[it.session]?.value?.first { $0.jid == j }?.subject ?? it.subject ?? j.string } ?? "–"
                let undo: String = switch it.undo {
                case .success(let a): "u: \(a == .add ? "re-add" : a.verb) \(it.done.count)"
                case .failure(let e): e.message
                }
                let verb = it.undoes == nil ? it.action : "undo"
                let outcome = "\(it.done.count)/\(it.targets)" + (it.unsettled > 0 ? " (\(it.unsettled) open)" : "")
                let line = "\(time) \(CellWidth.fit(verb, to: 7)) \(CellWidth.fit(CellWidth.sanitize(subject), to: groupW)) \(CellWidth.fit(outcome, to: 9)) \(it.auditID.prefix(8)) \(undo)"
                out.append((line, i == dialog.cursor ? .cursor : (it.dryRun ? .dim : .dialog)))
            }
            return out
        case .summary(_, let lines), .detail(_, let lines):
            // Continuation lines hang under the text, not under the mark.
            for l in lines {
                for (i, part) in wrap(CellWidth.sanitize(l), width: width - 2).enumerated() {
                    out.append(((i == 0 ? "" : "  ") + part, l.hasPrefix("✗") ? .error : .dialog))
                }
            }
            return out
        default: break
        }
        if let e = dialog.error {
            return wrap("Could not read the group: \(e)", width: width).map { ($0, .error) }
        }
        if case .found = dialog.kind { return foundBody(width: width) }
        if dialog.loading {
            return [("reading the group from the gateway…", .dim)]
        }
        let sessionLabel = state.sessions.value?.first { s in
            if case .members(_, let key, _) = dialog.kind { return s.id == key.session }
            if case .leave(let sid) = dialog.kind { return s.id == sid }
            return false
        }?.label ?? ""
        if let plan = dialog.plan {
            let group: Group? = if case .members(_, let key, _) = dialog.kind { state.groups[key.session]?.value?.first { $0.jid == key.group } } else { nil }
            let role = (group ?? state.currentGroup)?.ourRole.map { $0 == .superadmin ? "owner" : $0.rawValue } ?? "unknown role"
            out.append(("Session \(sessionLabel) \(g.dot) you are \(role)", .dim))
            if let b = plan.blocker { out.append(("Nothing will be sent: \(b.text)", .dialogDanger)) }
            if plan.blocker == nil, plan.toSend.isEmpty { out.append(("Nothing will be sent: no one here can be \(plan.action.pastTense).", .dialog)) }
            let nameW = min(20, max(10, width / 4))
            for row in plan.rows {
                let verb = row.verdict.sends ? "will be \(plan.action.pastTense)" : row.verdict.text
                let name = CellWidth.fit(CellWidth.sanitize(row.participant?.name ?? dialog.knownNames[row.target] ?? "–"), to: nameW)
                let number = row.participant?.numberText ?? row.target.phoneNumber ?? row.target.string
                let style: Style = row.verdict.sends ? (plan.blocker == nil ? .dialogDanger : .dim) : .dim
                out.append(("\(name) \(NumberText.fit(number, to: 15)) \(verb)", style))
            }
        } else if let rows = dialog.leaveRows {
            out.append(("Session \(sessionLabel): its account will leave", .dim))
            if dialog.listOnly { out.append(("Nothing will be sent: it can leave none of these.", .dialog)) }
            for row in rows {
                let verb = row.verdict.sends ? "will leave" : row.verdict.text
                out.append(("\(CellWidth.fit(CellWidth.sanitize(row.group.subject), to: min(32, width / 2))) \(verb)", row.verdict.sends ? .dialogDanger : .dim))
            }
        }
        if dialog.hiddenTagged > 0 {
            out.append(("\(dialog.hiddenTagged) tagged row\(dialog.hiddenTagged == 1 ? " is" : "s are") hidden by the filter and included.", .warn))
        }
        return out
    }

    /// Where a person is: one row per group, with our role and whether removal can work.
    func foundBody(width: Int) -> [(String, Style)] {
        guard let report = dialog.found else {
            // Under way: each session's count, and the hits as they come.
            var out: [(String, Style)] = [(dialog.findStopping ? "stopping: reads under way finish…" : "reading every group of every session \(g.dot) Esc stops", .dim)]
            for sess in dialog.findSessions {
                let done = sess.read >= sess.total
                out.append(("  \(CellWidth.fit(CellWidth.sanitize(sess.label), to: 18)) \(sess.read)/\(sess.total) groups\(done ? " \(g.ok)" : "")", done ? .dim : .dialog))
            }
            if dialog.findFailures > 0 { out.append(("  \(dialog.findFailures) group\(dialog.findFailures == 1 ? "" : "s") could not be read", .error)) }
            out.append(("found so far: \(dialog.findHits.count)", .dialog))
            out += hitLines(dialog.findHits, width: width, listOnly: true)
            return out
        }
        var out: [(String, Style)] = []
        if report.stopped {
            out.append(("Stopped: \(report.groupsRead) group\(report.groupsRead == 1 ? "" : "s") read; the others were not searched.", .warn))
        }
        if report.hits.isEmpty { out.append((report.stopped ? "Not found in the groups read." : "In no group the sessions can read.", .dialog)) }
        let n = report.removalSteps.count
        if n > 0 && !dialog.listOnly {
            out += wrap("Confirming removes them from the \(n) group\(n == 1 ? "" : "s") marked ✗, paced, in one audited operation.", width: width).map { ($0, .dim) }
        }
        out += hitLines(report.hits, width: width, listOnly: dialog.listOnly)
        for f in report.notSearched { out.append(("not searched: \(f)", .error)) }
        return out
    }

    /// One line per group a person is in. Where several groups share a subject, the end of
    /// each one's JID tells them apart.
    func hitLines(_ hits: [FindEverywhere.Hit], width: Int, listOnly: Bool) -> [(String, Style)] {
        var counts: [String: Int] = [:]
        for h in hits { counts[SubjectMatch.key(h.group.subject), default: 0] += 1 }
        let subjectW = max(10, min(28, width - 62))
        return hits.map { h in
            let ours = h.ourRole.map { $0 == .superadmin ? "owner" : $0.rawValue } ?? "?"
            let theirs = h.participant.role == .superadmin ? "owner" : h.participant.role.rawValue
            let verdict = h.removal.sends ? (listOnly ? "can remove" : "✗ remove") : "skip: \(h.removal.reason ?? "")"
            var subject = CellWidth.fit(CellWidth.sanitize(h.group.subject), to: subjectW)
            if counts[SubjectMatch.key(h.group.subject), default: 0] > 1 {
                // The end of the JID's number ("…185347"), which is what differs.
                let tail = NumberText.tail(h.group.jid.user, 7)
                subject = CellWidth.fit(CellWidth.sanitize(h.group.subject), to: max(4, subjectW - 8)) + " " + CellWidth.fit(tail, to: 7)
            }
            let line = "\(subject) \(CellWidth.fit(CellWidth.sanitize(h.session.label), to: 12)) they \(CellWidth.fit(theirs, to: 6)) we \(CellWidth.fit(ours, to: 6)) \(verdict)"
            return (line, h.removal.sends && !listOnly ? .dialogDanger : .dialog)
        }
    }

    func footerLines() -> [(String, Style)] {
        guard dialog.isConfirmation, !dialog.loading, dialog.error == nil else {
            if case .found = dialog.kind, dialog.loading { return [("", .dialog), ("Esc stops the search (what was found stays)", .dim)] }
            if case .history = dialog.kind { return [("", .dialog), ("j/k move \(g.dot) u undo the one selected \(g.dot) Esc close", .dim)] }
            return [("", .dialog), ("Enter/Esc close", .dim)]
        }
        if case .resume = dialog.kind {
            if let expected = dialog.expected {
                return [("", .dialog), ("Type \(expected) to resume: ", .dialogDanger), (dialog.warning ?? "", .error),
                        ("Enter resume once typed \(g.dot) n/Esc later (stays in the journal) \(g.dot) D give up", .dim)]
            }
            return [("", .dialog), ("", .dialog), (dialog.warning ?? "", .error), ("y resume \(g.dot) n later (stays in the journal) \(g.dot) D give up", .dim)]
        }
        var lines: [(String, Style)] = [("", .dialog)]
        lines.append(("Reason" + (state.requireReason ? " (required)" : " (optional)") + ": ", .dialog))
        if let expected = dialog.expected {
            lines.append((typePrompt(expected), .dialogDanger))
        } else {
            lines.append(("", .dialog))
        }
        lines.append((dialog.warning ?? "", .error))
        if dialog.expected == nil {
            lines.append(("y confirm \(g.dot) n/Esc cancel \(g.dot) Tab reason", .dim))
        } else {
            lines.append(("Enter confirm once typed \(g.dot) Esc cancel \(g.dot) Tab reason", .dim))
        }
        return lines
    }

    /// "Type 12 to confirm: ", or for a name "Type Família Souza ❤️ or 1: " (a long name cut).
    func typePrompt(_ expected: String) -> String {
        let shown = dialog.expectedShown ?? expected
        return Int(expected) != nil ? "Type \(shown) to confirm: " : "Type \(shown) or \(dialog.sendCount): "
    }

    /// The input fields and buttons, drawn over the footer lines.
    func drawFields(_ screen: inout Screen, inner: Rect, footerTop: Int) {
        guard dialog.isConfirmation, !dialog.loading, dialog.error == nil else { return }
        if case .resume = dialog.kind {
            if let expected = dialog.expected {
                let tl = "Type \(expected) to resume: "
                let tx = inner.x + 1 + CellWidth.of(tl)
                screen.putFitted(tx, footerTop + 1, CellWidth.sanitize(dialog.typed) + "_", width: max(4, inner.x + inner.width - 1 - tx), .buttonFocused)
                return
            }
            let no = "[ Later ]", yes = "[ Resume ]"
            let bx = inner.x + inner.width - 2 - CellWidth.of(no) - CellWidth.of(yes) - 2
            screen.put(bx, footerTop + 1, no, !dialog.yesFocused ? .buttonFocused : .button)
            screen.put(bx + CellWidth.of(no) + 2, footerTop + 1, yes, dialog.yesFocused ? .buttonFocused : .button)
            return
        }
        let label = "Reason" + (state.requireReason ? " (required)" : " (optional)") + ": "
        let rx = inner.x + 1 + CellWidth.of(label)
        let fieldW = max(4, inner.width - 2 - CellWidth.of(label))
        let reasonStyle: Style = dialog.field == .reason ? .buttonFocused : .input
        screen.putFitted(rx, footerTop + 1, CellWidth.sanitize(dialog.reason) + (dialog.field == .reason ? "_" : ""), width: fieldW, reasonStyle)
        if let expected = dialog.expected {
            let tl = typePrompt(expected)
            let tx = inner.x + 1 + CellWidth.of(tl)
            let typedStyle: Style = dialog.field == .typed ? .buttonFocused : .input
            screen.putFitted(tx, footerTop + 2, CellWidth.sanitize(dialog.typed) + (dialog.field == .typed ? "_" : ""), width: max(4, inner.x + inner.width - 1 - tx), typedStyle)
        } else {
            let no = "[ No ]", yes = "[ Yes ]"
            let bx = inner.x + inner.width - 2 - CellWidth.of(no) - CellWidth.of(yes) - 2
            let onButtons = dialog.field == .buttons
            screen.put(bx, footerTop + 2, no, onButtons && !dialog.yesFocused ? .buttonFocused : .button)
            screen.put(bx + CellWidth.of(no) + 2, footerTop + 2, yes, onButtons && dialog.yesFocused ? .buttonFocused : .button)
        }
    }
}
