import Foundation
import Testing
@testable import Console
import GatewayKit

/// u (undo), f (find everywhere) and the offer to resume an interrupted operation, in the
/// pure core: keys in, state and effects out.
@Suite("undo, find and resume keys")
struct RecoveryKeysTests {
    /// Removes Carla and Diego through the dialog and ends the operation with both done.
    static func removeTwo(_ s: inout ConsoleState, auditID: String = "op-1") -> Int {
        s.participantTags[Fixtures.alphaKey] = [Fixtures.people[3].id, Fixtures.people[4].id]
        _ = Fixtures.press(&s, .char("x"))
        _ = Reducer().reduce(&s, .preflightLoaded(Fixtures.alphaKey, .success(Fixtures.people)))
        _ = Fixtures.press(&s, .char("y"))
        let id = s.operation?.id ?? -1
        _ = Reducer().reduce(&s, .operationRecorded(id: id, auditID: auditID))
        StepEvents.finished(&s, id: id, Fixtures.people[3].id, .done)
        StepEvents.finished(&s, id: id, Fixtures.people[4].id, .alreadySo("not a member"))
        _ = Reducer().reduce(&s, .operationFinished(id: id))
        return id
    }

    @Test("u says why it cannot undo before anything was done")
    func undoDisabled() {
        var s = Fixtures.loaded()
        #expect(Fixtures.press(&s, .char("u")).isEmpty)
        #expect(s.dialog == nil)
        #expect(s.messageIsError)
        #expect(s.message?.contains("H lists") == true, "the history view is named")
    }

    @Test("u after a removal re-adds who was removed (not who was already gone), read again and confirmed")
    func undoAfterRemove() {
        var s = Fixtures.loaded()
        _ = Self.removeTwo(&s, auditID: "op-42")
        #expect(s.lastUndo?.targets == [Fixtures.people[3].id])
        #expect(s.message?.contains("u undoes") == true)
        let effects = Fixtures.press(&s, .char("u"))
        #expect(effects == [.preflight(Fixtures.alphaKey)])
        guard let m = s.dialog?.members, m.action == .add, m.key == Fixtures.alphaKey else { Issue.record("expected an add dialog, got \(String(describing: s.dialog))"); return }
        #expect(s.dialog?.members?.undoes == "op-42")
        // Carla is gone in the fresh read: she will be added.
        let after = Fixtures.people.filter { $0.id != Fixtures.people[3].id }
        _ = Reducer().reduce(&s, .preflightLoaded(Fixtures.alphaKey, .success(after)))
        #expect(s.dialog?.members?.plan?.toSend == [Fixtures.people[3].id])
        #expect(s.dialog?.members?.knownNames[Fixtures.people[3].id] == "Carla Dias", "the removed person keeps the name the removal showed")
        let run = Fixtures.press(&s, .char("y"))
        guard case .runMembers(let id, .add, Fixtures.alphaKey, let targets, let reason, let undoes, _, _, _)? = run.first else {
            Issue.record("expected runMembers, got \(run)"); return
        }
        #expect(targets == [Fixtures.people[3].id])
        #expect(undoes == "op-42")
        #expect(reason == "undo of op-42")
        #expect(s.log.contains { $0.text.contains("undo: re-add 1 to Team Alpha") })
        // Once the undo ends, there is nothing more for u.
        _ = Reducer().reduce(&s, .operationFinished(id: id))
        #expect(s.lastUndo == nil)
    }

    @Test("u is refused while an operation runs, and in read-only mode")
    func undoGuards() {
        var s = Fixtures.loaded()
        _ = Self.removeTwo(&s)
        var running = s
        running.operation?.finished = false
        #expect(Fixtures.press(&running, .char("u")).isEmpty)
        #expect(running.message?.contains("operation is running") == true)
        var ro = s
        ro.readOnly = true
        #expect(Fixtures.press(&ro, .char("u")).isEmpty)
        #expect(ro.message?.contains("read-only") == true)
    }

    static func report(_ who: JID) -> FindEverywhere.Report {
        let p = Participant(phone: who, lid: nil, name: "Carla Dias", role: .member)
        return FindEverywhere.Report(who: who, hits: [
            .init(session: Fixtures.support, group: Fixtures.alpha, participant: p, ourRole: .admin),
            .init(session: Fixtures.support, group: Fixtures.cjk, participant: p, ourRole: .member),
            .init(session: Fixtures.sales, group: Fixtures.vip, participant: p, ourRole: .superadmin),
        ], notSearched: ["old-line: not connected"])
    }

    @Test("f takes a number, refuses a malformed one, and asks the gateway everywhere")
    func findPrompt() {
        var s = Fixtures.loaded()
        _ = Fixtures.press(&s, .char("f"))
        #expect(s.findQuery == "")
        Fixtures.type(&s, "12ab")
        #expect(Fixtures.press(&s, .enter).isEmpty)
        #expect(s.messageIsError)
        #expect(s.findQuery == "12ab", "a malformed number stays to be corrected")
        _ = Fixtures.press(&s, .backspace, .backspace, .backspace, .backspace)
        Fixtures.type(&s, "+55 11 9111-00002")
        let effects = Fixtures.press(&s, .enter)
        let carla = Fixtures.people[3].id
        #expect(effects == [.findEverywhere(carla)])
        #expect(s.findQuery == nil)
        #expect(s.dialog?.loading == true)
        // Escape while typing gives up without a search.
        var t = Fixtures.loaded()
        _ = Fixtures.press(&t, .char("f"), .char("1"), .escape)
        #expect(t.findQuery == nil && t.dialog == nil)
    }

