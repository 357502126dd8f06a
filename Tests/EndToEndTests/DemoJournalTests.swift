import Foundation
import GatewayKit
import TestSupport
import GatewaySim
import Testing

/// `wamod demo` keeps its rehearsals apart, as one gateway per demo world: what a run left
/// unfinished is offered by the next run of the same world, and can be resumed there.
@Suite("the demo's own journal in tmux", .enabled(if: TmuxSession.available, "needs tmux (installed by .ci/run)"), .serialized, .spawnsProcesses)
struct DemoJournalTests {
    @Test("an operation a demo run left is offered by the next run of that world and resumed; the real journal and audit log stay untouched")
    func demoResumesItsOwn() async throws {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("wamod-demo-\(UUID().uuidString)").path
        let env = ["XDG_STATE_HOME": state, "WAMOD_AUDIT": "", "LANG": "C.UTF-8", "TERM": "xterm-256color"]
        let paths = Paths(environment: env)
        let world = Paths.demoWorld(dialect: "v1", fixture: "tiny", seed: 1)
        let audit = paths.demoDirectory(world: world) + "/audit.jsonl"
        #expect(audit == state + "/wamod/demo/v1-tiny-seed1/audit.jsonl")
        // A rehearsal cut short: Carla done, Davi not sent.
        let people = TinyFixture.plainMembers
        let context = AuditContext(user: "rehearsal", client: nil, profile: "demo", gateway: Paths.demoGateway(world: world), dialect: "v1")
        let plan = OperationPlan(action: .remove, steps: people.prefix(2).map { OperationStep(session: TinyFixture.alpha, group: TinyFixture.teamAlpha, target: $0) },
                                 reason: "rehearsal", context: context)
        let entry = try Journal.beside(auditPath: audit).begin(plan)
        try entry.record(step: 0, outcome: "done")
        entry.release()
        // Another world's rehearsal (another seed) lives in its own directory.
        let other = paths.demoDirectory(world: Paths.demoWorld(dialect: "v1", fixture: "tiny", seed: 2)) + "/audit.jsonl"
        var otherContext = context
        otherContext.gateway = Paths.demoGateway(world: Paths.demoWorld(dialect: "v1", fixture: "tiny", seed: 2))
        let otherPlan = OperationPlan(action: .remove, steps: [OperationStep(session: TinyFixture.alpha, group: TinyFixture.teamAlpha, target: people[3])],
                                      reason: nil, context: otherContext)
        try Journal.beside(auditPath: other).begin(otherPlan).release()

        let t = TmuxSession()
        defer { t.kill() }
        try t.start("\(Binary.wamod.path) demo --fixture tiny --pace 6000; echo EXIT=$?; sleep 30", env: env)
        try await t.wait(for: "An operation did not finish")
        try await t.wait(for: "remove: 1 of 2 left")
        let screen = try t.screen()
        #expect(!screen.contains("other gateways"), "no rehearsal of another world is mentioned")
        try t.keys("y")
        try await t.wait(for: "the resumed operation's summary", timeout: 20) { $0.contains("removed 1 of 1") }
        #expect(!Journal.beside(auditPath: audit).pending().contains { $0.plan.id == plan.id })
        let (records, bad) = try AuditLog.read(path: audit)
        #expect(bad == 0)
        #expect(records.contains { $0.type == "resume" && $0.op == plan.id })
        #expect(records.filter { $0.type == "result" && $0.op == plan.id }.map(\.target) == [people[1].string])
        // The other world's rehearsal waits for its own world; nothing reached the real files.
        #expect(Journal.beside(auditPath: other).pending().map(\.plan.id) == [otherPlan.id])
        #expect(!FileManager.default.fileExists(atPath: state + "/wamod/audit.jsonl"))
        #expect(!FileManager.default.fileExists(atPath: state + "/wamod/journal"))
        try t.keys("q")
        try await t.wait(for: "EXIT=0")
    }
}
