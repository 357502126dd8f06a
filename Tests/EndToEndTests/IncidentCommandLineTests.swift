import Foundation
import GatewayKit
import TestSupport
import GatewaySim
import Testing

/// The incident toolkit from the command line, the built binary against the emulator: the
/// invite link, lock-down and settings, join requests, the exit notice and a leave's way back.
/// WAHA has every one of them; Wawp (sets no settings) and v1 (no join requests) show how a
/// dialect that lacks one refuses it before anything is sent.
@Suite("incident toolkit on the command line", .serialized, .spawnsProcesses)
struct IncidentCommandLineTests {
    let alpha = TinyFixture.alphaLabel
    let team = TinyFixture.teamAlpha

    static func json(_ text: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }

    /// The environment of runs sharing one audit log (and its journal).
    static func sharing(_ f: SimFixture) -> (env: [String: String], audit: String) {
        let audit = scratchAuditPath()
        var env = f.env
        env["WAMOD_AUDIT"] = audit
        return (env, audit)
    }

    /// Requests that could change something: every route that is not a read (WAHA reads with GET).
    static func sent(_ f: SimFixture) -> [SimArrival] { f.world.arrivals().filter { $0.method != "GET" && $0.method != "HEAD" } }

    /// The operation id a JSON report names.
    static func operation(_ stdout: String) -> String? { json(stdout)["operation"] as? String }

    static func results(_ stdout: String) -> [[String: Any]] { json(stdout)["results"] as? [[String: Any]] ?? [] }

    // MARK: Invite links

    @Test("invite show masks the link unless --reveal")
    func inviteShow() async throws {
        try await withSim(.waha) { f in
            let code = try #require(f.world.currentInviteCode(session: TinyFixture.alpha, group: team))
            let masked = try await runWamod(["invite", "show", alpha, "Team Alpha"] + f.gatewayArgs, env: f.env)
            #expect(masked.status == 0, "\(masked.stdout)\(masked.stderr)")
            #expect(masked.stdout.contains("https://chat.whatsapp.com/\(code.prefix(4))…"), "\(masked.stdout)")
            #expect(!masked.stdout.contains(code) && !masked.stderr.contains(code), "the masked link does not give the code away")
            #expect(masked.stdout.contains("--reveal"))
            let whole = try await runWamod(["invite", "show", alpha, "Team Alpha", "--reveal"] + f.gatewayArgs, env: f.env)
            #expect(whole.status == 0, "\(whole.stderr)")
            #expect(whole.stdout.contains("https://chat.whatsapp.com/\(code)"), "\(whole.stdout)")
            let asJSON = try await runWamod(["invite", "show", alpha, team.string, "--json"] + f.gatewayArgs, env: f.env)
            #expect(Self.json(asJSON.stdout)["masked"] as? Bool == true)
            #expect(!asJSON.stdout.contains(code))
        }
    }

    @Test("invite reset --yes: a new code, the old one joins no one, and the audit says the old link no longer works")
    func inviteReset() async throws {
        try await withSim(.waha) { f in
            let (env, audit) = Self.sharing(f)
            let old = try #require(f.world.currentInviteCode(session: TinyFixture.alpha, group: team))
            let r = try await runWamod(["invite", "reset", alpha, "Team Alpha", "--yes", "--json"] + f.gatewayArgs, env: env)
            #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
            #expect(Self.results(r.stdout).map { $0["outcome"] as? String } == ["done"], "\(r.stdout)")
            let new = try #require(f.world.currentInviteCode(session: TinyFixture.alpha, group: team))
            #expect(new != old)
            #expect(f.world.ledger().filter { $0.action == "invite-reset" }.count == 1, "reset once")
            // Whoever kept the old link cannot use it; the new one works (Team Alpha asks for approval).
            #expect(throws: JoinByCodeRefusal.invalidCode) { try f.world.join(code: old, as: TinyFixture.outsider, name: "Old Link") }
            #expect(try f.world.join(code: new, as: TinyFixture.outsider) == .pending(session: TinyFixture.alpha, group: team))

            let id = try #require(Self.operation(r.stdout))
            let shown = try await runWamod(["audit", "--op", id], env: env)
            #expect(shown.status == 0, "\(shown.stderr)")
            #expect(shown.stdout.contains("no longer works") && shown.stdout.contains("cannot be undone"), "\(shown.stdout)")
            let (records, bad) = try AuditLog.read(path: audit)
            #expect(bad == 0)
            let result = try #require(records.first { $0.type == "result" && $0.op == id })
            #expect(result.outcome == "done" && result.detail?.contains("old link") == true)
            // The record names the dead link masked, as everything else shows it.
            #expect(result.detail?.contains("\(old.prefix(4))…") == true && result.detail?.contains(old) == false, "\(result.detail ?? "")")
            // And a reset is not undone.
            let undo = try await runWamod(["undo", id, "--yes"] + f.gatewayArgs, env: env)
            #expect(undo.status != 0 && undo.stderr.contains("cannot be undone"), "\(undo.stdout)\(undo.stderr)")
            #expect(f.world.currentInviteCode(session: TinyFixture.alpha, group: team) == new)
        }
    }

