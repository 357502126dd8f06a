import Foundation
import GatewayKit
import TestSupport
import GatewaySim
import Testing

/// Operations under the faults a real gateway shows, against the emulator over loopback:
/// nothing recorded that did not happen, nothing sent twice, nothing given up.
@Suite("operations under faults", .serialized)
struct FaultedOperationTests {
    static let dialects: [Dialect] = [.v1, .wasend, .waha, .wuts, .wawp, .evolution]
    let alpha = TinyFixture.alpha
    let carla = TinyFixture.plainMembers[0]

    func harness(_ d: Dialect, _ body: (Harness) async throws -> Void) async throws {
        try await withHarness(d, clientToken: ClientEmulatorTests.clientToken(d), body)
    }

    func removals(of target: JID, _ h: Harness) -> Int {
        h.world.ledger().filter { $0.action == "remove" && JID.lenient($0.target) == target }.count
    }

    static func mutations(_ h: Harness) -> Int { h.world.arrivals().filter { $0.method != "GET" && $0.method != "HEAD" }.count }

    @Test("a 200 cut short after the change was made: read again, recorded done, sent once", arguments: dialects)
    func truncatedApplied(_ d: Dialect) async throws {
        try await harness(d) { h in
            h.world.updateFaults { $0.truncatedNext = 1 }
            let events = Collected()
            let results = await Executor(gateway: h.gateway, retry: RetryPolicy(random: { 0 }))
                .run(.remove, session: alpha, group: TinyFixture.teamAlpha, targets: [carla]) { events.add($0) }
            #expect(results.map(\.outcome) == [.done])
            #expect(!h.isMember(carla, of: TinyFixture.teamAlpha))
            #expect(Self.mutations(h) == 1, "not sent again")
            #expect(events.reasons.contains { $0.contains("reading the group again") })
        }
    }

    @Test("a 200 cut short when nothing was done: read again, sent again, done; never a false done", arguments: dialects)
    func truncatedUnapplied(_ d: Dialect) async throws {
        try await harness(d) { h in
            h.world.updateFaults { $0.truncatedUnappliedNext = 1 }
            let results = await Executor(gateway: h.gateway, retry: RetryPolicy(random: { 0 }))
                .run(.remove, session: alpha, group: TinyFixture.teamAlpha, targets: [carla])
            #expect(results.map(\.outcome) == [.done])
            #expect(!h.isMember(carla, of: TinyFixture.teamAlpha), "done means gone")
            #expect(Self.mutations(h) == 2)
            #expect(removals(of: carla, h) == 1)
        }
    }

