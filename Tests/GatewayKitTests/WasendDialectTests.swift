import Foundation
import Testing
@testable import GatewayKit

@Suite("wasend dialect")
struct WasendDialectTests {
    static let sessionsBody = #"{"sessions":[{"session":{"id":"a1","uniqueSessionId":"sess-123","userId":"u1","sessionName":"Support","phoneNumber":"+5511900000001","status":"active","enableAccountProtection":false,"enableMessageLogging":false,"enableWebhook":false,"createdAt":"2026-01-01T00:00:00Z","updatedAt":"2026-01-01T00:00:00Z"},"downstream":{"name":"sess-123","status":"WORKING","config":{"metadata":{"userId":"u1","userEmail":"a@b.c"},"proxy":null,"debug":false,"noweb":{"markOnline":false,"store":{"enabled":true,"fullSync":false}},"webhooks":[]},"engine":{"grpc":{"client":"READY","stream":"READY"},"gows":{"found":true,"connected":true}}}},{"session":{"uniqueSessionId":"sess-9","sessionName":"Old","phoneNumber":"+5511900000009"},"downstream":{"status":"SCAN_QR_CODE"}}]}"#

    static let groupsBare = #"[{"jid":"120363041234567890@g.us","ownerJid":"5511900000002@s.whatsapp.net","ownerPn":"+5511900000002","name":"Team Alpha","nameSetAt":"","nameSetBy":"","nameSetByPn":"","topic":"","topicId":"","topicSetAt":"","topicSetBy":"","topicSetByPn":"","topicDeleted":false,"isLocked":false,"isAnnounce":false,"announceVersionId":"","isEphemeral":false,"disappearingTimer":0,"isIncognito":false,"isParent":false,"defaultMembershipApprovalMode":"","linkedParentJid":"","isDefaultSubGroup":false,"isJoinApprovalRequired":false,"addressingMode":"pn","groupCreated":"","creatorCountryCode":"","participantVersionId":"","memberAddMode":"admin_add","participants":[{"jid":"5511900000002@c.us","phoneNumber":"+5511900000002","lid":"","isAdmin":true,"isSuperAdmin":true,"displayName":"Owner"},{"jid":"5511900000001@c.us","phoneNumber":"+5511900000001","lid":"","isAdmin":true,"isSuperAdmin":false,"displayName":"Us"},{"jid":"777@lid","phoneNumber":"","lid":"777@lid","isAdmin":false,"isSuperAdmin":false,"displayName":"Hidden"}]}]"#

    static let groupsWrapped = #"{"groups":[{"jid":"120363000000000001@g.us","name":"Wrapped","participants":[]}],"pagination":{"total":1,"limit":50,"offset":0,"hasMore":false}}"#

    static var me: Session { Session(id: "sess-123", label: "Support", account: JID(kind: .user, user: "5511900000001"), connected: true, status: "WORKING") }

    @Test("sessions: the path id is uniqueSessionId; the status is downstream.status")
    func sessions() throws {
        let list = try WasendDecode.sessions(response(200, Self.sessionsBody))
        #expect(list.count == 2)
        #expect(list[0].id == "sess-123")
        #expect(list[0].label == "Support")
        #expect(list[0].account == JID(kind: .user, user: "5511900000001"))
        #expect(list[0].connected)
        #expect(list[0].status == "WORKING")
        #expect(!list[1].connected)
        #expect(list[1].status == "SCAN_QR_CODE")
    }

    @Test("groups: the bare array with participants gives size, owner and our role")
    func groupsBare() throws {
        let page = try WasendDecode.groups(response(200, Self.groupsBare), me: Self.me)
        let g = try #require(page.items.first)
        #expect(g.subject == "Team Alpha")
        #expect(g.size == 3)
        #expect(g.owner == JID(kind: .user, user: "5511900000002"))
        #expect(g.ourRole == .admin)
        #expect(page.hasMore == nil)
    }

