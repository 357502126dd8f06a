import Foundation
import GatewayKit

/// Prints a member operation's plan or results: one line per target.
struct OperationReport {
    var action: String
    var session: Session
    var group: Group
    var json: Bool
    /// The audit id, once the operation was recorded.
    var operation: String? = nil

    func header() -> String {
        "\(action) in \"\(TerminalText.clip(group.subject))\" (\(group.jid)) on \(session.label)"
    }

    func printPlan(_ plan: Preflight) {
        let rows = plan.rows.map { r in
            JSONOutput.ResultRow(target: r.target.string, name: r.participant?.name,
                                 outcome: plan.blocker != nil ? "blocked" : (r.verdict.sends ? "will-act" : "skip"),
                                 reason: plan.blocker?.text ?? r.verdict.reason)
        }
        emit(rows, dryRun: true, blocked: plan.blocker?.text, title: "dry run: \(header()); nothing sent")
    }

    func printBlocked(_ plan: Preflight, _ blocker: Blocker) {
        let rows = plan.rows.map { r in
            JSONOutput.ResultRow(target: r.target.string, name: r.participant?.name, outcome: "not-attempted", reason: blocker.text)
        }
        emit(rows, dryRun: false, blocked: blocker.text, title: header())
    }

    /// Prints the results and returns the exit code: 0 when every target ended as wanted.
    func printResults(_ plan: Preflight, _ results: [TargetResult]) -> Int32 {
        var rows: [JSONOutput.ResultRow] = []
        var sent = results.makeIterator()
        var allOK = true
        var unreachable = false
        for r in plan.rows {
            switch r.verdict {
            case .willAct:
                guard let res = sent.next() else { continue }
                if !res.outcome.isSuccess { allOK = false }
                if case .failed(let e) = res.outcome, e.isUnreachableOrUnauthorized { unreachable = true }
                let said = [res.outcome.reason, res.notice.map { "notice: \($0)" }].compactMap { $0 }
                rows.append(JSONOutput.ResultRow(target: r.target.string, name: r.participant?.name, outcome: res.outcome.kind,
                                                 reason: said.isEmpty ? nil : said.joined(separator: "; "), httpStatus: res.httpStatus, latencyMs: res.latencyMs,
                                                 resumable: res.resumable ? true : nil))
            case .alreadySo(let why):
                rows.append(JSONOutput.ResultRow(target: r.target.string, name: r.participant?.name, outcome: "already", reason: why))
            case .skip(let why):
                allOK = false
                rows.append(JSONOutput.ResultRow(target: r.target.string, name: r.participant?.name, outcome: "skipped", reason: why))
            }
        }
        emit(rows, dryRun: false, blocked: nil, title: header())
        if unreachable && !rows.contains(where: { $0.outcome == "done" }) { return Exit.unreachable }
        return allOK ? Exit.allDone : Exit.someFailed
    }

    func emit(_ rows: [JSONOutput.ResultRow], dryRun: Bool, blocked: String?, title: String) {
        if json {
            JSONOutput.print(JSONOutput.Operation(action: action, session: session.id, group: group.jid.string,
                                                  dryRun: dryRun, blocked: blocked, results: rows, operation: operation))
            return
        }
        Stdio.out(title)
        if let blocked { Stdio.out("blocked: \(blocked)") }
        Stdio.out(Self.table(rows))
        if let operation, !dryRun {
            let undoable = ["remove", "demote", "promote"].contains(action) && rows.contains { $0.outcome == "done" }
            Stdio.out("operation \(operation)" + (undoable ? " (`wamod undo \(operation)` puts them back)" : ""))
            Self.printResumable(rows, operation: operation)
        }
    }

