import Foundation
import Testing
@testable import GatewayKit

/// Wasend's group administration (gateways.md §9, https://wasend.dev/docs/groups/… and
/// …/docs/messages/send-text, `@wasend/core` 1.3.3).
@Suite("wasend administration")
struct WasendAdminTests {
    static let g = JID(kind: .group, user: "120363041234567890")
    static let base = "/sess-1/groups/120363041234567890@g.us"

    @Test("requests: invite code and revoke, one PUT per admin-only setting, sendText with the session")
    func encoders() throws {
        let c = WasendCodec()
        let read = try #require(c.inviteLinkRead(session: "sess-1", group: Self.g))
        #expect(read.method == "GET" && read.path == "\(Self.base)/invite-code")
        let reset = try #require(c.inviteLinkReset(session: "sess-1", group: Self.g))
        #expect(reset.method == "POST" && reset.path == "\(Self.base)/invite-code/revoke")
        #expect(c.settingsReads(session: "sess-1", group: Self.g).map(\.spec.path)
            == ["\(Self.base)/settings/security/messages-admin-only", "\(Self.base)/settings/security/info-admin-only"])
        let steps = c.settingsChanges(GroupSettings(announce: true, locked: false), session: "sess-1", group: Self.g)
        #expect(steps.map(\.spec.method) == ["PUT", "PUT"])
        #expect(steps.map(\.spec.path) == ["\(Self.base)/settings/security/messages-admin-only", "\(Self.base)/settings/security/info-admin-only"])
        #expect(steps.map { bodyText($0.spec) } == [#"{"enabled":true}"#, #"{"enabled":false}"#])
        #expect(steps.map(\.change) == [GroupSettings(announce: true), GroupSettings(locked: false)])
        let person = try #require(c.textMessage(session: "sess-1", to: JID(kind: .user, user: "1234567890"), text: "Hello"))
        #expect(person.method == "POST" && person.path == "/sendText")
        #expect(bodyText(person) == #"{"session":"sess-1","text":"Hello","to":"+1234567890"}"#)
        #expect(bodyText(try #require(c.textMessage(session: "sess-1", to: Self.g, text: "Hi"))) == #"{"session":"sess-1","text":"Hi","to":"120363041234567890@g.us"}"#)
        #expect(WasendAPI.inviteCode(session: "a b", group: Self.g).path == "/a%20b/groups/120363041234567890@g.us/invite-code")
    }

    @Test("decoders: the bare code (the SDK's) and the docs page's wrapper; {enabled}; the setter's answer; the sent message")
    func decoders() throws {
        #expect(try WasendDecode.invite(response(200, #""HXn3Lq8wPz1Kd5Yt7Rb2Mc""#)).code == "HXn3Lq8wPz1Kd5Yt7Rb2Mc")
        #expect(try WasendDecode.invite(response(200, #"{"success":true,"inviteCode":"HXn3Lq8wPz1Kd5Yt7Rb2Mc"}"#)).code == "HXn3Lq8wPz1Kd5Yt7Rb2Mc")
        #expect(try WasendDecode.enabled(response(200, #"{"enabled":true}"#)))
        #expect(try !WasendDecode.enabled(response(200, #"{"success":true,"enabled":false}"#)))
        #expect(throws: GatewayError.self) { try WasendDecode.enabled(response(200, #"{"adminsOnly":true}"#)) }
        let ok = response(200, #"{"success":true,"enabled":true,"message":"Messages admin only setting updated"}"#)
        #expect(WasendDecode.setOutcome(.announce, wanted: true, ok) == .done)
        #expect(WasendDecode.setOutcome(.announce, wanted: false, ok).reason?.contains("still on") == true)
        #expect(failureKind(WasendDecode.setOutcome(.announce, wanted: true, response(200, #"{"success":false,"error":"not admin"}"#))) == "server")
        #expect(WasendDecode.sent(response(200, #"{"id":"true_123@c.us_3EB0","to":"+1234567890","content":"Hello","type":"text","timestamp":"2026-01-01T00:00:00Z","status":"sent","fromMe":true,"sender":"+5511","recipient":"+1234567890"}"#)) == .done)
    }

    @Test("the listing's whatsmeow fields give the four settings and the community flag")
    func listing() throws {
        let body = #"[{"jid":"120363041234567890@g.us","name":"Team","isLocked":true,"isAnnounce":false,"isParent":false,"isJoinApprovalRequired":true,"memberAddMode":"admin_add","participants":[]}]"#
        let g = try #require(try WasendDecode.groups(response(200, body), me: nil).items.first)
        #expect(g.settings == GroupSettings(announce: false, locked: true, adminsAdd: true, approval: true))
        #expect(g.community == false)
        let open = #"[{"jid":"1@g.us","name":"x","memberAddMode":"all_member_add","isParent":true}]"#
        let o = try #require(try WasendDecode.groups(response(200, open), me: nil).items.first)
        #expect(o.settings?.adminsAdd == false && o.community == true)
    }

    @Test("refusals: 403 not an admin, 404 unknown group, the session not working")
    func errors() {
        let c = WasendCodec()
        let spec = WasendAPI.setAdminOnly(.announce, true, session: "s", group: Self.g)!
        let step = SettingsStep(GroupSettings(announce: true), spec)
        #expect(c.settingsStepOutcome(step, response(403, #"{"success":false,"error":"Forbidden","message":"You are not an admin of this group"}"#))
            == .failed(.forbidden("You are not an admin of this group")))
        #expect(failureKind(c.inviteResetOutcome(response(404, #"{"success":false,"error":"Group not found"}"#), WasendAPI.revokeInviteCode(session: "s", group: Self.g))) == "notFound")
        #expect(failureKind(c.textOutcome(response(400, #"{"success":false,"error":"Session status is not WORKING"}"#), WasendAPI.sendText(session: "s", to: Self.g, text: "x"))) == "notConnected")
        #expect(failureKind(c.textOutcome(response(400, #"{"success":false,"error":"session is required"}"#), WasendAPI.sendText(session: "s", to: Self.g, text: "x"))) == "validation")
    }

    @Test("through the gateway: both settings read; a lock's second PUT refused says the first took")
    func gatewayFlows() async throws {
        let reads = ScriptedSender(answer(200, #"{"enabled":true}"#), answer(200, #"{"enabled":false}"#))
        #expect(try await gateway(WasendCodec(), reads).settings(session: "s", group: Self.g) == GroupSettings(announce: true, locked: false))
        let lock = ScriptedSender(answer(200, #"{"success":true,"enabled":true,"message":"ok"}"#),
                                  answer(403, #"{"success":false,"error":"Forbidden","message":"not an admin"}"#))
        let r = try await gateway(WasendCodec(), lock).setSettings(GroupSettings(announce: true, locked: true), session: "s", group: Self.g)
        guard case .failed(.forbidden(let m?)) = r.outcome else { Issue.record("\(r.outcome)"); return }
        #expect(m.contains("applied before this: only admins send"))
        await #expect(throws: GatewayError.self) { try await gateway(WasendCodec(), ScriptedSender()).setSettings(GroupSettings(approval: true), session: "s", group: Self.g) }
    }
}
