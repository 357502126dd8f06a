import Foundation
import Testing
@testable import GatewayKit

@Suite("wuts dialect")
struct WUTSDialectTests {
    // The documented examples of gateways.md §5 and seed 002.
    static let groupsBody = #"{"success":true,"groups":[{"jid":"120363039000000000@g.us","name":"WUTS Team","topic":"…","owner":"5511999999999@s.whatsapp.net","is_announce":false,"is_locked":false,"members_count":3}]}"#
    static let groupBody = #"{"success":true,"group":{"jid":"120363039000000000@g.us","name":"WUTS Team","owner":"5511999999999@s.whatsapp.net","participants":[{"jid":"5511999999999@s.whatsapp.net","phone_number":"5511999999999@s.whatsapp.net","is_admin":true,"is_super_admin":true},{"jid":"5511777777777@s.whatsapp.net","phone_number":"5511777777777","is_admin":true,"is_super_admin":false},{"jid":"205227043110999@lid","phone_number":"","is_admin":false,"is_super_admin":false}]}}"#
    static let removeBody = #"{ "success": true, "participants": [ { "jid": "5511888888888@s.whatsapp.net", "phone_number": "5511888888888@s.whatsapp.net", "is_admin": false, "is_super_admin": false } ]}"#
    static let envelope = #"{ "success": false, "error": "validation failed", "error_code": "VALIDATION_ERROR", "timestamp": "2026-06-15T12:00:00Z"}"#
    static let statusBody = #"{"success":true,"data":{"connected":true,"status":"connected","device_id":"wuts-device-001","jid":"5511999999999@s.whatsapp.net","phone_number":"5511999999999","is_logged_in":true,"last_seen":"2026-06-15T18:30:00Z"}}"#

    static let owner = JID(kind: .user, user: "5511999999999")
    static let target = JID(kind: .user, user: "5511888888888")
    static var me: Session { Session(id: "wuts-device-001", label: "wuts-device-001", account: owner, connected: true, status: "connected") }

