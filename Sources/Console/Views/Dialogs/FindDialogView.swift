import FleetIndex
import Foundation
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
        if n == nil, !dialog.confirming, let hits = dialog.indexHits {
            return "\(who.phoneNumber ?? who.string) is in \(hits.count) group\(hits.count == 1 ? "" : "s"), as the index knows"
        }
        return "\(who.phoneNumber ?? who.string)" + (n.map { " is in \($0) group\($0 == 1 ? "" : "s")\(stopped)" } ?? "")
    }

    /// Their watchlist entry, and the reason being typed for `W`.
    func watchLines(width: Int) -> [(String, Style)] {
        var out: [(String, Style)] = []
        if let e = dialog.watch {
            let by = e.addedBy.isEmpty ? "" : " by \(e.addedBy)"
            out.append((CellWidth.truncate("on the watchlist: \(CellWidth.sanitize(e.reason)) (added\(by) \(Age.text(since: e.added, now: state.now)) ago)", to: width), .dialogDanger))
        }
        if let typed = dialog.watchReason {
            let verb = dialog.watch == nil ? "Watchlist: why must they stay out of every group?" : "Take them off the watchlist: why?"
            out.append((verb, .dialogTitle))
            let shown = CellWidth.sanitize(typed) + "_"
            out.append(("  " + (CellWidth.of(shown) > width - 2 ? "…" + String(shown.suffix(width - 3)) : shown), .input))
            if let w = dialog.watchWarning { out.append((w, .error)) }
            out.append(("Enter done \(g.dot) Esc back (recorded in the audit log with who and why)", .dim))
            out.append(("", .dialog))
        }
        return out
    }

    func body(width: Int) -> [(String, Style)] {
        let head = watchLines(width: width)
        if dialog.report == nil, let hits = dialog.indexHits {
            // From the index: at once, each hit with its age; nothing is removed from these.
            var out = head
            if dialog.confirming {
                out.append(("reading \(hits.count) group\(hits.count == 1 ? "" : "s") live before anything is changed \(g.dot) Esc stops", .warn))
            } else if hits.isEmpty {
                let read = state.fleet.status.map { " (\($0.groupsRead) of \($0.groups) groups read)" } ?? ""
                out.append(("Not in the index\(read). r reads every group live.", .dialog))
            } else {
                out += wrap("From the index: x reads these groups live, then confirms what that read shows; r reads every group live instead.", width: width).map { ($0, .dim) }
            }
            out += indexLines(hits, width: width)
            return out
        }
        if dialog.report == nil, dialog.fromIndex {
            return head + [("asking the index…", .dim)]
        }
        return head + liveBody(width: width)
    }

    /// One line per group the index saw them in: subject, session, their role and ours, and
    /// how old that is ("seen 4m ago").
    func indexLines(_ hits: [IndexHit], width: Int) -> [(String, Style)] {
        var counts: [String: Int] = [:]
        for h in hits { counts[SubjectMatch.key(h.group.group.subject), default: 0] += 1 }
        let subjectW = max(10, min(28, width - 56))
        return hits.map { h in
            let grp = h.group.group
            let ours = grp.ourRole.map { $0 == .superadmin ? "owner" : $0.rawValue } ?? "?"
            let role = h.participant.participant.role
            let theirs = role == .superadmin ? "owner" : role.rawValue
            var subject = CellWidth.fit(CellWidth.sanitize(grp.subject), to: subjectW)
            if counts[SubjectMatch.key(grp.subject), default: 0] > 1 {
                subject = CellWidth.fit(CellWidth.sanitize(grp.subject), to: max(4, subjectW - 8)) + " " + CellWidth.fit(NumberText.tail(grp.jid.user, 7), to: 7)
            }
            let age = "seen \(Age.text(since: h.asOf, now: state.now)) ago"
            let line = "\(subject) \(CellWidth.fit(CellWidth.sanitize(h.session.session.label), to: 12)) they \(CellWidth.fit(theirs, to: 6)) we \(CellWidth.fit(ours, to: 6)) \(age)"
            return (line, .dialog)
        }
    }

    func liveBody(width: Int) -> [(String, Style)] {
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
        if dialog.watchReason != nil { return [] }
        if dialog.waiting {
            return [("", .dialog), (dialog.confirming ? "Esc stops (the groups read so far are kept)" : "Esc stops the search (what was found stays) \(g.dot) W watchlist", .dim)]
        }
        let watch = dialog.watch == nil ? "W watchlist" : "W off the watchlist"
        if dialog.report == nil { return [("", .dialog), ("x remove (read live first) \(g.dot) \(watch) \(g.dot) r search live \(g.dot) Esc close", .dim)] }
        return [("", .dialog), ("\(watch) \(g.dot) r search again \(g.dot) Enter/Esc close", .dim)]
    }

    func drawFields(_ screen: inout Screen, inner: Rect, footerTop: Int) {
        guard answering else { return }
        footerParts.drawFields(&screen, inner: inner, footerTop: footerTop)
    }
}
