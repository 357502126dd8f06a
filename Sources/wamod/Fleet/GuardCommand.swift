import ArgumentParser
import Foundation
import FleetEvents
import FleetIndex
import GatewayKit

/// `wamod guard`: keeps the watchlist enforced with no one at the keyboard (a systemd unit,
/// a tmux pane). It follows the fleet by the gateway's events where it pushes them, else by
/// polling within the read budget; a listed person seen in a group is reported at once, and
/// removed only with `--auto-remove`: the group read live first, paced, audited with the
/// watchlist entry as the reason. The owner and our own account are never targets.
struct GuardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "guard",
        abstract: "Watch the fleet for people on the watchlist; report them, or remove them with --auto-remove.",
        discussion: """
        Runs until stopped (SIGINT, SIGTERM). With --once, syncs once, enforces, and exits: 0 when \
        no listed person is left in a group, 1 when one is (not removed, or not removable).

        Examples:
          wamod guard --profile support
          wamod guard --profile support --auto-remove --notice-default
          wamod guard --profile support --once --auto-remove --json
        """)

    @OptionGroup var gateway: GatewayOptions
    @Flag(name: .long, help: "Remove listed people where we can (paced, audited; the reason names the watchlist entry).") var autoRemove = false
    @Flag(name: .long, help: "Sync once, enforce, exit.") var once = false
    @OptionGroup var notice: NoticeOptions
    @Flag(name: .long, help: "Print one JSON object per line.") var json = false

    struct Line: Encodable {
        var time: String
        var event: String
        var who: String?, reason: String?, session: String?, group: String?, subject: String?
        var outcome: String?, detail: String?, operation: String?
    }

    func run() async throws {
        // One token for the gateway and the event stream: a token command is asked once.
        let (profile, gw, token) = try await gateway.makeGatewayAndToken()
        let planned = try notice.make(template: profile.noticeTemplate)
        if planned != nil, !autoRemove { throw CommandFailure.usage("a notice goes with --auto-remove") }
        let store = try FleetFiles.store(profile)
        let list = try FleetFiles.watchlist(profile)
        let sync = FleetSync(store: store, gateway: gw, budget: FleetFiles.budget(profile))
        let enforcer = Enforcer(profile: profile, gateway: gw, store: store, list: list, sync: sync, autoRemove: autoRemove,
                                notice: planned, json: json)
        if once {
            let report = await sync.run()
            for f in report.failures { enforcer.say(Line(time: AuditLog.timestamp(), event: "not-read", detail: f)) }
            let left = try await enforcer.check()
            throw ExitCode(left == 0 && report.failed.isEmpty ? Exit.allDone : Exit.someFailed)
        }
        let sessions = (try? await gw.sessions().map(\.id)) ?? []
        let source = EventSources.source(dialect: profile.dialect, baseURL: profile.baseURL, token: token, sessions: sessions, store: store)
        let follower = Follower(store: store, sync: sync, source: source, pollEvery: FleetFiles.pollInterval(profile))
        enforcer.say(Line(time: AuditLog.timestamp(), event: "start",
                          detail: "guarding \(profile.name): \(try list.entries().count) on the watchlist; \(autoRemove ? "removing" : "reporting") them"))
        // SIGINT or SIGTERM stops it: following ends, an operation under way is cancelled and
        // waited for (its unsent targets are recorded not attempted), then it exits 0.
        let stop = SignalStop()
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                for await update in follower.updates() {
                    switch update {
                    case .source(let kind, let detail):
                        enforcer.say(Line(time: AuditLog.timestamp(), event: "following", detail: "\(kind.rawValue)\(detail.isEmpty ? "" : ": " + detail)"))
                    case .event(let e, let diff):
                        if e.kind == .joined || e.kind == .addedUs || !diff.joined.isEmpty { _ = try await enforcer.check() }
                    case .synced(let report):
                        for f in report.failures { enforcer.say(Line(time: AuditLog.timestamp(), event: "not-read", detail: f)) }
                        _ = try await enforcer.check()
                    case .failed(let why):
                        enforcer.say(Line(time: AuditLog.timestamp(), event: "error", detail: why))
                    }
                }
                return false
            }
            group.addTask {
                await stop.wait()
                return true
            }
            let stopped = try await group.next() ?? false
            group.cancelAll()
            while try await group.next() != nil {}
            if stopped { enforcer.say(Line(time: AuditLog.timestamp(), event: "stop", detail: "stopped by a signal")) }
        }
        store.checkpoint()
    }
}

