import Foundation
import Testing
@testable import Console
import GatewayKit

/// What broke or slowed an operator on first use, in the pure core: keys and answers in,
/// state, effects and screens out.
@Suite("first use: confirmations, filter, log, undo, find, quit, layout")
struct FirstUseTests {
    static let dev = Group(jid: JID(kind: .group, user: "120363000000000009"), subject: "Comunidade Dev 👩‍💻", size: 3, owner: nil, ourRole: .member)

    /// The leave dialog for one group, its preflight answered.
    static func leaveDialog(_ group: Group) -> ConsoleState {
        var s = Fixtures.loaded()
        s.groups[Fixtures.support.id]?.value?.append(group)
        s.focus = .groups
        let i = s.visibleGroups.firstIndex { $0.jid == group.jid } ?? 0
        s.lists[.groups]?.cursor = i
        _ = Fixtures.press(&s, .char("L"))
        _ = Reducer().reduce(&s, .leavePreflightLoaded(session: Fixtures.support.id, .success([LeaveRow(group: group, verdict: .willAct)])))
        return s
    }

    @Test("a leave is confirmed by the name as a terminal without joined emoji shows it, or by the count")
    func leaveByShownNameOrCount() {
        for typed in ["Comunidade Dev 👩", "comunidade dev 👩‍💻", "1"] {
            var s = Self.leaveDialog(Self.dev)
            #expect(s.dialog?.confirmation?.expected == Self.dev.subject)
            Fixtures.type(&s, typed)
            let effects = Fixtures.press(&s, .enter)
            #expect(effects.contains { if case .runLeave = $0 { true } else { false } }, "typing \(typed) confirms")
        }
        var s = Self.leaveDialog(Self.dev)
        Fixtures.type(&s, "Comunidade")
        #expect(Fixtures.press(&s, .enter).isEmpty)
        #expect(s.dialog?.confirmation?.warning?.contains("type the name as shown") == true)
        let screen = RootView().render(s).text
        #expect(screen.contains("Type Comunidade Dev 👩‍💻 or 1:"), "the prompt names both ways")
    }

    @Test("the owner alone: the dialog says there is nothing to do and offers no Yes")
    func nothingToRemove() {
        var s = Fixtures.loaded()
        s.lists[.participants]?.cursor = 0
        _ = Fixtures.press(&s, .char("x"))
        _ = Reducer().reduce(&s, .preflightLoaded(Fixtures.alphaKey, .success(Fixtures.people)))
        #expect(s.dialog?.confirmation?.listOnly == true)
        #expect(s.dialog?.isConfirmation == false)
        let screen = RootView().render(s).text
        #expect(screen.contains("Nothing to remove in Team Alpha"))
        #expect(!screen.contains("[ Yes ]"))
        #expect(!screen.contains("Remove 0"))
        #expect(Fixtures.press(&s, .char("y")).isEmpty)
        _ = Fixtures.press(&s, .enter)
        #expect(s.dialog == nil)
    }

    @Test("a finished operation's row state clears on refresh; the role shows beside it until then")
    func staleBadge() {
        var s = Fixtures.loaded(width: 120, height: 40)
        let bruno = Fixtures.people[1]
        s.lists[.participants]?.cursor = 1
        _ = Fixtures.press(&s, .char("d"))
        _ = Reducer().reduce(&s, .preflightLoaded(Fixtures.alphaKey, .success(Fixtures.people)))
        _ = Fixtures.press(&s, .char("y"))
        let id = s.operation?.id ?? -1
        StepEvents.finished(&s, id: id, bruno.id, .done)
        _ = Reducer().reduce(&s, .operationFinished(id: id))
        s.dialog = nil
        let before = RootView().render(s).text.split(separator: "\n").first { $0.contains("Bruno Lima") } ?? ""
        #expect(before.contains("✓ done") && before.contains("admin"), "role and state side by side: \(before)")
        _ = Fixtures.press(&s, .char("r"))
        let after = RootView().render(s).text.split(separator: "\n").first { $0.contains("Bruno Lima") } ?? ""
        #expect(!after.contains("✓ done"), "cleared by the refresh: \(after)")
        #expect(after.contains("admin"))
    }