    @Test("the device's status is the one session; a disconnected device is not connected")
    func status() throws {
        let s = try WUTSDecode.status(response(200, Self.statusBody))
        #expect(s.id == "wuts-device-001" && s.account == Self.owner && s.connected && s.status == "connected")
        let off = try WUTSDecode.status(response(200, #"{"success":true,"data":{"connected":false,"status":"disconnected","device_id":"d","jid":null,"is_logged_in":false}}"#))
        #expect(!off.connected && off.account == nil && off.id == "d")
        #expect(throws: GatewayError.self) { try WUTSDecode.status(response(200, #"{"success":true}"#)) }
    }

    @Test("groups: name, owner, members_count; our role from the owner")
    func groups() throws {
        let list = try WUTSDecode.groups(response(200, Self.groupsBody), me: Self.me)
        let g = try #require(list.first)
        #expect(g.jid.string == "120363039000000000@g.us" && g.subject == "WUTS Team" && g.size == 3)
        #expect(g.owner == Self.owner && g.ourRole == .superadmin)
        #expect(try WUTSDecode.groups(response(200, Self.groupsBody), me: nil).first?.ourRole == nil)
        #expect(throws: GatewayError.self) { try WUTSDecode.groups(response(200, "<html>"), me: nil) }
    }

    @Test("participants: flags give the three roles; phone_number as digits or JID; an @lid-only row")
    func participants() throws {
        let people = try WUTSDecode.participants(response(200, Self.groupBody))
        #expect(people.count == 3)
        #expect(people[0].phone == Self.owner && people[0].role == .superadmin)
        #expect(people[1].phone == JID(kind: .user, user: "5511777777777") && people[1].role == .admin)
        #expect(people[2].phone == nil && people[2].lid == JID(kind: .lid, user: "205227043110999") && people[2].role == .member)
        // Without the flag, the group's owner is the creator.
        let bare = try WUTSDecode.participants(response(200, #"{"success":true,"group":{"owner":"1234567@s.whatsapp.net","participants":[{"jid":"1234567@s.whatsapp.net","is_admin":true}]}}"#))
        #expect(bare.first?.role == .superadmin)
    }

    @Test("the per-participant result: a row without error is done; WhatsApp's codes are refusals")
    func results() throws {
        let r = response(200, Self.removeBody)
        let rows = try WUTSDecode.rows(r).get()
        #expect(MemberRows.outcome(.remove, target: Self.target, rows: rows) == .done)
        // Several rows: each target is read from the row naming it.
        let mixed = response(200, #"{"success":true,"participants":[{"jid":"5511888888888@s.whatsapp.net","error":409},{"jid":"5511777777777@s.whatsapp.net","error":"404"},{"jid":"5511666666666@s.whatsapp.net","error":0}]}"#)
        let rowsMixed = try WUTSDecode.rows(mixed).get()
        #expect(MemberRows.outcome(.add, target: Self.target, rows: rowsMixed) == .alreadySo("already a member"))
        #expect(MemberRows.outcome(.add, target: JID(kind: .user, user: "5511777777777"), rows: rowsMixed) == .refused("not on WhatsApp"))
        #expect(MemberRows.outcome(.add, target: JID(kind: .user, user: "5511666666666"), rows: rowsMixed) == .done)
        let creator = response(200, #"{"success":true,"participants":[{"jid":"5511999999999@s.whatsapp.net","is_super_admin":true,"error":403}]}"#)
        let refused = MemberRows.outcome(.remove, target: Self.owner, rows: try WUTSDecode.rows(creator).get())
        #expect(refused.kind == "refused" && refused.reason?.contains("creator") == true)
    }

    @Test("a malformed mutation answer is undecodable with an excerpt")
    func malformed() {
        for body in ["<html>502</html>", #"{"success":true}"#, #"{"success":true,"participants":[1]}"#, #"{"participants":[{"jid":"1@s.whatsapp.net","error":"x"}]}"#] {
            guard case .failure(.undecodable(let status, let excerpt)) = WUTSDecode.rows(response(200, body)) else {
                Issue.record("expected undecodable for \(body)"); continue
            }
            #expect(status == 200 && !excerpt.isEmpty)
        }
    }

    @Test("errors: the error_code envelope decides, then the status", arguments: [
        (400, WUTSDialectTests.envelope, "validation"),
        (401, #"{"success":false,"error":"Invalid token","error_code":"UNAUTHORIZED","timestamp":"2026-06-15T12:00:00Z"}"#, "unauthorized"),
        (401, #"{"success":false,"error":"unauthorized"}"#, "unauthorized"),
        (401, "", "unauthorized"),
        (403, #"{"success":false,"error":"not an admin","error_code":"FORBIDDEN","timestamp":"t"}"#, "forbidden"),
        (404, #"{"success":false,"error":"group not found","error_code":"GROUP_NOT_FOUND","timestamp":"t"}"#, "notFound"),
        (503, #"{"success":false,"error":"WhatsApp session is not connected","error_code":"DEVICE_NOT_READY","timestamp":"t"}"#, "notConnected"),
        (429, #"{"success":false,"error":"slow down","error_code":"RATE_LIMITED","timestamp":"t"}"#, "rateLimited"),
        (500, #"{"success":false,"error":"internal server error","error_code":"INTERNAL_ERROR","timestamp":"t"}"#, "server"),
        (502, "<html><body>502 Bad Gateway</body></html>", "server"),
    ])
    func errors(_ status: Int, _ body: String, _ kind: String) {
        let e = WUTSDecode.error(response(status, body, retryAfter: 4))
        #expect(V1DialectTests.kindName(e) == kind, "got \(e)")
        if status == 429 { #expect(e == .rateLimited(retryAfter: 4)) }
        if status == 503 { #expect(e == .notConnected("WhatsApp session is not connected")) }
    }

    @Test("the Go router's 404 page is a route miss; WUTS's own 404 is not")
    func routeMiss() {
        let spec = WUTSAPI.group(JID(kind: .group, user: "1"))
        #expect(WUTSDecode.error(response(404, "404 page not found"), spec) == .noSuchRoute(method: "GET", path: "/groups/1@g.us"))
        let api = response(404, #"{"success":false,"error":"group not found","error_code":"GROUP_NOT_FOUND","timestamp":"t"}"#)
        #expect(WUTSDecode.error(api, spec) == .notFound("group not found"))
    }

    @Test("requests: no session in the paths, DELETE with action for every change, the bearer token")
    func encoders() throws {
        let g = try JID(parsing: "120363039000000000@g.us")
        let t = [try JID(parsing: "+5511888888888"), try JID(parsing: "5511777777777@c.us"), try JID(parsing: "55@lid")]
        #expect(WUTSAPI.status().path == "/status" && WUTSAPI.status().method == "GET")
        #expect(WUTSAPI.groups().path == "/groups" && WUTSAPI.groups().query.isEmpty)
        #expect(WUTSAPI.group(g).path == "/groups/120363039000000000@g.us")
        for action in MemberAction.allCases {
            let spec = WUTSAPI.mutation(action, group: g, targets: t)
            #expect(spec.method == "DELETE" && spec.path == "/groups/120363039000000000@g.us/participants")
            #expect(String(decoding: try #require(spec.body), as: UTF8.self)
                == #"{"action":"\#(action.rawValue)","participants":["5511888888888@s.whatsapp.net","5511777777777@s.whatsapp.net","55@lid"]}"#)
        }
        let leave = WUTSAPI.leave(g)
        #expect(leave.method == "DELETE" && leave.path == "/groups/120363039000000000@g.us/leave" && leave.body == nil)
        let credential = GatewayFactory.credential(for: .wuts, token: "0b7c6e1e-5b1e-4b8e-9d6a-1f2e3d4c5b6a")
        #expect(credential.headers == ["Authorization": "Bearer 0b7c6e1e-5b1e-4b8e-9d6a-1f2e3d4c5b6a"] && credential.queryItems.isEmpty)
        #expect(!"\(credential)".contains("0b7c6e1e"))
        let gw = try GatewayFactory.make(dialect: .wuts, baseURL: try #require(URL(string: "https://api.wuts.com.br")), token: "k")
        #expect(gw.dialect == .wuts && gw is WUTSGateway)
        #expect(gw.capabilities.batching && gw.capabilities.perRowResults && !gw.capabilities.listsSessions)
    }
}
