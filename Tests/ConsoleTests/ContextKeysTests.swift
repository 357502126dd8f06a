import FleetIndex
import Foundation
import GatewayKit
import Testing
@testable import Console

/// The keys of the places other than the main screen are data: the reducer runs what the
/// table says, and the hints and the help are made from the same table.
@Suite("context key tables")
struct ContextKeysTests {
    /// What a hint's key did: the key, the state before and after, and the effects.
    typealias Check = (Key, ConsoleState, ConsoleState, [Effect]) -> Bool

    /// A state in each context, and for each hint it shows, what its keys must do.
    static func cases() -> [KeyContext: (state: ConsoleState, checks: [String: Check])] {
        var out: [KeyContext: (state: ConsoleState, checks: [String: Check])] = [:]
        let cancelled: Check = { _, _, a, e in a.dialog == nil && a.message == "cancelled, nothing sent" && e.isEmpty }
        let reasonField: Check = { _, _, a, _ in a.dialog?.confirmation?.field == .reason }

        // A y/N removal of Carla.
        var yesNo = Fixtures.loaded()
        yesNo.lists[.participants]?.cursor = 3
        _ = Fixtures.press(&yesNo, .char("x"))
        _ = Reducer().reduce(&yesNo, .preflightLoaded(Fixtures.alphaKey, .success(Fixtures.people)))
        out[.confirmYesNo] = (yesNo, [
            "confirm": { _, _, _, e in e.contains { if case .runMembers = $0 { true } else { false } } },
            "cancel": cancelled,
            "reason": reasonField,
            "choose No or Yes": { k, b, a, e in
                // Enter chooses the button in focus (No at first); the arrows switch it.
                k == .enter ? cancelled(k, b, a, e) : a.dialog?.confirmation?.yesFocused == !(b.dialog?.confirmation?.yesFocused ?? true)
            },
        ])

        // A leave, the count typed.
        var typed = FirstUseTests.leaveDialog(FirstUseTests.dev)
        Fixtures.type(&typed, "1")
        out[.confirmTyped] = (typed, [
            "confirm once typed": { _, _, _, e in e.contains { if case .runLeave = $0 { true } else { false } } },
            "cancel": cancelled,
            "reason": reasonField,
        ])

        // An interrupted operation with two left (y/N), and with five (typed).
        var resumeYN = Fixtures.loaded()
        _ = Reducer().reduce(&resumeYN, .pendingFound([RecoveryKeysTests.pending("op-a", left: 2)], elsewhere: 0))
        let later: Check = { _, _, a, _ in a.dialog == nil && a.message?.contains("stays in the journal") == true }
        let giveUp: Check = { _, _, a, e in a.dialog == nil && e == [.discard(operation: "op-a")] }
        out[.resumeYesNo] = (resumeYN, [
            "resume": { _, _, _, e in e.contains { if case .resume(_, "op-a", _) = $0 { true } else { false } } },
            "later": later,
            "give up": giveUp,
        ])
        var resumeTyped = Fixtures.loaded()
        let steps = Fixtures.people.suffix(5).map { OperationStep(session: Fixtures.support.id, group: Fixtures.alpha.jid, target: $0.id) }
        let context = AuditContext(user: "ana", client: nil, profile: "", gateway: "gw", dialect: "v1")
        let five = OperationPlan(id: "op-a", action: .remove, steps: Array(steps), reason: nil, context: context)
        _ = Reducer().reduce(&resumeTyped, .pendingFound([PendingOperation(plan: five, ended: [:])], elsewhere: 0))
        out[.resumeTyped] = (resumeTyped, [
            // Nothing typed yet: Enter says what to type and does not resume.
            "resume once the count is typed": { _, _, a, e in e.isEmpty && a.dialog?.confirmation?.warning?.contains("type 5") == true },
            "later": later,
            "give up": giveUp,
        ])

        // The history, three operations, the cursor on the middle one (undoable).
        var history = Fixtures.loaded()
        _ = Fixtures.press(&history, .char("H"))
        let undoable = Self.historyItem("B2", undo: .success(.add))
        _ = Reducer().reduce(&history, .historyLoaded(.success([Self.historyItem("A1", undo: .failure(.notPossible("no"))), undoable,
                                                                Self.historyItem("C3", undo: .failure(.notPossible("no")))])))
        _ = Fixtures.press(&history, .char("j"))
        out[.history] = (history, [
            "move": { k, b, a, _ in a.dialog?.history?.cursor == (b.dialog?.history?.cursor ?? 0) + (k == .char("j") ? 1 : -1) },
            "undo it": { _, _, a, e in a.dialog?.members?.undoes == "B2" && e == [.preflight(Fixtures.alphaKey)] },
            "close": { _, _, a, _ in a.dialog == nil },
        ])

        // A search under way.
        var running = Fixtures.loaded()
        _ = Fixtures.press(&running, .char("f"))
        Fixtures.type(&running, "+5511911100002")
        _ = Fixtures.press(&running, .enter)
        running.fleet.available = true
        let watchPrompt: Check = { _, _, a, e in e.isEmpty && a.dialog?.found?.watchReason == "" }
        out[.findRunning] = (running, [
            "stop the search": { _, _, a, e in e == [.stopFind] && a.dialog?.found?.stopping == true },
            "watchlist": watchPrompt,
        ])

        // The index's answer, listed: x reads its groups live, r searches live, W the watchlist.
        var listed = FleetConsoleTests.indexed()
        _ = Fixtures.press(&listed, .char("f"))
        Fixtures.type(&listed, "+5511955501234")
        _ = Fixtures.press(&listed, .enter)
        let hit = IndexHit(session: FleetConsoleTests.isession(Fixtures.support), group: FleetConsoleTests.igroup("S1", Fixtures.alpha),
                           participant: FleetConsoleTests.iperson(FleetConsoleTests.spammerP))
        _ = Reducer().reduce(&listed, .indexFound(FleetConsoleTests.spammer, [hit]))
        out[.findList] = (listed, [
            "remove (read live first)": { _, _, a, e in e == [.confirmFound(FleetConsoleTests.spammer, hits: [hit])] && a.dialog?.found?.confirming == true },
            "watchlist": watchPrompt,
            "search live": { _, _, a, e in e == [.findEverywhere(FleetConsoleTests.spammer)] && a.dialog?.found?.indexHits == nil },
            "close": { _, _, a, _ in a.dialog == nil },
        ])

        // Typing the watchlist's reason.
        var reason = listed
        _ = Fixtures.press(&reason, .char("W"))
        Fixtures.type(&reason, "spam")
        out[.watchReason] = (reason, [
            "done": { _, _, a, e in e.count == 1 && a.dialog?.found?.watchReason == nil },
            "cancel": { _, _, a, e in e.isEmpty && a.dialog?.found?.watchReason == nil && a.dialog != nil },
        ])

        // A summary, scrolled a little.
        var info = Fixtures.loaded()
        var summary = TextDialog(title: "remove 2 from Team Alpha — removed 0 of 2", lines: (0..<30).map { "✗ line \($0)" })
        summary.scroll = 2
        info.dialog = .summary(summary)
        out[.dialogInfo] = (info, [
            "close": { _, _, a, _ in a.dialog == nil },
            "scroll": { k, b, a, _ in a.dialog?.scroll == (b.dialog?.scroll ?? 0) + (k == .char("j") ? 1 : -1) },
        ])

        // A group's details, read: v shows the link whole, then masks it again.
        var group = Fixtures.loaded()
        var details = GroupInfoDialog(key: GroupKey(session: Fixtures.support.id, group: Fixtures.alpha.jid), subject: Fixtures.alpha.subject)
        details.info = GroupInfo(settings: .success(GroupSettings(announce: true, locked: false)),
                                 link: .success(InviteLink(code: "AbCdEfGh1234")))
        group.dialog = .groupInfo(details)
        out[.groupInfo] = (group, [
            "show/hide the link": { _, b, a, _ in
                guard case .groupInfo(let before)? = b.dialog, case .groupInfo(let after)? = a.dialog else { return false }
                return after.revealed != before.revealed
            },
            "close": { _, _, a, _ in a.dialog == nil },
        ])

        var help = Fixtures.loaded()
        _ = Fixtures.press(&help, .char("?"))
        help.helpScroll = 5
        out[.help] = (help, [
            "close": { _, _, a, _ in !a.showHelp },
            "scroll": { k, _, a, _ in
                a.showHelp && a.helpScroll == [Key.char("j"): 6, .char("k"): 4, .char("g"): 0, .char("G"): 1000][k]
            },
        ])

        var find = Fixtures.loaded()
        _ = Fixtures.press(&find, .char("f"))
        Fixtures.type(&find, "+5511911100002")
        out[.find] = (find, [
            "find": { _, _, a, e in e == [.findEverywhere(Fixtures.people[3].id)] && a.findQuery == nil },
            "cancel": { _, _, a, e in e.isEmpty && a.findQuery == nil && a.dialog == nil },
        ])

        var filter = Fixtures.loaded()
        _ = Fixtures.press(&filter, .char("/"))
        Fixtures.type(&filter, "diego ram")
        out[.filter] = (filter, [
            "keep": { _, _, a, _ in !a.list(.participants).editing && a.list(.participants).filter == "diego ram" },
            "clear": { _, _, a, _ in !a.list(.participants).editing && a.list(.participants).filter.isEmpty },
            "word": { _, _, a, _ in a.list(.participants).editing && a.list(.participants).filter == "diego " },
            "all": { _, _, a, _ in a.list(.participants).editing && a.list(.participants).filter.isEmpty },
        ])

        var small = Fixtures.loaded()
        _ = Reducer().reduce(&small, .resize(width: 40, height: 10))
        out[.tooSmall] = (small, ["quit": { _, _, a, e in a.quit && e == [.quit] }])
        return out
    }

