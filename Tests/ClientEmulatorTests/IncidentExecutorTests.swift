import Foundation
import GatewayKit
import TestSupport
import GatewaySim
import Testing

/// The incident toolkit end to end: plans run through the OperationRunner (audit log and
/// journal in a temporary directory) against the emulator in each dialect, then the World, the
/// ledger and the audit file are read back.
@Suite("incident operations through the runner, against the emulator", .serialized)
struct IncidentExecutorTests {
    let alpha = TinyFixture.alpha
    let team = TinyFixture.teamAlpha, ours = TinyFixture.ours
    let carla = TinyFixture.plainMembers[0], davi = TinyFixture.plainMembers[1]
    static let setters = Admin.dialects.filter { !$0.capabilities.setsSettings.isEmpty }

    struct Run {
        let audit: AuditLog
        let journal: Journal
        let context: AuditContext
        let runner: OperationRunner

        init(_ gateway: any Gateway) {
            let (audit, journal, ctx) = AuditedRunTests.setup()
            self.audit = audit; self.journal = journal; self.context = ctx
            runner = OperationRunner(gateway: gateway, pacers: PacerPool(ratePerMinute: 6000), retry: RetryPolicy(random: { 0 }),
                                     audit: audit, journal: journal, context: ctx)
        }

        func plan(_ kind: OperationKind, _ steps: [OperationStep], undoes: String? = nil) -> OperationPlan {
            OperationPlan(action: kind, steps: steps, reason: "incident", undoes: undoes, context: context)
        }

        func run(_ plan: OperationPlan) async throws -> [Int: TargetResult] {
            await runner.run(plan, entry: try runner.begin(plan))
        }

        func records() throws -> [AuditRecord] { try AuditLog.read(path: audit.path).records }

        /// The undo of operation `id` as the audit log gives it. The audit masks every secret
        /// the process holds, and the fixture's session id is also the Wawp tests' instance id
        /// (a secret): once a Wawp gateway was made in this process, the steps name the session
        /// `***`, and are given it back here.
        func undo(_ id: String, session: String) throws -> Undo.Plan {
            var undo = try Undo.plan(id, records: try records())
            for i in undo.steps.indices {
                #expect(undo.steps[i].session == session || (undo.steps[i].session == Secrets.shown && Secrets.mask(session) == Secrets.shown))
                undo.steps[i].session = session
            }
            return undo
        }

        /// The result records of operation `id`, by target.
        func results(_ id: String) throws -> [String: AuditRecord] {
            Dictionary(try records().filter { $0.op == id && $0.type == "result" }.map { ($0.target ?? "", $0) }, uniquingKeysWith: { _, b in b })
        }
    }

    func groupStep(_ g: JID, _ settings: GroupSettings? = nil) -> OperationStep {
        OperationStep(session: alpha, group: g, target: g, settings: settings)
    }

    // MARK: Lock and its undo