    @Test("filter words are ANDed: a name and part of a number; no match says so")
    func filterWords() {
        var s = Fixtures.loaded()
        _ = Fixtures.press(&s, .char("/"))
        Fixtures.type(&s, "carla 1100002")
        #expect(s.visibleParticipants.map(\.name) == ["Carla Dias"])
        _ = Fixtures.press(&s, .ctrl("u"))
        Fixtures.type(&s, "carla 1100003")
        #expect(s.visibleParticipants.isEmpty)
        _ = Fixtures.press(&s, .enter)
        #expect(s.message?.contains("no match for “carla 1100003”") == true)
        #expect(RootView().render(s).text.contains("no match for"))
        // "+55 11 9111" written with spaces is one number.
        _ = Fixtures.press(&s, .char("/"))
        Fixtures.type(&s, "+55 11 9111 00004")
        #expect(s.visibleParticipants.map(\.name) == ["王小明"])
    }

    @Test("/ edits a kept filter (typing replaces it), Ctrl-W drops a word, Esc keeps the cursor on the same person")
    func filterEditing() {
        var s = Fixtures.loaded()
        _ = Fixtures.press(&s, .char("/"))
        Fixtures.type(&s, "bruno")
        _ = Fixtures.press(&s, .enter)
        _ = Fixtures.press(&s, .char("/"))
        Fixtures.type(&s, "diego")
        #expect(s.list(.participants).filter == "diego", "replaced, not appended")
        Fixtures.type(&s, " ram")
        _ = Fixtures.press(&s, .ctrl("w"))
        #expect(s.list(.participants).filter == "diego ")
        _ = Fixtures.press(&s, .enter)
        #expect(s.visibleParticipants.first?.name == "Diego Ramírez")
        _ = Fixtures.press(&s, .escape)
        #expect(s.list(.participants).filter.isEmpty)
        let row = s.visibleParticipants[s.list(.participants).cursor]
        #expect(row.name == "Diego Ramírez", "the cursor stays on Diego, not the owner")
    }

    static func request(_ path: String, _ status: Int?) -> RequestEvent {
        RequestEvent(method: "GET", path: path, status: status, latencyMs: 3, bytes: 10, error: status == nil ? "timed out" : nil, at: Date())
    }

    @Test("an operation's requests fold under it; background runs fold; failures stay; Enter unfolds")
    func logFolds() {
        var s = Fixtures.loaded()
        for i in 0..<6 { _ = Reducer().reduce(&s, .requestLogged(Self.request("/groups/\(i)", 200), operation: nil)) }
        _ = Reducer().reduce(&s, .requestLogged(Self.request("/broken", 500), operation: nil))
        _ = Reducer().reduce(&s, .notice("remove 2 from Team Alpha", error: false))
        for i in 0..<20 { _ = Reducer().reduce(&s, .requestLogged(Self.request("/op/\(i)", 200), operation: 7)) }
        let rows = s.visibleLog
        #expect(rows.count < 10, "folded: \(rows)")
        let screen = RootView().render(s).text
        #expect(screen.contains("▸ 20 requests"))
        #expect(screen.contains("/broken"), "a failed request is never folded")
        // Unfold the operation's requests.
        _ = Fixtures.press(&s, .char("@"))
        let fold = s.visibleLog.firstIndex { if case .fold(.operation(7), _, _, _) = $0 { true } else { false } } ?? -1
        s.lists[.log]?.cursor = fold
        _ = Fixtures.press(&s, .enter)
        #expect(s.visibleLog.count == rows.count + 20)
        #expect(s.dialog == nil, "Enter on a fold opens it, not a detail")
    }

