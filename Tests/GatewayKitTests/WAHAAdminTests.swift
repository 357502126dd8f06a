import Foundation
import Testing
@testable import GatewayKit

/// WAHA's group administration (gateways.md §9: https://waha.devlike.pro/docs/how-to/groups/,
/// https://waha.devlike.pro/blog/waha-2026-8/, WAHA's OpenAPI in PyPI `waha-py` 2026.9.2).
@Suite("waha administration")
struct WAHAAdminTests {
    static let g = JID(kind: .group, user: "120363041234567890")
    static let base = "/api/default/groups/120363041234567890@g.us"

    @Test("requests: invite code, the four security routes and bodies, join requests, sendText")
    func encoders() throws {
        let c = WAHACodec()
        #expect(c.inviteLinkRead(session: "default", group: Self.g)?.path == "\(Self.base)/invite-code")
        let reset = try #require(c.inviteLinkReset(session: "default", group: Self.g))
        #expect(reset.method == "POST" && reset.path == "\(Self.base)/invite-code/revoke" && reset.body == nil)
        #expect(c.settingsReads(session: "default", group: Self.g).map(\.spec.path) == [
            "\(Self.base)/settings/security/messages-admin-only", "\(Self.base)/settings/security/info-admin-only",
            "\(Self.base)/settings/security/member-add-mode", "\(Self.base)/settings/security/membership-approval",
        ])
        let steps = c.settingsChanges(GroupSettings(announce: true, locked: true, adminsAdd: true, approval: false), session: "default", group: Self.g)
        #expect(steps.map(\.spec.method) == ["PUT", "PUT", "PUT", "PUT"])
        #expect(steps.map { bodyText($0.spec) } == [#"{"adminsOnly":true}"#, #"{"adminsOnly":true}"#,
                                                   #"{"membersCanAddNewMember":false}"#, #"{"newMembersApprovalRequired":false}"#])
        let list = try #require(c.joinRequestsRead(session: "default", group: Self.g))
        #expect(list.method == "GET" && list.path == "\(Self.base)/participants/join-requests")
        let approve = try #require(c.joinRequestAnswer(approve: true, session: "default", group: Self.g, requester: JID(kind: .user, user: "5511900000012")))
        #expect(approve.method == "POST" && approve.path == "\(Self.base)/participants/join-requests/approve")
        #expect(bodyText(approve) == #"{"participants":[{"id":"5511900000012@c.us"}]}"#)
        let reject = try #require(c.joinRequestAnswer(approve: false, session: "default", group: Self.g, requester: JID(kind: .lid, user: "205227043110999")))
        #expect(reject.path == "\(Self.base)/participants/join-requests/reject" && bodyText(reject) == #"{"participants":[{"id":"205227043110999@lid"}]}"#)
        let send = try #require(c.textMessage(session: "default", to: JID(kind: .user, user: "79111111"), text: "Hi"))
        #expect(send.method == "POST" && send.path == "/api/sendText" && bodyText(send) == #"{"chatId":"79111111@c.us","session":"default","text":"Hi"}"#)
        #expect(bodyText(try #require(c.textMessage(session: "default", to: Self.g, text: "Hi"))).contains(#""chatId":"120363041234567890@g.us""#))
    }

    @Test("decoders: the raw code, the security reads (member-add read as its opposite), the PUT's true")
    func decoders() throws {
        #expect(try WAHAShapes.invite(answer(200, "LtB8aQ2nRk5Yw7Ze1Xc3Vd", type: "text/html; charset=utf-8")).code == "LtB8aQ2nRk5Yw7Ze1Xc3Vd")
        #expect(WAHACodec().inviteResetOutcome(answer(201, "Nw9Pq4Ls2Kd6Jh8Fg1Tr5Y", type: "text/html"), WAHAAPI.revokeInviteCode(session: "default", group: Self.g)) == .done)
        let page = answer(200, "<html><body>Bad gateway</body></html>", type: "text/html")
        #expect(failureKind(WAHACodec().inviteResetOutcome(page, WAHAAPI.revokeInviteCode(session: "default", group: Self.g))) == "undecodable")
        #expect(try WAHAShapes.security(.announce, response(200, #"{"adminsOnly":true}"#)))
        #expect(try !WAHAShapes.security(.locked, response(200, #"{"adminsOnly":false}"#)))
        #expect(try WAHAShapes.security(.adminsAdd, response(200, #"{"membersCanAddNewMember":false}"#)))
        #expect(try WAHAShapes.security(.approval, response(200, #"{"newMembersApprovalRequired":true}"#)))
        #expect(throws: GatewayError.self) { try WAHAShapes.security(.approval, response(200, #"{"adminsOnly":true}"#)) }
        let step = SettingsStep(GroupSettings(announce: true), WAHAAPI.setSecurity(.announce, true, session: "default", group: Self.g))
        #expect(WAHACodec().settingsStepOutcome(step, response(200, "true")) == .done)
        #expect(WAHACodec().settingsStepOutcome(step, response(200, "false")).kind == "refused")
    }

    @Test("join requests: GroupJoinRequest rows; an answer per requester by id")
    func joinRequests() throws {
        let body = #"[{"requesterId":"205227043110999@lid","requesterPn":"5511900000012@c.us","addedById":"","parentGroupId":"","requestMethod":"invite_link","timestamp":1767225600},{"requesterId":"5511900000013@c.us","requesterPn":"","addedById":"5511900000001@c.us","parentGroupId":"120363000000000009@g.us","requestMethod":"linked_group_join","timestamp":1767225600123}]"#
        let list = try WAHACodec().joinRequests(response(200, body))
        #expect(list.count == 2)
        #expect(list[0].requester == JID(kind: .lid, user: "205227043110999") && list[0].phone == JID(kind: .user, user: "5511900000012"))
        #expect(list[0].method == "invite_link" && list[0].at == Date(timeIntervalSince1970: 1_767_225_600))
        #expect(list[1].requester == JID(kind: .user, user: "5511900000013") && list[1].phone == list[1].requester)
        #expect(list[1].at == Date(timeIntervalSince1970: 1_767_225_600.123))
        #expect(try WAHACodec().joinRequests(response(200, "[]")).isEmpty)
        #expect(throws: GatewayError.self) { try WAHACodec().joinRequests(response(200, #"[{"requesterId":"nope"}]"#)) }

        let lid = JID(kind: .lid, user: "205227043110999"), other = JID(kind: .user, user: "5511900000013")
        let spec = WAHAAPI.answerJoinRequest(approve: true, session: "default", group: Self.g, requester: lid)
        let rows = response(200, #"[{"requesterId":"205227043110999@lid","success":true},{"requesterId":"5511900000013@c.us","success":false,"error":{"code":404,"message":"item-not-found"}}]"#)
        #expect(WAHACodec().joinRequestOutcome(approve: true, requester: lid, rows, spec) == .done)
        #expect(WAHACodec().joinRequestOutcome(approve: true, requester: other, rows, spec).reason?.contains("no pending request") == true)
        // Not a row by position: a requester no row names is refused.
        let stranger = JID(kind: .user, user: "5511900000099")
        #expect(WAHACodec().joinRequestOutcome(approve: false, requester: stranger, rows, spec).reason?.contains("no row") == true)
        #expect(WAHACodec().joinRequestOutcome(approve: false, requester: stranger, response(200, #"[{"requesterId":"1@lid","success":false,"error":"403"}]"#), spec).kind == "refused")
        #expect(failureKind(WAHACodec().joinRequestOutcome(approve: true, requester: lid, response(200, "<html>"), spec)) == "undecodable")
    }

    @Test("refusals: WhatsApp's forbidden as 500, the session not WORKING as 422")
    func errors() {
        let forbidden = response(500, #"{"statusCode":500,"exception":{"message":"forbidden","data":403}}"#)
        let c = WAHACodec()
        #expect(c.inviteResetOutcome(forbidden, WAHAAPI.revokeInviteCode(session: "default", group: Self.g)) == .failed(.forbidden("WhatsApp: forbidden")))
        let offline = response(422, #"{"error":"Session status is not as expected","session":"default","status":"STOPPED","expected":["WORKING"]}"#)
        let step = SettingsStep(GroupSettings(locked: true), WAHAAPI.setSecurity(.locked, true, session: "default", group: Self.g))
        #expect(c.settingsStepOutcome(step, offline) == .failed(.notConnected("status STOPPED, expected WORKING")))
        #expect(failureKind(c.textOutcome(offline, WAHAAPI.sendText(session: "default", to: Self.g, text: "x"))) == "notConnected")
        let approve = WAHAAPI.answerJoinRequest(approve: true, session: "default", group: Self.g, requester: JID(kind: .lid, user: "1"))
        #expect(failureKind(c.joinRequestOutcome(approve: true, requester: JID(kind: .lid, user: "1"), forbidden, approve)) == "forbidden")
    }

    @Test("through the gateway: four reads merged; an older server without member-add-mode leaves it unknown")
    func gatewayFlows() async throws {
        let sender = ScriptedSender(answer(200, #"{"adminsOnly":true}"#), answer(200, #"{"adminsOnly":false}"#),
                                    answer(404, #"{"message":"Cannot GET /api/default/groups/120363041234567890@g.us/settings/security/member-add-mode","error":"Not Found","statusCode":404}"#),
                                    answer(200, #"{"newMembersApprovalRequired":true}"#))
        let s = try await gateway(WAHACodec(), sender).settings(session: "default", group: Self.g)
        #expect(s == GroupSettings(announce: true, locked: false, adminsAdd: nil, approval: true))
        let invite = ScriptedSender(answer(200, "LtB8aQ2nRk5Yw7Ze1Xc3Vd", type: "text/html"))
        #expect(try await gateway(WAHACodec(), invite).inviteLink(session: "default", group: Self.g).code == "LtB8aQ2nRk5Yw7Ze1Xc3Vd")
        let reset = ScriptedSender(answer(201, "Nw9Pq4Ls2Kd6Jh8Fg1Tr5Y", type: "text/html"))
        #expect(try await gateway(WAHACodec(), reset).resetInviteLink(session: "default", group: Self.g).outcome == .done)
    }
}
