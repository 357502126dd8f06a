import GatewayKit
import TestSupport
@testable import GatewaySim
import Testing

@Suite struct RateLimitTests {
    func world(perMinute: Int, burst: Int, time: ManualTime) -> World {
        World.fixture(.tiny, options: WorldOptions(ratePerMinute: perMinute, burst: burst, clock: .manual(time)))
    }

    func promote(_ world: World) throws(WorldRefusal) {
        _ = try world.apply(.promote, session: TinyFixture.alpha, group: TinyFixture.teamAlpha, targets: [TinyFixture.otherAdmin])
    }

    @Test func burstThenRetryAfterThenRefill() throws {
        let time = ManualTime()
        let world = world(perMinute: 6, burst: 3, time: time)
        for _ in 0..<3 { try promote(world) }
        // Empty: one token every 10 s.
        #expect(throws: WorldRefusal.rateLimited(retryAfter: 10)) { try promote(world) }
        time.advance(4.2)
        #expect(throws: WorldRefusal.rateLimited(retryAfter: 6)) { try promote(world) }  // ceil(5.8)
        time.advance(6)
        try promote(world)
        #expect(world.stats(session: TinyFixture.alpha) == SimSessionStats(mutationsServed: 4, rateLimited: 2))
    }

    @Test func retryAfterIsAtLeastOneSecond() throws {
        let time = ManualTime()
        let world = world(perMinute: 600, burst: 1, time: time)
        try promote(world)
        #expect(throws: WorldRefusal.rateLimited(retryAfter: 1)) { try promote(world) }
    }

    @Test func zeroIsUnlimitedAndPerSessionOverride() throws {
        let time = ManualTime()
        let world = world(perMinute: 0, burst: 1, time: time)
        for _ in 0..<50 { try promote(world) }
        world.setRate(session: TinyFixture.alpha, perMinute: 60, burst: 1)
        try promote(world)
        #expect(throws: WorldRefusal.rateLimited(retryAfter: 1)) { try promote(world) }
        world.setRate(session: TinyFixture.alpha, perMinute: nil)
        try promote(world)
    }

    @Test func readsAreNotRateLimited() throws {
        let time = ManualTime()
        let world = world(perMinute: 1, burst: 1, time: time)
        try promote(world)
        for _ in 0..<20 { #expect(world.members(session: TinyFixture.alpha, group: TinyFixture.teamAlpha) != nil) }
        #expect(throws: WorldRefusal.rateLimited(retryAfter: 60)) { try promote(world) }
    }
}
