import GatewayKit
import TestSupport
@testable import GatewaySim
import Testing

typealias T = TinyFixture

@Suite struct WorldRulesTests {
    @Test func tinyFixtureMatchesItsDocumentation() throws {
        let world = tinyWorld()
        let sessions = world.sessions()
        #expect(sessions.map(\.id) == [T.alpha, T.offline])
        #expect(sessions[0].connected && !sessions[1].connected)
        #expect(sessions[0].account == T.alphaAccount)
        let groups = try #require(world.groups(session: T.alpha))
        #expect(groups.map(\.jid) == [T.teamAlpha, T.readers, T.ours])
        #expect(groups.map(\.ourRole) == [.admin, .member, .superadmin])
        let members = try #require(world.members(session: T.alpha, group: T.teamAlpha))
        #expect(members.count == T.teamAlphaSize)
        #expect(members.first?.phone == T.creator && members.first?.role == .superadmin)
        #expect(members.filter { $0.role == .admin }.compactMap(\.phone) == [T.alphaAccount, T.otherAdmin])
        #expect(members.filter { $0.role == .member && $0.phone != nil }.compactMap(\.phone) == T.plainMembers)
        let hidden = try #require(members.last)
        #expect(hidden.phone == nil && hidden.lid == T.lidOnlyMember)
        #expect(members.contains { $0.name.contains("王") } && members.contains { $0.name.contains("נ") || $0.name.contains("י") })
        let handy = world.handyGroups(session: T.alpha)
        #expect(handy.adminGroup?.jid == T.teamAlpha && handy.memberGroup?.jid == T.readers && handy.createdGroup?.jid == T.ours)
    }

    @Test func removesAMemberAndReportsIt() throws {
        let world = tinyWorld()
        let target = T.plainMembers[0]
        let rules = try world.apply(.remove, session: T.alpha, group: T.teamAlpha, targets: [target])
        #expect(rules.map(\.outcome) == [.ok])
        #expect(world.members(session: T.alpha, group: T.teamAlpha)?.contains { $0.matches(target) } == false)
        // Removing again: not a member.
        let again = try world.apply(.remove, session: T.alpha, group: T.teamAlpha, targets: [target])
        #expect(again.map(\.outcome) == [.notMember])
    }

    @Test func creatorIsImmuneToRemoveAndDemote() throws {
        let world = tinyWorld()
        let removed = try world.apply(.remove, session: T.alpha, group: T.teamAlpha, targets: [T.creator])
        #expect(removed.map(\.outcome) == [.isCreator])
        let demoted = try world.apply(.demote, session: T.alpha, group: T.teamAlpha, targets: [T.creator])
        #expect(demoted.map(\.outcome) == [.isCreator])
        #expect(world.members(session: T.alpha, group: T.teamAlpha)?.first?.role == .superadmin)
    }

    @Test func selfRemovalIsRefusedAndLeaveWorks() throws {
        let world = tinyWorld()
        let rules = try world.apply(.remove, session: T.alpha, group: T.teamAlpha, targets: [T.alphaAccount, T.alphaLID])
        #expect(rules.map(\.outcome) == [.isSelf, .isSelf])
        try world.leave(session: T.alpha, group: T.teamAlpha)
        #expect(world.groups(session: T.alpha)?.contains { $0.jid == T.teamAlpha } == false)
        #expect(throws: WorldRefusal.notMember) { try world.leave(session: T.alpha, group: T.teamAlpha) }
    }

    @Test func ownerLeaveDependsOnTheDialectsRule() throws {
        let world = tinyWorld()
        #expect(throws: WorldRefusal.ownerCannotLeave) { try world.leave(session: T.alpha, group: T.ours, ownerMayLeave: false) }
        try world.leave(session: T.alpha, group: T.ours, ownerMayLeave: true)
        #expect(world.group(session: T.alpha, jid: T.ours) == nil)
    }