    @Test("the log filter matches method, path, status and operation, and the log follows unless scrolled up")
    func logFilterAndFollow() {
        var s = Fixtures.loaded()
        for i in 0..<30 { _ = Reducer().reduce(&s, .notice("entry \(i)", error: false)) }
        _ = Reducer().reduce(&s, .requestLogged(Self.request("/api/x", 429), operation: 3))
        _ = Fixtures.press(&s, .char("@"), .char("/"))
        Fixtures.type(&s, "429")
        #expect(s.visibleLog.count == 1)
        _ = Fixtures.press(&s, .ctrl("u"))
        Fixtures.type(&s, "op 3")
        #expect(s.visibleLog.count == 1)
        _ = Fixtures.press(&s, .escape)
        // Scrolled up: new entries do not move the cursor; G follows again.
        _ = Fixtures.press(&s, .char("k"), .char("k"))
        let cursor = s.list(.log).cursor
        _ = Reducer().reduce(&s, .notice("newer", error: false))
        #expect(s.list(.log).cursor == cursor)
        #expect(RootView().render(s).text.contains("scrolled, G follows"))
        _ = Fixtures.press(&s, .char("G"))
        _ = Reducer().reduce(&s, .notice("newest", error: false))
        #expect(s.list(.log).cursor == s.visibleLog.count - 1)
    }

    @Test("z makes the log taller, then full screen, then back")
    func logZoom() {
        var s = Fixtures.loaded()
        let usual = Layout(width: 80, height: 24).log.height
        _ = Fixtures.press(&s, .char("z"))
        #expect(Layout(width: 80, height: 24, logSize: s.logSize).log.height > usual)
        _ = Fixtures.press(&s, .char("z"))
        #expect(Layout(width: 80, height: 24, logSize: s.logSize).log.height == 23)
        #expect(s.focus == .log)
        let screen = RootView().render(s).text
        #expect(!screen.contains("Sessions"), "full screen: the panes give way")
        _ = Fixtures.press(&s, .char("z"))
        #expect(s.logSize == 0)
        #expect(s.focus == .participants)
    }

    @Test("Z shows the focused list pane alone across the width; Tab shows the next; Z again puts them side by side")
    func widePane() {
        var s = Fixtures.loaded(width: 100, height: 30)
        #expect(s.focus == .participants)
        let beside = s.layout
        #expect(beside.participants.x > 0)
        _ = Fixtures.press(&s, .char("Z"))
        #expect(s.widePane)
        let wide = s.layout
        #expect(wide.participants == Rect(x: 0, y: 0, width: 100, height: beside.participants.height))
        #expect(!wide.shows(.sessions) && !wide.shows(.groups) && wide.shows(.participants))
        #expect(wide.log == beside.log, "the log and the status line stay where they were")
        var screen = RootView().render(s)
        #expect(screen.line(0).hasPrefix("┌ Participants"), "the pane starts at the left edge: \(screen.line(0))")
        #expect(!screen.text.contains("Sessions"))
        // Each row spans the terminal, border to border: what lets the terminal scroll it.
        #expect(screen[0, 1].text == "│" && screen[99, 1].text == "│")
        // Tab: the next pane alone (focus wraps from participants to the log, then sessions).
        _ = Fixtures.press(&s, .tab)
        if s.focus == .log { _ = Fixtures.press(&s, .tab) }
        #expect(s.focus == .sessions)
        screen = RootView().render(s)
        #expect(screen.line(0).hasPrefix("┌ Sessions"))
        #expect(!screen.text.contains("Participants"))
        _ = Fixtures.press(&s, .char("Z"))
        #expect(!s.widePane)
        #expect(s.layout == Layout(width: 100, height: 30))
        #expect(RootView().render(s).text.contains("Participants"))
    }