    /// The line that says what is left to finish, and how.
    static func printResumable(_ rows: [JSONOutput.ResultRow], operation: String) {
        let left = rows.filter { $0.resumable == true }.count
        guard left > 0 else { return }
        Stdio.out("\(left) target\(left == 1 ? " is" : "s are") not finished (not sent, or no usable answer) and stay in the journal: "
                  + "`wamod resume \(operation)` reads the group again and finishes \(left == 1 ? "it" : "them") (once the session is connected)")
    }

    static func table(_ rows: [JSONOutput.ResultRow]) -> String {
        var t = Table(["OUTCOME", "TARGET", "NAME", "DETAIL"])
        t.maxWidths = [2: 28]
        for r in rows {
            let target = (try? JID(parsing: r.target)).flatMap(\.phoneNumber) ?? r.target
            var detail = r.reason ?? ""
            if let s = r.httpStatus { detail = "HTTP \(s)\(r.latencyMs.map { ", \($0) ms" } ?? "")" + (detail.isEmpty ? "" : ": " + detail) }
            t.add([r.outcome, target, r.name ?? "", detail])
        }
        return t.render()
    }
}

/// Prints a leave operation: one line per group.
struct LeaveReport {
    var session: Session
    var json: Bool
    /// What the operation does to each group (leave, invite-reset, lock, …).
    var action = "leave"
    var operation: String? = nil

    func printPlan(_ plan: [(Group, Verdict)], blocked: String?) {
        let rows = plan.map { g, v in
            JSONOutput.ResultRow(target: g.jid.string, name: g.subject, outcome: blocked != nil ? "blocked" : (v.sends ? "will-act" : "skip"),
                                 reason: blocked ?? v.reason)
        }
        emit(rows, dryRun: true, blocked: blocked)
    }

    func printResults(_ results: [(Group, Verdict, TargetResult?)]) -> Int32 {
        var ok = true
        var unreachable = false
        let rows = results.map { g, v, r -> JSONOutput.ResultRow in
            guard let r else {
                if case .skip = v { ok = false }
                let outcome: String = switch v {
                case .alreadySo: "already"
                case .skip: "skipped"
                case .willAct: "not-attempted"
                }
                return JSONOutput.ResultRow(target: g.jid.string, name: g.subject, outcome: outcome, reason: v.reason)
            }
            if !r.outcome.isSuccess { ok = false }
            if case .failed(let e) = r.outcome, e.isUnreachableOrUnauthorized { unreachable = true }
            let kept = r.inviteLink != nil ? "the invite link is kept in the audit record (a way back)" : nil
            return JSONOutput.ResultRow(target: g.jid.string, name: g.subject, outcome: r.outcome.kind, reason: r.outcome.reason ?? r.note ?? kept,
                                        httpStatus: r.httpStatus, latencyMs: r.latencyMs)
        }
        emit(rows, dryRun: false, blocked: nil)
        if unreachable && !rows.contains(where: { $0.outcome == "done" }) { return Exit.unreachable }
        return ok ? Exit.allDone : Exit.someFailed
    }

    func emit(_ rows: [JSONOutput.ResultRow], dryRun: Bool, blocked: String?) {
        if json {
            JSONOutput.print(JSONOutput.Operation(action: action, session: session.id, group: "", dryRun: dryRun, blocked: blocked, results: rows,
                                                  operation: operation))
            return
        }
        Stdio.out("\(dryRun ? "dry run: " : "")\(action) on \(session.label)\(dryRun ? "; nothing sent" : "")")
        if let blocked { Stdio.out("blocked: \(blocked)") }
        var t = Table(["OUTCOME", "GROUP", "SUBJECT", "DETAIL"])
        t.maxWidths = [2: 32]
        for r in rows {
            var detail = r.reason ?? ""
            if let s = r.httpStatus { detail = "HTTP \(s)\(r.latencyMs.map { ", \($0) ms" } ?? "")" + (detail.isEmpty ? "" : ": " + detail) }
            t.add([r.outcome, r.target, r.name ?? "", detail])
        }
        Stdio.out(t.render())
    }
}
