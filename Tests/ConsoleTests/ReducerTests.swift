import Foundation
import GatewayKit
import Testing
@testable import Console

@Suite("reducer: navigation, filters, tags")
struct NavigationTests {
    @Test("participants are shown owner first, then admins, then members by name")
    func order() {
        let s = Fixtures.loaded()
        #expect(s.visibleParticipants.map(\.name).prefix(3) == ["Ana Souza", "Bruno Lima", "Support Bot"])
    }

    @Test("cursor moves and clamps; g and G go to the ends")
    func moves() {
        var s = Fixtures.loaded()
        _ = Fixtures.press(&s, .down, .char("j"), .down)
        #expect(s.list(.participants).cursor == 3)
        _ = Fixtures.press(&s, .char("G"))
        #expect(s.list(.participants).cursor == Fixtures.people.count - 1)
        _ = Fixtures.press(&s, .down)
        #expect(s.list(.participants).cursor == Fixtures.people.count - 1)
        _ = Fixtures.press(&s, .char("g"), .up)
        #expect(s.list(.participants).cursor == 0)
    }

    @Test("Tab and Shift-Tab move between panes, wrapping")
    func panes() {
        var s = Fixtures.loaded()
        s.focus = .sessions
        _ = Fixtures.press(&s, .tab)
        #expect(s.focus == .groups)
        _ = Fixtures.press(&s, .tab, .tab)
        #expect(s.focus == .log)
        _ = Fixtures.press(&s, .tab)
        #expect(s.focus == .sessions)
        _ = Fixtures.press(&s, .backTab)
        #expect(s.focus == .log)
    }

    @Test("Enter opens a session's groups and a group's participants, loading what is not loaded")
    func open() {
        var s = Fixtures.loaded()
        s.focus = .sessions
        s.lists[.sessions]?.cursor = 1
        let e1 = Fixtures.press(&s, .enter)
        #expect(e1 == [.loadGroups(session: "S2")])
        #expect(s.openSession == "S2")
        #expect(s.openGroup == nil)
        #expect(s.focus == .groups)
        s.groups["S2"] = Loaded(value: [Fixtures.vip])
        let e2 = Fixtures.press(&s, .enter)
        #expect(e2 == [.loadParticipants(GroupKey(session: "S2", group: Fixtures.vip.jid))])
        #expect(s.focus == .participants)
    }

    @Test("/ filters incrementally by name, number or JID; Esc clears")
    func filter() {
        var s = Fixtures.loaded()
        _ = Fixtures.press(&s, .char("/"))
        Fixtures.type(&s, "dia")
        #expect(s.visibleParticipants.map(\.name) == ["Carla Dias"])
        _ = Fixtures.press(&s, .backspace, .backspace, .backspace)
        Fixtures.type(&s, "ramirez")
        #expect(s.visibleParticipants.map(\.name) == ["Diego Ramírez"], "accents are ignored")
        _ = Fixtures.press(&s, .escape)
        #expect(s.visibleParticipants.count == Fixtures.people.count)
        _ = Fixtures.press(&s, .char("/"))
        Fixtures.type(&s, "91110 0004")
        #expect(s.visibleParticipants.map(\.name) == ["王小明"], "spaces in a typed number are ignored")
        _ = Fixtures.press(&s, .enter)
        #expect(!s.list(.participants).editing)
        #expect(s.list(.participants).filter == "91110 0004")
        _ = Fixtures.press(&s, .char("/"), .escape)
        #expect(s.list(.participants).filter.isEmpty)
    }

    @Test("Space tags and moves down; tags survive a filter and the hidden ones are counted")
    func tags() {
        var s = Fixtures.loaded()
        _ = Fixtures.press(&s, .down, .down, .down) // Carla
        _ = Fixtures.press(&s, .char(" "), .char(" ")) // Carla, Diego
        #expect(s.participantTags[Fixtures.alphaKey]?.count == 2)
        #expect(s.list(.participants).cursor == 5)
        _ = Fixtures.press(&s, .char("/"))
        Fixtures.type(&s, "carla")
        _ = Fixtures.press(&s, .enter)
        #expect(s.hiddenParticipantTags == 1)
        #expect(s.participantTags[Fixtures.alphaKey]?.count == 2)
        _ = Fixtures.press(&s, .char("U"))
        #expect(s.participantTags[Fixtures.alphaKey]?.isEmpty == true)
        _ = Fixtures.press(&s, .char("a"))
        #expect(s.participantTags[Fixtures.alphaKey] == [Fixtures.people[3].id])
    }

