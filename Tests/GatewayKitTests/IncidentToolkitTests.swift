import Foundation
import Testing
@testable import GatewayKit

@Suite("the incident toolkit's pure parts: settings, links, notices, friction, undo of a lock")
struct IncidentToolkitTests {
    let g1 = try! JID.group("120363000000000001@g.us")
    let g2 = try! JID.group("120363000000000002@g.us")

    @Test("settings: a change holds when every setting it names is so; unknown never satisfies")
    func settings() {
        let now = GroupSettings(announce: true, locked: false)
        #expect(now.satisfies(GroupSettings(announce: true)))
        #expect(!now.satisfies(GroupSettings(announce: true, locked: true)))
        #expect(!now.satisfies(GroupSettings(approval: false)), "a setting not read is not taken to hold")
        #expect(now.satisfies(GroupSettings()), "an empty change needs nothing")
        var c = GroupSettings()
        c[.adminsAdd] = true
        #expect(c.known.map(\.setting) == [.adminsAdd] && c.adminsAdd == true)
        #expect(SettingsText.change(GroupSettings(announce: true, locked: false)) == "only admins send: on, only admins edit info: off")
        #expect(SettingsText.brief(GroupSettings(announce: true, locked: false, approval: true)) == "msg: admins, info: all, approval: on")
        #expect(GroupSetting.adminsAdd.key == "admins-add")
    }

    @Test("invite links: a bare code or a link ending in it; anything else is refused; shown masked")
    func links() throws {
        #expect(InviteLink(parsing: "https://chat.whatsapp.com/AbCdEf123456")?.code == "AbCdEf123456")
        #expect(InviteLink(parsing: "  AbCdEf123456\n")?.code == "AbCdEf123456")
        #expect(InviteLink(parsing: "https://chat.whatsapp.com/AbCd?ref=x")?.code == "AbCd")
        #expect(InviteLink(parsing: "") == nil)
        #expect(InviteLink(parsing: "\u{1B}]0;pwn\u{07}") == nil, "a code with controls is not a code")
        #expect(InviteLink(parsing: String(repeating: "a", count: 200)) == nil)
        let l = try #require(InviteLink(parsing: "AbCdEf123456"))
        #expect(l.masked == "https://chat.whatsapp.com/AbCd…" && !l.masked.contains("Ef123456"))
        #expect(l.url == "https://chat.whatsapp.com/AbCdEf123456")
    }

    @Test("a notice fills in the person's name and the group's subject")
    func notice() {
        let n = Notice(text: "Hi {name}, you are leaving {group}.")
        #expect(n.text(name: "Ana", group: "Vendas") == "Hi Ana, you are leaving Vendas.")
        #expect(n.text(name: nil, group: "Vendas") == "Hi, you are leaving Vendas.")
    }

    @Test("friction: a link reset or a lock is y/N below five groups, typed from five; a leave stays typed")
    func friction() {
        #expect(Friction.required(.inviteReset, targets: 3, subjects: ["A", "B", "C"]) == .yesNo)
        #expect(Friction.required(.inviteReset, targets: 5, subjects: ["A", "B", "C", "D", "E"]) == .count(5))
        #expect(Friction.required(.lock, targets: 1, subjects: ["A"]) == .yesNo)
        #expect(Friction.required(.approve, targets: 2, subjects: ["A"]) == .yesNo)
        #expect(Friction.required(.reject, targets: 6, subjects: ["A"]) == .count(6))
        #expect(Friction.required(.leave, targets: 2, subjects: ["A", "B"]) == .count(2))
    }

    @Test("kinds: what each acts on, and which have an undo")
    func kinds() throws {
        #expect(OperationKind.inviteReset.targetsGroups && OperationKind.lock.targetsGroups && OperationKind.settings.changesSettings)
        #expect(!OperationKind.approve.targetsGroups && OperationKind.approve.targetsRequests)
        #expect(try OperationKind.lock.inverse.get() == .settings)
        #expect(try OperationKind.unlock.inverse.get() == .settings)
        for k in [OperationKind.inviteReset, .approve, .reject] {
            #expect(throws: GatewayError.self) { try k.inverse.get() }
        }
        #expect(OperationKind(rawValue: "invite-reset") == .inviteReset)
    }

