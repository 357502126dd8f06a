import Foundation
import Testing
@testable import GatewayKit

@Suite("preflight")
struct PreflightTests {
    static let us = JID(kind: .user, user: "5511900000001")
    static let owner = Participant(phone: JID(kind: .user, user: "5511900000002"), lid: nil, name: "Owner", role: .superadmin)
    static let admin = Participant(phone: JID(kind: .user, user: "5511900000003"), lid: nil, name: "Admin", role: .admin)
    static let member = Participant(phone: JID(kind: .user, user: "5511900000004"), lid: JID(kind: .lid, user: "444"), name: "Member", role: .member)
    static let me = Participant(phone: us, lid: nil, name: "Us", role: .admin)
    static let people = [owner, admin, member, me]
    static let session = Session(id: "s", label: "s", account: us, connected: true, status: "working")
    static let stranger = JID(kind: .user, user: "5511900000099")

    func verdicts(_ a: MemberAction, _ targets: [JID], people: [Participant] = people, session: Session = session) -> [Verdict] {
        Preflight.plan(a, targets: targets, participants: people, session: session).rows.map(\.verdict)
    }

    @Test("remove: the owner, a non-member and our own account are not sent")
    func remove() {
        let v = verdicts(.remove, [Self.owner.id, Self.member.id, Self.stranger, Self.us])
        #expect(v[0] == .skip("the owner cannot be removed"))
        #expect(v[1] == .willAct)
        #expect(v[2] == .alreadySo("not a member"))
        #expect(v[3] == .skip("that is this session's own account (use leave)"))
        let plan = Preflight.plan(.remove, targets: [Self.owner.id, Self.member.id], participants: Self.people, session: Self.session)
        #expect(plan.toSend == [Self.member.id])
    }

    @Test("a target named by @lid matches the participant; duplicates are dropped")
    func lidAndDuplicates() {
        let plan = Preflight.plan(.remove, targets: [JID(kind: .lid, user: "444"), Self.member.id], participants: Self.people, session: Self.session)
        #expect(plan.rows.count == 1)
        #expect(plan.rows[0].participant?.name == "Member")
    }

    @Test("demote and promote: already so, owner immunity")
    func roles() {
        #expect(verdicts(.demote, [Self.admin.id, Self.member.id, Self.owner.id]) == [.willAct, .alreadySo("already not an admin"), .skip("the owner cannot be demoted")])
        #expect(verdicts(.promote, [Self.member.id, Self.admin.id, Self.stranger]) == [.willAct, .alreadySo("already an admin"), .skip("not a member")])
        #expect(verdicts(.add, [Self.stranger, Self.member.id]) == [.willAct, .alreadySo("already a member")])
    }

    @Test("blocked when offline, when not an admin, when not a member")
    func blockers() {
        var offline = Self.session
        offline.connected = false
        offline.status = "SCAN_QR_CODE"
        let p1 = Preflight.plan(.remove, targets: [Self.member.id], participants: Self.people, session: offline)
        #expect(p1.blocker == .notConnected(status: "SCAN_QR_CODE"))
        #expect(p1.toSend.isEmpty)
        var demoted = Self.people
        demoted[3].role = .member
        #expect(Preflight.plan(.remove, targets: [Self.member.id], participants: demoted, session: Self.session).blocker == .notAdmin)
        #expect(Preflight.plan(.remove, targets: [Self.member.id], participants: Array(Self.people.prefix(3)), session: Self.session).blocker == .notMember)
        #expect(Preflight.plan(.remove, targets: [Self.member.id], participants: Self.people, session: Self.session).blocker == nil)
    }
}