    @Test("invite reset without --yes and without a terminal exits 2 and sends nothing; --dry-run sends nothing")
    func inviteResetRefused() async throws {
        try await withSim(.waha) { f in
            let old = f.world.currentInviteCode(session: TinyFixture.alpha, group: team)
            let r = try await runWamod(["invite", "reset", alpha, "Team Alpha"] + f.gatewayArgs, env: f.env)
            #expect(r.status == 2, "\(r.stdout)\(r.stderr)")
            #expect(r.stderr.contains("--yes"), "\(r.stderr)")
            #expect(Self.sent(f).isEmpty, "\(Self.sent(f))")

            let dry = try await runWamod(["invite", "reset", alpha, "Team Alpha", "--dry-run", "--json"] + f.gatewayArgs, env: f.env)
            #expect(dry.status == 0, "\(dry.stdout)\(dry.stderr)")
            #expect(Self.json(dry.stdout)["dryRun"] as? Bool == true)
            #expect(Self.results(dry.stdout).map { $0["outcome"] as? String } == ["will-act"])
            #expect(Self.sent(f).isEmpty)
            #expect(f.world.currentInviteCode(session: TinyFixture.alpha, group: team) == old)
            #expect(f.world.ledger().isEmpty)
        }
    }

    // MARK: Lock, unlock, settings

    @Test("lock --yes: settings shows it on; undo puts back exactly the values found before")
    func lockAndUndo() async throws {
        try await withSim(.waha) { f in
            let (env, audit) = Self.sharing(f)
            // Not the defaults: info already locked, adding open, approval on.
            f.world.setSettings(GroupSettings(announce: false, locked: true, adminsAdd: false, approval: true), session: TinyFixture.alpha, group: team)
            let earlier = try #require(f.world.settings(session: TinyFixture.alpha, group: team))

            let r = try await runWamod(["lock", alpha, "Team Alpha", "--yes", "--json"] + f.gatewayArgs, env: env)
            #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
            let id = try #require(Self.operation(r.stdout))
            #expect(f.world.settings(session: TinyFixture.alpha, group: team) == GroupSettings(announce: true, locked: true, adminsAdd: false, approval: true))
            let shown = try await runWamod(["settings", alpha, "Team Alpha"] + f.gatewayArgs, env: env)
            #expect(shown.status == 0, "\(shown.stderr)")
            let announceLine = shown.stdout.split(separator: "\n").first { $0.contains("announce") } ?? ""
            #expect(announceLine.hasSuffix("on"), "\(shown.stdout)")
            let asJSON = Self.json(try await runWamod(["settings", alpha, "Team Alpha", "--json"] + f.gatewayArgs, env: env).stdout)
            #expect(asJSON["announce"] as? Bool == true && asJSON["locked"] as? Bool == true)

            // The audit kept what was there before the lock.
            let (records, _) = try AuditLog.read(path: audit)
            let result = try #require(records.first { $0.type == "result" && $0.op == id })
            #expect(result.before == GroupSettings(announce: false, locked: true), "\(String(describing: result.before))")

            let undo = try await runWamod(["undo", id, "--yes"] + f.gatewayArgs, env: env)
            #expect(undo.status == 0, "\(undo.stdout)\(undo.stderr)")
            #expect(f.world.settings(session: TinyFixture.alpha, group: team) == earlier, "exactly what was there: info stays locked")
            let again = try AuditLog.read(path: audit).records
            #expect(again.contains { $0.type == "operation" && $0.action == "settings" && $0.undoes == id })
        }
    }

    @Test("lock of a group already locked says already and sends nothing")
    func lockAlready() async throws {
        try await withSim(.waha) { f in
            f.world.setSettings(GroupSettings(announce: true, locked: true), session: TinyFixture.alpha, group: team)
            let r = try await runWamod(["lock", alpha, "Team Alpha", "--yes", "--json"] + f.gatewayArgs, env: f.env)
            #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
            #expect(Self.results(r.stdout).map { $0["outcome"] as? String } == ["already"], "\(r.stdout)")
            #expect(Self.sent(f).isEmpty, "\(Self.sent(f))")
            #expect(f.world.ledger().isEmpty)
        }
    }