    @Test("groups: the documented wrapper is read too")
    func groupsWrapped() throws {
        let page = try WasendDecode.groups(response(200, Self.groupsWrapped), me: Self.me)
        #expect(page.items.map(\.subject) == ["Wrapped"])
        #expect(page.hasMore == false)
    }

    @Test("participants: bare array (SDK) and {success, participants} (docs)")
    func participants() throws {
        let bare = #"[{"jid":"123456@c.us","phoneNumber":"+123456","lid":"555@lid","isAdmin":true,"isSuperAdmin":false,"displayName":"Jane Doe"}]"#
        let wrapped = #"{"success":true,"participants":[{"jid":"123456@c.us","phoneNumber":"+123456","lid":"555@lid","isAdmin":true,"isSuperAdmin":false,"displayName":"Jane Doe"}]}"#
        for body in [bare, wrapped] {
            let p = try #require(try WasendDecode.participants(response(200, body)).first)
            #expect(p.phone == JID(kind: .user, user: "123456"))
            #expect(p.lid == JID(kind: .lid, user: "555"))
            #expect(p.role == .admin)
            #expect(p.name == "Jane Doe")
        }
    }

    @Test("remove: the seed's answer; a target missing from `removed` is refused, by id")
    func removeResults() throws {
        let body = #"{"success":true,"removed":[{"id":"1234567890@s.whatsapp.net"}],"message":"Selected participants were successfully removed."}"#
        let a = try JID(parsing: "1234567890@s.whatsapp.net"), b = try JID(parsing: "0987654321@s.whatsapp.net")
        #expect(WasendDecode.outcome(.remove, target: a, response(200, body)) == .done)
        // The list names someone else: not b's, whatever its position.
        guard case .refused(let why) = WasendDecode.outcome(.remove, target: b, response(200, body)) else { Issue.record("expected refused"); return }
        #expect(why.contains("not removed") && why.contains("successfully removed"))
    }