    @Test("tags apply only to groups and participants")
    func sessionTags() {
        var s = Fixtures.loaded()
        s.focus = .sessions
        _ = Fixtures.press(&s, .char(" "))
        #expect(s.message == "tags apply to groups and participants")
        #expect(s.groupTags.isEmpty)
    }

    @Test("r refreshes the focused pane; R refreshes everything")
    func refresh() {
        var s = Fixtures.loaded()
        #expect(Fixtures.press(&s, .char("r")) == [.loadParticipants(Fixtures.alphaKey)])
        #expect(Fixtures.press(&s, .char("R")) == [.loadSessions, .loadGroups(session: "S1"), .loadParticipants(Fixtures.alphaKey)])
    }

    @Test("x from another pane with a group open says to focus the participants pane; with none open, to open one")
    func removeFromElsewhere() {
        var s = Fixtures.loaded()
        s.focus = .log
        #expect(Reducer().disabledReason(.remove, s) == "focus the participants pane first (Tab, or l)")
        s.openGroup = nil
        #expect(Reducer().disabledReason(.remove, s) == "select participants first: open a group with Enter")
    }

    @Test("a too-small terminal ignores action keys until resized")
    func tooSmall() {
        var s = Fixtures.loaded()
        _ = Reducer().reduce(&s, .resize(width: 50, height: 12))
        #expect(s.tooSmall)
        #expect(Fixtures.press(&s, .char("x")).isEmpty)
        #expect(s.dialog == nil)
        _ = Fixtures.press(&s, .down)
        #expect(s.list(.participants).cursor == 0)
        _ = Reducer().reduce(&s, .resize(width: 80, height: 24))
        _ = Fixtures.press(&s, .down)
        #expect(s.list(.participants).cursor == 1)
    }

    @Test("a failed load shows its reason in that pane only; the rest keeps its data")
    func paneError() {
        var s = Fixtures.loaded()
        _ = Reducer().reduce(&s, .participantsLoaded(Fixtures.alphaKey, .failure(.transport("connection refused"))))
        #expect(s.participants[Fixtures.alphaKey]?.error?.contains("connection refused") == true)
        #expect(s.groups["S1"]?.error == nil)
        #expect(s.log.last?.kind == .error)
    }
}

@Suite("reducer: confirmation and operations")
struct ConfirmationTests {
    static func openDialog(_ s: inout ConsoleState, _ key: Key, tagged: [Int] = []) -> [Effect] {
        for i in tagged {
            s.participantTags[Fixtures.alphaKey, default: []].insert(s.visibleParticipants[i].id)
        }
        return Fixtures.press(&s, key)
    }

    static func loadPreflight(_ s: inout ConsoleState) {
        _ = Reducer().reduce(&s, .preflightLoaded(Fixtures.alphaKey, .success(Fixtures.people)))
    }

    @Test("x on the cursor row asks for a fresh read, then shows a y/N dialog with No focused")
    func smallDialog() {
        var s = Fixtures.loaded()
        _ = Fixtures.press(&s, .down, .down, .down) // Carla
        let effects = Self.openDialog(&s, .char("x"))
        #expect(effects == [.preflight(Fixtures.alphaKey)])
        #expect(s.dialog?.loading == true)
        Self.loadPreflight(&s)
        let d = try? #require(s.dialog)
        #expect(d?.members?.plan?.toSend == [Fixtures.people[3].id])
        #expect(d?.confirmation?.expected == nil)
        #expect(d?.confirmation?.yesFocused == false)
        // Enter alone chooses No, and says so.
        #expect(Fixtures.press(&s, .enter).isEmpty)
        #expect(s.dialog == nil)
        #expect(s.operation == nil)
        #expect(s.message == "cancelled, nothing sent")
    }

    @Test("the key that opened the dialog does not confirm; y does")
    func confirmKey() {
        var s = Fixtures.loaded()
        _ = Fixtures.press(&s, .down, .down, .down)
        _ = Self.openDialog(&s, .char("x"))
        Self.loadPreflight(&s)
        #expect(Fixtures.press(&s, .char("x")).isEmpty)
        #expect(s.dialog != nil)
        let effects = Fixtures.press(&s, .char("y"))
        guard case .runMembers(let id, .remove, Fixtures.alphaKey, let targets, _, _, _, _, _)? = effects.first else {
            Issue.record("expected runMembers, got \(effects)"); return
        }
        #expect(targets == [Fixtures.people[3].id])
        #expect(s.operation?.id == id)
        #expect(s.log.contains { $0.kind == .operation && $0.text.contains("remove 1 from Team Alpha") })
    }

