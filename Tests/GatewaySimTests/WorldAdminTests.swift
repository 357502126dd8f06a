import Foundation
import GatewayKit
import TestSupport
@testable import GatewaySim
import Testing

/// Group administration in the world itself (gateways.md §9): invite codes, settings and what
/// they let members do, join requests, sending texts, the fixtures' data for them.
@Suite struct WorldAdminTests {
    @Test func inviteCodesAreStableAndAResetLocksTheOldCodeOut() throws {
        let world = tinyWorld()
        let code = try world.inviteCode(session: T.alpha, group: T.teamAlpha)
        #expect(code.count == 22 && code.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) })
        #expect(code == (try World.fixture(.tiny, seed: 99).inviteCode(session: T.alpha, group: T.teamAlpha)), "tiny ignores the seed")
        #expect(code != (try world.inviteCode(session: T.alpha, group: T.ours)))
        let (d1, d2) = (World.fixture(.demo, seed: 1), World.fixture(.demo, seed: 2))
        let first = d1.currentInviteCode(session: demoSupport(d1), group: demoGroup("Team Alpha", in: d1))
        #expect(first != nil && first == World.fixture(.demo, seed: 1).currentInviteCode(session: demoSupport(d1), group: demoGroup("Team Alpha", in: d1)))
        #expect(first != d2.currentInviteCode(session: demoSupport(d2), group: demoGroup("Team Alpha", in: d2)), "the demo's follow its seed")

        // Ours needs no approval: the code makes a member.
        let ours = try world.inviteCode(session: T.alpha, group: T.ours)
        #expect(try world.join(code: ours, as: T.outsider) == .joined(session: T.alpha, group: T.ours))
        #expect(world.members(session: T.alpha, group: T.ours)?.contains { $0.matches(T.outsider) } == true)
        #expect(try world.join(code: InviteLink(code: ours).url, as: T.outsider) == .alreadyMember(session: T.alpha, group: T.ours))

        let fresh = try world.resetInviteCode(session: T.alpha, group: T.ours)
        #expect(fresh != ours && world.currentInviteCode(session: T.alpha, group: T.ours) == fresh)
        let newcomer = JID(kind: .user, user: "5511900000090")
        #expect(throws: JoinByCodeRefusal.invalidCode) { try world.join(code: ours, as: newcomer) }
        #expect(try world.join(code: fresh, as: newcomer) == .joined(session: T.alpha, group: T.ours))
        #expect(throws: JoinByCodeRefusal.notOnWhatsApp) { try world.join(code: fresh, as: T.notOnWhatsApp) }
        #expect(world.ledger().map(\.action) == ["join", "invite-reset", "join"])
    }

    @Test func inviteLinksNeedAnAdminAConnectionAndCountAgainstTheRateLimit() throws {
        let world = World.fixture(.tiny, options: WorldOptions(ratePerMinute: 60, burst: 2, clock: .manual(ManualTime())))
        #expect(throws: WorldRefusal.notAdmin) { try world.inviteCode(session: T.alpha, group: T.readers) }
        _ = try world.resetInviteCode(session: T.alpha, group: T.teamAlpha)
        #expect(throws: WorldRefusal.rateLimited(retryAfter: 1)) { try world.inviteCode(session: T.alpha, group: T.teamAlpha) }
        #expect(world.stats(session: T.alpha) == SimSessionStats(mutationsServed: 2, rateLimited: 1))
        #expect(throws: WorldRefusal.notConnected(status: "SCAN_QR_CODE")) { try world.inviteCode(session: T.offline, group: T.offlineGroup) }
        #expect(throws: WorldRefusal.sessionNotFound) { try world.inviteCode(session: "nobody", group: T.teamAlpha) }
    }

