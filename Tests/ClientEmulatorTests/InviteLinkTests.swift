import Foundation
import GatewayKit
import TestSupport
import GatewaySim
import Testing

/// Invite links (gateways.md §9) in every dialect, client against the emulator: what the
/// client reads is the group's code, and a reset really kills the old link.
@Suite("invite links against the emulator", .serialized)
struct InviteLinkTests {
    let alpha = TinyFixture.alpha
    let outsider = TinyFixture.outsider

    @Test("every dialect offers invite links, as §9's table says")
    func offered() {
        for d in Admin.dialects { #expect(d.capabilities.inviteLinks, "\(d)") }
    }

    @Test("the link read is the group's code; a reset gives a new one: the old no longer joins, the new one does", arguments: Admin.dialects)
    func readAndReset(_ d: Dialect) async throws {
        try await Admin.with(d) { h in
            // "Ours": no approval, so a valid code makes a member at once.
            let g = TinyFixture.ours
            let old = try #require(h.world.currentInviteCode(session: alpha, group: g))
            let link = try await h.gateway.inviteLink(session: alpha, group: g)
            #expect(link.code == old)
            #expect(link.url == "https://chat.whatsapp.com/\(old)")

            let r = try await h.gateway.resetInviteLink(session: alpha, group: g)
            #expect(r.outcome == .done, "\(r.outcome)")
            #expect(r.target == g)
            let new = try #require(h.world.currentInviteCode(session: alpha, group: g))
            #expect(new != old)
            #expect(Admin.changes(h, "invite-reset").map(\.target) == [g.string], "one reset, of this group")
            #expect(try await h.gateway.inviteLink(session: alpha, group: g).code == new, "the client reads the new code")

            #expect(throws: JoinByCodeRefusal.invalidCode) { try h.world.join(code: old, as: outsider) }
            #expect(throws: JoinByCodeRefusal.invalidCode) { try h.world.join(code: link.url, as: outsider) }
            #expect(!h.isMember(outsider, of: g))
            #expect(try h.world.join(code: "https://chat.whatsapp.com/\(new)", as: outsider, name: "Fábio") == .joined(session: alpha, group: g))
            #expect(h.isMember(outsider, of: g))
        }
    }

    @Test("not an admin (Readers): the read and the reset are forbidden, the code stays", arguments: Admin.dialects)
    func notAdmin(_ d: Dialect) async throws {
        try await Admin.with(d) { h in
            let g = TinyFixture.readers
            let code = h.world.currentInviteCode(session: alpha, group: g)
            #expect(code != nil)
            let e = await Admin.thrown { () async throws(GatewayError) in _ = try await h.gateway.inviteLink(session: alpha, group: g) }
            #expect(Admin.isForbidden(e), "\(d): \(String(describing: e))")
            let r = try await h.gateway.resetInviteLink(session: alpha, group: g)
            #expect(Admin.failedWith(r.outcome, Admin.isForbidden), "\(d): \(r.outcome)")
            #expect(h.world.currentInviteCode(session: alpha, group: g) == code)
            #expect(Admin.changes(h, "invite-reset").isEmpty)
        }
    }

    @Test("an offline session: the read and the reset say not connected, the code stays", arguments: Admin.dialects)
    func offline(_ d: Dialect) async throws {
        try await Admin.with(d) { h in
            let (session, g) = Admin.offline(h)
            let code = h.world.currentInviteCode(session: session, group: g)
            #expect(code != nil)
            let e = await Admin.thrown { () async throws(GatewayError) in _ = try await h.gateway.inviteLink(session: session, group: g) }
            #expect(Admin.isNotConnected(e), "\(d): \(String(describing: e))")
            let r = try await h.gateway.resetInviteLink(session: session, group: g)
            #expect(Admin.failedWith(r.outcome, Admin.isNotConnected), "\(d): \(r.outcome)")
            #expect(h.world.currentInviteCode(session: session, group: g) == code)
            #expect(Admin.changes(h, "invite-reset").isEmpty)
        }
    }
}
