import Foundation
import Testing
@testable import GatewayKit

/// Evolution's group administration (gateways.md §9: the group-controller pages
/// fetch-invite-code and revoke-invite-code; `updateSetting` and `sendText` from
/// EvolutionAPI/evolution-api 2.3.6).
@Suite("evolution administration")
struct EvolutionAdminTests {
    static let g = JID(kind: .group, user: "120363041234567890")

    @Test("requests: the instance in the path, the group in groupJid, one updateSetting action per setting, sendText")
    func encoders() throws {
        let c = EvolutionCodec()
        let read = try #require(c.inviteLinkRead(session: "support line", group: Self.g))
        #expect(read.method == "GET" && read.path == "/group/inviteCode/support%20line" && read.query == [URLQueryItem(name: "groupJid", value: "120363041234567890@g.us")])
        let reset = try #require(c.inviteLinkReset(session: "support", group: Self.g))
        #expect(reset.method == "POST" && reset.path == "/group/revokeInviteCode/support" && reset.query.first?.value == "120363041234567890@g.us")
        let steps = c.settingsChanges(GroupSettings(announce: false, locked: true), session: "support", group: Self.g)
        #expect(steps.map(\.spec.path) == ["/group/updateSetting/support", "/group/updateSetting/support"])
        #expect(steps.map { bodyText($0.spec) } == [#"{"action":"not_announcement"}"#, #"{"action":"locked"}"#])
        #expect(steps.allSatisfy { $0.spec.method == "POST" && $0.spec.query == [URLQueryItem(name: "groupJid", value: "120363041234567890@g.us")] })
        #expect(c.settingsChanges(GroupSettings(announce: true, locked: false), session: "s", group: Self.g).map { bodyText($0.spec) }
            == [#"{"action":"announcement"}"#, #"{"action":"unlocked"}"#])
        let person = try #require(c.textMessage(session: "support", to: JID(kind: .user, user: "5511999999999"), text: "Tchau"))
        #expect(person.method == "POST" && person.path == "/message/sendText/support" && bodyText(person) == #"{"number":"5511999999999","text":"Tchau"}"#)
        #expect(bodyText(try #require(c.textMessage(session: "support", to: Self.g, text: "x"))) == #"{"number":"120363041234567890@g.us","text":"x"}"#)
    }

    @Test("decoders: inviteUrl and inviteCode; revoked true or false; updateSetting's {}; the Baileys message; the listing's settings")
    func decoders() throws {
        let c = EvolutionCodec()
        let read = try #require(c.inviteLinkRead(session: "s", group: Self.g))
        #expect(try c.inviteLink(response(200, #"{"inviteUrl":"https://chat.whatsapp.com/Gh7Jk2Lm4Np6Qr8St0Uv1W","inviteCode":"Gh7Jk2Lm4Np6Qr8St0Uv1W"}"#), read).code == "Gh7Jk2Lm4Np6Qr8St0Uv1W")
        let reset = try #require(c.inviteLinkReset(session: "s", group: Self.g))
        #expect(c.inviteResetOutcome(response(201, #"{"revoked":true,"inviteCode":"Xy9Zb8Cd7Ef6Gh5Ij4Kl3M"}"#), reset) == .done)
        #expect(c.inviteResetOutcome(response(201, #"{"revoked":false}"#), reset).kind == "refused")
        let step = c.settingsChanges(GroupSettings(locked: true), session: "s", group: Self.g)[0]
        #expect(c.settingsStepOutcome(step, response(201, "{}")) == .done)
        let message = #"{"key":{"remoteJid":"5511999999999@s.whatsapp.net","fromMe":true,"id":"BAE5F5A632EAE722"},"message":{"conversation":"Tchau"},"messageTimestamp":"1717689097","status":"PENDING"}"#
        #expect(c.textOutcome(response(201, message), EvolutionAPI.sendText(instance: "s", to: Self.g, text: "x")) == .done)
        let groups = try EvolutionDecode.groups(response(200, #"[{"id":"120363041234567890@g.us","subject":"Team","owner":"5511999999999@s.whatsapp.net","size":42,"announce":true,"restrict":false}]"#), me: nil)
        #expect(groups.first?.settings == GroupSettings(announce: true, locked: false))
    }

    @Test("refusals name the operation, then WhatsApp's cause: not an admin, offline, no invite code")
    func errors() {
        let c = EvolutionCodec()
        let read = EvolutionAPI.inviteCode(instance: "s", group: Self.g)
        let noCode = response(404, #"{"status":404,"error":"Not Found","response":{"message":["No invite code","Error: forbidden"]}}"#)
        #expect(c.error(noCode, read) == .forbidden("No invite code: Error: forbidden"))
        let unknown = response(404, #"{"status":404,"error":"Not Found","response":{"message":["No invite code","Error: item-not-found"]}}"#)
        #expect(failureKind(.failed(c.error(unknown, read))) == "notFound")
        let revoke = response(404, #"{"status":404,"error":"Not Found","response":{"message":["Revoke error","Error: Connection Closed"]}}"#)
        #expect(failureKind(c.inviteResetOutcome(revoke, EvolutionAPI.revokeInviteCode(instance: "s", group: Self.g))) == "notConnected")
        let setting = response(400, #"{"status":400,"error":"Bad Request","response":{"message":["Error updating setting","Error: not-authorized"]}}"#)
        let step = c.settingsChanges(GroupSettings(announce: true), session: "s", group: Self.g)[0]
        #expect(failureKind(c.settingsStepOutcome(step, setting)) == "forbidden")
        let send = response(400, #"{"status":400,"error":"Bad Request","response":{"message":["Error: forbidden"]}}"#)
        #expect(failureKind(c.textOutcome(send, EvolutionAPI.sendText(instance: "s", to: Self.g, text: "x"))) == "forbidden")
        let instance = response(404, #"{"status":404,"error":"Not Found","response":{"message":["The \"s\" instance does not exist"]}}"#)
        #expect(failureKind(c.textOutcome(instance, EvolutionAPI.sendText(instance: "s", to: Self.g, text: "x"))) == "notFound")
    }

    @Test("settings come from the listing; member-add and approval are not offered")
    func settings() async throws {
        let sender = ScriptedSender(answer(200, #"[{"id":"1@g.us","subject":"a","announce":false,"restrict":false},{"id":"120363041234567890@g.us","subject":"b","announce":true,"restrict":true}]"#))
        #expect(try await gateway(EvolutionCodec(), sender).settings(session: "s", group: Self.g) == GroupSettings(announce: true, locked: true))
        #expect(sender.sent.first?.query == [URLQueryItem(name: "getParticipants", value: "false")])
        await #expect(throws: GatewayError.self) {
            try await gateway(EvolutionCodec(), ScriptedSender()).setSettings(GroupSettings(approval: true), session: "s", group: Self.g)
        }
    }
}
