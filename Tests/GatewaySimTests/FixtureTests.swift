import GatewayKit
import TestSupport
@testable import GatewaySim
import Testing

@Suite struct FixtureTests {
    func fingerprint(_ world: World) -> [String] {
        var out: [String] = []
        for s in world.sessions() {
            out.append("\(s.id) \(s.label) \(s.phone ?? "") \(s.lid)")
            for g in (world.groups(session: s.id) ?? []).prefix(5) {
                out.append("\(g.jid) \(g.subject) \(g.size) \(g.creator)")
                for m in world.members(session: s.id, group: g.jid) ?? [] {
                    out.append("\(m.phone?.string ?? "-") \(m.lid) \(m.name) \(m.role)")
                }
            }
        }
        return out
    }

    @Test func sameSeedSameWorld() {
        #expect(fingerprint(World.fixture(.demo, seed: 7)) == fingerprint(World.fixture(.demo, seed: 7)))
        #expect(fingerprint(World.fixture(.demo, seed: 7)) != fingerprint(World.fixture(.demo, seed: 8)))
    }

    @Test func demoHasWhatOperatorsRehearseWith() throws {
        let world = World.fixture(.demo)
        let sessions = world.sessions()
        #expect(sessions.map(\.label) == ["support-br", "sales-mx", "ops-eu", "community-il", "old-line"])
        #expect(sessions.filter { !$0.connected }.map(\.label) == ["old-line"])
        #expect(Set(sessions.map(\.id)).count == 5 && sessions.allSatisfy { $0.id.count == 26 && $0.id == $0.id.uppercased() })
        let groups = sessions.flatMap { world.groups(session: $0.id) ?? [] }
        #expect((30...45).contains(groups.count))
        #expect(groups.map(\.size).min() == 2 && groups.map(\.size).max() == 120)
        #expect(Set(groups.map(\.ourRole)) == [.member, .admin, .superadmin])
        let support = try #require(world.session(labeled: "support-br"))
        let big = try #require(world.handyGroups(session: support.id).largestGroup)
        let members = try #require(world.members(session: support.id, group: big.jid))
        #expect(members.count == big.size)
        #expect(members.contains { $0.phone == nil })
        #expect(members.filter { $0.role == .superadmin }.count == 1)
        #expect(members.contains { $0.phone == support.account })
    }

    @Test func largeHas50x200AndA1024MemberGroupEach() throws {
        let world = World.fixture(.large)
        let sessions = world.sessions()
        #expect(sessions.count == 50)
        var jids = Set<JID>()
        for s in sessions {
            let groups = try #require(world.groups(session: s.id))
            #expect(groups.count == 200)
            #expect(groups.filter { $0.size == 1024 }.count == 1)
            #expect(groups.dropFirst().allSatisfy { (2...256).contains($0.size) })
            jids.formUnion(groups.map(\.jid))
        }
        #expect(jids.count == 50 * 200)
        let first = sessions[0]
        let big = try #require(world.groups(session: first.id)?.first)
        let members = try #require(world.members(session: first.id, group: big.jid))
        #expect(members.count == 1024)
        #expect(Set(members.map(\.lid)).count == 1024)
    }
}
