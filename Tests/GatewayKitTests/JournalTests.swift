import Foundation
import Testing
@testable import GatewayKit

@Suite("journal")
struct JournalTests {
    static func plan(_ n: Int) -> OperationPlan {
        let ctx = AuditContext(user: "ops", client: nil, profile: "p", gateway: "http://127.0.0.1:1", dialect: "v1")
        let steps = (0..<n).map { i in
            OperationStep(session: "s", group: JID(kind: .group, user: "1203630000000000\(i % 2)"), target: JID(kind: .user, user: "55119000000\(10 + i)"))
        }
        return OperationPlan(action: .remove, steps: steps, reason: "r", context: ctx)
    }

    static func dir() -> Journal {
        Journal(directory: FileManager.default.temporaryDirectory.appendingPathComponent("wamod-journal-\(UUID().uuidString)").path)
    }

    @Test("a running operation's journal is not offered; once let go, its remaining steps are")
    func heldThenPending() throws {
        let j = Self.dir()
        let p = Self.plan(4)
        let entry = try j.begin(p)
        try entry.record(step: 0, outcome: "done")
        try entry.record(step: 2, outcome: "refused")
        #expect(j.pending().isEmpty, "a journal held by a running operation must not be offered")
        #expect(j.take(p.id) == nil)
        entry.release()
        let pending = try #require(j.pending().first)
        #expect(pending.plan == p)
        #expect(pending.remaining == [1, 3])
        #expect(pending.summary.hasPrefix("remove: 2 of 4 left in 1 group"))
    }

    @Test("finish removes the journal; a second begin of the same id is refused")
    func finishAndExclusive() throws {
        let j = Self.dir()
        let p = Self.plan(1)
        let entry = try j.begin(p)
        #expect(throws: GatewayError.self) { _ = try j.begin(p) }
        entry.finish()
        #expect(j.pending().isEmpty)
        #expect(!FileManager.default.fileExists(atPath: j.directory + "/\(p.id).jsonl"))
    }

    @Test("a line cut short by a crash is ignored: that step is still to do")
    func tornLastLine() throws {
        let j = Self.dir()
        let p = Self.plan(3)
        let entry = try j.begin(p)
        try entry.record(step: 0, outcome: "done")
        entry.release()
        let h = try #require(FileHandle(forWritingAtPath: j.directory + "/\(p.id).jsonl"))
        h.seekToEndOfFile()
        h.write(Data("{\"outcome\":\"do".utf8))
        try h.close()
        #expect(j.pending().first?.remaining == [1, 2])
        // Taking it over holds it again.
        let (held, pending) = try #require(j.take(p.id))
        #expect(pending.remaining == [1, 2])
        #expect(j.pending().isEmpty)
        held.finish()
    }

    @Test("a result in the audit log but not yet in the journal (killed between the two writes) counts as ended")
    func mergeAudit() throws {
        let j = Self.dir()
        let p = Self.plan(3)
        let entry = try j.begin(p)
        try entry.record(step: 0, outcome: "done")
        entry.release()
        let pending = try #require(j.pending().first)
        let records: [AuditRecord] = [
            .result(id: p.id, TargetResult(target: p.steps[0].target, outcome: .done), session: "s", group: p.steps[0].group),
            .result(id: p.id, TargetResult(target: p.steps[1].target, outcome: .done), session: "s", group: p.steps[1].group),
            .result(id: "another-op", TargetResult(target: p.steps[2].target, outcome: .done), session: "s", group: p.steps[2].group),
        ]
        #expect(pending.remaining == [1, 2])
        #expect(pending.merging(audit: records).remaining == [2])
    }

    @Test("undo inverts remove, demote and promote from the audit records, and refuses add and leave")
    func undoPlans() throws {
        let ctx = AuditContext(user: "ops", client: nil, profile: "p", gateway: "g", dialect: "v1")
        let p = Self.plan(3)
        var records = [p.startRecord(context: ctx)]
        records.append(.result(id: p.id, TargetResult(target: p.steps[0].target, outcome: .done), session: "s", group: p.steps[0].group))
        records.append(.result(id: p.id, TargetResult(target: p.steps[1].target, outcome: .refused("owner")), session: "s", group: p.steps[1].group))
        records.append(.result(id: p.id, TargetResult(target: p.steps[2].target, outcome: .done), session: "s", group: p.steps[2].group))
        let undo = try Undo.plan(p.id, records: records)
        #expect(undo.action == .add)
        #expect(undo.steps == [p.steps[0], p.steps[2]])
        #expect(throws: GatewayError.self) { _ = try Undo.plan("nope", records: records) }
        var leave = records
        leave[0].action = "leave"
        #expect(throws: GatewayError.self) { _ = try Undo.plan(p.id, records: leave) }
        #expect(Undo.inverse(of: "demote") == .success(.promote))
        #expect(Undo.inverse(of: "promote") == .success(.demote))
    }
}