    @Test("u walks back: the newest operation first, then the one before")
    func undoWalksBack() {
        var s = Fixtures.loaded()
        _ = RecoveryKeysTests.removeTwo(&s, auditID: "op-remove")
        s.dialog = nil
        // Then demote Bruno.
        s.participantTags = [:]
        s.lists[.participants]?.cursor = 1
        _ = Fixtures.press(&s, .char("d"))
        _ = Reducer().reduce(&s, .preflightLoaded(Fixtures.alphaKey, .success(Fixtures.people)))
        _ = Fixtures.press(&s, .char("y"))
        let id = s.operation?.id ?? -1
        _ = Reducer().reduce(&s, .operationRecorded(id: id, auditID: "op-demote"))
        StepEvents.finished(&s, id: id, Fixtures.people[1].id, .done)
        _ = Reducer().reduce(&s, .operationFinished(id: id))
        s.dialog = nil
        #expect(s.undoStack.map(\.auditID) == ["op-remove", "op-demote"])
        // u: the demote is undone first (a promote).
        _ = Fixtures.press(&s, .char("u"))
        guard let a1 = s.dialog?.members?.action else { Issue.record("no undo dialog"); return }
        #expect(a1 == .promote)
        #expect(s.dialog?.members?.undoes == "op-demote")
        _ = Reducer().reduce(&s, .preflightLoaded(Fixtures.alphaKey, .success(Fixtures.people.map { p in var q = p; if q.id == Fixtures.people[1].id { q.role = .member }; return q })))
        _ = Fixtures.press(&s, .char("y"))
        let undoID = s.operation?.id ?? -1
        _ = Reducer().reduce(&s, .operationRecorded(id: undoID, auditID: "op-undo"))
        StepEvents.finished(&s, id: undoID, Fixtures.people[1].id, .done)
        _ = Reducer().reduce(&s, .operationFinished(id: undoID))
        #expect(s.message?.contains("op-remove") == true, "the next u is named: \(s.message ?? "")")
        s.dialog = nil
        // u again: the removal (a re-add), not "nothing to undo".
        _ = Fixtures.press(&s, .char("u"))
        guard let a2 = s.dialog?.members?.action else { Issue.record("no second undo dialog: \(s.message ?? "")"); return }
        #expect(a2 == .add)
        #expect(s.dialog?.members?.undoes == "op-remove")
    }

    @Test("the history lists this gateway's operations, newest first, and u undoes one from it")
    func history() {
        func rec(_ type: String, _ op: String, _ f: (inout AuditRecord) -> Void) -> AuditRecord {
            var r = AuditRecord(type: type, op: op, time: "2026-12-02T03:0\(op.count % 10):00.000Z")
            f(&r)
            return r
        }
        let carla = Fixtures.people[3].id.string
        let records = [
            rec("operation", "A1") { $0.gateway = "gw"; $0.session = "S1"; $0.group = Fixtures.alpha.jid.string; $0.action = "remove"; $0.targets = [carla] },
            rec("result", "A1") { $0.target = carla; $0.outcome = "done" },
            rec("operation", "B22") { $0.gateway = "other"; $0.session = "S1"; $0.group = Fixtures.alpha.jid.string; $0.action = "remove"; $0.targets = [carla] },
            rec("operation", "C333") { $0.gateway = "gw"; $0.session = "S1"; $0.group = Fixtures.alpha.jid.string; $0.action = "leave"; $0.targets = [Fixtures.alpha.jid.string] },
            rec("result", "C333") { $0.target = Fixtures.alpha.jid.string; $0.outcome = "done" },
        ]
        let items = HistoryItem.from(records, gateway: "gw")
        #expect(items.map(\.auditID) == ["C333", "A1"], "this gateway only, newest first")
        if case .success = items[0].undo { Issue.record("a leave has no undo") }
        #expect(items[1].done.map(\.string) == [carla])

        var s = Fixtures.loaded()
        let effects = Fixtures.press(&s, .char("H"))
        #expect(effects == [.loadHistory])
        _ = Reducer().reduce(&s, .historyLoaded(.success(items)))
        #expect(RootView().render(s).text.contains("History"))
        _ = Fixtures.press(&s, .char("u"))
        #expect(s.message?.contains("cannot be undone here") == true)
        _ = Fixtures.press(&s, .char("j"), .char("u"))
        guard let a = s.dialog?.members?.action, let key = s.dialog?.members?.key else { Issue.record("no undo dialog"); return }
        #expect(a == .add)
        #expect(key == Fixtures.alphaKey)
        #expect(s.dialog?.members?.undoes == "A1")
    }

