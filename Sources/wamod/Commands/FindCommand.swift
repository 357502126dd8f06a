import ArgumentParser
import Foundation
import FleetIndex
import GatewayKit

/// For incidents: every group of every session where a person is, and their removal from
/// all of them in one operation.
struct FindCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "find",
        abstract: "List every group of every session where a number or JID is a participant, with our role there.",
        discussion: """
        Answers from the fleet index (`wamod sync` fills it; the console keeps it current), \
        saying how old each hit is; --live reads every group's participants instead (two \
        requests at a time), as it does when the index is empty. With --remove, the groups \
        involved are read live first, and the person is removed from every group where that \
        can work (we are an admin, they are not the owner) in one paced, audited operation, \
        after a typed confirmation; --watch then keeps them on the watchlist.

        Examples:
          wamod find +5511999990000
          wamod find +5511999990000 --live --json
          wamod find +5511999990000 --remove --reason "spam wave" --watch
        """)

    @OptionGroup var gateway: GatewayOptions
    @Argument(help: "A phone number with country code, a user JID or an @lid id.") var who: String
    @Flag(name: .long, help: "Print JSON.") var json = false
    @Flag(name: .long, help: "Remove them from every group where we can, in one operation.") var remove = false
    @Flag(name: .long, help: "With --remove: show what would happen; send nothing.") var dryRun = false
    @Flag(name: .long, help: "With --remove: do not ask for confirmation.") var yes = false
    @Option(name: .long, help: "With --remove: why, recorded in the audit log.") var reason: String?
    @Flag(name: .long, help: "Read every group live instead of answering from the index.") var live = false
    @Flag(name: .long, help: "With --remove: also put them on the watchlist (with --reason as its reason).") var watch = false

    struct Hit: Encodable {
        var session: String, sessionLabel: String, group: String, subject: String, theirRole: String, ourRole: String?
        var removal: String?, outcome: String?, reason: String?
        /// From the index: when this was last known true, and how many seconds ago.
        var seen: String? = nil, ageSeconds: Int? = nil
    }

    /// `who` is the person's JID; `e164` their number when it is a phone JID.
    struct Found: Encodable {
        var who: String; var e164: String?; var groups: [Hit]; var notSearched: [String]; var operation: String?
        /// "index" or "live".
        var source: String
    }

    func run() async throws {
        let target: JID
        do { target = try JID.member(who) } catch { throw error.failure }
        guard remove || (!dryRun && !yes && reason == nil && !watch) else { throw CommandFailure.usage("--dry-run, --yes, --reason and --watch go with --remove") }
        if watch, reason?.trimmingCharacters(in: .whitespaces).isEmpty ?? true { throw CommandFailure.usage("--watch needs --reason (the watchlist says why)") }
        // The gateway (its token, perhaps a prompting command, and its HTTP session) is made
        // only when something is read live: a find from the index sends nothing.
        let profile = try gateway.resolveProfile()
        var made: (any Gateway)?
        func gw() async throws -> any Gateway {
            if let made { return made }
            let (_, g) = try await gateway.makeGateway()
            made = g
            return g
        }
        var report: FindEverywhere.Report
        var seen: [String: Date] = [:]
        var source = "live"
        if let indexed = try indexed(target, profile: profile) {
            source = "index"
            if remove {
                if !indexed.hits.isEmpty, !json { Stdio.err("reading \(Set(indexed.hits.map { $0.group.group.jid }).count) group(s) live before anything is changed…") }
                let sync = FleetSync(store: indexed.store, gateway: try await gw(), budget: FleetFiles.budget(profile))
                report = await IndexFind.confirm(target, hits: indexed.hits, sync: sync)
            } else {
                report = FindEverywhere.Report(who: target)
                for h in indexed.hits {
                    report.hits.append(FindEverywhere.Hit(session: h.session.session, group: h.group.group, participant: h.participant.participant,
                                                          ourRole: h.group.group.ourRole))
                    seen[h.session.session.id + " " + h.group.group.jid.string] = h.asOf
                }
                if !json, let f = indexed.freshness {
                    Stdio.err("from the index (groups read \(f.oldest.map { Age.text(since: $0) + " ago" } ?? "never")\(f.neverRead > 0 ? ", \(f.neverRead) not read yet" : ""); --live reads every group)")
                }
            }
        } else {
            if !live, !json { Stdio.err("the index is empty: reading every group (wamod sync indexes the fleet, and find then answers at once)") }
            report = await FindEverywhere.search(target, gateway: try await gw())
        }
        if report.notSearched.first?.hasPrefix("sessions: ") == true, report.hits.isEmpty {
            throw CommandFailure(message: report.notSearched[0], code: Exit.unreachable)
        }
        let now = Date()
        var hits = report.hits.map { h in
            let when = seen[h.session.id + " " + h.group.jid.string]
            return Hit(session: h.session.id, sessionLabel: h.session.label, group: h.group.jid.string, subject: h.group.subject,
                       theirRole: h.participant.role.rawValue, ourRole: h.ourRole?.rawValue,
                       removal: remove ? (h.removal.sends ? "will-act" : "skip") : nil, reason: remove ? h.removal.reason : nil,
                       seen: when.map { AuditLog.timestamp($0) }, ageSeconds: when.map { Int(now.timeIntervalSince($0)) })
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
                                          : "\(target) can be removed from no group: see why per row", opID: nil, source: source)
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
            let results = try await CLIOperation.run(plan, profile: profile, gateway: try await gw(), sessions: report.hits.map(\.session), context: context)
            for (s, r) in zip(plan.steps, results) {
                guard let i = hits.firstIndex(where: { $0.session == s.session && $0.group == s.group.string }) else { continue }
                hits[i].outcome = r.outcome.kind
                hits[i].reason = r.outcome.reason
                if !r.outcome.isSuccess { ok = false }
            }
            try offerWatchlist(target, profile: profile, context: context)
        }
        print(hits, report, title: opID.map { "removed \(target): operation \($0)" }, opID: opID, source: source)
        throw ExitCode(ok ? Exit.allDone : Exit.someFailed)
    }

    func print(_ hits: [Hit], _ report: FindEverywhere.Report, title: String?, opID: String?, source: String) {
        if json {
            JSONOutput.print(Found(who: report.who.string, e164: report.who.phoneNumber, groups: hits, notSearched: report.notSearched,
                                   operation: opID, source: source))
        } else {
            if let title { Stdio.out(title) }
            var head = ["SESSION", "GROUP", "SUBJECT", "THEIR ROLE", "OUR ROLE"]
            let aged = hits.contains { $0.ageSeconds != nil }
            if aged { head.append("SEEN") }
            if remove { head.append("REMOVAL") }
            var t = Table(head)
            t.maxWidths = [2: 36, 5: 48]
            for h in hits {
                var row = [h.sessionLabel, h.group, h.subject, h.theirRole, h.ourRole ?? "?"]
                if aged { row.append(h.ageSeconds.map { Age.text(TimeInterval($0)) + " ago" } ?? "-") }
                if remove { row.append(h.outcome.map { o in o + (h.reason.map { ": \($0)" } ?? "") } ?? (h.removal == "will-act" ? "will remove" : "skip: \(h.reason ?? "")")) }
                t.add(row)
            }
            Stdio.out(hits.isEmpty ? "\(report.who) is in no group the sessions can read" : t.render())
        }
        for u in report.notSearched { Stdio.err("wamod: not searched: \(u)") }
    }

    /// The index's hits, or nil when the search must read every group (`--live`, or an
    /// index that holds no group yet).
    func indexed(_ who: JID, profile: Profile) throws -> (hits: [IndexHit], store: FleetStore, freshness: Freshness?)? {
        guard !live else { return nil }
        // Only --remove writes (the live reads before the change): a plain find opens the
        // index read-only, which neither writes nor syncs the disk.
        guard let store = remove ? try FleetFiles.store(profile) : try FleetFiles.reader(profile) else { return nil }
        guard let fresh = try store.freshness(), fresh.newest != nil else { return nil }
        return (try store.find(who), store, fresh)
    }

    /// After a removal: `--watch` puts them on the watchlist; at a terminal without it, the
    /// operator is asked.
    func offerWatchlist(_ who: JID, profile: Profile, context: AuditContext) throws {
        var why = reason?.trimmingCharacters(in: .whitespacesAndNewlines)
        if !watch {
            guard !yes, !json, Stdio.stdinIsTerminal else { return }
            guard let a = Stdio.ask("Keep \(who) out: add them to the watchlist? [y/N] "), ["y", "yes"].contains(a.lowercased()) else { return }
            if why?.isEmpty ?? true { why = Stdio.ask("Why (recorded in the watchlist and the audit log): ")?.trimmingCharacters(in: .whitespaces) }
        }
        guard let why, !why.isEmpty else { return Stdio.err("wamod: not added to the watchlist: no reason given") }
        let list = try FleetFiles.watchlist(profile)
        try AuditLog(path: AuditLog.defaultPath()).append(.watch("watch-add", who: who, reason: why, expires: nil, context: context))
        try list.add(WatchEntry(who: who, reason: why, addedBy: context.user, added: Date(), expires: nil))
        Stdio.err("\(who) is on the watchlist of \(profile.name): `wamod guard` and the console keep them out")
    }
}