    @Test("lock where we are not admin is skipped with the reason, exit 1, nothing sent; unlock opens a locked group")
    func lockNotAdminAndUnlock() async throws {
        try await withSim(.waha) { f in
            let before = f.world.settings(session: TinyFixture.alpha, group: TinyFixture.readers)
            let r = try await runWamod(["lock", alpha, TinyFixture.readers.string, "--yes"] + f.gatewayArgs, env: f.env)
            #expect(r.status == 1, "\(r.stdout)\(r.stderr)")
            let row = r.stdout.split(separator: "\n").first { $0.hasPrefix("skipped") } ?? ""
            #expect(row.contains("not admin"), "\(r.stdout)")
            #expect(Self.sent(f).isEmpty)
            #expect(f.world.settings(session: TinyFixture.alpha, group: TinyFixture.readers) == before)

            f.world.setSettings(GroupSettings(announce: true, locked: true), session: TinyFixture.alpha, group: team)
            let open = try await runWamod(["unlock", alpha, "Team Alpha", "--yes"] + f.gatewayArgs, env: f.env)
            #expect(open.status == 0, "\(open.stdout)\(open.stderr)")
            let now = f.world.settings(session: TinyFixture.alpha, group: team)
            #expect(now?.announce == false && now?.locked == false)
            #expect(now?.approval == true, "without --all-settings, approval is left as it was")
        }
    }

    @Test("settings key=value sets those alone; a malformed value is refused with exit 2 before anything is sent")
    func settingsChange() async throws {
        try await withSim(.waha) { f in
            let bad = try await runWamod(["settings", alpha, "Team Alpha", "announce=maybe", "--yes"] + f.gatewayArgs, env: f.env)
            #expect(bad.status == 2, "\(bad.stdout)\(bad.stderr)")
            #expect(bad.stderr.contains("on or off"), "\(bad.stderr)")
            let unknown = try await runWamod(["settings", alpha, "Team Alpha", "everything=on", "--yes"] + f.gatewayArgs, env: f.env)
            #expect(unknown.status == 2 && unknown.stderr.contains("is not a setting"), "\(unknown.stderr)")
            #expect(f.world.arrivals().isEmpty, "refused before the gateway was asked anything")

            let before = try #require(f.world.settings(session: TinyFixture.alpha, group: team))
            let set = try await runWamod(["settings", alpha, "Team Alpha", "admins-add=on", "--yes"] + f.gatewayArgs, env: f.env)
            #expect(set.status == 0, "\(set.stdout)\(set.stderr)")
            var wanted = before
            wanted.adminsAdd = true
            #expect(f.world.settings(session: TinyFixture.alpha, group: team) == wanted)
        }
    }

    @Test("lock, unlock and settings on Wawp (which sets no settings) exit 2 naming the dialect; nothing is asked")
    func lockOnWawp() async throws {
        try await withSim(.wawp) { f in
            for args in [["lock", alpha, "Team Alpha"], ["unlock", alpha, "Team Alpha"], ["settings", alpha, "Team Alpha", "announce=on"]] {
                let r = try await runWamod(args + ["--yes"] + f.gatewayArgs, env: f.env)
                #expect(r.status == 2, "\(args[0]): \(r.stdout)\(r.stderr)")
                #expect(r.stderr.contains("wawp"), "\(args[0]): \(r.stderr)")
            }
            #expect(f.world.arrivals().isEmpty)
            #expect(f.world.ledger().isEmpty)
            // The link, which Wawp has, still resets (Wawp's token names the instance, which it labels by the account's name).
            let old = f.world.currentInviteCode(session: TinyFixture.alpha, group: team)
            let reset = try await runWamod(["invite", "reset", "Alpha Support", "Team Alpha", "--yes"] + f.gatewayArgs, env: f.env)
            #expect(reset.status == 0, "\(reset.stdout)\(reset.stderr)")
            #expect(f.world.currentInviteCode(session: TinyFixture.alpha, group: team) != old)
        }
    }

    // MARK: Join requests