    @Test("the owner and our own account are shown as skipped and not sent")
    func preflightRows() {
        var s = Fixtures.loaded()
        _ = Self.openDialog(&s, .char("x"), tagged: [0, 2, 3])
        Self.loadPreflight(&s)
        let plan = s.dialog?.members?.plan
        #expect(plan?.rows.count == 3)
        #expect(plan?.toSend == [Fixtures.people[3].id])
        #expect(plan?.rows.first { $0.target == Fixtures.people[0].id }?.verdict == .skip("the owner cannot be removed"))
    }

    @Test("five or more targets need the count typed; a wrong count does nothing")
    func typed() {
        var s = Fixtures.loaded()
        s.setParticipants(Fixtures.alphaKey, Fixtures.people + (10..<14).map { Fixtures.person($0, "Extra \($0)") })
        let all = s.visibleParticipants
        for p in all where p.role == .member { s.participantTags[Fixtures.alphaKey, default: []].insert(p.id) }
        _ = Fixtures.press(&s, .char("x"))
        _ = Reducer().reduce(&s, .preflightLoaded(Fixtures.alphaKey, .success(s.participants[Fixtures.alphaKey]!.value!)))
        let n = s.dialog?.members?.plan?.toSend.count ?? 0
        #expect(n >= 5)
        #expect(s.dialog?.confirmation?.expected == String(n))
        #expect(s.dialog?.confirmation?.field == .typed)
        #expect(Fixtures.press(&s, .char("y")).isEmpty, "y is typed, not a confirmation")
        #expect(Fixtures.press(&s, .enter).isEmpty)
        #expect(s.dialog?.confirmation?.warning?.contains("type \(n) to confirm") == true)
        _ = Fixtures.press(&s, .backspace)
        Fixtures.type(&s, String(n))
        let effects = Fixtures.press(&s, .enter)
        #expect(effects.count == 1)
        #expect(s.operation?.targets.count == n)
    }

    @Test("a reason typed in the dialog goes with the operation")
    func reason() {
        var s = Fixtures.loaded()
        _ = Fixtures.press(&s, .down, .down, .down)
        _ = Self.openDialog(&s, .char("x"))
        Self.loadPreflight(&s)
        _ = Fixtures.press(&s, .tab)
        Fixtures.type(&s, "spam wave")
        _ = Fixtures.press(&s, .enter) // leaves the reason field
        let effects = Fixtures.press(&s, .char("y"))
        guard case .runMembers(_, _, _, _, let reason, _, _, _, _)? = effects.first else { Issue.record("no operation"); return }
        #expect(reason == "spam wave")
        #expect(s.log.contains { $0.text.contains("reason: spam wave") })
    }

    @Test("a required reason blocks the confirmation until typed")
    func requiredReason() {
        var s = Fixtures.loaded()
        s.requireReason = true
        _ = Fixtures.press(&s, .down, .down, .down)
        _ = Self.openDialog(&s, .char("x"))
        Self.loadPreflight(&s)
        #expect(Fixtures.press(&s, .char("y")).isEmpty)
        #expect(s.dialog?.confirmation?.field == .reason)
        Fixtures.type(&s, "left company")
        _ = Fixtures.press(&s, .enter)
        #expect(Fixtures.press(&s, .char("y")).count == 1)
    }

    @Test("any leave needs the group's name typed")
    func leave() {
        var s = Fixtures.loaded()
        s.focus = .groups
        let effects = Fixtures.press(&s, .char("L"))
        #expect(effects == [.leavePreflight(session: Fixtures.support, groups: [Fixtures.alpha.jid], known: [Fixtures.alpha, Fixtures.vip, Fixtures.cjk, Fixtures.rtl])])
        _ = Reducer().reduce(&s, .leavePreflightLoaded(session: "S1", .success([LeaveRow(group: Fixtures.alpha, verdict: .willAct)])))
        #expect(s.dialog?.confirmation?.expected == "Team Alpha")
        #expect(Fixtures.press(&s, .char("y"), .enter).isEmpty)
        _ = Fixtures.press(&s, .backspace)
        Fixtures.type(&s, "Team Alpha")
        let run = Fixtures.press(&s, .enter)
        guard case .runLeave(_, "S1", [Fixtures.alpha.jid], _, _, _)? = run.first else { Issue.record("got \(run)"); return }
    }