    static func historyItem(_ id: String, undo: Result<MemberAction, GatewayError>) -> HistoryItem {
        HistoryItem(auditID: id, time: "2026-12-02T03:04:00.000Z", user: "ana", action: "remove", session: Fixtures.support.id,
                    group: Fixtures.alpha.jid, targets: 1, done: [Fixtures.people[3].id], unsettled: 0, reason: nil, undoes: nil,
                    undoneBy: nil, dryRun: false, undo: undo)
    }

    /// The keys a hint names ("n/Esc", "←/→ Enter", "j/k g/G"); "typed" names typing, not a key.
    static func keys(of hint: ContextKey) -> [Key] {
        hint.keys.split(whereSeparator: { $0 == " " || $0 == "/" }).compactMap { Key(name: String($0)) }
    }

    @Test("no context binds one key twice")
    func noKeyTwice() throws {
        let remapped = try KeyMap.standard.remapped([("quit", "Q, F10", 1)])
        for map in [KeyMap.standard, remapped] {
            for context in KeyContext.allCases where context != .main {
                let keys = map.table(context).bindings.flatMap(\.keys)
                #expect(Set(keys).count == keys.count, "\(context): \(keys)")
            }
        }
        #expect(remapped.table(.tooSmall).bindings.first?.keys == [.char("Q"), .function(10)], "a terminal too small quits with quit's keys")
    }