    @Test("remove: 422 (non-member or owner) refuses the target with the gateway's words")
    func remove422() throws {
        let a = try JID(parsing: "1234567890")
        let o = WasendDecode.outcome(.remove, target: a, response(422, #"{"success":false,"error":"Unprocessable Entity","message":"cannot remove the group owner"}"#))
        #expect(o == .refused("cannot remove the group owner"))
        #expect(WasendDecode.outcome(.remove, target: a, response(200, "<html>")).kind == "failed")
        #expect(WasendDecode.outcome(.remove, target: a, response(200, #"{"success":false,"error":"boom"}"#)).kind == "failed")
    }

    @Test("add and demote: data.added / data.failed with reasons, each target by its id")
    func addDemote() throws {
        let a = try JID(parsing: "111111111"), b = try JID(parsing: "222222222"), c = try JID(parsing: "333333333")
        let add = response(200, #"{"success":true,"data":{"added":[{"id":"111111111@s.whatsapp.net","reason":"SUCCESS"}],"failed":[{"id":"222222222@s.whatsapp.net","reason":"ALREADY_IN_GROUP"},{"id":"333333333@s.whatsapp.net","reason":"PRIVACY"}]}}"#)
        #expect(WasendDecode.outcome(.add, target: a, add) == .done)
        #expect(WasendDecode.outcome(.add, target: b, add) == .alreadySo("already a member"))
        #expect(WasendDecode.outcome(.add, target: c, add).kind == "refused")
        let demote = response(200, #"{"success":true,"data":{"demoted":[{"id":"111111111@s.whatsapp.net","reason":"SUCCESS"}],"failed":[{"id":"222222222@s.whatsapp.net","reason":"NOT_ADMIN"},{"id":"333333333@s.whatsapp.net","reason":"NOT_FOUND"}]}}"#)
        #expect(WasendDecode.outcome(.demote, target: a, demote) == .done)
        #expect(WasendDecode.outcome(.demote, target: b, demote) == .alreadySo("already not an admin"))
        #expect(WasendDecode.outcome(.demote, target: c, demote) == .refused("not a member of the group"))
    }

    @Test("promote: the promoted list, matched across @c.us and @s.whatsapp.net")
    func promote() throws {
        let a = try JID(parsing: "111111111")
        let body = #"{"success":true,"promoted":[{"id":"111111111@c.us","isAdmin":true}],"message":"ok"}"#
        #expect(WasendDecode.outcome(.promote, target: a, response(200, body)) == .done)
    }

    @Test("errors map from {success:false, error, message}", arguments: [
        (401, #"{"success":false,"error":"Unauthorized"}"#, "unauthorized"),
        (403, #"{"success":false,"error":"Forbidden","message":"not an admin"}"#, "forbidden"),
        (404, #"{"success":false,"error":"Not Found","message":"group not found"}"#, "notFound"),
        (400, #"{"success":false,"error":"Bad Request","message":"missing participants"}"#, "validation"),
        (422, #"{"success":false,"error":"Unprocessable","message":"Session is not WORKING"}"#, "notConnected"),
        (429, #"{"success":false,"error":"Too Many Requests"}"#, "rateLimited"),
        (500, #"{"success":false,"error":"Internal"}"#, "server"),
    ])
    func errors(_ status: Int, _ body: String, _ kind: String) {
        #expect(V1DialectTests.kindName(WasendDecode.error(response(status, body))) == kind)
    }

    @Test("a NestJS route miss is told apart from an API 404")
    func routeMiss() {
        let miss = response(404, #"{"message":"Cannot DELETE /s/groups/g/participants","error":"Not Found","statusCode":404}"#)
        let api = response(404, #"{"success":false,"error":"Not Found","message":"group not found"}"#)
        #expect(DialectSupport.isRouteMiss(miss, apiShape: WasendDecode.isAPIError))
        #expect(!DialectSupport.isRouteMiss(api, apiShape: WasendDecode.isAPIError))
        #expect(DialectSupport.isRouteMiss(response(404, ""), apiShape: WasendDecode.isAPIError))
    }

    @Test("requests: documented and SDK path forms, plain string participants")
    func encoders() throws {
        let g = try JID(parsing: "120363041234567890@g.us")
        let t = [try JID(parsing: "+1234567890"), try JID(parsing: "987654321@c.us")]
        let base = "/sess-1/groups/120363041234567890@g.us"
        let rm = WasendAPI.mutation(.remove, session: "sess-1", group: g, targets: t, sdk: false)
        #expect(rm.method == "DELETE" && rm.path == "\(base)/participants")
        #expect(String(decoding: try #require(rm.body), as: UTF8.self) == #"{"participants":["1234567890@s.whatsapp.net","987654321@s.whatsapp.net"]}"#)
        let rmSDK = WasendAPI.mutation(.remove, session: "sess-1", group: g, targets: t, sdk: true)
        #expect(rmSDK.method == "POST" && rmSDK.path == "\(base)/participants/remove")
        #expect(WasendAPI.mutation(.promote, session: "sess-1", group: g, targets: t, sdk: false).path == "\(base)/participants/promote")
        #expect(WasendAPI.mutation(.promote, session: "sess-1", group: g, targets: t, sdk: true).path == "\(base)/admin/promote")
        #expect(WasendAPI.mutation(.demote, session: "sess-1", group: g, targets: t, sdk: true).path == "\(base)/admin/demote")
        let add = WasendAPI.mutation(.add, session: "sess-1", group: g, targets: t, sdk: false)
        #expect(String(decoding: try #require(add.body), as: UTF8.self) == #"{"notify":true,"participants":["1234567890@s.whatsapp.net","987654321@s.whatsapp.net"]}"#)
        let leave = WasendAPI.leave(session: "sess-1", group: g)
        #expect(leave.method == "POST" && leave.path == "\(base)/leave" && leave.body == nil)
        let groups = WasendAPI.groups(session: "sess 1", limit: 50, offset: 100)
        #expect(groups.path == "/sess%201/groups")
        #expect(groups.query.map(\.name) == ["limit", "offset", "sortBy", "sortOrder"])
        #expect(groups.query[1].value == "100")
    }
}