    @Test("a lock records each group's settings before; the undo from the audit puts back exactly those", arguments: setters)
    func lockAndUndo(_ d: Dialect) async throws {
        try await Admin.with(d) { h in
            let run = Run(h.gateway)
            // Ours already has its info locked: its undo must leave that on.
            h.world.setSettings(GroupSettings(locked: true), session: alpha, group: ours)
            let startTeam = try #require(h.world.settings(session: alpha, group: team))
            let startOurs = try #require(h.world.settings(session: alpha, group: ours))
            let lock = GroupSettings(announce: true, locked: true)
            let plan = run.plan(.lock, [groupStep(team, lock), groupStep(ours, lock)])
            let results = try await run.run(plan)
            #expect(results.values.map(\.outcome) == [.done, .done], "\(results)")
            for g in [team, ours] {
                #expect(h.world.settings(session: alpha, group: g)?.satisfies(lock) == true, "\(d): \(g) locked")
            }
            #expect(Admin.changes(h, "settings").count == 3, "team: announce and locked; ours: announce only")

            let recorded = try run.results(plan.id)
            #expect(recorded[team.string]?.before == GroupSettings(announce: false, locked: false))
            #expect(recorded[ours.string]?.before == GroupSettings(announce: false, locked: true))
            #expect(recorded.values.allSatisfy { $0.outcome == "done" })
            #expect(run.journal.pending().isEmpty)

            let undo = try run.undo(plan.id, session: alpha)
            #expect(undo.kind == .settings)
            #expect(Set(undo.steps.map(\.group)) == [team, ours])
            #expect(undo.steps.first { $0.group == team }?.settings == GroupSettings(announce: false, locked: false))
            #expect(undo.steps.first { $0.group == ours }?.settings == GroupSettings(announce: false, locked: true))

            let back = run.plan(undo.kind, undo.steps, undoes: plan.id)
            let undone = try await run.run(back)
            #expect(undone.values.allSatisfy { $0.outcome == .done }, "\(undone.mapValues(\.outcome))")
            // Exactly as before the lock, the settings the lock did not name included.
            #expect(h.world.settings(session: alpha, group: team) == startTeam)
            #expect(h.world.settings(session: alpha, group: ours) == startOurs)
            #expect(run.journal.pending().isEmpty)
        }
    }

    @Test("a lock of a group already locked is recorded already and not sent; its undo finds nothing to put back", arguments: setters)
    func alreadyLocked(_ d: Dialect) async throws {
        try await Admin.with(d) { h in
            let run = Run(h.gateway)
            h.world.setSettings(GroupSettings(announce: true, locked: true), session: alpha, group: team)
            let plan = run.plan(.lock, [groupStep(team, GroupSettings(announce: true, locked: true))])
            let results = try await run.run(plan)
            #expect(results[0]?.outcome.kind == "already", "\(results)")
            #expect(Admin.mutations(h) == 0, "nothing but reads reached the gateway")
            #expect(Admin.changes(h, "settings").isEmpty)
            let recorded = try run.results(plan.id)
            #expect(recorded[team.string]?.outcome == "already")
            #expect(recorded[team.string]?.before == GroupSettings(announce: true, locked: true))
            #expect(throws: GatewayError.self) { try Undo.plan(plan.id, records: try run.records()) }
        }
    }