    @Test("every key the hints show is bound where they show it")
    func hintsAreBound() {
        for context in KeyContext.allCases where context != .main {
            let table = KeyMap.standard.table(context)
            for hint in table.hints {
                if hint == table.textHint {
                    #expect(table.text != nil, "\(context): \(hint.keys) is typed")
                    continue
                }
                let keys = Self.keys(of: hint)
                #expect(!keys.isEmpty, "\(context): \(hint.keys) names no key")
                for k in keys { #expect(table.command(for: k) != nil, "\(context): \(k) is shown but not bound") }
            }
        }
    }

    @Test("every key the hints show does what it says, in every context")
    func hintsDoWhatTheySay() {
        let cases = Self.cases()
        #expect(Set(cases.keys).union([.main, .confirmReason]) == Set(KeyContext.allCases), "every context is tried")
        for (context, c) in cases {
            #expect(KeyContext.of(c.state) == context, "the state built for \(context) is in it")
            let hints = KeyMap.standard.hints(c.state)
            #expect(hints == KeyMap.standard.table(context).hints)
            for hint in hints where hint != KeyMap.standard.table(context).textHint {
                guard let check = c.checks[hint.action] else {
                    Issue.record("\(context): no check for “\(hint.keys) \(hint.action)”")
                    continue
                }
                for k in Self.keys(of: hint) {
                    var after = c.state
                    let effects = Fixtures.press(&after, k)
                    let did = check(k, c.state, after, effects)
                    #expect(did, "\(context): \(k) does not \(hint.action)")
                }
            }
        }
    }

    @Test("a typed confirmation is typed: the name or the count confirms, and y, n and q are text there")
    func typedConfirmation() {
        var s = FirstUseTests.leaveDialog(FirstUseTests.dev)
        #expect(KeyContext.of(s) == .confirmTyped)
        Fixtures.type(&s, "yq")
        #expect(s.dialog?.confirmation?.typed == "yq" && s.dialog != nil)
        _ = Fixtures.press(&s, .backspace, .backspace)
        Fixtures.type(&s, "1")
        #expect(Fixtures.press(&s, .enter).contains { if case .runLeave = $0 { true } else { false } })
    }

    @Test("typing a reason: every printable key is text, Enter goes on, and the hints stay the confirmation's")
    func reasonField() {
        var s = Self.cases()[.confirmYesNo]!.state
        _ = Fixtures.press(&s, .tab)
        #expect(KeyContext.of(s) == .confirmReason)
        #expect(KeyMap.standard.hints(s) == KeyMap.standard.table(.confirmYesNo).hints)
        Fixtures.type(&s, "yes, spam")
        #expect(s.dialog?.confirmation?.reason == "yes, spam" && s.operation == nil)
        _ = Fixtures.press(&s, .enter)
        #expect(KeyContext.of(s) == .confirmYesNo)
        #expect(Fixtures.press(&s, .char("y")).count == 1)
    }

    @Test("a key a resume does not take leaves it as it is; a bound one answers the warning")
    func resumeWarning() {
        var s = Self.cases()[.resumeTyped]!.state
        _ = Fixtures.press(&s, .enter)
        #expect(s.dialog?.confirmation?.warning != nil)
        _ = Fixtures.press(&s, .tab)
        #expect(s.dialog?.confirmation?.warning != nil, "Tab does nothing here: a resume takes no reason")
        #expect(s.dialog?.confirmation?.field == .typed)
        Fixtures.type(&s, "5")
        #expect(s.dialog?.confirmation?.warning == nil)
        #expect(Fixtures.press(&s, .enter).contains { if case .resume = $0 { true } else { false } })
    }

    @Test("the help lists each context with its keys; those it folds are named")
    func helpListsEachContext() {
        var s = Fixtures.loaded()
        s.showHelp = true
        let help = HelpView(state: s, keys: .standard).lines().map(\.0)
        for context in KeyContext.allCases where context.hasHelpSection {
            #expect(help.contains(context.title), "\(context) has its section")
            for k in KeyMap.standard.table(context).hints {
                #expect(help.contains(CellWidth.fit(k.keys, to: 18) + " " + k.action), "\(context): \(k.keys) \(k.action)")
            }
        }
        // The main screen's keys head the help; the others share a section or never show it.
        #expect(Set(KeyContext.allCases.filter { !$0.hasHelpSection }) == [.main, .tooSmall, .resumeYesNo, .confirmReason])
        #expect(help.contains(KeyContext.resumeYesNo.title))
        for b in KeyMap.standard.bindings { #expect(help.contains { $0.contains(b.keys.map(\.description).joined(separator: " ")) }, "\(b.command)") }
    }
}