    @Test("the search's result lists every group; confirming with the count removes them where it can, one operation")
    func findAndRemove() {
        var s = Fixtures.loaded()
        let carla = Fixtures.people[3].id
        _ = Fixtures.press(&s, .char("f"))
        Fixtures.type(&s, "+5511911100002")
        _ = Fixtures.press(&s, .enter)
        _ = Reducer().reduce(&s, .foundEverywhere(carla, Self.report(carla)))
        #expect(s.dialog?.found?.report?.hits.count == 3)
        #expect(s.dialog?.confirmation?.expected == "2", "two groups where we are admin")
        #expect(s.dialog?.confirmation?.field == .typed)
        #expect(s.log.contains { $0.text.contains("not searched: old-line") })
        Fixtures.type(&s, "2")
        let effects = Fixtures.press(&s, .enter)
        guard case .runSweep(let id, let steps, _, _, _)? = effects.first else { Issue.record("expected runSweep, got \(effects)"); return }
        #expect(steps == [OperationStep(session: Fixtures.support.id, group: Fixtures.alpha.jid, target: carla),
                          OperationStep(session: Fixtures.sales.id, group: Fixtures.vip.jid, target: carla)])
        #expect(s.operation?.id == id)
        #expect(s.operation?.targets == [Fixtures.alpha.jid, Fixtures.vip.jid], "each step shows as its group")
        #expect(s.operation?.rows.map(\.step) == [0, 1])
        #expect(s.operation?.skipped.contains { $0.contains("we are not admin") } == true)
    }

    @Test("in read-only mode the search only lists")
    func findReadOnly() {
        var s = Fixtures.loaded()
        s.readOnly = true
        let carla = Fixtures.people[3].id
        _ = Fixtures.press(&s, .char("f"))
        Fixtures.type(&s, "+5511911100002")
        _ = Fixtures.press(&s, .enter)
        _ = Reducer().reduce(&s, .foundEverywhere(carla, Self.report(carla)))
        #expect(s.dialog?.isConfirmation == false)
        _ = Fixtures.press(&s, .char("2"))
        #expect(Fixtures.press(&s, .enter).isEmpty)
        #expect(s.dialog == nil)
        #expect(s.operation == nil)
    }

    static func pending(_ id: String, left: Int) -> PendingOperation {
        let ctx = AuditContext(user: "ana", client: nil, profile: "p", gateway: "g", dialect: "v1")
        let steps = (0..<4).map { OperationStep(session: Fixtures.support.id, group: Fixtures.alpha.jid, target: Fixtures.people[3 + $0].id) }
        var ended: [Int: String] = [:]
        for i in 0..<(4 - left) { ended[i] = "done" }
        return PendingOperation(plan: OperationPlan(id: id, action: .remove, steps: steps, reason: "spam", context: ctx), ended: ended)
    }

    @Test("at start an interrupted operation is offered; y resumes it, the next is offered when it ends")
    func resumeOffer() {
        var s = Fixtures.loaded()
        _ = Reducer().reduce(&s, .pendingFound([Self.pending("op-a", left: 2), Self.pending("op-b", left: 4)], elsewhere: 1))
        guard let p = s.dialog?.resume?.pending else { Issue.record("no resume dialog"); return }
        #expect(p.plan.id == "op-a")
        #expect(s.log.contains { $0.text.contains("1 interrupted operation of other gateways") })
        let effects = Fixtures.press(&s, .char("y"))
        guard case .resume(let id, "op-a", _)? = effects.first else { Issue.record("expected resume, got \(effects)"); return }
        #expect(s.operation?.targets == [Fixtures.people[5].id, Fixtures.people[6].id])
        #expect(s.dialog == nil, "nothing else is offered while it runs")
        _ = Reducer().reduce(&s, .operationFinished(id: id))
        guard let next = s.dialog?.resume?.pending else { Issue.record("the second was not offered"); return }
        #expect(next.plan.id == "op-b")
    }

    @Test("a read-only or dry-run console does not offer to resume; it says there is something to resume")
    func noResumeWhenReadOnly() {
        for mode in ["read-only", "dry-run"] {
            var s = Fixtures.loaded()
            if mode == "read-only" { s.readOnly = true } else { s.dryRun = true }
            _ = Reducer().reduce(&s, .pendingFound([Self.pending("op-a", left: 2)], elsewhere: 0))
            #expect(s.dialog == nil, "\(mode)")
            #expect(s.pending.isEmpty)
            #expect(s.log.contains { $0.text.contains("not offered in \(mode) mode") })
        }
    }

    @Test("n leaves it in the journal and says how to finish it later; D gives it up")
    func resumeLaterOrDiscard() {
        var s = Fixtures.loaded()
        _ = Reducer().reduce(&s, .pendingFound([Self.pending("op-a", left: 1), Self.pending("op-b", left: 1)], elsewhere: 0))
        #expect(Fixtures.press(&s, .char("n")).isEmpty)
        #expect(s.message?.contains("wamod resume op-a") == true)
        guard let p = s.dialog?.resume?.pending else { Issue.record("the second was not offered"); return }
        #expect(p.plan.id == "op-b")
        #expect(Fixtures.press(&s, .tab).isEmpty && s.dialog?.confirmation?.field == .buttons, "a resume takes no reason")
        #expect(Fixtures.press(&s, .char("D")) == [.discard(operation: "op-b")])
        #expect(s.dialog == nil)
        #expect(s.log.contains { $0.text.contains("op-b given up") })
    }
}
