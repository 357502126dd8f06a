import GatewayKit

/// Where a person is: one row per group, with our role and whether removal can work; while
/// the search runs, each session's count and the hits as they come.
struct FindDialogView: DialogContent {
    let state: ConsoleState
    let dialog: FindDialog
    let answering: Bool
    let g: Glyphs

    var footerParts: ConfirmationFooter {
        ConfirmationFooter(state: state, confirmation: dialog.confirmation, sendCount: dialog.report?.removalSteps.count ?? 0, g: g)
    }

    func title() -> String {
        let who = dialog.who
        let n = dialog.report?.hits.count
        let stopped = dialog.report?.stopped == true ? " of those read (stopped)" : ""
        return "\(who.phoneNumber ?? who.string)" + (n.map { " is in \($0) group\($0 == 1 ? "" : "s")\(stopped)" } ?? "")
    }

    func body(width: Int) -> [(String, Style)] {
        let listOnly = dialog.confirmation.listOnly
        guard let report = dialog.report else {
            // Under way: each session's count, and the hits as they come.
            var out: [(String, Style)] = [(dialog.stopping ? "stopping: reads under way finish…" : "reading every group of every session \(g.dot) Esc stops", .dim)]
            for sess in dialog.sessions {
                let done = sess.read >= sess.total
                out.append(("  \(CellWidth.fit(CellWidth.sanitize(sess.label), to: 18)) \(sess.read)/\(sess.total) groups\(done ? " \(g.ok)" : "")", done ? .dim : .dialog))
            }
            if dialog.failures > 0 { out.append(("  \(dialog.failures) group\(dialog.failures == 1 ? "" : "s") could not be read", .error)) }
            out.append(("found so far: \(dialog.hits.count)", .dialog))
            out += hitLines(dialog.hits, width: width, listOnly: true)
            return out
        }
        var out: [(String, Style)] = []
        if report.stopped {
            out.append(("Stopped: \(report.groupsRead) group\(report.groupsRead == 1 ? "" : "s") read; the others were not searched.", .warn))
        }
        if report.hits.isEmpty { out.append((report.stopped ? "Not found in the groups read." : "In no group the sessions can read.", .dialog)) }
        let n = report.removalSteps.count
        if n > 0 && !listOnly {
            out += wrap("Confirming removes them from the \(n) group\(n == 1 ? "" : "s") marked ✗, paced, in one audited operation.", width: width).map { ($0, .dim) }
        }
        out += hitLines(report.hits, width: width, listOnly: listOnly)
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

    func footer() -> [(String, Style)] {
        if answering { return footerParts.lines() }
        if dialog.report == nil { return [("", .dialog), ("Esc stops the search (what was found stays)", .dim)] }
        return DialogView.closeFooter
    }

    func drawFields(_ screen: inout Screen, inner: Rect, footerTop: Int) {
        guard answering else { return }
        footerParts.drawFields(&screen, inner: inner, footerTop: footerTop)
    }
}