    @Test func approvalMakesAJoinARequestAndApprovingMakesAMember() throws {
        let world = tinyWorld()
        #expect(world.settings(session: T.alpha, group: T.teamAlpha) == GroupSettings(announce: false, locked: false, adminsAdd: true, approval: true))
        #expect(world.pendingRequests(session: T.alpha, group: T.teamAlpha)?.map(\.phone) == T.requesters)
        let code = try world.inviteCode(session: T.alpha, group: T.teamAlpha)
        #expect(try world.join(code: code, as: T.outsider) == .pending(session: T.alpha, group: T.teamAlpha))
        #expect(world.members(session: T.alpha, group: T.teamAlpha)?.count == T.teamAlphaSize)
        let pending = try world.joinRequests(session: T.alpha, group: T.teamAlpha)
        #expect(pending.map(\.phone) == T.requesters + [T.outsider] && pending.map(\.method) == ["invite_link", "invite_link", "invite_link"])
        #expect(pending[0].name == "Gabriel Nunes" && pending[0].lid == T.lidOf(T.requesters[0]))

        // By @lid or by phone; an id that is not pending is answered apart, the others still are.
        let answers = try world.answerJoinRequests(approve: true, session: T.alpha, group: T.teamAlpha,
                                                   requesters: [T.lidOf(T.requesters[0]), T.plainMembers[0]])
        #expect(answers.map(\.answered) == [true, false])
        let rejected = try world.answerJoinRequests(approve: false, session: T.alpha, group: T.teamAlpha, requesters: [T.outsider])
        #expect(rejected.map(\.answered) == [true])
        #expect(world.pendingRequests(session: T.alpha, group: T.teamAlpha)?.map(\.phone) == [T.requesters[1]])
        let members = world.members(session: T.alpha, group: T.teamAlpha) ?? []
        #expect(members.count == T.teamAlphaSize + 1 && members.contains { $0.matches(T.requesters[0]) && $0.role == .member })
        #expect(!members.contains { $0.matches(T.outsider) })
        #expect(world.ledger().map(\.action) == ["approve", "reject"])
        #expect(throws: WorldRefusal.notAdmin) { try world.joinRequests(session: T.alpha, group: T.readers) }
        #expect(throws: WorldRefusal.notAdmin) {
            try world.answerJoinRequests(approve: true, session: T.alpha, group: T.readers, requesters: [T.outsider])
        }
    }

    @Test func settingsChangeWhatMembersMayDo() throws {
        let world = tinyWorld()
        // Readers: the session is only a member. Open, it may post and rename.
        _ = try world.sendText(session: T.alpha, to: T.readers, text: "bom dia")
        try world.updateGroup([.subject("Leitores")], session: T.alpha, group: T.readers, allOrNothing: true)
        #expect(world.group(session: T.alpha, jid: T.readers)?.subject == "Leitores")
        #expect(throws: WorldRefusal.notAdmin) {
            try world.updateGroup([.setting(.announce, true)], session: T.alpha, group: T.readers, allOrNothing: true)
        }
        world.setSettings(GroupSettings(announce: true, locked: true), session: T.alpha, group: T.readers)
        #expect(throws: WorldRefusal.notAdmin) { try world.sendText(session: T.alpha, to: T.readers, text: "olá?") }
        #expect(throws: WorldRefusal.notAdmin) {
            try world.updateGroup([.subject("Readers")], session: T.alpha, group: T.readers, allOrNothing: false)
        }
        #expect(world.group(session: T.alpha, jid: T.readers)?.subject == "Leitores")
        // Admins still may, in Team Alpha.
        world.setSettings(GroupSettings(announce: true, locked: true), session: T.alpha, group: T.teamAlpha)
        _ = try world.sendText(session: T.alpha, to: T.teamAlpha, text: "aviso")
        try world.updateGroup([.subject("Team Alpha 🔒")], session: T.alpha, group: T.teamAlpha, allOrNothing: true)
        // Where every member may add, a plain member adds.
        #expect(throws: WorldRefusal.notAdmin) { try world.apply(.add, session: T.alpha, group: T.readers, targets: [T.outsider]) }
        world.setSettings(GroupSettings(adminsAdd: false), session: T.alpha, group: T.readers)
        #expect(try world.apply(.add, session: T.alpha, group: T.readers, targets: [T.outsider]).map(\.outcome) == [.ok])
    }

    @Test func aSequentialChangeKeepsWhatWasMadeBeforeARefusalAndAnAtomicOneMakesNothing() throws {
        let world = tinyWorld()
        #expect(throws: WorldRefusal.notAdmin) {
            try world.updateGroup([.subject("Novo"), .description("nova"), .setting(.announce, true)], session: T.alpha,
                                  group: T.readers, allOrNothing: false)
        }
        #expect(world.group(session: T.alpha, jid: T.readers)?.subject == "Novo")
        #expect(world.group(session: T.alpha, jid: T.readers)?.description == "nova")
        #expect(throws: WorldRefusal.notAdmin) {
            try world.updateGroup([.subject("Outro"), .setting(.locked, true)], session: T.alpha, group: T.readers, allOrNothing: true)
        }
        #expect(world.group(session: T.alpha, jid: T.readers)?.subject == "Novo")
        #expect(world.ledger().map(\.action) == ["subject", "description"])
        // A change that changes nothing is not recorded.
        let settings = try world.updateGroup([.setting(.announce, true), .setting(.announce, true), .setting(.locked, false)],
                                             session: T.alpha, group: T.teamAlpha, allOrNothing: true)
        #expect(settings.announce == true && settings.locked == false)
        #expect(world.ledger().last.map { [$0.action, $0.target, $0.detail ?? ""] } == ["settings", T.teamAlpha.string, "announce=on"])
        #expect(world.ledger().count == 3)
    }

    @Test func textsGoToMembersGroupsAndToAnyNumber() throws {
        let world = tinyWorld()
        let stranger = JID(kind: .user, user: "4915112345678")
        let a = try world.sendText(session: T.alpha, to: stranger, text: "Olá! Você foi removido do grupo.")
        #expect(!a.replayed && !a.queued && a.message.delivered && a.message.id.hasPrefix("3EB0"))
        #expect(throws: WorldRefusal.groupNotFound) { try world.sendText(session: T.alpha, to: T.offlineGroup, text: "x") }
        #expect(throws: WorldRefusal.notConnected(status: "SCAN_QR_CODE")) { try world.sendText(session: T.offline, to: stranger, text: "x") }
        _ = try world.sendText(session: T.alpha, to: T.teamAlpha, text: "reunião às 10h")
        #expect(world.messages().map(\.text) == ["Olá! Você foi removido do grupo.", "reunião às 10h"])
        #expect(world.messages(chat: stranger).map(\.chat) == [stranger])
        #expect(world.messages(session: T.offline).isEmpty)
        #expect(world.ledger().map(\.action) == ["send", "send"] && world.ledger().first?.group == stranger.string)

        // A key already answered is replayed, and nothing is sent again.
        let first = try world.sendText(session: T.alpha, to: stranger, text: "uma vez", key: "k-1")
        let again = try world.sendText(session: T.alpha, to: stranger, text: "uma vez", key: "k-1")
        #expect(again.replayed && again.message == first.message && world.messages().count == 3)

        // Queued (v1's ?async): a refusal by the rules is kept as a failed send.
        world.setSettings(GroupSettings(announce: true), session: T.alpha, group: T.readers)
        let queued = try world.sendText(session: T.alpha, to: T.readers, text: "fila", queued: true)
        #expect(queued.queued && !queued.message.delivered && queued.outboxId.hasPrefix("ob_"))
        #expect(world.messages().count == 4 && world.ledger().filter { $0.action == "send" }.count == 3)
    }

    @Test func queuedSendsAreNotRateLimitedAndOthersAre() throws {
        let world = World.fixture(.tiny, options: WorldOptions(ratePerMinute: 60, burst: 1, clock: .manual(ManualTime())))
        let stranger = JID(kind: .user, user: "4915112345678")
        _ = try world.sendText(session: T.alpha, to: stranger, text: "1")
        #expect(throws: WorldRefusal.rateLimited(retryAfter: 1)) { try world.sendText(session: T.alpha, to: stranger, text: "2") }
        #expect(throws: WorldRefusal.rateLimited(retryAfter: 1)) { try world.joinRequests(session: T.alpha, group: T.teamAlpha) }
        for i in 0..<3 { _ = try world.sendText(session: T.alpha, to: stranger, text: "q\(i)", queued: true) }
        #expect(world.messages().count == 4)
    }

    @Test func theDemoHasSettingsRequestsAndACommunity() throws {
        let world = World.fixture(.demo)
        let support = demoSupport(world)
        let vip = demoGroup("VIP Clientes 🎉", in: world)
        #expect(world.settings(session: support, group: vip)?.approval == true)
        #expect(world.pendingRequests(session: support, group: vip)?.count == 3)
        let groups = world.sessions().flatMap { s in (world.groups(session: s.id) ?? []).map { (s.label, $0) } }
        #expect(groups.filter { $0.1.pendingRequests > 0 }.map(\.1.subject).sorted()
            == ["Comunidade Dev 👩‍💻", "Distribuidores CDMX", "VIP Clientes 🎉", "Volunteers 🙌"])
        #expect(groups.filter { $0.1.settings.announce == true }.map(\.1.subject).sorted()
            == ["Distribuidores CDMX", "Incident bridge 🔥", "Releases 🚀"])
        #expect(groups.filter { $0.1.settings.adminsAdd == false }.map(\.1.subject) == ["Promo Fin de Año 🎄"])
        let communities = groups.filter { $0.1.isCommunity }
        #expect(communities.map(\.0) == ["support-br"] && communities.map(\.1.subject) == ["Comunidade Suporte BR"])
        #expect(communities.first?.1.ourRole == .admin && communities.first?.1.size == 57)
        // The requests are the same whatever else changes, and codes are distinct world-wide.
        #expect(World.fixture(.demo).pendingRequests(session: support, group: vip) == world.pendingRequests(session: support, group: vip))
        let codes = groups.compactMap { world.currentInviteCode(session: world.session(labeled: $0.0)?.id ?? "", group: $0.1.jid) }
        #expect(Set(codes).count == groups.count)
    }

    @Test func aCommunityIsMarkedAndTinyHasNoneUnlessAsked() {
        let world = tinyWorld()
        #expect(world.groups(session: T.alpha)?.allSatisfy { !$0.isCommunity } == true)
        world.markCommunity(session: T.alpha, group: T.ours)
        #expect(world.group(session: T.alpha, jid: T.ours)?.isCommunity == true)
        world.addJoinRequest(T.outsider, session: T.alpha, group: T.ours)
        #expect(world.pendingRequests(session: T.alpha, group: T.ours)?.map(\.name) == ["Fábio Outsider"])
    }

    func demoSupport(_ world: World = World.fixture(.demo)) -> String { world.session(labeled: "support-br")?.id ?? "" }
    func demoGroup(_ subject: String, in world: World) -> JID {
        world.groups(session: demoSupport(world))?.first { $0.subject == subject }?.jid ?? T.teamAlpha
    }
}
