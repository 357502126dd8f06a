import ArgumentParser
import Foundation
import GatewayKit

/// For incidents: every group of every session where a person is, and their removal from
/// all of them in one operation.
struct FindCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "find",
        abstract: "List every group of every session where a number or JID is a participant, with our role there.",
        discussion: """
        Reads every group's participants (two requests at a time). With --remove, removes the \
        person from every group where that can work (we are an admin, they are not the owner) \
        in one paced, audited operation, after a typed confirmation.
        """)

    @OptionGroup var gateway: GatewayOptions
    @Argument(help: "A phone number with country code, a user JID or an @lid id.") var who: String
    @Flag(name: .long, help: "Print JSON.") var json = false
    @Flag(name: .long, help: "Remove them from every group where we can, in one operation.") var remove = false
    @Flag(name: .long, help: "With --remove: show what would happen; send nothing.") var dryRun = false
    @Flag(name: .long, help: "With --remove: do not ask for confirmation.") var yes = false
    @Option(name: .long, help: "With --remove: why, recorded in the audit log.") var reason: String?

    struct Hit: Encodable {
        var session: String, sessionLabel: String, group: String, subject: String, theirRole: String, ourRole: String?
        var removal: String?, outcome: String?, reason: String?
    }

    /// `who` is the person's JID; `e164` their number when it is a phone JID.
    struct Found: Encodable { var who: String; var e164: String?; var groups: [Hit]; var notSearched: [String]; var operation: String? }

    func run() async throws {
        let target: JID
        do { target = try JID.member(who) } catch { throw error.failure }
        guard remove || (!dryRun && !yes && reason == nil) else { throw CommandFailure.usage("--dry-run, --yes and --reason go with --remove") }
        let (profile, gw) = try gateway.makeGateway()
        let report = await FindEverywhere.search(target, gateway: gw)
        if report.notSearched.first?.hasPrefix("sessions: ") == true, report.hits.isEmpty {
            throw CommandFailure(message: report.notSearched[0], code: Exit.unreachable)
        }
        var hits = report.hits.map { h in
            Hit(session: h.session.id, sessionLabel: h.session.label, group: h.group.jid.string, subject: h.group.subject,
                theirRole: h.participant.role.rawValue, ourRole: h.ourRole?.rawValue,
                removal: remove ? (h.removal.sends ? "will-act" : "skip") : nil, reason: remove ? h.removal.reason : nil)
        }
        var opID: String?
        var ok = report.notSearched.isEmpty
        if remove {
            let steps = report.removalSteps
            let context = AuditContext.current(profile: profile)
            var labels = OperationLabels()
            for h in report.hits {
                labels.add(h.session)
                labels.add(h.group)
                labels.name(h.participant.id, h.participant.name)
            }
            if dryRun || steps.isEmpty {
                if !steps.isEmpty {
                    var plan = OperationPlan(action: .remove, steps: steps, reason: reason, context: context)
                    plan.labels = labels
                    try AuditLog(path: AuditLog.defaultPath()).append(plan.startRecord(context: context, dryRun: true))
                }
                print(hits, report, title: dryRun ? "dry run: remove \(target) from \(steps.count) group\(steps.count == 1 ? "" : "s"); nothing sent"
                                                   : "\(target) can be removed from no group: see why per row", opID: nil)
                // As the real run would exit: 1 while they would stay in a group we cannot act on.
                if report.hits.contains(where: { !$0.removal.sends }) { ok = false }
                throw ExitCode(ok ? Exit.allDone : Exit.someFailed)
            }
            if !yes {
                try Confirm.requireTerminal("remove")
                Stdio.err("About to remove \(target) from \(steps.count) group\(steps.count == 1 ? "" : "s"):")
                for h in report.hits where h.removal.sends { Stdio.err("  - \(TerminalText.clip(h.group.subject)) (\(h.group.jid)) on \(h.session.label)") }
                for h in report.hits where !h.removal.sends { Stdio.err("  skip \(TerminalText.clip(h.group.subject)) on \(h.session.label): \(h.removal.reason ?? "")") }
                let subjects = report.hits.filter { $0.removal.sends }.map(\.group.subject)
                try Confirm.demand(Friction.required(.remove, targets: steps.count, subjects: subjects, sweep: true))
            }
            // Still in a group where they cannot be removed: the incident is not over.
            if report.hits.contains(where: { !$0.removal.sends }) { ok = false }
            var plan = OperationPlan(action: .remove, steps: steps, reason: reason, context: context)
            plan.labels = labels
            opID = plan.id
            let results = try await CLIOperation.run(plan, profile: profile, gateway: gw, sessions: report.hits.map(\.session), context: context)
            for (s, r) in zip(plan.steps, results) {
                guard let i = hits.firstIndex(where: { $0.session == s.session && $0.group == s.group.string }) else { continue }
                hits[i].outcome = r.outcome.kind
                hits[i].reason = r.outcome.reason
                if !r.outcome.isSuccess { ok = false }
            }
        }
        print(hits, report, title: opID.map { "removed \(target): operation \($0)" }, opID: opID)
        throw ExitCode(ok ? Exit.allDone : Exit.someFailed)
    }

    func print(_ hits: [Hit], _ report: FindEverywhere.Report, title: String?, opID: String?) {
        if json {
            JSONOutput.print(Found(who: report.who.string, e164: report.who.phoneNumber, groups: hits, notSearched: report.notSearched, operation: opID))
        } else {
            if let title { Stdio.out(title) }
            var head = ["SESSION", "GROUP", "SUBJECT", "THEIR ROLE", "OUR ROLE"]
            if remove { head.append("REMOVAL") }
            var t = Table(head)
            t.maxWidths = [2: 36, 5: 48]
            for h in hits {
                var row = [h.sessionLabel, h.group, h.subject, h.theirRole, h.ourRole ?? "?"]
                if remove { row.append(h.outcome.map { o in o + (h.reason.map { ": \($0)" } ?? "") } ?? (h.removal == "will-act" ? "will remove" : "skip: \(h.reason ?? "")")) }
                t.add(row)
            }
            Stdio.out(hits.isEmpty ? "\(report.who) is in no group the sessions can read" : t.render())
        }
        for u in report.notSearched { Stdio.err("wamod: not searched: \(u)") }
    }
}
