import Foundation
import GatewayKit
import Testing
@testable import Console

/// A running operation keeps its rows by step: each event names its step, and the panes
/// look a row up by what it is shown as.
@Suite("operation rows by step")
struct OperationRowsTests {
    static func event(_ s: inout ConsoleState, _ step: Int, _ outcome: Outcome) {
        let id = s.operation?.id ?? -1
        let target = s.operation?.row(step: step)?.on.target ?? Fixtures.us
        _ = Reducer().reduce(&s, .operationEvent(id: id, StepEvent(step: step, event: .finished(TargetResult(target: target, outcome: outcome)))))
    }

    /// Carla, found in Team Alpha through both sessions (both admin), removed from both.
    static func sweepTwice() -> ConsoleState {
        var s = Fixtures.loaded()
        let carla = Fixtures.people[3].id
        let p = Participant(phone: carla, lid: nil, name: "Carla Dias", role: .member)
        let report = FindEverywhere.Report(who: carla, hits: [
            .init(session: Fixtures.support, group: Fixtures.alpha, participant: p, ourRole: .admin),
            .init(session: Fixtures.sales, group: Fixtures.alpha, participant: p, ourRole: .admin),
        ])
        _ = Fixtures.press(&s, .char("f"))
        Fixtures.type(&s, "+5511911100002")
        _ = Fixtures.press(&s, .enter)
        _ = Reducer().reduce(&s, .foundEverywhere(carla, report))
        Fixtures.type(&s, "2")
        _ = Fixtures.press(&s, .enter)
        return s
    }

    @Test("one group through two sessions is two rows, each counted and named by its own step")
    func sameGroupTwice() {
        var s = Self.sweepTwice()
        #expect(s.operation?.rows.map(\.step) == [0, 1])
        #expect(s.operation?.targets == [Fixtures.alpha.jid, Fixtures.alpha.jid])
        Self.event(&s, 0, .done)
        Self.event(&s, 1, .failed(.forbidden("not admin")))
        #expect(s.operation?.done == 1 && s.operation?.failed == 1 && s.operation?.left == 0)
        #expect(s.log.contains { $0.text == "  ✓ Team Alpha (support-br)" })
        #expect(s.log.contains { $0.text.hasPrefix("  ✗ Team Alpha (sales-mx): ") })
        #expect(s.log.last?.detail?.hasPrefix("target \(Fixtures.alpha.jid)") == true, "the detail names the row's group, as the pane shows it")
        // The groups pane shows the group's first row.
        #expect(s.operation?.state(of: Fixtures.alpha.jid) == .ended(.done))
    }

    @Test("a resume's rows keep the plan's step indices; an event for a step it does not run changes nothing")
    func resumeSteps() {
        var s = Fixtures.loaded()
        _ = Reducer().reduce(&s, .pendingFound([RecoveryKeysTests.pending("op-a", left: 2)], elsewhere: 0))
        _ = Fixtures.press(&s, .char("y"))
        #expect(s.operation?.rows.map(\.step) == [2, 3])
        #expect(s.operation?.targets == [Fixtures.people[5].id, Fixtures.people[6].id])
        Self.event(&s, 2, .done)
        _ = Reducer().reduce(&s, .operationEvent(id: s.operation?.id ?? -1, StepEvent(step: 0, event: .sending(Fixtures.people[3].id))))
        #expect(s.operation?.done == 1 && s.operation?.left == 1)
        #expect(s.operation?.state(of: Fixtures.people[5].id) == .ended(.done))
        #expect(s.operation?.state(of: Fixtures.people[3].id) == nil)
    }

    @Test("a leave's done groups lose their tags; a sweep keeps the group tags and reads the open group again")
    func afterTheEnd() {
        var s = Fixtures.loaded()
        s.focus = .groups
        s.groupTags["S1"] = [Fixtures.alpha.jid, Fixtures.vip.jid]
        _ = Fixtures.press(&s, .char("L"))
        _ = Reducer().reduce(&s, .leavePreflightLoaded(session: "S1", .success([LeaveRow(group: Fixtures.alpha, verdict: .willAct),
                                                                               LeaveRow(group: Fixtures.vip, verdict: .willAct)])))
        Fixtures.type(&s, "2")
        _ = Fixtures.press(&s, .enter)
        #expect(s.operation?.rows.allSatisfy(\.actsOnGroup) == true)
        Self.event(&s, 0, .done)
        Self.event(&s, 1, .failed(.forbidden("not allowed")))
        _ = Reducer().reduce(&s, .operationFinished(id: s.operation?.id ?? -1))
        #expect(s.groupTags["S1"] == [Fixtures.vip.jid], "the group left is untagged, the one not left stays tagged")

        var t = Self.sweepTwice()
        t.groupTags["S1"] = [Fixtures.alpha.jid]
        Self.event(&t, 0, .done)
        Self.event(&t, 1, .done)
        let effects = Reducer().reduce(&t, .operationFinished(id: t.operation?.id ?? -1))
        #expect(t.groupTags["S1"] == [Fixtures.alpha.jid])
        #expect(effects.contains(.loadParticipants(Fixtures.alphaKey)))
        #expect(t.undoStack.isEmpty, "an operation across groups is undone by wamod undo, not u")
    }
}
