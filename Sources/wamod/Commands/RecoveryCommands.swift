import ArgumentParser
import Foundation
import GatewayKit

/// Finishing what a crash, a kill or a dropped link interrupted.
struct ResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Finish an operation that was interrupted (crash, kill, dropped link).",
        discussion: """
        Every operation is journaled before its first request. Without OPERATION, lists the \
        interrupted ones (and resumes it when there is just one). Each group is read again \
        first: a target already done is recorded so and not sent twice. The rest is paced and \
        audited under the same operation id.

        Examples:
          wamod resume
          wamod resume mhx0u3k1-4f2a9c1d --yes
          wamod resume mhx0u3k1-4f2a9c1d --discard
        """)

    @OptionGroup var gateway: GatewayOptions
    @Argument(help: "The operation id (from the list, or `wamod audit`).") var operation: String?
    @Flag(name: .long, help: "Do not ask for confirmation.") var yes = false
    @Flag(name: .long, help: "Give the operation up: record it abandoned and drop its journal; nothing is sent.") var discard = false
    @Flag(name: .long, help: "Print JSON.") var json = false

    struct Row: Encodable {
        var step: Int; var session: String; var group: String; var target: String; var outcome: String; var reason: String?
        var httpStatus: Int? = nil; var latencyMs: Int? = nil
        /// True when the step is still not finished and stays in the journal.
        var resumable: Bool? = nil
    }
    struct Out: Encodable { var operation: String; var action: String; var results: [Row]; var blocked: [String] }

    func run() async throws {
        let journal = CLIOperation.journal()
        let pending = journal.pending()
        guard let id = operation ?? (pending.count == 1 ? pending.first?.plan.id : nil) else {
            if pending.isEmpty {
                Stdio.out("nothing to resume: no interrupted operation in \(journal.directory)")
                throw ExitCode(Exit.allDone)
            }
            Stdio.out("interrupted operations (resume one with `wamod resume ID`):")
            var t = Table(["ID", "PROFILE", "WHAT"])
            for p in pending { t.add([p.plan.id, p.plan.profile, p.summary]) }
            Stdio.out(t.render())
            throw ExitCode(Exit.usage)
        }
        guard let (entry, p) = journal.takeOver(id, audit: (try? AuditLog.read(path: AuditLog.defaultPath()).records) ?? []) else {
            throw CommandFailure(message: journal.peek(id) == nil && !FileManager.default.fileExists(atPath: journal.directory + "/\(id).jsonl")
                                 ? "no interrupted operation \(id) (it finished, or was never journaled here: \(journal.directory))"
                                 : "operation \(id) is running or being resumed by another process", code: Exit.someFailed)
        }
        let (profile, gw) = try await gateway.makeGateway()
        let context = AuditContext.current(profile: profile)
        guard context.gateway == p.plan.gateway else {
            entry.release()
            throw CommandFailure.usage("operation \(id) ran against \(p.plan.gateway) (profile \(p.plan.profile)); this profile is \(context.gateway): run with --profile \(p.plan.profile)")
        }
        let runner = CLIOperation.runner(profile: profile, gateway: gw, sessions: (try? await gw.sessions()) ?? [], context: context)
        if discard {
            try AuditLog(path: AuditLog.defaultPath()).append(.abandoned(id: id, context: context, targets: p.remaining.map { p.plan.steps[$0].target.string }))
            entry.finish()
            Stdio.out("operation \(id) abandoned: \(p.remaining.count) target\(p.remaining.count == 1 ? "" : "s") will not be sent (recorded in the audit log)")
            throw ExitCode(Exit.allDone)
        }
        Stdio.err("resuming \(id): \(p.summary)")
        Stdio.err("reading the groups again so nothing is done twice…")
        let check = await Resume.recheck(p, gateway: gw)
        for (k, why) in check.blocked.sorted(by: { $0.key.group < $1.key.group }) { Stdio.err("blocked in \(k.group) (\(k.session)): \(why)") }
        if !check.send.isEmpty && !yes {
            try Confirm.requireTerminal("resume")
            Stdio.err("About to \(p.plan.action.rawValue) \(check.send.count) remaining target\(check.send.count == 1 ? "" : "s") (\(check.settled.count) found already done):")
            for i in check.send.prefix(20) { Stdio.err("  - \(p.plan.steps[i].target) in \(p.plan.steps[i].group)") }
            // The same friction as the operation itself: typed for five or more, several
            // groups, or a leave.
            let groups = Array(Set(check.send.map { p.plan.steps[$0].group }))
            let subjects = groups.map { p.plan.labels?.groups[$0.string] ?? "" }
            do { try Confirm.demand(Friction.required(p.plan.action, targets: check.send.count, subjects: subjects)) } catch {
                entry.release()
                throw CommandFailure(message: "not confirmed: nothing was sent; the operation stays resumable", code: Exit.someFailed)
            }
        }
        let sent = try await runner.resume(p, check: check, entry: entry, onEvent: CLIOperation.progress(total: check.send.count + check.settled.count))
        var rows: [Row] = []
        var ok = check.blocked.isEmpty
        for i in p.remaining {
            let s = p.plan.steps[i]
            guard let r = sent[i] ?? check.settled[i] else {
                let why = check.blocked[OperationGroupKey(session: s.session, group: s.group)] ?? "not sent"
                rows.append(Row(step: i, session: s.session, group: s.group.string, target: s.target.string, outcome: "not-attempted", reason: why,
                                resumable: true))
                continue
            }
            if !r.outcome.isSuccess { ok = false }
            rows.append(Row(step: i, session: s.session, group: s.group.string, target: s.target.string, outcome: r.outcome.kind, reason: r.outcome.reason,
                            httpStatus: r.httpStatus, latencyMs: r.latencyMs, resumable: r.resumable ? true : nil))
        }
        if json {
            JSONOutput.print(Out(operation: id, action: p.plan.action.rawValue, results: rows, blocked: check.blocked.map { "\($0.key.group): \($0.value)" }.sorted()))
        } else {
            var t = Table(["OUTCOME", "TARGET", "GROUP", "DETAIL"])
            t.maxWidths = [3: 60]
            for r in rows { t.add([r.outcome, (try? JID(parsing: r.target)).flatMap(\.phoneNumber) ?? r.target, r.group, r.reason ?? ""]) }
            Stdio.out("resumed \(p.plan.action.rawValue) \(id)")
            Stdio.out(t.render())
            let left = rows.filter { $0.resumable == true }.count
            if left > 0 { Stdio.out("\(left) target\(left == 1 ? "" : "s") still not finished stay in the journal: `wamod resume \(id)` again later, or --discard") }
        }
        throw ExitCode(ok ? Exit.allDone : Exit.someFailed)
    }
}

