import GatewayKit

/// An operation that did not finish: what is left, and resume, later or give up.
struct ResumeDialogView: DialogContent {
    let state: ConsoleState
    let dialog: ResumeDialog
    let g: Glyphs

    func title() -> String { "An operation did not finish" }

    func body(width: Int) -> [(String, Style)] {
        let p = dialog.pending
        var out: [(String, Style)] = []
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
    }

    func footer() -> [(String, Style)] {
        let c = dialog.confirmation
        if let expected = c.expected {
            return [("", .dialog), ("Type \(expected) to resume: ", .dialogDanger), (c.warning ?? "", .error),
                    ("Enter resume once typed \(g.dot) n/Esc later (stays in the journal) \(g.dot) D give up", .dim)]
        }
        return [("", .dialog), ("", .dialog), (c.warning ?? "", .error), ("y resume \(g.dot) n later (stays in the journal) \(g.dot) D give up", .dim)]
    }

    func drawFields(_ screen: inout Screen, inner: Rect, footerTop: Int) {
        let c = dialog.confirmation
        if let expected = c.expected {
            let tl = "Type \(expected) to resume: "
            let tx = inner.x + 1 + CellWidth.of(tl)
            screen.putFitted(tx, footerTop + 1, CellWidth.sanitize(c.typed) + "_", width: max(4, inner.x + inner.width - 1 - tx), .buttonFocused)
            return
        }
        let no = "[ Later ]", yes = "[ Resume ]"
        let bx = inner.x + inner.width - 2 - CellWidth.of(no) - CellWidth.of(yes) - 2
        screen.put(bx, footerTop + 1, no, !c.yesFocused ? .buttonFocused : .button)
        screen.put(bx + CellWidth.of(no) + 2, footerTop + 1, yes, c.yesFocused ? .buttonFocused : .button)
    }
}
