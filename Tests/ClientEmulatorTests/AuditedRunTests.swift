import Foundation
import GatewayKit
import TestSupport
import GatewaySim
import Testing

/// The audit file and the journal after an operation succeeds, partly fails, or is
/// cancelled: run through the OperationRunner against the emulator, then parsed back.
@Suite("audit and journal after success, partial failure and cancellation")
struct AuditedRunTests {
    static func setup() -> (AuditLog, Journal, AuditContext) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wamod-audited-\(UUID().uuidString)").path
        let audit = AuditLog(path: dir + "/audit.jsonl")
        return (audit, Journal.beside(auditPath: audit.path),
                AuditContext(user: "ops", client: "203.0.113.9", profile: "p", gateway: "http://127.0.0.1", dialect: "v1"))
    }

    static func plan(_ targets: [JID], context: AuditContext) -> OperationPlan {
        OperationPlan(action: .remove, steps: targets.map { OperationStep(session: TinyFixture.alpha, group: TinyFixture.teamAlpha, target: $0) },
                      reason: "spam", context: context)
    }

    @Test("success and partial failure: a start record, one result per target with its outcome, no journal left")
    func successAndPartial() async throws {
        try await withHarness(.v1) { h in
            let (audit, journal, ctx) = Self.setup()
            let runner = OperationRunner(gateway: h.gateway, pacers: PacerPool(ratePerMinute: 6000), audit: audit, journal: journal, context: ctx)
            let plan = Self.plan([TinyFixture.plainMembers[0], TinyFixture.creator, TinyFixture.plainMembers[1]], context: ctx)
            let results = await runner.run(plan, entry: try runner.begin(plan))
            #expect(results.count == 3)
            let (records, bad) = try AuditLog.read(path: audit.path)
            #expect(bad == 0)
            let start = try #require(records.first)
            #expect(start.type == "operation" && start.op == plan.id && start.reason == "spam" && start.user == "ops" && start.client == "203.0.113.9")
            #expect(start.targets == plan.steps.map(\.target.string))
            let outcomes = records.filter { $0.type == "result" }.map { [$0.target ?? "", $0.outcome ?? ""] }
            #expect(outcomes == [[TinyFixture.plainMembers[0].string, "done"], [TinyFixture.creator.string, "refused"],
                                 [TinyFixture.plainMembers[1].string, "done"]])
            #expect(records.filter { $0.type == "result" }.allSatisfy { $0.httpStatus != nil && $0.group == TinyFixture.teamAlpha.string })
            #expect(journal.pending().isEmpty)
        }
    }

    @Test("cancellation: the request in flight ends, the rest are recorded not attempted, and the journal is removed")
    func cancelled() async throws {
        try await withHarness(.v1) { h in
            let (audit, journal, ctx) = Self.setup()
            // One request a minute: the second target waits on the pacer until cancelled.
            let runner = OperationRunner(gateway: h.gateway, pacers: PacerPool(ratePerMinute: 1), audit: audit, journal: journal, context: ctx)
            let plan = Self.plan(Array(TinyFixture.plainMembers.prefix(3)), context: ctx)
            let entry = try runner.begin(plan)
            let task = Task { await runner.run(plan, entry: entry) }
            for _ in 0..<200 {
                if (try? AuditLog.read(path: audit.path).records.contains { $0.type == "result" }) == true { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            task.cancel()
            let results = await task.value
            #expect(results[0]?.outcome == .done)
            #expect(results[1]?.outcome.kind == "not-attempted" && results[2]?.outcome.kind == "not-attempted")
            let records = try AuditLog.read(path: audit.path).records.filter { $0.type == "result" }
            #expect(records.map(\.outcome) == ["done", "not-attempted", "not-attempted"])
            #expect(h.isMember(TinyFixture.plainMembers[1], of: TinyFixture.teamAlpha))
            #expect(journal.pending().isEmpty, "a cancelled operation is finished: nothing to resume")
        }
    }
}