    @Test("WAHA: a lock of all four settings and its undo, each group back to exactly what it had")
    func lockAllAndUndo() async throws {
        try await Admin.with(.waha) { h in
            let run = Run(h.gateway)
            // Team Alpha: approval on (the fixture); Ours: everyone may add members.
            h.world.setSettings(GroupSettings(adminsAdd: false), session: alpha, group: ours)
            let start = [team: try #require(h.world.settings(session: alpha, group: team)),
                         ours: try #require(h.world.settings(session: alpha, group: ours))]
            let all = GroupSettings(announce: true, locked: true, adminsAdd: true, approval: true)
            let plan = run.plan(.lock, [groupStep(team, all), groupStep(ours, all)])
            let results = try await run.run(plan)
            #expect(results.values.allSatisfy { $0.outcome == .done }, "\(results)")
            for g in [team, ours] { #expect(h.world.settings(session: alpha, group: g) == all) }
            let recorded = try run.results(plan.id)
            for g in [team, ours] { #expect(recorded[g.string]?.before == start[g], "\(g)") }

            let undo = try run.undo(plan.id, session: alpha)
            let undone = try await run.run(run.plan(undo.kind, undo.steps, undoes: plan.id))
            #expect(undone.values.allSatisfy { $0.outcome == .done }, "\(undone.mapValues(\.outcome))")
            for g in [team, ours] { #expect(h.world.settings(session: alpha, group: g) == start[g], "\(g)") }
        }
    }

    @Test("a lock over several groups: a group where we are not admin is refused alone, the next group is still locked", arguments: setters)
    func notAdminOfOneGroup(_ d: Dialect) async throws {
        try await Admin.with(d) { h in
            let run = Run(h.gateway)
            let lock = GroupSettings(announce: true, locked: true)
            let plan = run.plan(.lock, [groupStep(TinyFixture.readers, lock), groupStep(team, lock)])
            let results = try await run.run(plan)
            #expect(Admin.failedWith(try #require(results[0]).outcome, Admin.isForbidden), "\(d): \(results)")
            #expect(results[1]?.outcome == .done, "\(d): \(results)")
            #expect(h.world.settings(session: alpha, group: team)?.satisfies(lock) == true)
            #expect(h.world.settings(session: alpha, group: TinyFixture.readers)?.announce == false)
        }
    }

    @Test("a reset over several groups: a group where we are not admin is refused alone, the next group's link is still reset", arguments: Admin.dialects)
    func resetNotAdminOfOneGroup(_ d: Dialect) async throws {
        try await Admin.with(d) { h in
            let run = Run(h.gateway)
            let old = h.world.currentInviteCode(session: alpha, group: team)
            let plan = run.plan(.inviteReset, [groupStep(TinyFixture.readers), groupStep(team)])
            let results = try await run.run(plan)
            #expect(Admin.failedWith(try #require(results[0]).outcome, Admin.isForbidden), "\(d): \(results)")
            #expect(results[1]?.outcome == .done, "\(d): \(results)")
            #expect(h.world.currentInviteCode(session: alpha, group: team) != old)
            #expect(Admin.changes(h, "invite-reset").map(\.target) == [team.string])
        }
    }

    @Test("a lock whose answer is lost is settled by reading the settings again: done, each setting changed once", arguments: setters)
    func lockLostAnswer(_ d: Dialect) async throws {
        try await Admin.with(d) { h in
            let run = Run(h.gateway)
            h.world.updateFaults { $0.lostAnswerNext = 1 }
            let lock = GroupSettings(announce: true, locked: true)
            let plan = run.plan(.lock, [groupStep(team, lock)])
            let results = try await run.run(plan)
            #expect(results[0]?.outcome == .done, "\(d): \(results)")
            #expect(h.world.faults.lostAnswerNext == 0)
            #expect(h.world.settings(session: alpha, group: team)?.satisfies(lock) == true)
            #expect(Admin.changes(h, "settings").map(\.detail) == ["announce=on", "locked=on"])
            #expect(try run.results(plan.id)[team.string]?.before == GroupSettings(announce: false, locked: false))
        }
    }

    @Test("a notice whose answer is lost is not sent again; the removal still goes (the notice is not required)", arguments: Admin.dialects)
    func lostNotice(_ d: Dialect) async throws {
        try await Admin.with(d) { h in
            let run = Run(h.gateway)
            h.world.updateFaults { $0.lostAnswerNext = 1 }
            var plan = run.plan(.remove, [OperationStep(session: alpha, group: team, target: carla)])
            plan.notice = Notice(text: "You are removed: spam.")
            let results = try await run.run(plan)
            #expect(results[0]?.outcome == .done, "\(d): \(results)")
            #expect(h.world.messages(session: alpha, chat: carla).map(\.text) == ["You are removed: spam."], "delivered once")
            #expect(!h.isMember(carla, of: team))
            let notice = try run.results(plan.id)[carla.string]?.notice
            #expect(notice?.hasPrefix("unknown") == true && notice?.contains("not sent again") == true, "\(String(describing: notice))")
        }
    }

    // MARK: Join requests

    @Test("WAHA: approve and reject through the runner: one member, one dropped, one no longer pending refused; each audited")
    func answerRequests() async throws {
        try await Admin.with(.waha) { h in
            let run = Run(h.gateway)
            let (gabriel, helena) = (TinyFixture.requesters[0], TinyFixture.requesters[1])
            let approve = run.plan(.approve, [gabriel, TinyFixture.outsider].map { OperationStep(session: alpha, group: team, target: $0) })
            let approved = try await run.run(approve)
            #expect(approved[0]?.outcome == .done, "\(approved)")
            #expect(approved[1]?.outcome.kind == "refused", "\(approved)")
            #expect(h.isMember(gabriel, of: team) && !h.isMember(TinyFixture.outsider, of: team))
            #expect(Admin.changes(h, "approve").count == 1)

            let reject = run.plan(.reject, [helena, gabriel].map { OperationStep(session: alpha, group: team, target: $0) })
            let rejected = try await run.run(reject)
            #expect(rejected[0]?.outcome == .done, "\(rejected)")
            // Gabriel is a member now: a rejection cannot drop him.
            #expect(rejected[1]?.outcome.kind == "refused", "\(rejected)")
            #expect(!h.isMember(helena, of: team) && h.isMember(gabriel, of: team))
            #expect(h.world.pendingRequests(session: alpha, group: team)?.isEmpty == true)
            #expect(Admin.changes(h, "reject").map(\.target) == [helena.string])
            #expect(try run.results(approve.id).mapValues { $0.outcome ?? "" } == [gabriel.string: "done", TinyFixture.outsider.string: "refused"])
            #expect(try run.results(reject.id).mapValues { $0.outcome ?? "" } == [helena.string: "done", gabriel.string: "refused"])
            #expect(run.journal.pending().isEmpty)
        }
    }

    // MARK: Invite reset

    @Test("an invite reset whose answer is lost is settled by reading the link again: done, sent once", arguments: Admin.dialects)
    func resetLostAnswer(_ d: Dialect) async throws {
        try await Admin.with(d) { h in
            let run = Run(h.gateway)
            let old = try #require(h.world.currentInviteCode(session: alpha, group: team))
            h.world.updateFaults { $0.lostAnswerNext = 1 }
            let plan = run.plan(.inviteReset, [groupStep(team)])
            let results = try await run.run(plan)
            #expect(results[0]?.outcome == .done, "\(results)")
            #expect(h.world.faults.lostAnswerNext == 0, "the reset's answer was the one lost")
            #expect(Admin.changes(h, "invite-reset").count == 1, "sent once")
            #expect(h.world.currentInviteCode(session: alpha, group: team) != old)
            #expect(throws: JoinByCodeRefusal.invalidCode) { try h.world.join(code: old, as: TinyFixture.outsider) }
            let recorded = try run.results(plan.id)
            #expect(recorded[team.string]?.outcome == "done")
            #expect(recorded[team.string]?.detail?.contains("no longer works") == true)
            // The code is a secret: the audit names it masked at most.
            #expect(recorded[team.string]?.detail?.contains(old) == false)
            #expect(run.journal.pending().isEmpty)
        }
    }

    // MARK: Removal with an exit notice

    func noticePlan(_ run: Run, required: Bool = false) -> OperationPlan {
        var plan = run.plan(.remove, [carla, davi].map { OperationStep(session: alpha, group: team, target: $0) })
        plan.notice = Notice(text: "Hi {name}, you are removed from {group}: spam.", required: required)
        plan.labels = OperationLabels(targets: [carla.string: "Carla Dias"], groups: [team.string: "Team Alpha"])
        return plan
    }

    /// Each person got exactly the one notice meant for them, before their removal (the
    /// ledger's order), and is gone.
    func expectNoticedThenRemoved(_ h: Harness, _ d: Dialect) {
        let texts = [carla: "Hi Carla Dias, you are removed from Team Alpha: spam.", davi: "Hi, you are removed from Team Alpha: spam."]
        let ledger = h.world.ledger()
        for (who, text) in texts {
            #expect(h.world.messages(session: alpha, chat: who).map(\.text) == [text], "\(d): \(who)")
            #expect(!h.isMember(who, of: team), "\(d): \(who)")
            let sent = ledger.filter { $0.action == "send" && JID.lenient($0.target) == who }
            let removed = ledger.filter { $0.action == "remove" && JID.lenient($0.target) == who }
            #expect(sent.count == 1 && removed.count == 1, "\(d): \(who)")
            if let s = sent.first, let r = removed.first { #expect(s.seq < r.seq, "\(d): \(who)'s notice went before the removal") }
        }
        #expect(h.world.messages().count == 2)
    }

    @Test("a removal with a notice: one message per person, each before the removal; the audit says it was sent", arguments: Admin.dialects)
    func removeWithNotice(_ d: Dialect) async throws {
        try await Admin.with(d) { h in
            let run = Run(h.gateway)
            let plan = noticePlan(run)
            let results = try await run.run(plan)
            #expect(results.values.allSatisfy { $0.outcome == .done }, "\(results)")
            expectNoticedThenRemoved(h, d)
            #expect(Admin.mutations(h) == 4, "two notices, two removals")
            let recorded = try run.results(plan.id)
            for who in [carla, davi] { #expect(recorded[who.string]?.outcome == "done" && recorded[who.string]?.notice == "sent", "\(d): \(who)") }
            #expect(try run.records().first { $0.op == plan.id && $0.type == "operation" }?.notice == plan.notice?.text)
        }
    }

    @Test("the removal's answer is lost after the notice: read again, done, the notice not sent again", arguments: Admin.dialects)
    func noticeThenLostRemoval(_ d: Dialect) async throws {
        try await Admin.with(d) { h in
            let world = h.world
            // Each removal's answer is lost: the fault is laid just after its notice went.
            let run = Run(AfterText(inner: h.gateway) { world.updateFaults { $0.lostAnswerNext = 1 } })
            let plan = noticePlan(run)
            let results = try await run.run(plan)
            #expect(results.values.allSatisfy { $0.outcome == .done }, "\(results)")
            #expect(h.world.faults.lostAnswerNext == 0)
            expectNoticedThenRemoved(h, d)
            #expect(Admin.mutations(h) == 4, "two notices, two removals: none sent again")
            #expect(try run.results(plan.id).values.allSatisfy { $0.outcome == "done" && $0.notice == "sent" })
        }
    }

    @Test("the removal's connection drops before the gateway acts: sent again after a read, the notice still once", arguments: Admin.dialects)
    func noticeThenDroppedRemoval(_ d: Dialect) async throws {
        try await Admin.with(d) { h in
            let world = h.world
            let run = Run(AfterText(inner: h.gateway) { world.updateFaults { $0.dropNext = 1 } })
            let plan = noticePlan(run)
            let results = try await run.run(plan)
            #expect(results.values.allSatisfy { $0.outcome == .done }, "\(results)")
            #expect(h.world.faults.dropNext == 0)
            expectNoticedThenRemoved(h, d)
            #expect(Admin.mutations(h) == 6, "per person: the notice, the dropped removal, the removal again")
        }
    }

    @Test("a required notice that cannot be sent: the person stays, recorded not attempted", arguments: Admin.dialects)
    func requiredNoticeFails(_ d: Dialect) async throws {
        try await Admin.with(d) { h in
            let run = Run(h.gateway)
            // Every request that is not a read fails with a 500: the notices (and any removal).
            h.world.updateFaults { $0.serverErrorRate = 1; $0.ratesOnMutationsOnly = true }
            let plan = noticePlan(run, required: true)
            let results = try await run.run(plan)
            #expect(results.values.allSatisfy { $0.outcome.kind == "not-attempted" }, "\(results)")
            for who in [carla, davi] { #expect(h.isMember(who, of: team), "\(d): \(who)") }
            #expect(Admin.changes(h, "remove").isEmpty)
            #expect(h.world.messages().isEmpty)
            #expect(Admin.mutations(h) == 2, "the two notices, and no removal")
            let recorded = try run.results(plan.id)
            for who in [carla, davi] {
                #expect(recorded[who.string]?.outcome == "not-attempted", "\(d): \(who)")
                #expect(recorded[who.string]?.notice?.contains("not sent again") == true, "\(d): \(String(describing: recorded[who.string]?.notice))")
            }
        }
    }

    @Test("a required notice refused (the session offline): nobody removed, recorded not attempted", arguments: [Dialect.v1])
    func requiredNoticeOffline(_ d: Dialect) async throws {
        try await Admin.with(d) { h in
            let run = Run(h.gateway)
            h.world.setConnected(false, session: alpha)
            let plan = noticePlan(run, required: true)
            let results = try await run.run(plan)
            #expect(results.values.allSatisfy { $0.outcome.kind == "not-attempted" }, "\(results)")
            for who in [carla, davi] { #expect(h.isMember(who, of: team)) }
            #expect(h.world.messages().isEmpty && Admin.changes(h, "remove").isEmpty)
            #expect(try run.results(plan.id).values.allSatisfy { $0.outcome == "not-attempted" && $0.notice?.hasPrefix("not sent") == true })
        }
    }

    // MARK: Leave

    @Test("a leave where we are admin keeps the invite link in the audit; where we are a member there is none", arguments: Admin.dialects)
    func leaveKeepsLink(_ d: Dialect) async throws {
        try await Admin.with(d) { h in
            let run = Run(h.gateway)
            let code = try #require(h.world.currentInviteCode(session: alpha, group: team))
            let plan = run.plan(.leave, [groupStep(team), groupStep(TinyFixture.readers)])
            let results = try await run.run(plan)
            #expect(results.values.allSatisfy { $0.outcome == .done }, "\(results)")
            #expect(!h.isMember(TinyFixture.alphaAccount, of: team))
            #expect(!h.isMember(TinyFixture.alphaAccount, of: TinyFixture.readers))
            #expect(results[0]?.inviteLink == "https://chat.whatsapp.com/\(code)")
            let recorded = try run.results(plan.id)
            #expect(recorded[team.string]?.inviteLink == "https://chat.whatsapp.com/\(code)")
            #expect(recorded[TinyFixture.readers.string]?.inviteLink == nil)
            #expect(Admin.changes(h, "invite-reset").isEmpty)
            #expect(run.journal.pending().isEmpty)
        }
    }
}

/// The emulator's gateway, with a step of the test's own just after each text is answered
/// (to lay a fault on the removal that follows its notice). Every call goes over HTTP.
struct AfterText: Gateway {
    let inner: any Gateway
    let after: @Sendable () -> Void

    var dialect: Dialect { inner.dialect }
    var capabilities: Capabilities { inner.capabilities }
    func sessions() async throws(GatewayError) -> [Session] { try await inner.sessions() }
    func groups(session: String) async throws(GatewayError) -> [Group] { try await inner.groups(session: session) }
    func participants(session: String, group: JID) async throws(GatewayError) -> [Participant] {
        try await inner.participants(session: session, group: group)
    }
    func apply(_ action: MemberAction, session: String, group: JID, target: JID) async throws(GatewayError) -> TargetResult {
        try await inner.apply(action, session: session, group: group, target: target)
    }
    func leave(session: String, group: JID) async throws(GatewayError) -> TargetResult { try await inner.leave(session: session, group: group) }
    func inviteLink(session: String, group: JID) async throws(GatewayError) -> InviteLink { try await inner.inviteLink(session: session, group: group) }
    func resetInviteLink(session: String, group: JID) async throws(GatewayError) -> TargetResult {
        try await inner.resetInviteLink(session: session, group: group)
    }
    func settings(session: String, group: JID) async throws(GatewayError) -> GroupSettings { try await inner.settings(session: session, group: group) }
    func setSettings(_ change: GroupSettings, session: String, group: JID) async throws(GatewayError) -> TargetResult {
        try await inner.setSettings(change, session: session, group: group)
    }
    func joinRequests(session: String, group: JID) async throws(GatewayError) -> [JoinRequest] {
        try await inner.joinRequests(session: session, group: group)
    }
    func answerJoinRequest(approve: Bool, session: String, group: JID, requester: JID) async throws(GatewayError) -> TargetResult {
        try await inner.answerJoinRequest(approve: approve, session: session, group: group, requester: requester)
    }
    func sendText(session: String, to chat: JID, text: String) async throws(GatewayError) -> TargetResult {
        let r = try await inner.sendText(session: session, to: chat, text: text)
        after()
        return r
    }
}