    @Test("find shows each session's progress and hits as they come; Esc stops it; repeated subjects show their JIDs")
    func findProgress() {
        var s = Fixtures.loaded(width: 120, height: 40)
        let who = Fixtures.people[3].id
        _ = Fixtures.press(&s, .char("f"))
        Fixtures.type(&s, "+" + (who.phoneNumber ?? "").filter(\.isNumber))
        #expect(Fixtures.press(&s, .enter) == [.findEverywhere(who)])
        let twin1 = Group(jid: JID(kind: .group, user: "120363000000000111"), subject: "Eventos São Paulo", size: 9, owner: nil, ourRole: .admin)
        let twin2 = Group(jid: JID(kind: .group, user: "120363000000000222"), subject: "Eventos São Paulo", size: 9, owner: nil, ourRole: .admin)
        _ = Reducer().reduce(&s, .findProgress(who, .session(label: "support-br", read: 3, total: 40)))
        _ = Reducer().reduce(&s, .findProgress(who, .hit(.init(session: Fixtures.support, group: twin1, participant: Fixtures.people[3], ourRole: .admin))))
        _ = Reducer().reduce(&s, .findProgress(who, .hit(.init(session: Fixtures.support, group: twin2, participant: Fixtures.people[3], ourRole: .admin))))
        let screen = RootView().render(s).text
        #expect(screen.contains("3/40 groups"))
        #expect(screen.contains("found so far: 2"))
        #expect(screen.contains("…000111") && screen.contains("…000222"), "the same subject twice: told apart by JID")
        #expect(Fixtures.press(&s, .escape) == [.stopFind])
        #expect(Fixtures.press(&s, .escape).isEmpty, "stopping once is enough")
        var report = FindEverywhere.Report(who: who, hits: [])
        report.stopped = true
        report.groupsRead = 3
        _ = Reducer().reduce(&s, .foundEverywhere(who, report))
        #expect(RootView().render(s).text.contains("Stopped: 3 groups read"))
    }

    @Test("q q during an operation: unsent targets recorded, and a summary with the operation id for the exit")
    func quitSummary() {
        var s = Fixtures.loaded()
        s.participantTags[Fixtures.alphaKey] = [Fixtures.people[3].id, Fixtures.people[4].id, Fixtures.people[5].id]
        _ = Fixtures.press(&s, .char("x"))
        _ = Reducer().reduce(&s, .preflightLoaded(Fixtures.alphaKey, .success(Fixtures.people)))
        _ = Fixtures.press(&s, .char("y"))
        let id = s.operation?.id ?? -1
        _ = Reducer().reduce(&s, .operationRecorded(id: id, auditID: "op-q"))
        StepEvents.finished(&s, id: id, Fixtures.people[3].id, .done)
        _ = Fixtures.press(&s, .char("q"))
        #expect(!s.quit)
        let effects = Fixtures.press(&s, .char("q"))
        #expect(effects == [.cancelOperation(id: id), .quit])
        #expect(s.quit)
        // The executor records the rest not attempted; the summary counts them.
        StepEvents.finished(&s, id: id, Fixtures.people[4].id, .notAttempted("not sent: cancelled"))
        StepEvents.finished(&s, id: id, Fixtures.people[5].id, .notAttempted("not sent: cancelled"))
        _ = Reducer().reduce(&s, .operationFinished(id: id))
        let lines = s.quitSummary
        #expect(lines.first?.contains("1 done, 0 failed, 2 not sent") == true, "\(lines)")
        #expect(lines.contains { $0.contains("Diego Ramírez") })
        #expect(lines.contains { $0.contains("wamod audit --op op-q") })
        #expect(s.dialog == nil, "no summary dialog on the way out")
    }

    @Test("at 200 columns a name stays next to its number; at 80 a cut number keeps its tail")
    func columns() {
        let wide = RootView().render(Fixtures.loaded(width: 200, height: 40)).text.split(separator: "\n")
        let ana = String(wide.first { $0.contains("Ana Souza") } ?? "")
        let gap = ana.range(of: "Ana Souza").flatMap { n in ana.range(of: "+5511911100000").map { ana.distance(from: n.upperBound, to: $0.lowerBound) } } ?? 99
        #expect(gap <= 6, "name and number close together: \(ana)")
        var s = Fixtures.loaded(width: 80, height: 24)
        s.participantTags[Fixtures.alphaKey] = [Fixtures.people[3].id]
        let carlaStep = OperationStep(session: "S1", group: Fixtures.alpha.jid, target: Fixtures.people[3].id)
        s.operation = OperationState(id: 1, title: "remove", action: .remove, key: Fixtures.alphaKey, session: "S1",
                                     rows: [OperationState.Row(step: 0, on: carlaStep, shownAs: carlaStep.target, state: .sending)])
        let narrow = RootView().render(s).text.split(separator: "\n")
        let carla = String(narrow.first { $0.contains("Carla") } ?? "")
        #expect(carla.contains("…") && carla.contains("100002"), "the number's end is kept: \(carla)")
    }

