import Foundation
import GatewayKit
import TestSupport
import GatewaySim
import Testing

/// A request whose answer never came may or may not have been carried out: the executor reads
/// the group again and sends it again only when the change is not there.
@Suite("unknown effect: read the group again before repeating")
struct UnknownEffectTests {
    static let dialects: [Dialect] = [.v1, .wasend, .waha, .wuts, .wawp, .evolution]
    let carla = TinyFixture.plainMembers[0]

    @Test("the gateway removed them but the answer was lost: confirmed by a fresh read, not sent again", arguments: dialects)
    func lostAnswer(_ d: Dialect) async throws {
        try await withHarness(d, clientToken: ClientEmulatorTests.clientToken(d)) { h in
            h.world.updateFaults { $0.lostAnswerNext = 1 }
            let events = Collected()
            let results = await Executor(gateway: h.gateway, retry: RetryPolicy(random: { 0 }))
                .run(.remove, session: TinyFixture.alpha, group: TinyFixture.teamAlpha, targets: [carla]) { events.add($0) }
            #expect(results.map(\.outcome) == [.done])
            #expect(!h.isMember(carla, of: TinyFixture.teamAlpha))
            #expect(h.world.mutationsServed(session: TinyFixture.alpha) == 1, "the removal was not sent twice")
            #expect(events.reasons.contains { $0.contains("reading the group again") })
        }
    }

    @Test("the connection dropped before the gateway acted: the fresh read shows it, so it is sent again", arguments: dialects)
    func droppedBefore(_ d: Dialect) async throws {
        try await withHarness(d, clientToken: ClientEmulatorTests.clientToken(d)) { h in
            // Mutations are dropped before the gateway acts, until the executor reacts to one.
            h.world.updateFaults { $0.dropRate = 1; $0.ratesOnMutationsOnly = true }
            let world = h.world
            let events = Collected()
            let results = await Executor(gateway: h.gateway, retry: RetryPolicy(random: { 0 }))
                .run(.demote, session: TinyFixture.alpha, group: TinyFixture.teamAlpha, targets: [TinyFixture.otherAdmin]) { e in
                    events.add(e)
                    if case .waiting = e { world.updateFaults { $0.dropRate = 0 } }
                }
            #expect(results.map(\.outcome) == [.done])
            #expect(h.role(TinyFixture.otherAdmin, in: TinyFixture.teamAlpha) == .member)
            #expect(events.reasons.contains { $0.contains("was not done") })
        }
    }

    @Test("without a retry policy nothing is repeated, but a lost answer is still settled by reading the group, and the next target goes")
    func noPolicy() async throws {
        try await withHarness(.v1) { h in
            h.world.updateFaults { $0.lostAnswerNext = 1 }
            let results = await Executor(gateway: h.gateway)
                .run(.remove, session: TinyFixture.alpha, group: TinyFixture.teamAlpha, targets: [carla, TinyFixture.plainMembers[1]])
            #expect(results.map(\.outcome) == [.done, .done])
            #expect(h.world.mutationsServed(session: TinyFixture.alpha) == 2, "each target sent once")
            #expect(!h.isMember(TinyFixture.plainMembers[1], of: TinyFixture.teamAlpha))
        }
    }
}

final class Collected: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [OperationEvent] = []
    func add(_ e: OperationEvent) { lock.lock(); items.append(e); lock.unlock() }
    var reasons: [String] {
        lock.lock(); defer { lock.unlock() }
        return items.compactMap { if case .waiting(_, let r) = $0 { r } else { nil } }
    }
}