/// Putting people back: re-add the removed, re-promote the demoted, from the audit record.
struct UndoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "undo",
        abstract: "Undo an operation from its audit record: re-add removed participants, re-promote demoted admins.",
        discussion: """
        The undo is a new operation: previewed from a fresh read of each group, confirmed, \
        paced and audited (with `undoes` naming the original). WhatsApp may refuse a re-add \
        (privacy settings, someone who left recently); each row shows its own outcome.

        Examples:
          wamod undo mhx0u3k1-4f2a9c1d --dry-run
          wamod undo mhx0u3k1-4f2a9c1d --reason "removed by mistake"
          wamod undo mhx0u3k1-4f2a9c1d --yes --json
        """)

    @OptionGroup var gateway: GatewayOptions
    @OptionGroup var mutation: MutationOptions
    @Argument(help: "The operation id, from `wamod audit`.") var operation: String

    func run() async throws {
        let (records, _) = try AuditLog.read(path: AuditLog.defaultPath())
        let undo = try Undo.plan(operation, records: records)
        let (profile, gw) = try await gateway.makeGateway()
        let context = AuditContext.current(profile: profile)
        if let original = undo.original.gateway, original != context.gateway {
            throw CommandFailure.usage("operation \(operation) ran against \(original) (profile \(undo.original.profile ?? "?")); this profile is \(context.gateway): run with --profile \(undo.original.profile ?? "NAME")")
        }
        let sessions = try await gw.sessions()
        // The names the original operation recorded (those it removed are no longer in the group to read them from).
        let recorded = Self.recordedLabels(operation, records: records)
        // A fresh read of every group (the same as resume's): who is already back, and
        // whether we can act at all.
        let check = await Replan.check(undo.kind, steps: undo.steps, indices: Array(undo.steps.indices), gateway: gw)
        var rows: [JSONOutput.ResultRow] = []
        var names: [JID: String] = [:]
        for st in undo.steps { names[st.target] = check.names[st.target] ?? recorded.targets[st.target.string] }
        let steps = check.send.map { undo.steps[$0] }
        for (_, r) in check.settled.sorted(by: { $0.key < $1.key }) {
            rows.append(.init(target: r.target.string, name: names[r.target], outcome: r.outcome.kind, reason: r.outcome.reason))
        }
        var blocked: [String] = []
        for (key, why) in check.blocked.sorted(by: { $0.key.group < $1.key.group }) {
            blocked.append("\(key.group): \(why)")
            for st in undo.steps where st.session == key.session && st.group == key.group {
                rows.append(.init(target: st.target.string, name: names[st.target], outcome: "not-attempted", reason: why))
            }
        }
        let verb = undo.kind == .add ? "re-add" : undo.kind == .settings ? "put back the settings of" : undo.kind.verb
        let title = "undo of \(operation) (\(undo.original.action ?? "?")): \(verb) \(steps.count)"
        if mutation.dryRun || steps.isEmpty {
            let planned = steps.map { JSONOutput.ResultRow(target: $0.target.string, name: names[$0.target], outcome: "will-act", reason: "in \($0.group)") }
            emit(title: (mutation.dryRun ? "dry run: " : "") + title + (steps.isEmpty ? "; nothing to send" : "; nothing sent"), planned + rows)
            throw ExitCode(blocked.isEmpty ? Exit.allDone : Exit.someFailed)
        }
        if !mutation.yes {
            try Confirm.requireTerminal("undo")
            let noun = undo.kind.targetsGroups ? "group" : "participant"
            Stdio.err("About to \(verb) \(steps.count) \(noun)\(steps.count == 1 ? "" : "s") (undo of \(operation), \(undo.original.action ?? "?") by \(undo.original.user ?? "?") at \(undo.original.time)):")
            for s in steps.prefix(20) {
                let place = recorded.groups[s.group.string].map { "\"\(TerminalText.clip($0, 40))\" (\(s.group))" } ?? s.group.string
                if let settings = s.settings {
                    Stdio.err("  - \(place): \(SettingsText.change(settings))")
                    continue
                }
                let who = names[s.target].map { "\(TerminalText.clip($0, 40)) (\(s.target))" } ?? s.target.string
                Stdio.err("  - \(who) in \(place)")
            }
            if steps.count > 20 { Stdio.err("  … and \(steps.count - 20) more") }
            let subjects = Set(steps.map { $0.group }).map { recorded.groups[$0.string] ?? "" }
            try Confirm.demand(Friction.required(undo.kind, targets: steps.count, subjects: subjects))
        }
        let reason = mutation.reason ?? "undo of \(operation)"
        var plan = OperationPlan(action: undo.kind, steps: steps, reason: reason, undoes: operation, context: context)
        var labels = recorded
        for (t, n) in names { labels.name(t, n) }
        for s in sessions { labels.add(s) }
        plan.labels = labels
        let results = try await CLIOperation.run(plan, profile: profile, gateway: gw, sessions: sessions, context: context)
        var ok = blocked.isEmpty
        for (s, r) in zip(plan.steps, results) {
            if !r.outcome.isSuccess { ok = false }
            rows.append(.init(target: s.target.string, name: names[s.target], outcome: r.outcome.kind, reason: r.outcome.reason,
                              httpStatus: r.httpStatus, latencyMs: r.latencyMs))
        }
        emit(title: title + " (operation \(plan.id))", rows)
        throw ExitCode(ok ? Exit.allDone : Exit.someFailed)
    }

    /// The targets' names and the groups' subjects that operation `id` recorded (none in
    /// records written before they were).
    static func recordedLabels(_ id: String, records: [AuditRecord]) -> OperationLabels {
        var labels = OperationLabels()
        for r in records where r.op == id {
            for (t, n) in r.names ?? [:] { labels.targets[t] = n }
            for (g, sub) in r.subjects ?? [:] { labels.groups[g] = sub }
            if let g = r.group, let sub = r.subject { labels.groups[g] = sub }
            if r.type == "result", let t = r.target, let n = r.name, r.group != t { labels.targets[t] = n }
            if let sid = r.session, let l = r.sessionLabel { labels.sessions[sid] = l }
        }
        return labels
    }

    func emit(title: String, _ rows: [JSONOutput.ResultRow]) {
        if mutation.json {
            JSONOutput.print(JSONOutput.Operation(action: "undo", session: "", group: "", dryRun: mutation.dryRun, blocked: nil, results: rows))
        } else {
            Stdio.out(title)
            Stdio.out(OperationReport.table(rows))
        }
    }
}
