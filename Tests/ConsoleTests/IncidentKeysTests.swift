import Foundation
import GatewayKit
@testable import Console

import Testing

/// The incident toolkit's keys in the console: I, K, O on groups, u putting a lock back, i
/// with the link masked until v, and the settings badges.
@Suite("console: reset, lock, unlock, group details")
struct IncidentKeysTests {
    static let caps = Capabilities(batching: false, perRowResults: true, idempotentRemove: true, listsSessions: true,
                                   inviteLinks: true, readsSettings: Set(GroupSetting.allCases), setsSettings: Set(GroupSetting.allCases),
                                   joinRequests: true, sendsText: true)

    static func onGroups() -> ConsoleState {
        var s = Fixtures.loaded(width: 120, height: 40)
        s.focus = .groups
        s.capabilities = caps
        s.dialect = .waha
        return s
    }

    @Test("K reads the group again, says what will be set, confirms y/N, and runs the lock with the wanted settings")
    func lock() throws {
        var s = Self.onGroups()
        let effects = Fixtures.press(&s, .char("K"))
        let wanted = GroupSettings(announce: true, locked: true)
        #expect(effects == [.groupsPreflight(.lock, session: Fixtures.support, groups: [Fixtures.alpha.jid],
                                             known: [Fixtures.alpha, Fixtures.vip, Fixtures.cjk, Fixtures.rtl], wanted: [Fixtures.alpha.jid: wanted])])
        var read = Fixtures.alpha
        read.settings = GroupSettings(announce: false, locked: true, adminsAdd: false, approval: true)
        _ = Reducer().reduce(&s, .leavePreflightLoaded(session: "S1", .success([LeaveRow(group: read, verdict: .willAct)])))
        #expect(s.dialog?.confirmation?.expected == nil, "a lock of one group is y/N")
        let screen = RootView().render(s).text
        #expect(screen.contains("Lock 1 group") && screen.contains("will set msg: admins, info: admins"))
        let run = Fixtures.press(&s, .char("y"))
        guard case .runGroups(let id, .lock, "S1", [Fixtures.alpha.jid], let w, _, nil, _, _)? = run.first else { Issue.record("got \(run)"); return }
        #expect(w == [Fixtures.alpha.jid: wanted])
        #expect(s.operation?.kind == .lock)

        // It ends done, with the settings found before: u offers to put exactly those back.
        _ = Reducer().reduce(&s, .operationRecorded(id: id, auditID: "OPLOCK"))
        var r = TargetResult(target: Fixtures.alpha.jid, outcome: .done)
        r.before = GroupSettings(announce: false, locked: true)
        _ = Reducer().reduce(&s, .operationEvent(id: id, StepEvent(step: 0, event: .finished(r))))
        _ = Reducer().reduce(&s, .operationFinished(id: id))
        #expect(s.lastUndo?.settings == [Fixtures.alpha.jid: GroupSettings(announce: false, locked: true)])
        #expect(s.settings(of: Fixtures.alphaKey)?.announce == true, "the badge shows the lock at once")
        let undo = Fixtures.press(&s, .char("u"))
        guard case .groupsPreflight(.settings, _, [Fixtures.alpha.jid], _, let back)? = undo.first else { Issue.record("got \(undo)"); return }
        #expect(back == [Fixtures.alpha.jid: GroupSettings(announce: false, locked: true)])
        guard case .leave(let d)? = s.dialog else { Issue.record("no dialog"); return }
        #expect(d.undoes == "OPLOCK" && d.kind == .settings)
    }

    @Test("I on five tagged groups asks for the count; a group where we are not admin is skipped and said so")
    func reset() {
        var s = Self.onGroups()
        var many = s.groups["S1"]?.value ?? []
        for n in 5...6 { many.append(Group(jid: JID(kind: .group, user: "12036300000000000\(n)"), subject: "G\(n)", size: 3, owner: nil, ourRole: .admin)) }
        s.groups["S1"] = Loaded(value: many)
        _ = Fixtures.press(&s, .char("a"))
        let effects = Fixtures.press(&s, .char("I"))
        guard case .groupsPreflight(.inviteReset, _, let groups, _, let wanted)? = effects.first else { Issue.record("got \(effects)"); return }
        #expect(groups.count == 6 && wanted.isEmpty)
        let rows = many.map { LeaveRow(group: $0, verdict: $0.ourRole == .member ? .skip("we are not admin") : .willAct) }
        _ = Reducer().reduce(&s, .leavePreflightLoaded(session: "S1", .success(rows)))
        #expect(s.dialog?.confirmation?.expected == "5", "five groups are typed")
        let screen = RootView().render(s).text
        #expect(screen.contains("Reset the invite link of 5 groups") && screen.contains("we are not admin"))
        #expect(screen.contains("old links stop working at once; no undo"))
    }

    @Test("a dialect without the capability disables the key with its reason")
    func missing() {
        var s = Self.onGroups()
        s.capabilities = Capabilities(batching: false, perRowResults: false, idempotentRemove: true, listsSessions: true, inviteLinks: true,
                                      readsSettings: [.announce, .locked])
        s.dialect = .wawp
        #expect(Fixtures.press(&s, .char("K")).isEmpty)
        #expect(s.message?.contains("wawp") == true && s.dialog == nil)
        #expect(!Fixtures.press(&s, .char("I")).isEmpty, "the link can still be reset")
    }

    @Test("read-only disables reset, lock and unlock")
    func readOnly() {
        var s = Self.onGroups()
        s.readOnly = true
        for k in ["I", "K", "O"] {
            #expect(Fixtures.press(&s, .char(Character(k))).isEmpty)
            #expect(s.message?.contains("read-only") == true)
        }
    }

    @Test("i shows the settings and the link masked; v shows it whole, and again masks it")
    func details() throws {
        var s = Self.onGroups()
        let effects = Fixtures.press(&s, .char("i"))
        #expect(effects == [.loadGroupInfo(Fixtures.alphaKey)])
        let info = GroupInfo(settings: .success(GroupSettings(announce: true, locked: false)),
                             link: .success(InviteLink(code: "AbCdEfGh1234")), requests: .success([JoinRequest(requester: Fixtures.people[3].id)]))
        _ = Reducer().reduce(&s, .groupInfoLoaded(Fixtures.alphaKey, info))
        var screen = RootView().render(s).text
        #expect(screen.contains("chat.whatsapp.com/AbCd…") && !screen.contains("AbCdEfGh1234"))
        #expect(screen.contains("only admins send") && screen.contains("pending requests to join: 1"))
        _ = Fixtures.press(&s, .char("v"))
        screen = RootView().render(s).text
        #expect(screen.contains("https://chat.whatsapp.com/AbCdEfGh1234"))
        _ = Fixtures.press(&s, .char("v"))
        #expect(!RootView().render(s).text.contains("AbCdEfGh1234"))
        _ = Fixtures.press(&s, .escape)
        #expect(s.dialog == nil)
        #expect(s.settings(of: Fixtures.alphaKey)?.announce == true, "what the details read feeds the badge")
    }

    @Test("badges: the settings that are on, after the subject")
    func badges() {
        var s = Self.onGroups()
        s.groupSettings[Fixtures.alphaKey] = GroupSettings(announce: true, locked: true, approval: false)
        let line = RootView().render(s).text.split(separator: "\n").first { $0.contains("Team Alpha") && !$0.contains("Groups (") } ?? ""
        #expect(line.contains("[msg info]"))
        #expect(!line.contains("appr"))
        #expect(GroupBadges.text(GroupSettings(announce: false)) == "")
    }

    @Test("J lists the join requests in the participants pane; A approves the one under the cursor; x is not for requests")
    func requests() throws {
        var s = Fixtures.loaded(width: 120, height: 40)
        s.capabilities = Self.caps
        s.dialect = .waha
        let toggle = Fixtures.press(&s, .char("J"))
        let key = Fixtures.alphaKey.joinRequests
        #expect(toggle == [.loadParticipants(key)] && s.openGroup == key)
        let asked = JoinRequest(requester: JID(kind: .lid, user: "777000111"), phone: JID(kind: .user, user: "5511900000080"), method: "invite_link")
        _ = Reducer().reduce(&s, .participantsLoaded(key, .success([Loads.row(asked)])))
        let screen = RootView().render(s).text
        #expect(screen.contains("Join requests") && screen.contains("+5511900000080") && screen.contains("asked by invite link"))
        #expect(screen.contains("A approve") && screen.contains("N reject"), "the hints name the requests' keys")
        #expect(Fixtures.press(&s, .char("x")).isEmpty && s.message?.contains("join requests") == true)
        _ = Fixtures.press(&s, .char("A"))
        guard case .answer(let d)? = s.dialog else { Issue.record("no dialog"); return }
        #expect(d.kind == .approve && d.targets == [asked.requester] && d.confirmation.expected == nil)
        let run = Fixtures.press(&s, .char("y"))
        guard case .runAnswers(let id, .approve, key, [asked.requester], _, _, _)? = run.first else { Issue.record("got \(run)"); return }
        _ = Reducer().reduce(&s, .operationEvent(id: id, StepEvent(step: 0, event: .finished(TargetResult(target: asked.requester, outcome: .done)))))
        let after = Reducer().reduce(&s, .operationFinished(id: id))
        #expect(after.contains(.loadParticipants(key)) && after.contains(.loadParticipants(Fixtures.alphaKey)), "the requests and the members are read again")
        _ = Fixtures.press(&s, .char("J"))
        #expect(s.openGroup == Fixtures.alphaKey)
    }

    @Test("the remove dialog's notice field starts with the profile's template; what it holds is sent first; empty sends none")
    func notice() throws {
        var s = Fixtures.loaded(width: 120, height: 40)
        s.capabilities = Self.caps
        s.noticeTemplate = "Hi {name}"
        s.lists[.participants, default: ListState()].cursor = 4
        _ = Fixtures.press(&s, .char("x"))
        _ = Reducer().reduce(&s, .preflightLoaded(Fixtures.alphaKey, .success(Fixtures.people)))
        #expect(s.dialog?.confirmation?.notice == "Hi {name}")
        #expect(RootView().render(s).text.contains("Notice first (empty: none):"))
        _ = Fixtures.press(&s, .tab, .tab)
        #expect(s.dialog?.confirmation?.field == .notice)
        Fixtures.type(&s, ", bye")
        _ = Fixtures.press(&s, .tab)
        let run = Fixtures.press(&s, .char("y"))
        guard case .runMembers(_, .remove, _, _, _, _, _, _, let notice)? = run.first else { Issue.record("got \(run)"); return }
        #expect(notice == Notice(text: "Hi {name}, bye"))

        // Emptied, no notice goes.
        var t = Fixtures.loaded(width: 120, height: 40)
        t.capabilities = Self.caps
        t.lists[.participants, default: ListState()].cursor = 4
        _ = Fixtures.press(&t, .char("x"))
        _ = Reducer().reduce(&t, .preflightLoaded(Fixtures.alphaKey, .success(Fixtures.people)))
        #expect(t.dialog?.confirmation?.notice == "")
        guard case .runMembers(_, .remove, _, _, _, _, _, _, nil)? = Fixtures.press(&t, .char("y")).first else { Issue.record("a notice was sent"); return }

        // A dialect that sends no text has no field.
        var u = Fixtures.loaded(width: 120, height: 40)
        _ = Fixtures.press(&u, .char("x"))
        _ = Reducer().reduce(&u, .preflightLoaded(Fixtures.alphaKey, .success(Fixtures.people)))
        #expect(u.dialog?.confirmation?.notice == nil)
    }
}
