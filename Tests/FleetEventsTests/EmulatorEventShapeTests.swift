import Foundation
import Testing
@testable import GatewaySim
import FleetEvents
import GatewayKit
import TestSupport

/// The world's changes as the emulator renders them in each dialect's shape, read back by the
/// client's decoder: what the emulator pushes is what the client understands, kind by kind.
@Suite struct EmulatorEventShapeTests {
    let team = TinyFixture.teamAlpha
    let alpha = TinyFixture.alpha

    /// The events a world change pushes, taken from the feed.
    private func pushed(_ world: World, count: Int = 1, _ change: () throws -> Void) async throws -> [SimEvent] {
        let (id, stream) = world.feed.listen()
        defer { world.feed.stop(id) }
        try change()
        var out: [SimEvent] = []
        for await e in stream {
            out.append(e)
            if out.count == count { break }
        }
        return out
    }

    /// The event rendered in `dialect` and decoded back.
    private func roundTrip(_ e: SimEvent, _ dialect: Dialect) throws -> [FleetEvent] {
        guard let (_, body) = SimEventRendering.render(e, dialect: dialect) else { return [] }
        return try EventDecoding.decode(dialect, body: body.data)
    }

    @Test func aJoinByLinkAJoinRequestAndAnApproval() async throws {
        let world = World.fixture(.tiny)
        let code = try #require(world.currentInviteCode(session: alpha, group: team))
        let request = try #require(try await pushed(world) { _ = try world.join(code: code, as: TinyFixture.outsider) }.first)
        #expect(request.event.kind == .joinRequest)
        let waha = try roundTrip(request, .waha)
        #expect(waha.map(\.kind) == [.joinRequest])
        #expect(waha.first?.participants.first?.phone == TinyFixture.outsider)
        // Wawp, Evolution and WUTS document no join-request event.
        for d in [Dialect.wawp, .evolution, .wuts] { #expect(try roundTrip(request, d).isEmpty) }

        let approval = try #require(try await pushed(world) {
            _ = try world.answerJoinRequests(approve: true, session: alpha, group: team, requesters: [TinyFixture.outsider])
        }.first)
        for d in [Dialect.waha, .wawp, .evolution, .wuts] {
            let back = try roundTrip(approval, d)
            #expect(back.map(\.kind) == [.joined], "\(d)")
            #expect(back.first?.participants.first?.phone == TinyFixture.outsider, "\(d)")
            // The session as the dialect's session list names it: WAHA by its name (the label).
            #expect(back.first?.session == (d == .waha ? TinyFixture.alphaLabel : alpha), "\(d)")
            #expect(back.first?.group == team, "\(d)")
        }
    }

    @Test func everyMemberChangeInEveryPushingDialect() async throws {
        let world = World.fixture(.tiny)
        let carla = TinyFixture.plainMembers[0]
        let events = try await pushed(world, count: 4) {
            _ = try world.rehearse(session: alpha, group: team, add: [TinyFixture.outsider], via: .invite)
            _ = try world.rehearse(session: alpha, group: team, promote: [carla], by: TinyFixture.otherAdmin)
            _ = try world.rehearse(session: alpha, group: team, demote: [carla], by: TinyFixture.otherAdmin)
            _ = try world.rehearse(session: alpha, group: team, remove: [carla], by: TinyFixture.otherAdmin)
        }
        #expect(events.map(\.event.kind) == [.joined, .promoted, .demoted, .left])
        for d in [Dialect.waha, .wawp, .evolution, .wuts] {
            let back = try events.flatMap { try roundTrip($0, d) }
            #expect(back.map(\.kind) == [.joined, .promoted, .demoted, .left], "\(d)")
            #expect(back.first?.participants.first?.matches(TinyFixture.outsider) == true, "\(d)")
            // The join was by the link, done by the joiner: told where the dialect's payload can
            // tell it (WAHA and Wawp through the engine's data, Evolution's author, WUTS's reason).
            #expect(back.first?.via == .invite, "\(d)")
            #expect(back.last?.by == TinyFixture.otherAdmin, "\(d)")
            #expect(back[1].participants.first?.role == .admin, "\(d)")
        }
    }

    @Test func ourOwnLeaveIsWAHAsGroupLeave() async throws {
        let world = World.fixture(.tiny)
        let leave = try #require(try await pushed(world) { try world.leave(session: alpha, group: TinyFixture.readers) }.first)
        let (name, _) = try #require(SimEventRendering.render(leave, dialect: .waha))
        #expect(name == "group.v2.leave")
        let back = try roundTrip(leave, .waha)
        #expect(back.map(\.kind) == [.left])
        #expect(back.first?.participants.first?.matches(TinyFixture.alphaAccount) == true)
    }

    @Test func aSubjectChangeCarriesTheSubjectAndSettingsChangeNone() async throws {
        let world = World.fixture(.tiny)
        let events = try await pushed(world, count: 2) {
            try world.rehearse(session: alpha, group: team, changes: [.subject("Renamed"), .setting(.announce, true)])
        }
        for d in [Dialect.waha, .wawp, .evolution, .wuts] {
            let back = try events.flatMap { try roundTrip($0, d) }
            #expect(back.map(\.kind) == [.groupChanged, .groupChanged], "\(d)")
            #expect(back.first?.subject == "Renamed", "\(d)")
            #expect(back.last?.subject == nil, "\(d)")
        }
    }

    @Test func dialectsWithoutEventsRenderNothing() async throws {
        let world = World.fixture(.tiny)
        let e = try #require(try await pushed(world) {
            _ = try world.rehearse(session: alpha, group: team, add: [TinyFixture.outsider])
        }.first)
        #expect(SimEventRendering.render(e, dialect: .v1)?.name == nil)
        #expect(SimEventRendering.render(e, dialect: .wasend)?.name == nil)
    }
}