    @Test("read-only disables every dangerous key with the reason")
    func readOnly() {
        var s = Fixtures.loaded()
        s.readOnly = true
        for k in ["x", "d", "p", "L"] {
            #expect(Fixtures.press(&s, .char(Character(k))).isEmpty)
            #expect(s.dialog == nil)
            #expect(s.message?.contains("read-only") == true)
        }
    }

    @Test("not an admin, or an offline session, disables mutations with the reason")
    func disabled() {
        var s = Fixtures.loaded()
        s.groups["S1"]?.value?[0].ourRole = .member
        _ = Fixtures.press(&s, .char("x"))
        #expect(s.dialog == nil)
        #expect(s.message?.contains("not an admin") == true)
        s = Fixtures.loaded()
        s.sessions.value?[0].connected = false
        _ = Fixtures.press(&s, .char("d"))
        #expect(s.message?.contains("not connected") == true)
    }

    @Test("progress events update each row; the end re-reads the group and lists failures")
    func progress() {
        var s = Fixtures.loaded()
        _ = Self.openDialog(&s, .char("x"), tagged: [3, 4])
        Self.loadPreflight(&s)
        _ = Fixtures.press(&s, .char("y"))
        let op = try! #require(s.operation)
        let a = op.targets[0], b = op.targets[1]
        StepEvents.sending(&s, id: op.id, a)
        #expect(s.operation?.state(of: a) == .sending)
        StepEvents.finished(&s, id: op.id, a, .done, httpStatus: 204)
        StepEvents.finished(&s, id: op.id, b, .failed(.forbidden("not admin")), httpStatus: 403)
        #expect(s.operation?.done == 1 && s.operation?.failed == 1)
        let effects = Reducer().reduce(&s, .operationFinished(id: op.id))
        #expect(effects == [.loadParticipants(Fixtures.alphaKey), .loadGroups(session: "S1")])
        guard let lines = s.dialog?.summary?.lines else { Issue.record("no summary"); return }
        #expect(lines.count == 1)
        #expect(lines[0].contains("not admin"))
        #expect(s.participantTags[Fixtures.alphaKey] == [b], "the done target's tag is cleared, the failed one kept")
    }

    @Test("Ctrl-C cancels a running operation; a second Ctrl-C quits")
    func interrupt() {
        var s = Fixtures.loaded()
        _ = Self.openDialog(&s, .char("x"), tagged: [3])
        Self.loadPreflight(&s)
        _ = Fixtures.press(&s, .char("y"))
        let id = s.operation!.id
        #expect(Fixtures.press(&s, .ctrl("c")) == [.cancelOperation(id: id)])
        #expect(!s.quit)
        #expect(Fixtures.press(&s, .ctrl("c")).contains(.quit))
        #expect(s.quit)
    }

    @Test("q asks first while an operation runs")
    func quitWhileRunning() {
        var s = Fixtures.loaded()
        _ = Self.openDialog(&s, .char("x"), tagged: [3])
        Self.loadPreflight(&s)
        _ = Fixtures.press(&s, .char("y"))
        #expect(Fixtures.press(&s, .char("q")).isEmpty)
        #expect(!s.quit)
        #expect(Fixtures.press(&s, .char("q")).contains(.quit))
    }

    @Test("requests are logged under the operation that made them")
    func requestLog() {
        var s = Fixtures.loaded()
        let e = RequestEvent(method: "DELETE", path: "/api/v1/x", status: 204, latencyMs: 12, bytes: 0, error: nil, at: Date())
        _ = Reducer().reduce(&s, .requestLogged(e, operation: 7))
        #expect(s.log.last?.operation == 7)
        #expect(s.log.last?.text.contains("204   12 ms  DELETE /api/v1/x") == true)
    }

    @Test("dry-run mode logs what would be sent and sends nothing")
    func dryRun() {
        var s = Fixtures.loaded()
        s.dryRun = true
        _ = Self.openDialog(&s, .char("x"), tagged: [3])
        Self.loadPreflight(&s)
        #expect(Fixtures.press(&s, .char("y")).isEmpty)
        #expect(s.operation == nil)
        #expect(s.log.contains { $0.text.contains("would remove Carla Dias") })
    }
}

