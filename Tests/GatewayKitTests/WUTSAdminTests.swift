import Foundation
import Testing
@testable import GatewayKit

/// WUTS's group administration (gateways.md §9: https://docs.wuts.com.br/groups/getGroupInviteLink/,
/// …/resetGroupInviteLink/, …/updateGroup/, …/messages/sendText/) and its community removals (seed 002).
@Suite("wuts administration and communities")
struct WUTSAdminTests {
    static let g = JID(kind: .group, user: "120363039000000000")
    static let community = JID(kind: .group, user: "120363401234567890")
    static let target = JID(kind: .user, user: "5511999999999")

    @Test("requests: invite and reset, one PATCH with the named settings, /send/text")
    func encoders() throws {
        let c = WUTSCodec()
        let read = try #require(c.inviteLinkRead(session: "device", group: Self.g))
        #expect(read.method == "GET" && read.path == "/groups/120363039000000000@g.us/invite")
        let reset = try #require(c.inviteLinkReset(session: "device", group: Self.g))
        #expect(reset.method == "POST" && reset.path == "/groups/120363039000000000@g.us/invite/reset")
        let all = c.settingsChanges(GroupSettings(announce: true, locked: true, adminsAdd: true, approval: true), session: "device", group: Self.g)
        #expect(all.count == 1 && all[0].spec.method == "PATCH" && all[0].spec.path == "/groups/120363039000000000@g.us")
        #expect(bodyText(all[0].spec) == #"{"announcement":true,"join_approval":true,"locked":true,"member_add_mode":"admin"}"#)
        let open = c.settingsChanges(GroupSettings(adminsAdd: false), session: "device", group: Self.g)
        #expect(bodyText(open[0].spec) == #"{"member_add_mode":"all_member"}"#)
        #expect(c.settingsReads(session: "device", group: Self.g).map(\.spec.path) == ["/groups/120363039000000000@g.us"])
        let person = try #require(c.textMessage(session: "device", to: Self.target, text: "Olá"))
        #expect(person.method == "POST" && person.path == "/send/text" && bodyText(person) == #"{"number":"5511999999999","text":"Olá"}"#)
        #expect(bodyText(try #require(c.textMessage(session: "device", to: Self.g, text: "x"))) == #"{"number":"120363039000000000@g.us","text":"x"}"#)
    }