    @Test("requests: list both, approve one by number, reject needs ids (never all), --all-pending is explicit")
    func requests() async throws {
        try await withSim(.waha) { f in
            let list = try await runWamod(["requests", "list", alpha, "Team Alpha"] + f.gatewayArgs, env: f.env)
            #expect(list.status == 0, "\(list.stdout)\(list.stderr)")
            #expect(list.stdout.contains("2 pending"), "\(list.stdout)")
            for r in TinyFixture.requesters { #expect(list.stdout.contains("+" + r.user), "\(list.stdout)") }

            let approve = try await runWamod(["requests", "approve", alpha, "Team Alpha", "+5511900000080", "--yes"] + f.gatewayArgs, env: f.env)
            #expect(approve.status == 0, "\(approve.stdout)\(approve.stderr)")
            #expect(f.members(team).contains { $0.matches(TinyFixture.requesters[0]) })
            #expect(f.members(team).count == TinyFixture.teamAlphaSize + 1)
            let left = f.world.pendingRequests(session: TinyFixture.alpha, group: team) ?? []
            #expect(left.count == 1 && left.first?.matches(TinyFixture.requesters[1]) == true)

            // No ids: refused, not taken to mean everyone.
            let none = try await runWamod(["requests", "reject", alpha, "Team Alpha", "--yes"] + f.gatewayArgs, env: f.env)
            #expect(none.status == 2, "\(none.stdout)\(none.stderr)")
            #expect(none.stderr.contains("--all-pending"), "\(none.stderr)")
            #expect(f.world.pendingRequests(session: TinyFixture.alpha, group: team)?.count == 1)
            // One no longer pending is skipped, not sent.
            let gone = try await runWamod(["requests", "reject", alpha, "Team Alpha", "+5511900000080", "--yes"] + f.gatewayArgs, env: f.env)
            #expect(gone.status == 1 && gone.stdout.contains("not pending"), "\(gone.stdout)\(gone.stderr)")
            #expect(f.members(team).contains { $0.matches(TinyFixture.requesters[0]) })

            let all = try await runWamod(["requests", "reject", alpha, "Team Alpha", "--all-pending", "--yes", "--json"] + f.gatewayArgs, env: f.env)
            #expect(all.status == 0, "\(all.stdout)\(all.stderr)")
            #expect(Self.results(all.stdout).map { $0["outcome"] as? String } == ["done"], "\(all.stdout)")
            #expect(f.world.pendingRequests(session: TinyFixture.alpha, group: team)?.isEmpty == true)
            #expect(!f.members(team).contains { $0.matches(TinyFixture.requesters[1]) }, "rejected, not let in")
            #expect(f.world.ledger().filter { $0.action == "reject" }.count == 1 && f.world.ledger().filter { $0.action == "approve" }.count == 1)
        }
    }

    @Test("requests on v1 (no join requests) exit 2 with the reason; nothing is asked")
    func requestsOnV1() async throws {
        try await withSim(.v1) { f in
            for args in [["requests", "list", alpha, "Team Alpha"], ["requests", "approve", alpha, "Team Alpha", "+5511900000080", "--yes"],
                         ["requests", "reject", alpha, "Team Alpha", "--all-pending", "--yes"]] {
                let r = try await runWamod(args + f.gatewayArgs, env: f.env)
                #expect(r.status == 2, "\(args[1]): \(r.stdout)\(r.stderr)")
                #expect(!r.stderr.isEmpty && r.stderr.lowercased().contains("request"), "\(args[1]): \(r.stderr)")
            }
            #expect(f.world.arrivals().isEmpty)
            #expect(f.world.pendingRequests(session: TinyFixture.alpha, group: team)?.count == 2)
        }
    }

    // MARK: The exit notice

    @Test("remove --notice: one message to the person, sent before the removal; the row and the audit say notice sent", arguments: [Dialect.waha, .v1])
    func removeWithNotice(_ d: Dialect) async throws {
        try await withSim(d) { f in
            let (env, audit) = Self.sharing(f)
            let carla = TinyFixture.plainMembers[0]
            let r = try await runWamod(["remove", alpha, "Team Alpha", carla.string, "--notice", "Hi {name}, you are removed from {group}",
                                        "--yes", "--json"] + f.gatewayArgs, env: env)
            #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
            let row = try #require(Self.results(r.stdout).first)
            #expect(row["outcome"] as? String == "done")
            #expect((row["reason"] as? String)?.contains("notice: sent") == true, "\(row)")
            #expect(!f.members(team).contains { $0.matches(carla) })

            let texts = f.world.messages(session: TinyFixture.alpha)
            #expect(texts.count == 1, "\(texts)")
            let text = try #require(texts.first)
            #expect(text.chat.user == carla.user && text.delivered)
            #expect(text.text.hasPrefix("Hi") && text.text.hasSuffix("you are removed from Team Alpha") && !text.text.contains("{"), "\(text.text)")
            // Where the dialect's rows carry names (v1), {name} is the person's.
            if d == .v1 { #expect(text.text == "Hi Carla Dias, you are removed from Team Alpha") }
            let ledger = f.world.ledger()
            let sent = try #require(ledger.first { $0.action == "send" })
            let removed = try #require(ledger.first { $0.action == "remove" })
            #expect(sent.seq < removed.seq, "the notice went before the removal")

            let id = try #require(Self.operation(r.stdout))
            let result = try #require(try AuditLog.read(path: audit).records.first { $0.type == "result" && $0.op == id })
            #expect(result.notice == "sent" && result.outcome == "done")
            let shown = try await runWamod(["audit", "--op", id], env: env)
            #expect(shown.stdout.contains("notice: sent"), "\(shown.stdout)")
        }
    }

    @Test("a notice that cannot be sent: --notice-required leaves the person in the group; without it the removal goes on")
    func noticeRequired() async throws {
        try await withSim(.waha) { f in
            let (env, audit) = Self.sharing(f)
            let carla = TinyFixture.plainMembers[0], davi = TinyFixture.plainMembers[1]
            // The next change asked for (the notice) is not carried out and its answer is cut short.
            f.world.updateFaults { $0.truncatedUnappliedNext = 1 }
            let r = try await runWamod(["remove", alpha, "Team Alpha", carla.string, "--notice", "Bye {name}", "--notice-required",
                                        "--yes", "--json"] + f.gatewayArgs, env: env)
            #expect(r.status == 1, "\(r.stdout)\(r.stderr)")
            let row = try #require(Self.results(r.stdout).first)
            #expect(row["outcome"] as? String == "not-attempted", "\(row)")
            #expect(f.members(team).contains { $0.matches(carla) }, "still in the group")
            #expect(f.world.messages(session: TinyFixture.alpha).isEmpty)
            #expect(!f.world.arrivals().contains { $0.method == "POST" && $0.path.hasSuffix("/participants/remove") }, "the removal was never asked for")
            let id = try #require(Self.operation(r.stdout))
            let result = try #require(try AuditLog.read(path: audit).records.first { $0.type == "result" && $0.op == id })
            #expect(result.outcome == "not-attempted" && result.notice?.contains("not sent again") == true, "\(String(describing: result.notice))")

            // The same failure without --notice-required: the notice's fate is recorded and the removal still goes.
            f.world.updateFaults { $0.truncatedUnappliedNext = 1 }
            let on = try await runWamod(["remove", alpha, "Team Alpha", davi.string, "--notice", "Bye {name}", "--yes", "--json"] + f.gatewayArgs, env: env)
            #expect(on.status == 0, "\(on.stdout)\(on.stderr)")
            let onRow = try #require(Self.results(on.stdout).first)
            #expect(onRow["outcome"] as? String == "done" && (onRow["reason"] as? String)?.contains("notice: unknown") == true, "\(onRow)")
            #expect(!f.members(team).contains { $0.matches(davi) })
            #expect(f.world.messages(session: TinyFixture.alpha).isEmpty, "the cut-short notice is not sent again")
        }
    }

    // MARK: Leave

    @Test("leaving a group where we are admin keeps its invite link in the audit result (a way back)")
    func leaveKeepsLink() async throws {
        try await withSim(.waha) { f in
            let (env, audit) = Self.sharing(f)
            let code = try #require(f.world.currentInviteCode(session: TinyFixture.alpha, group: team))
            let r = try await runWamod(["leave", alpha, "Team Alpha", "--yes", "--json"] + f.gatewayArgs, env: env)
            #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
            #expect(!f.members(team).contains { $0.matches(TinyFixture.alphaAccount) })
            let id = try #require(Self.operation(r.stdout))
            let result = try #require(try AuditLog.read(path: audit).records.first { $0.type == "result" && $0.op == id })
            #expect(result.outcome == "done")
            #expect(result.inviteLink == "https://chat.whatsapp.com/\(code)", "\(String(describing: result.inviteLink))")
            let table = try await runWamod(["leave", alpha, TinyFixture.readers.string, "--yes"] + f.gatewayArgs, env: env)
            // Readers: we are a plain member, the link cannot be read; the leave goes on without it.
            #expect(table.status == 0, "\(table.stdout)\(table.stderr)")
            let readersResult = try AuditLog.read(path: audit).records.last { $0.type == "result" && $0.target == TinyFixture.readers.string }
            #expect(readersResult?.outcome == "done" && readersResult?.inviteLink == nil)
        }
    }
}
