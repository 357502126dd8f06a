import GatewayKit
import TestSupport
@testable import GatewaySim
import Testing

/// The demo world has what finding a person everywhere needs: people in several groups of
/// several sessions, and subjects that repeat.
@Suite struct DemoSharedPeopleTests {
    /// Every (session label, group subject, member) of the world.
    static func everywhere(_ world: World) -> [(label: String, group: SimGroup, member: SimMember)] {
        var out: [(String, SimGroup, SimMember)] = []
        for s in world.sessions() {
            for g in world.groups(session: s.id) ?? [] {
                for m in world.members(session: s.id, group: g.jid) ?? [] { out.append((s.label, g, m)) }
            }
        }
        return out
    }

    @Test("the spammer, the former employee and a number-hidden account are in several groups of several sessions", arguments: [1, 7] as [UInt64])
    func sharedPeople(_ seed: UInt64) {
        let all = Self.everywhere(World.fixture(.demo, seed: seed))
        let spammer = JID(kind: .user, user: "5511955501234")
        let former = JID(kind: .user, user: "5511987650042")
        let hidden = JID(kind: .lid, user: "227711339955880")

        let spam = all.filter { $0.member.matches(spammer) }
        #expect(spam.count == 11)
        #expect(Set(spam.map(\.label)) == ["support-br", "sales-mx", "community-il", "old-line"])
        #expect(spam.allSatisfy { $0.member.role == .member && $0.member.name == "Ofertas Imperdíveis 💰" })
        // Somewhere the session can remove them, somewhere it is only a member.
        #expect(Set(spam.map(\.group.ourRole)).isSuperset(of: [.admin, .member]))

        let gone = all.filter { $0.member.matches(former) }
        #expect(gone.count == 9)
        #expect(Set(gone.map(\.label)) == ["support-br", "sales-mx", "ops-eu", "community-il"])
        #expect(gone.filter { $0.member.role == .admin }.count == 6)

        let reseller = all.filter { $0.member.matches(hidden) }
        #expect(reseller.count == 4 && Set(reseller.map(\.label)).count == 3)
        #expect(reseller.allSatisfy { $0.member.phone == nil })

        // Nobody else but the sessions' own accounts and these three is in two groups.
        var groupsOf: [JID: Set<JID>] = [:]
        for row in all { groupsOf[row.member.lid, default: []].insert(row.group.jid) }
        let accounts = Set(World.fixture(.demo, seed: seed).sessions().map { JID(kind: .lid, user: $0.lid) })
        let shared = Set(groupsOf.filter { $0.value.count > 1 }.keys).subtracting(accounts)
        #expect(shared.count == 3)
    }

    @Test("subjects repeat: three Eventos São Paulo (two in one session) and two Moderators")
    func repeatedSubjects() throws {
        let world = World.fixture(.demo)
        let groups = world.sessions().flatMap { s in (world.groups(session: s.id) ?? []).map { (s.label, $0) } }
        let eventos = groups.filter { $0.1.subject == "Eventos São Paulo" }
        #expect(eventos.map(\.0).sorted() == ["sales-mx", "support-br", "support-br"])
        #expect(Set(eventos.map(\.1.jid)).count == 3)
        #expect(groups.filter { $0.1.subject == "Moderators" }.map(\.0).sorted() == ["community-il", "ops-eu"])
    }

    @Test("a group with shared people still has its planned size, and the groups they are not in are as before")
    func sizesHold() throws {
        let world = World.fixture(.demo)
        let support = try #require(world.session(labeled: "support-br"))
        let groups = try #require(world.groups(session: support.id))
        for g in groups {
            let members = try #require(world.members(session: support.id, group: g.jid))
            #expect(members.count == g.size, "\(g.subject)")
            #expect(Set(members.map(\.lid)).count == members.count, "\(g.subject)")
        }
        // Team Alpha is the group the screenshots open: nobody shared is put in it.
        let team = try #require(groups.first { $0.subject == "Team Alpha" })
        #expect(team.size == 42)
        let people = try #require(world.members(session: support.id, group: team.jid))
        #expect(!people.contains { $0.name == "Ofertas Imperdíveis 💰" || $0.name == "Rafael Antunes" || $0.name == "~Revenda" })
    }
}