@Suite("reducer: learning roles")
struct RoleTests {
    @Test("groups without our role are probed in the background; what is learned fills the role and the rows")
    func learnRoles() {
        var s = Fixtures.loaded()
        let unknown = Group(jid: JID(kind: .group, user: "120363000000000099"), subject: "New group", size: 8, owner: nil, ourRole: nil)
        let effects = Reducer().reduce(&s, .groupsLoaded(session: "S1", .success([Fixtures.alpha, unknown])))
        #expect(effects == [.learnRoles(session: "S1", groups: [unknown.jid])])
        let key = GroupKey(session: "S1", group: unknown.jid)
        _ = Reducer().reduce(&s, .rolesLearned(key, Fixtures.people))
        #expect(s.groups["S1"]?.value?.first { $0.jid == unknown.jid }?.ourRole == .admin)
        #expect(s.participants[key]?.value?.count == Fixtures.people.count)
        // Known groups are not probed again.
        #expect(Reducer().reduce(&s, .groupsLoaded(session: "S1", .success([Fixtures.alpha, unknown]))).isEmpty)
    }

    @Test("roles are learned a screenful at a time: the groups on screen when the list comes, more as it scrolls or is filtered, each once")
    func rolesByScreenful() {
        var s = Fixtures.loaded(width: 100, height: 30)
        let many = (0..<60).map { i in
            Group(jid: JID(kind: .group, user: "1203630000001\(String(format: "%05d", i))"), subject: "Group \(String(format: "%02d", i))", size: 5, owner: nil, ourRole: nil)
        }
        s.focus = .groups
        let rows = s.layout.visibleRows(.groups)
        func asked(_ effects: [Effect]) -> [JID] {
            effects.flatMap { e -> [JID] in if case .learnRoles(_, let groups) = e { groups } else { [] } }
        }
        let first = asked(Reducer().reduce(&s, .groupsLoaded(session: "S1", .success(many))))
        #expect(first.count == rows, "the first screenful only")
        #expect(Set(first) == Set(s.visibleGroups.prefix(rows).map(\.jid)))
        // A page down: the next screenful, none of the first again.
        let next = asked(Fixtures.press(&s, .pageDown))
        #expect(!next.isEmpty && Set(next).isDisjoint(with: first))
        #expect(Set(next).isSubset(of: Set(s.visibleGroups.dropFirst(s.list(.groups).scroll).prefix(rows).map(\.jid))))
        // Back up: all asked already.
        #expect(asked(Fixtures.press(&s, .pageUp)).isEmpty)
        // A filter that brings the last groups on screen asks for them.
        _ = Fixtures.press(&s, .char("/"))
        var filtered: [JID] = []
        for ch in "Group 5" { filtered += asked(Reducer().reduce(&s, .key(.char(ch)))) }
        // (what each character on the way showed is asked too, each group once in all).
        #expect(Set(many.filter { $0.subject.hasPrefix("Group 5") }.map(\.jid)).isSubset(of: Set(filtered)))
        let all = first + next + filtered
        #expect(Set(all).count == all.count, "no group asked twice")
        // The list read again asks again where nothing was learned.
        #expect(asked(Reducer().reduce(&s, .groupsLoaded(session: "S1", .success(many)))).count > 0)
    }
}

@Suite("reducer: leave guards")
struct LeaveGuardTests {
    @Test("an answer for an earlier leave does not fill a newer dialog")
    func stale() {
        var s = Fixtures.loaded()
        s.focus = .groups
        s.lists[.groups]?.cursor = 1 // VIP
        _ = Fixtures.press(&s, .char("L"))
        _ = Reducer().reduce(&s, .leavePreflightLoaded(session: "S1", .success([LeaveRow(group: Fixtures.alpha, verdict: .willAct)])))
        #expect(s.dialog?.leave?.rows == nil, "Team Alpha's answer must not confirm leaving VIP")
        _ = Reducer().reduce(&s, .leavePreflightLoaded(session: "S1", .success([LeaveRow(group: Fixtures.vip, verdict: .willAct)])))
        #expect(s.dialog?.confirmation?.expected == "VIP Clientes 🎉")
    }

    @Test("a group with a blank subject is confirmed by typing the count, never by Enter alone")
    func blankSubject() {
        var s = Fixtures.loaded()
        s.focus = .groups
        let blank = Group(jid: Fixtures.alpha.jid, subject: "  ", size: 3, owner: nil, ourRole: .admin)
        _ = Fixtures.press(&s, .char("L"))
        _ = Reducer().reduce(&s, .leavePreflightLoaded(session: "S1", .success([LeaveRow(group: blank, verdict: .willAct)])))
        #expect(s.dialog?.confirmation?.expected == "1")
        #expect(Fixtures.press(&s, .enter).isEmpty)
        #expect(s.dialog != nil)
    }
}