    @Test("decoders: the pages' invite and reset answers, the group's settings, PATCH's refreshed group, a send")
    func decoders() throws {
        let invite = response(200, #"{"success":true,"group_jid":"120363039000000000@g.us","invite_link":"https://chat.whatsapp.com/KpT4xW9mQz2Lr7Nv5Bc8Hd"}"#)
        #expect(try WUTSDecode.invite(invite).code == "KpT4xW9mQz2Lr7Nv5Bc8Hd")
        let reset = response(200, #"{"success":true,"group_jid":"120363039000000000@g.us","invite_link":"https://chat.whatsapp.com/Zr5Kw2Lp9Qx4Mn7Bv1Cd3F","reset_at":"2026-06-15T14:30:00Z"}"#)
        #expect(WUTSCodec().inviteResetOutcome(reset, WUTSAPI.resetInvite(Self.g)) == .done)
        let group = response(200, #"{"success":true,"group":{"jid":"120363039000000000@g.us","name":"WUTS Team","topic":"Internal coordination","owner":"5511999999999@s.whatsapp.net","created_at":"2026-01-10T14:22:00Z","is_announce":false,"is_locked":true,"join_approval":false,"members_count":2,"participants":[]}}"#)
        #expect(try WUTSDecode.groupSettings(group) == GroupSettings(announce: false, locked: true, adminsAdd: nil, approval: false))
        let patched = response(200, #"{"success":true,"group":{"jid":"120363039000000000@g.us","name":"WUTS Team Renamed","is_announce":true,"is_locked":false,"join_approval":false,"members_count":2}}"#)
        #expect(WUTSDecode.updated(GroupSettings(announce: true, adminsAdd: true), patched) == .done)
        let still = WUTSDecode.updated(GroupSettings(announce: true, locked: true), patched)
        #expect(still.kind == "refused" && still.reason?.contains("only admins edit info still off") == true)
        #expect(WUTSDecode.updated(GroupSettings(locked: true), response(200, #"{"success":true}"#)) == .done)
        let sent = response(200, #"{"success":true,"message_id":"3EB0XXXX1234ABCD","timestamp":"2026-06-15T14:30:00Z","status":"sent","chat_jid":"5511999999999@s.whatsapp.net","metadata":{"device_id":"dev_abc123"}}"#)
        #expect(WUTSCodec().textOutcome(sent, WUTSAPI.sendText(to: Self.target, text: "x")) == .done)
    }

    @Test("the listing tells settings and communities: is_community, or whatsmeow's is_parent")
    func listing() throws {
        let body = #"{"success":true,"groups":[{"jid":"120363039000000000@g.us","name":"WUTS Team","owner":"5511999999999@s.whatsapp.net","is_announce":false,"is_locked":false,"join_approval":true,"members_count":3},{"jid":"120363401234567890@g.us","name":"Comunidade","is_community":true,"is_announce":true,"is_locked":true,"members_count":9},{"jid":"120363000000000003@g.us","name":"Old","is_parent":false}]}"#
        let list = try WUTSDecode.groups(response(200, body), me: nil)
        #expect(list[0].settings == GroupSettings(announce: false, locked: false, approval: true) && list[0].community == nil)
        #expect(list[1].community == true && list[1].settings?.announce == true)
        #expect(list[2].community == false && list[2].settings == nil)
    }

    @Test("refusals: NOT_GROUP_ADMIN, a device not connected, an unknown group; {success:false} with 200")
    func errors() {
        let c = WUTSCodec()
        let notAdmin = response(403, #"{"success":false,"error":"device is not an admin of this group","error_code":"NOT_GROUP_ADMIN","timestamp":"2026-06-15T12:00:00Z"}"#)
        let step = SettingsStep(GroupSettings(locked: true), WUTSAPI.update(Self.g, GroupSettings(locked: true)))
        #expect(c.settingsStepOutcome(step, notAdmin) == .failed(.forbidden("device is not an admin of this group")))
        let offline = response(409, #"{"success":false,"error":"device not connected","error_code":"DEVICE_NOT_CONNECTED","timestamp":"2026-06-15T12:00:00Z"}"#)
        #expect(failureKind(c.textOutcome(offline, WUTSAPI.sendText(to: Self.target, text: "x"))) == "notConnected")
        let missing = response(404, #"{"success":false,"error":"group not found","error_code":"GROUP_NOT_FOUND","timestamp":"2026-06-15T12:00:00Z"}"#)
        #expect(failureKind(c.inviteResetOutcome(missing, WUTSAPI.resetInvite(Self.g))) == "notFound")
        #expect(failureKind(c.inviteResetOutcome(response(200, #"{"success":false,"error":"x","error_code":"NOT_GROUP_ADMIN"}"#), WUTSAPI.resetInvite(Self.g))) == "forbidden")
        #expect(failureKind(c.inviteResetOutcome(response(200, #"{"success":true,"invite_link":"https://chat.whatsapp.com/Ab"#), WUTSAPI.resetInvite(Self.g))) == "undecodable")
    }

    @Test("a removal from a community's parent goes to DELETE /communities/{jid}/participants, once WUTS called it one")
    func communityRemoval() async throws {
        let c = WUTSCodec()
        // Not known yet: the group route.
        #expect(c.mutation(.remove, session: "d", group: Self.community, target: Self.target).path == "/groups/120363401234567890@g.us/participants")
        let info = #"{"success":true,"group":{"jid":"120363401234567890@g.us","name":"Comunidade","is_community":true,"participants":[{"jid":"5511999999999@s.whatsapp.net","is_admin":false}]}}"#
        let removed = #"{"success":true,"jid":"120363401234567890@g.us","action":"remove","participants":[{}]}"#
        let sender = ScriptedSender(answer(200, info), answer(200, removed))
        let gw = gateway(c, sender)
        _ = try await gw.participants(session: "d", group: Self.community)
        let r = try await gw.apply(.remove, session: "d", group: Self.community, target: Self.target)
        #expect(r.outcome == .done)
        let sent = sender.sent[1]
        #expect(sent.method == "DELETE" && sent.path == "/communities/120363401234567890@g.us/participants")
        #expect(bodyText(sent) == #"{"participants":["5511999999999@s.whatsapp.net"]}"#)
        // Only removals: the other changes keep the group route; a plain group keeps it too.
        #expect(c.mutation(.promote, session: "d", group: Self.community, target: Self.target).path == "/groups/120363401234567890@g.us/participants")
        #expect(c.mutation(.remove, session: "d", group: Self.g, target: Self.target).path == "/groups/120363039000000000@g.us/participants")
        #expect(WUTSCodec.capabilities.communities && Dialect.allCases.filter { $0.capabilities.communities } == [.wuts])
        // A later listing that says otherwise is believed.
        // (The listing reads the device's status first, for our role.)
        let relisted = ScriptedSender(answer(200, #"{"success":true,"data":{"connected":true,"status":"connected","device_id":"d","jid":"5511888888888@s.whatsapp.net"}}"#),
                                      answer(200, #"{"success":true,"groups":[{"jid":"120363401234567890@g.us","name":"x","is_community":false}]}"#))
        _ = try await gateway(c, relisted).groups(session: "d")
        #expect(!c.isCommunity(Self.community))
    }
}