    @Test("a long status message wraps instead of being cut mid-word")
    func longMessageWraps() {
        var s = Fixtures.loaded()
        s.message = "session old-line is not connected (SCAN_QR_CODE): reconnect it in the gateway, then press r to read it again here"
        let screen = RootView().render(s)
        let both = screen.line(22) + screen.line(23)
        #expect(both.contains("reconnect it in the gateway"))
        #expect(both.contains("again here"))
    }

    @Test("resuming five or more is typed, as the operation itself was")
    func resumeFriction() {
        var s = Fixtures.loaded()
        let context = AuditContext(user: "ana", client: nil, profile: "", gateway: "gw", dialect: "v1")
        let steps = Fixtures.people.suffix(5).map { OperationStep(session: Fixtures.support.id, group: Fixtures.alpha.jid, target: $0.id) }
        let plan = OperationPlan(id: "op-r", action: .remove, steps: Array(steps), reason: nil, context: context)
        _ = Reducer().reduce(&s, .pendingFound([PendingOperation(plan: plan, ended: [:])], elsewhere: 0))
        #expect(s.dialog?.confirmation?.expected == "5")
        #expect(Fixtures.press(&s, .char("y")).isEmpty, "y alone does not resume five")
        _ = Fixtures.press(&s, .backspace)
        Fixtures.type(&s, "5")
        #expect(Fixtures.press(&s, .enter).contains { if case .resume = $0 { true } else { false } })
        // Two: y/N as before.
        var t = Fixtures.loaded()
        let two = OperationPlan(id: "op-2", action: .remove, steps: Array(steps.prefix(2)), reason: nil, context: context)
        _ = Reducer().reduce(&t, .pendingFound([PendingOperation(plan: two, ended: [:])], elsewhere: 0))
        #expect(t.dialog?.confirmation?.expected == nil)
        #expect(Fixtures.press(&t, .char("y")).contains { if case .resume = $0 { true } else { false } })
    }

    @Test("a command the dialect lacks is disabled with that reason, from its capabilities")
    func capabilityDisables() {
        var s = Fixtures.loaded()
        s.dialect = .v1
        s.capabilities = Capabilities(batching: false, perRowResults: false, idempotentRemove: true, listsSessions: true,
                                      memberActions: [.remove, .add], leaves: false)
        #expect(Reducer().disabledReason(.demote, s) == "this gateway's dialect (v1) has no demote")
        #expect(Reducer().disabledReason(.leave, s) == "this gateway's dialect (v1) has no leave")
        #expect(Reducer().disabledReason(.remove, s) == nil)
        #expect(Fixtures.press(&s, .char("d")).isEmpty)
        #expect(s.message == "this gateway's dialect (v1) has no demote")
    }

    @Test("a long @lid id is cut at the front; it does not cut the phone numbers")
    func longLidDoesNotCutPhones() {
        var s = Fixtures.loaded()
        var people = Fixtures.people
        people.append(Participant(phone: nil, lid: JID(kind: .lid, user: "884774371345916"), name: "François Nuñez", role: .member))
        s.setParticipants(Fixtures.alphaKey, people)
        let lines = RootView().render(s).text.split(separator: "\n").map(String.init)
        let carla = lines.first { $0.contains("Carla") } ?? ""
        let francois = lines.first { $0.contains("François") } ?? ""
        #expect(carla.contains("+5511911100002"), "the phone is whole: \(carla)")
        #expect(francois.contains("…") && francois.contains("345916@lid"), "the id keeps its end: \(francois)")
    }
}