    @Test("one HTML 502 is retried and ends nothing: every target done", arguments: dialects)
    func htmlBadGateway(_ d: Dialect) async throws {
        try await harness(d) { h in
            // Every mutation gets the proxy's page until the executor first reacts to one.
            h.world.updateFaults { $0.htmlRate = 1; $0.ratesOnMutationsOnly = true }
            let world = h.world
            let targets = Array(TinyFixture.plainMembers.prefix(3))
            let results = await Executor(gateway: h.gateway, retry: RetryPolicy(random: { 0 }))
                .run(.remove, session: alpha, group: TinyFixture.teamAlpha, targets: targets) { e in
                    if case .waiting = e { world.updateFaults { $0.htmlRate = 0 } }
                }
            #expect(results.map(\.outcome) == [.done, .done, .done])
            for t in targets { #expect(!h.isMember(t, of: TinyFixture.teamAlpha)); #expect(removals(of: t, h) == 1) }
        }
    }

    @Test("a mutation whose connection drops after its head is sent once: the HTTP stack does not send it again", arguments: [Dialect.v1, .waha, .evolution])
    func noTransportResend(_ d: Dialect) async throws {
        try await harness(d) { h in
            // A read first, so that a pooled connection is there to be reused.
            _ = try await h.gateway.participants(session: alpha, group: TinyFixture.teamAlpha)
            h.world.updateFaults { $0.dropNext = 1 }
            let r = try await h.gateway.apply(.remove, session: alpha, group: TinyFixture.teamAlpha, targets: [carla])
            guard case .failed(.transport)? = r.first?.outcome else { Issue.record("expected no answer, got \(r)"); return }
            #expect(Self.mutations(h) == 1, "exactly one request reached the gateway")
            #expect(h.isMember(carla, of: TinyFixture.teamAlpha))
        }
    }

    @Test("the session drops mid-operation: the rest stay in the journal, and resume finishes them once it is back", arguments: [Dialect.v1, .waha])
    func sessionDrops(_ d: Dialect) async throws {
        try await harness(d) { h in
            let (audit, journal, ctx) = AuditedRunTests.setup()
            let session = d == .waha ? TinyFixture.alphaLabel : alpha
            h.world.updateFaults { $0.disconnectAfterMutations[alpha] = 2 }
            let runner = OperationRunner(gateway: h.gateway, pacers: PacerPool(ratePerMinute: 6000), retry: RetryPolicy(random: { 0 }),
                                         audit: audit, journal: journal, context: ctx)
            let targets = Array(TinyFixture.plainMembers.prefix(5))
            let plan = OperationPlan(action: .remove, steps: targets.map { OperationStep(session: session, group: TinyFixture.teamAlpha, target: $0) },
                                     reason: nil, context: ctx)
            let results = await runner.run(plan, entry: try runner.begin(plan))
            #expect((0..<2).allSatisfy { results[$0]?.outcome == .done })
            #expect((2..<5).allSatisfy { results[$0]?.resumable == true }, "\(results)")
            let pending = journal.pending()
            #expect(pending.count == 1)
            #expect(pending.first?.remaining == [2, 3, 4])

            // Still offline: resume keeps them.
            let early = await Resume.recheck(try #require(pending.first), gateway: h.gateway)
            #expect(early.send.isEmpty && !early.blocked.isEmpty)

            h.world.setConnected(true, session: alpha)
            let (entry, p) = try #require(journal.takeOver(plan.id, audit: try AuditLog.read(path: audit.path).records))
            let check = await Resume.recheck(p, gateway: h.gateway)
            #expect(check.send == [2, 3, 4])
            let resumed = try await runner.resume(p, check: check, entry: entry)
            #expect(resumed.values.allSatisfy { $0.outcome == .done })
            #expect(journal.pending().isEmpty)
            for t in targets { #expect(!h.isMember(t, of: TinyFixture.teamAlpha)) }
            // The audit log's last word on each target is its true final state.
            let last = Dictionary(try AuditLog.read(path: audit.path).records.filter { $0.type == "result" }.map { ($0.target ?? "", $0) },
                                  uniquingKeysWith: { _, b in b })
            #expect(targets.allSatisfy { last[$0.string]?.outcome == "done" && last[$0.string]?.resumable == nil })
        }
    }

    @Test("two operators on the same people in one group: each person removed once, the second records already", arguments: [Dialect.v1, .wasend])
    func twoRunners(_ d: Dialect) async throws {
        try await harness(d) { h in
            let (audit, journal, ctx) = AuditedRunTests.setup()
            let targets = Array(TinyFixture.plainMembers.prefix(4))
            func runner() -> OperationRunner {
                OperationRunner(gateway: h.gateway, pacers: PacerPool(ratePerMinute: 600), retry: RetryPolicy(random: { 0 }),
                                audit: audit, journal: journal, context: ctx)
            }
            let a = runner(), b = runner()
            let planA = OperationPlan(action: .remove, steps: targets.map { OperationStep(session: alpha, group: TinyFixture.teamAlpha, target: $0) },
                                      reason: "first", context: ctx)
            try await Task.sleep(for: .milliseconds(5))
            let planB = OperationPlan(action: .remove, steps: targets.map { OperationStep(session: alpha, group: TinyFixture.teamAlpha, target: $0) },
                                      reason: "second", context: ctx)
            let entryA = try a.begin(planA), entryB = try b.begin(planB)
            let events = Collected()
            async let ra = a.run(planA, entry: entryA)
            async let rb = b.run(planB, entry: entryB) { events.add($0.event) }
            let (resA, resB) = await (ra, rb)
            #expect(resA.values.allSatisfy { $0.outcome == .done })
            #expect(resB.values.allSatisfy { $0.outcome.kind == "already" }, "\(resB)")
            #expect(events.reasons.contains { $0.contains("operation \(planA.id) by ops") })
            for t in targets { #expect(removals(of: t, h) == 1) }
            #expect(journal.pending().isEmpty)
        }
    }
}
