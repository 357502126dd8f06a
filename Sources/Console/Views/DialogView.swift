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
        let scroll = min(dialog.scroll, max(0, lines.count - bodyRows))
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
            return "\(verb) \(n) participant\(n == 1 ? "" : "s") \(action == .add ? "to" : "from") \(subject)"
        case .resume:
            return "An operation did not finish"
        case .found(let who):
            let n = dialog.found?.hits.count
            return "\(who.phoneNumber ?? who.string)" + (n.map { " is in \($0) group\($0 == 1 ? "" : "s")" } ?? "")
        case .leave:
            let n = dialog.leaveRows?.filter(\.verdict.sends).count ?? dialog.requested.count
            return "Leave \(n) group\(n == 1 ? "" : "s")"
        case .summary(let title, _): return title
        case .detail(let title, _): return title
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
                let who = p.plan.isLeave ? "leave" : (st.target.phoneNumber ?? st.target.string)
                out.append(("\(CellWidth.fit(CellWidth.sanitize(who), to: 18)) \(g.dot) \(CellWidth.sanitize(group))", .dialogDanger))
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
            let nameW = min(20, max(10, width / 4))
            for row in plan.rows {
                let verb = row.verdict.sends ? "will be \(plan.action.pastTense)" : row.verdict.text
                let name = CellWidth.fit(CellWidth.sanitize(row.participant?.name ?? dialog.knownNames[row.target] ?? "–"), to: nameW)
                let number = row.participant?.numberText ?? row.target.phoneNumber ?? row.target.string
                let style: Style = row.verdict.sends ? (plan.blocker == nil ? .dialogDanger : .dim) : .dim
                out.append(("\(name) \(CellWidth.fit(number, to: 15)) \(verb)", style))
            }
        } else if let rows = dialog.leaveRows {
            out.append(("Session \(sessionLabel): its account will leave", .dim))
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
        guard let report = dialog.found else { return [("reading every group of every session…", .dim)] }
        var out: [(String, Style)] = []
        if report.hits.isEmpty { out.append(("In no group the sessions can read.", .dialog)) }
        let n = report.removalSteps.count
        if n > 0 && !dialog.listOnly {
            out += wrap("Confirming removes them from the \(n) group\(n == 1 ? "" : "s") marked ✗, paced, in one audited operation.", width: width).map { ($0, .dim) }
        }
        let subjectW = max(10, min(28, width - 62))
        for h in report.hits {
            let ours = h.ourRole.map { $0 == .superadmin ? "owner" : $0.rawValue } ?? "?"
            let theirs = h.participant.role == .superadmin ? "owner" : h.participant.role.rawValue
            let verdict = h.removal.sends ? (dialog.listOnly ? "can remove" : "✗ remove") : "skip: \(h.removal.reason ?? "")"
            let line = "\(CellWidth.fit(CellWidth.sanitize(h.group.subject), to: subjectW)) \(CellWidth.fit(CellWidth.sanitize(h.session.label), to: 12)) they \(CellWidth.fit(theirs, to: 6)) we \(CellWidth.fit(ours, to: 6)) \(verdict)"
            out.append((line, h.removal.sends && !dialog.listOnly ? .dialogDanger : .dialog))
        }
        for f in report.notSearched { out.append(("not searched: \(f)", .error)) }
        return out
    }

    func footerLines() -> [(String, Style)] {
        guard dialog.isConfirmation, !dialog.loading, dialog.error == nil else {
            return [("", .dialog), ("Enter/Esc close", .dim)]
        }
        if case .resume = dialog.kind {
            return [("", .dialog), ("", .dialog), (dialog.warning ?? "", .error), ("y resume \(g.dot) n later (stays in the journal) \(g.dot) D give up", .dim)]
        }
        var lines: [(String, Style)] = [("", .dialog)]
        lines.append(("Reason" + (state.requireReason ? " (required)" : " (optional)") + ": ", .dialog))
        if let expected = dialog.expected {
            lines.append(("Type \(CellWidth.sanitize(expected)) to confirm: ", .dialogDanger))
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

    /// The input fields and buttons, drawn over the footer lines.
    func drawFields(_ screen: inout Screen, inner: Rect, footerTop: Int) {
        guard dialog.isConfirmation, !dialog.loading, dialog.error == nil else { return }
        if case .resume = dialog.kind {
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
            let tl = "Type \(CellWidth.sanitize(expected)) to confirm: "
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