    @Test("capabilities: each new kind is offered only where the dialect has it, with the reason otherwise")
    func capabilities() {
        let none = Capabilities(batching: false, perRowResults: false, idempotentRemove: false, listsSessions: true)
        #expect(!none.offers(.inviteReset) && !none.offers(.lock) && !none.offers(.approve))
        #expect(none.missing(.lock, dialect: .wawp)?.contains("wawp") == true)
        let some = Capabilities(batching: false, perRowResults: false, idempotentRemove: false, listsSessions: true,
                                inviteLinks: true, readsSettings: [.announce], setsSettings: [.announce])
        #expect(some.offers(.inviteReset) && some.offers(.lock) && some.offers(.unlock) && !some.offers(.reject))
    }

    func record(_ type: String, op: String, _ build: (inout AuditRecord) -> Void) -> AuditRecord {
        var r = AuditRecord(type: type, op: op, time: "2026-12-02T05:00:00.000Z")
        build(&r)
        return r
    }

    @Test("undoing a lock puts back each group's own settings from before; a group never changed is left")
    func undoLock() throws {
        let records = [
            record("operation", op: "L1") { $0.action = "lock"; $0.session = "s1"; $0.targets = [g1.string, g2.string]; $0.settings = GroupSettings(announce: true, locked: true) },
            record("result", op: "L1") { $0.session = "s1"; $0.group = g1.string; $0.target = g1.string; $0.outcome = "done"; $0.before = GroupSettings(announce: false, locked: true) },
            record("result", op: "L1") { $0.session = "s1"; $0.group = g2.string; $0.target = g2.string; $0.outcome = "already"; $0.before = GroupSettings(announce: true, locked: true) },
        ]
        let plan = try Undo.plan("L1", records: records)
        #expect(plan.kind == .settings)
        #expect(plan.steps.count == 1)
        #expect(plan.steps.first?.group == g1)
        #expect(plan.steps.first?.settings == GroupSettings(announce: false, locked: true))
    }

    @Test("a lock whose settings were never read cannot be undone, and says why")
    func undoUnread() {
        let records = [
            record("operation", op: "L2") { $0.action = "lock"; $0.session = "s1"; $0.targets = [g1.string] },
            record("result", op: "L2") { $0.session = "s1"; $0.group = g1.string; $0.target = g1.string; $0.outcome = "done" },
        ]
        #expect(throws: GatewayError.self) { try Undo.plan("L2", records: records) }
    }

    @Test("audit records keep a result's settings before, a leave's way back and a notice's fate; old lines read")
    func auditFields() throws {
        var t = TargetResult(target: g1, outcome: .done)
        t.before = GroupSettings(announce: false)
        t.inviteLink = "https://chat.whatsapp.com/AbCd1234"
        t.notice = "sent"
        let r = AuditRecord.result(id: "X", t, session: "s1", group: g1)
        let data = try JSONEncoder().encode(r)
        let back = try JSONDecoder().decode(AuditRecord.self, from: data)
        #expect(back.before == GroupSettings(announce: false) && back.inviteLink == t.inviteLink && back.notice == "sent")
        let old = #"{"type":"result","op":"X","time":"2026-01-01T00:00:00.000Z","target":"1@s.whatsapp.net","outcome":"done"}"#
        let read = try JSONDecoder().decode(AuditRecord.self, from: Data(old.utf8))
        #expect(read.before == nil && read.notice == nil)
        var reset = TargetResult(target: g1, outcome: .done)
        reset.note = "the old link no longer works; a reset cannot be undone"
        #expect(AuditRecord.result(id: "Y", reset).detail == reset.note)
    }

    @Test("a plan's step keeps its settings through the journal's encoding; an old step reads without them")
    func stepSettings() throws {
        let st = OperationStep(session: "s1", group: g1, target: g1, settings: GroupSettings(locked: true))
        let back = try JSONDecoder().decode(OperationStep.self, from: JSONEncoder().encode(st))
        #expect(back == st)
        let old = #"{"session":"s1","group":"\#(g1.string)","target":"\#(g1.string)"}"#
        #expect(try JSONDecoder().decode(OperationStep.self, from: Data(old.utf8)).settings == nil)
    }
}
