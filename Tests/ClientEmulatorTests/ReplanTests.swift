import Foundation
import GatewayKit
import TestSupport
import GatewaySim
import Testing

@Suite("read the groups again, then plan")
struct ReplanTests {
    @Test("each step is sorted by a fresh read: to send, already so, or blocked with why (an offline session)", arguments: [Dialect.v1, .wasend])
    func sorted(_ d: Dialect) async throws {
        try await withHarness(d) { h in
            let carla = TinyFixture.plainMembers[0], gone = TinyFixture.plainMembers[1]
            _ = try await h.gateway.apply(.remove, session: TinyFixture.alpha, group: TinyFixture.teamAlpha, target: gone)
            let steps = [
                OperationStep(session: TinyFixture.alpha, group: TinyFixture.teamAlpha, target: carla),   // still there: a re-add needs nothing
                OperationStep(session: TinyFixture.alpha, group: TinyFixture.teamAlpha, target: gone),    // removed: a re-add goes
                OperationStep(session: TinyFixture.offline, group: TinyFixture.offlineGroup, target: carla),
            ]
            let before = h.world.mutationsServed(session: TinyFixture.alpha)
            let check = await Replan.check(.add, steps: steps, indices: [0, 1, 2], gateway: h.gateway)
            #expect(check.send == [1])
            #expect(check.settled[0]?.outcome.kind == "already")
            #expect(check.blocked[OperationGroupKey(session: TinyFixture.offline, group: TinyFixture.offlineGroup)]?.contains("not connected") == true)
            #expect(h.world.mutationsServed(session: TinyFixture.alpha) == before, "reading only")
            // Only the indices asked for are looked at.
            let one = await Replan.check(.add, steps: steps, indices: [1], gateway: h.gateway)
            #expect(one.send == [1] && one.settled.isEmpty && one.blocked.isEmpty)
        }
    }
}
