import Foundation
import GatewayKit
import TestSupport
import GatewaySim
import Testing

/// WUTS's communities (seed 002): a removal from a community's parent goes to
/// `DELETE /communities/{jid}/participants`, told by what WUTS says of the group.
@Suite("WUTS communities against the emulator", .serialized)
struct CommunityTests {
    let alpha = TinyFixture.alpha
    let team = TinyFixture.teamAlpha
    let carla = TinyFixture.plainMembers[0], davi = TinyFixture.plainMembers[1]

    static func removals(_ h: Harness, under prefix: String) -> [SimArrival] {
        h.world.arrivals().filter { $0.method == "DELETE" && $0.path.hasPrefix(prefix) && $0.path.hasSuffix("/participants") }
    }

    @Test("only WUTS removes from communities")
    func offered() {
        #expect(Admin.dialects.filter { $0.capabilities.communities } == [.wuts])
    }

    @Test("the executor removes from a community's parent through the community route: gone, once")
    func executor() async throws {
        try await Admin.with(.wuts) { h in
            h.world.markCommunity(session: alpha, group: team)
            let results = await Executor(gateway: h.gateway, retry: RetryPolicy(random: { 0 }))
                .run(.remove, session: alpha, group: team, targets: [carla])
            #expect(results.map(\.outcome) == [.done])
            #expect(!h.isMember(carla, of: team))
            #expect(Self.removals(h, under: "/communities/").count == 1)
            #expect(Self.removals(h, under: "/groups/").isEmpty, "not the plain group route")
            #expect(Admin.changes(h, "remove").map(\.target) == [carla.string])
        }
    }

    @Test("learned from the group list too; a plain group keeps the group route")
    func fromListing() async throws {
        try await Admin.with(.wuts) { h in
            h.world.markCommunity(session: alpha, group: team)
            let groups = try await h.gateway.groups(session: alpha)
            #expect(groups.count == 3)
            let r = try await h.gateway.apply(.remove, session: alpha, group: team, target: carla)
            #expect(r.outcome == .done, "\(r.outcome)")
            #expect(!h.isMember(carla, of: team))
            #expect(Self.removals(h, under: "/communities/").count == 1)

            let plain = try await h.gateway.apply(.remove, session: alpha, group: TinyFixture.ours, target: carla)
            #expect(plain.outcome == .done, "\(plain.outcome)")
            #expect(!h.isMember(carla, of: TinyFixture.ours))
            #expect(Self.removals(h, under: "/communities/").count == 1, "the plain group's removal did not go there")
            #expect(Self.removals(h, under: "/groups/").count == 1)
        }
    }

    @Test("a group no longer a community goes back to the group route once read again")
    func unmarked() async throws {
        try await Admin.with(.wuts) { h in
            h.world.markCommunity(session: alpha, group: team)
            _ = try await h.gateway.participants(session: alpha, group: team)
            h.world.markCommunity(false, session: alpha, group: team)
            let results = await Executor(gateway: h.gateway).run(.remove, session: alpha, group: team, targets: [davi])
            #expect(results.map(\.outcome) == [.done])
            #expect(!h.isMember(davi, of: team))
            #expect(Self.removals(h, under: "/communities/").isEmpty)
            #expect(Self.removals(h, under: "/groups/").count == 1)
        }
    }
}