    @Test func mutationsNeedAdmin() {
        let world = tinyWorld()
        #expect(throws: WorldRefusal.notAdmin) {
            try world.apply(.remove, session: T.alpha, group: T.readers, targets: [T.plainMembers[0]])
        }
        #expect(world.members(session: T.alpha, group: T.readers)?.count == 4)
    }

    @Test func offlineSessionRefusesMutationsButListsWork() {
        let world = tinyWorld()
        #expect(throws: WorldRefusal.notConnected(status: "SCAN_QR_CODE")) {
            try world.apply(.remove, session: T.offline, group: T.offlineGroup, targets: [T.plainMembers[0]])
        }
        #expect(world.members(session: T.offline, group: T.offlineGroup)?.count == 2)
        world.setConnected(true, session: T.offline)
        #expect((try? world.apply(.remove, session: T.offline, group: T.offlineGroup, targets: [T.plainMembers[0]]))?.first?.outcome == .ok)
    }

    @Test func unknownSessionAndGroup() {
        let world = tinyWorld()
        #expect(throws: WorldRefusal.sessionNotFound) { try world.apply(.add, session: "nope", group: T.teamAlpha, targets: [T.outsider]) }
        #expect(throws: WorldRefusal.groupNotFound) {
            try world.apply(.add, session: T.alpha, group: T.offlineGroup, targets: [T.outsider])
        }
    }

    @Test func promoteDemoteAndTheirNoOps() throws {
        let world = tinyWorld()
        let carla = T.plainMembers[0]
        #expect(try world.apply(.promote, session: T.alpha, group: T.teamAlpha, targets: [carla, T.otherAdmin, T.outsider]).map(\.outcome)
            == [.ok, .alreadySo, .notMember])
        #expect(try world.apply(.demote, session: T.alpha, group: T.teamAlpha, targets: [carla, T.plainMembers[1], T.outsider]).map(\.outcome)
            == [.ok, .alreadySo, .notMember])
        #expect(world.members(session: T.alpha, group: T.teamAlpha)?.first { $0.matches(carla) }?.role == .member)
    }

    @Test func lidOnlyMemberIsAddressedByLid() throws {
        let world = tinyWorld()
        let rules = try world.apply(.remove, session: T.alpha, group: T.teamAlpha, targets: [T.lidOnlyMember])
        #expect(rules.first?.outcome == .ok)
        // Re-added by its @lid: the world remembers the account.
        let back = try world.apply(.add, session: T.alpha, group: T.teamAlpha, targets: [T.lidOnlyMember])
        #expect(back.first?.outcome == .ok && back.first?.member?.phone == nil)
        // A member with a phone is matched by its @lid too.
        let byLid = try world.apply(.promote, session: T.alpha, group: T.teamAlpha, targets: [T.lidOf(T.plainMembers[2])])
        #expect(byLid.first?.outcome == .ok)
    }

    @Test func addOutcomes() throws {
        let world = tinyWorld()
        world.markPrivacyRestricted("5511900000077")
        let targets = [T.outsider, T.plainMembers[0], T.notOnWhatsApp, JID(kind: .user, user: "5511900000077"),
                       JID(kind: .lid, user: "999999999999999"), T.alphaAccount]
        let rules = try world.apply(.add, session: T.alpha, group: T.teamAlpha, targets: targets)
        #expect(rules.map(\.outcome) == [.ok, .alreadySo, .notOnWhatsApp, .privacyRestricted, .notOnWhatsApp, .alreadySo])
        #expect(world.members(session: T.alpha, group: T.teamAlpha)?.count == T.teamAlphaSize + 1)
    }

    @Test func disconnectsAfterKMutations() throws {
        let world = tinyWorld()
        world.updateFaults { $0.disconnectAfterMutations[T.alpha] = 2 }
        _ = try world.apply(.promote, session: T.alpha, group: T.teamAlpha, targets: [T.plainMembers[0]])
        #expect(world.session(T.alpha)?.connected == true)
        _ = try world.apply(.promote, session: T.alpha, group: T.teamAlpha, targets: [T.plainMembers[1]])
        #expect(world.session(T.alpha)?.connected == false)
        #expect(throws: WorldRefusal.notConnected(status: "SCAN_QR_CODE")) {
            try world.apply(.promote, session: T.alpha, group: T.teamAlpha, targets: [T.plainMembers[2]])
        }
        #expect(world.mutationsServed(session: T.alpha) == 2)
    }
}
