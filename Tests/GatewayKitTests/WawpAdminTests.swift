import Foundation
import Testing
@testable import GatewayKit

/// Wawp's group administration (gateways.md §9: https://api.wawp.net/en/docs/v2/groups/{id}/invite-code,
/// …/invite-code/revoke, the two GET-only security pages, https://api.wawp.net/en/docs/v2/send/text).
@Suite("wawp administration")
struct WawpAdminTests {
    static let g = JID(kind: .group, user: "120363041234567890")
    static let base = "/v2/groups/120363041234567890@g.us"

    @Test("requests: invite code, the two security reads, send/text with chatId and message in the query; no secret in any spec")
    func encoders() throws {
        let c = WawpCodec()
        #expect(c.inviteLinkRead(session: "instance", group: Self.g)?.path == "\(Self.base)/invite-code")
        let reset = try #require(c.inviteLinkReset(session: "instance", group: Self.g))
        #expect(reset.method == "POST" && reset.path == "\(Self.base)/invite-code/revoke")
        #expect(c.settingsReads(session: "instance", group: Self.g).map(\.spec.path)
            == ["\(Self.base)/settings/security/messages-admin-only", "\(Self.base)/settings/security/info-admin-only"])
        #expect(c.settingsChanges(GroupSettings(announce: true), session: "instance", group: Self.g).isEmpty)
        let send = try #require(c.textMessage(session: "instance", to: JID(kind: .user, user: "201234567890"), text: "Hi from Wawp"))
        #expect(send.method == "POST" && send.path == "/v2/send/text" && send.body == nil)
        #expect(send.query == [URLQueryItem(name: "chatId", value: "201234567890@c.us"), URLQueryItem(name: "message", value: "Hi from Wawp")])
        // The credential is the transport's: no spec carries instance_id or access_token.
        for spec in [send, reset] { #expect(!spec.query.contains { Redaction.isSecretName($0.name) }) }
    }

    @Test("decoders: the code as a JSON string (assumed, as WAHA's), {adminsOnly}, a sent message, ok:false")
    func decoders() throws {
        let c = WawpCodec()
        let read = try #require(c.inviteLinkRead(session: "i", group: Self.g))
        #expect(try c.inviteLink(response(200, #""Fq2Lm8Rt4Wx6Zb1Nc3Vd5K""#), read).code == "Fq2Lm8Rt4Wx6Zb1Nc3Vd5K")
        #expect(c.inviteResetOutcome(response(200, #""Hj3Kl5Mn7Pq9Rs1Tu2Vw4X""#), WawpAPI.revokeInviteCode(Self.g)) == .done)
        #expect(c.inviteResetOutcome(response(200, #"{"ok":false,"message":"not an admin"}"#), WawpAPI.revokeInviteCode(Self.g)) == .refused("not an admin"))
        let reads = c.settingsReads(session: "i", group: Self.g)
        #expect(try c.settingsAnswer(response(200, #"{"adminsOnly":true}"#), reads[0]) == GroupSettings(announce: true))
        #expect(try c.settingsAnswer(response(200, #"{"adminsOnly":false}"#), reads[1]) == GroupSettings(locked: false))
        let spec = WawpAPI.sendText(to: Self.g, text: "x")
        #expect(c.textOutcome(response(200, #"{"id":"true_120363041234567890@g.us_3EB0","timestamp":1666943582,"fromMe":true,"body":"x"}"#), spec) == .done)
        #expect(c.textOutcome(response(200, #"{"ok":false,"error":"wawp_upstream_error"}"#), spec).kind == "refused")
    }

    @Test("refusals: 403 not an admin, 422 the instance not WORKING, 404")
    func errors() {
        let c = WawpCodec()
        let spec = WawpAPI.revokeInviteCode(Self.g)
        #expect(failureKind(c.inviteResetOutcome(response(403, #"{"status":403,"message":"Instance is not an admin of this group","error":"Forbidden"}"#), spec)) == "forbidden")
        #expect(failureKind(c.textOutcome(response(422, #"{"status":422,"message":"Session status is not WORKING","error":"Unprocessable"}"#), WawpAPI.sendText(to: Self.g, text: "x"))) == "notConnected")
        #expect(failureKind(c.inviteResetOutcome(response(404, #"{"status":404,"message":"group not found","error":"Not Found"}"#), spec)) == "notFound")
    }

    @Test("settings are read, never set: the capability says so and the setter throws without sending")
    func readOnly() async throws {
        #expect(WawpCodec.capabilities.readsSettings == [.announce, .locked] && WawpCodec.capabilities.setsSettings.isEmpty)
        #expect(!WawpCodec.capabilities.offers(.lock) && !WawpCodec.capabilities.offers(.settings))
        let sender = ScriptedSender(answer(200, #"{"adminsOnly":false}"#), answer(200, #"{"adminsOnly":true}"#))
        let gw = gateway(WawpCodec(), sender)
        #expect(try await gw.settings(session: "i", group: Self.g) == GroupSettings(announce: false, locked: true))
        await #expect(throws: GatewayError.self) { try await gw.setSettings(GroupSettings(announce: true), session: "i", group: Self.g) }
        #expect(sender.sent.count == 2)
    }
}
