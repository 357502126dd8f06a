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
            return "\(action.verb.capitalized) \(n) participant\(n == 1 ? "" : "s") \(action == .add ? "to" : "from") \(subject)"
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
        if dialog.loading {
            return [("reading the group from the gateway…", .dim)]
        }
        let sessionLabel = state.sessions.value?.first { s in
            if case .members(_, let key, _) = dialog.kind { return s.id == key.session }
            if case .leave(let sid) = dialog.kind { return s.id == sid }
            return false
        }?.label ?? ""
        if let plan = dialog.plan {
            let role = state.currentGroup?.ourRole.map { $0 == .superadmin ? "owner" : $0.rawValue } ?? "unknown role"
            out.append(("Session \(sessionLabel) \(g.dot) you are \(role)", .dim))
            if let b = plan.blocker { out.append(("Nothing will be sent: \(b.text)", .dialogDanger)) }
            let nameW = min(20, max(10, width / 4))
            for row in plan.rows {
                let verb = row.verdict.sends ? "will be \(plan.action.pastTense)" : row.verdict.text
                let name = CellWidth.fit(CellWidth.sanitize(row.participant?.name ?? "–"), to: nameW)
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

    func footerLines() -> [(String, Style)] {
        guard dialog.isConfirmation, !dialog.loading, dialog.error == nil else {
            return [("", .dialog), ("Enter/Esc close", .dim)]
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