/// What `wamod guard` does when it looks: the watchlist against the index, each listed
/// person in a group reported once, and removed where asked and possible.
final class Enforcer: @unchecked Sendable {
    let profile: Profile, gateway: any Gateway, store: FleetStore, list: Watchlist, sync: FleetSync
    let autoRemove: Bool, notice: Notice?, json: Bool
    /// (who, session, group) already reported and not removable: said once, not again.
    private var reported: Set<String> = []

    init(profile: Profile, gateway: any Gateway, store: FleetStore, list: Watchlist, sync: FleetSync, autoRemove: Bool,
         notice: Notice?, json: Bool) {
        self.profile = profile; self.gateway = gateway; self.store = store; self.list = list; self.sync = sync
        self.autoRemove = autoRemove; self.notice = notice; self.json = json
    }

    func say(_ l: GuardCommand.Line) {
        if json { return JSONOutput.print(l) }
        var text = "\(l.time) \(l.event)"
        if let who = l.who { text += " \(who)" }
        if let subject = l.subject { text += " in \(TerminalText.clip(subject, 48))" }
        if let session = l.session { text += " on \(session)" }
        if let outcome = l.outcome { text += ": \(outcome)" }
        if let detail = l.detail { text += (l.outcome == nil ? ": " : " (") + detail + (l.outcome == nil ? "" : ")") }
        if let reason = l.reason { text += " [watchlist: \(TerminalText.clip(reason, 80))]" }
        Stdio.out(text)
    }

    /// Looks once; returns how many listed people are still in a group afterwards.
    func check() async throws -> Int {
        let entries = try list.entries()
        guard !entries.isEmpty else { return 0 }
        let hits = try store.watchHits(entries)
        var left = 0
        let byWho = Dictionary(grouping: hits, by: { $0.entry.who })
        for (who, seen) in byWho.sorted(by: { $0.key.string < $1.key.string }) {
            guard let entry = seen.first?.entry else { continue }
            let keys = seen.map { "\(who) \($0.hit.session.session.id) \($0.hit.group.group.jid)" }
            let fresh = keys.contains { !reported.contains($0) }
            if fresh {
                for h in seen {
                    say(GuardCommand.Line(time: AuditLog.timestamp(), event: "seen", who: who.phoneNumber ?? who.string, reason: entry.reason,
                                          session: h.hit.session.session.label, group: h.hit.group.group.jid.string, subject: h.hit.group.group.subject,
                                          detail: "as of \(Age.text(since: h.hit.asOf)) ago"))
                }
            }
            guard autoRemove else {
                reported.formUnion(keys)
                left += 1
                continue
            }
            guard fresh else { left += 1; continue }
            // The index never decides alone: the groups are read live first.
            let report = await IndexFind.confirm(who, hits: seen.map(\.hit), sync: sync)
            for n in report.notSearched { say(GuardCommand.Line(time: AuditLog.timestamp(), event: "not-read", who: who.string, detail: n)) }
            for h in report.hits where !h.removal.sends {
                say(GuardCommand.Line(time: AuditLog.timestamp(), event: "skip", who: who.phoneNumber ?? who.string, reason: entry.reason,
                                      session: h.session.label, group: h.group.jid.string, subject: h.group.subject, detail: h.removal.reason))
            }
            let steps = report.removalSteps
            var stays = report.hits.contains { !$0.removal.sends } || !report.notSearched.isEmpty
            if !steps.isEmpty {
                let context = AuditContext.current(profile: profile)
                var plan = OperationPlan(action: .remove, steps: steps, reason: "watchlist: \(entry.reason)", context: context)
                plan.notice = notice
                var labels = OperationLabels()
                for h in report.hits { labels.add(h.session); labels.add(h.group); labels.name(h.participant.id, h.participant.name) }
                plan.labels = labels
                let results = try await CLIOperation.run(plan, profile: profile, gateway: gateway, sessions: report.hits.map(\.session), context: context)
                for (s, r) in zip(plan.steps, results) {
                    let h = report.hits.first { $0.session.id == s.session && $0.group.jid == s.group }
                    say(GuardCommand.Line(time: AuditLog.timestamp(), event: "removal", who: who.phoneNumber ?? who.string, reason: entry.reason,
                                          session: h?.session.label ?? s.session, group: s.group.string, subject: h?.group.subject,
                                          outcome: r.outcome.kind, detail: r.outcome.reason, operation: plan.id))
                    if !r.outcome.isSuccess { stays = true }
                }
                // The removals are in the index at once (the executor read or changed them).
                for s in steps { _ = try? await sync.read(session: s.session, group: s.group) }
            }
            if stays { reported.formUnion(keys); left += 1 }
        }
        return left
    }
}
