import Foundation
import Testing
@testable import GatewayKit

func response(_ status: Int, _ body: String, retryAfter: Double? = nil) -> HTTPResponseData {
    HTTPResponseData(status: status, body: Data(body.utf8), retryAfter: retryAfter, contentType: "application/json", latencyMs: 3)
}

@Suite("v1 dialect")
struct V1DialectTests {
    // The documented examples of gateways.md §2 and seed 003.
    static let sessionsBody = #"{"data":[{"id":"01J9ZX8K2QHV0M3T6R7P4N5W8C","label":"Support line","phoneNumber":"6281234567890","status":"working","waJid":"6281234567890@s.whatsapp.net","waLid":"205227043110953@lid","ratePerMin":20,"ratePerHour":600,"lastConnectedAt":1719662400000}],"nextCursor":null}"#
    static let groupsBody = #"{"data":[{"id":512,"groupJid":"120363041234567890@g.us","subject":"Project Team","description":"…","ownerJid":"6281234567890@s.whatsapp.net","participantCount":42,"isAnnounce":false,"isLocked":false,"createdAtWa":1700000000000}],"nextCursor":""}"#
    static let membersBody = #"{"data":[{"id":7781,"groupJid":"120363041234567890@g.us","sessionId":"01J9ZX8K2QHV0M3T6R7P4N5W8C","jid":"5511987654321@s.whatsapp.net","lid":"205227043110999@lid","role":"member","tag":"~Alice","firstSeenAt":1,"lastSeenAt":2},{"id":7782,"jid":"6281234567890@s.whatsapp.net","role":"admin","tag":"Owner"},{"id":7783,"lid":"11112222@lid","role":"admin"}],"nextCursor":"abc"}"#

    @Test("sessions decode with account, lid, status and advertised rates")
    func sessions() throws {
        let page = try V1Decode.sessions(response(200, Self.sessionsBody))
        #expect(page.next == nil)
        let s = try #require(page.items.first)
        #expect(s.id == "01J9ZX8K2QHV0M3T6R7P4N5W8C")
        #expect(s.label == "Support line")
        #expect(s.account == JID(kind: .user, user: "6281234567890"))
        #expect(s.accountLID == JID(kind: .lid, user: "205227043110953"))
        #expect(s.connected)
        #expect(s.ratePerMinute == 20 && s.ratePerHour == 600)
    }

    @Test("groups decode; an empty nextCursor ends the pages")
    func groups() throws {
        let page = try V1Decode.groups(response(200, Self.groupsBody))
        #expect(page.next == nil)
        let g = try #require(page.items.first)
        #expect(g.jid.string == "120363041234567890@g.us")
        #expect(g.subject == "Project Team")
        #expect(g.size == 42)
        #expect(g.owner == JID(kind: .user, user: "6281234567890"))
    }

    @Test("members decode: tag as name, the owner as superadmin, lid-only rows")
    func members() throws {
        let page = try V1Decode.members(response(200, Self.membersBody), owner: JID(kind: .user, user: "6281234567890"))
        #expect(page.next == "abc")
        #expect(page.items.count == 3)
        #expect(page.items[0].name == "Alice")
        #expect(page.items[0].role == .member)
        #expect(page.items[0].lid == JID(kind: .lid, user: "205227043110999"))
        #expect(page.items[1].role == .superadmin)
        #expect(page.items[2].phone == nil)
        #expect(page.items[2].id == JID(kind: .lid, user: "11112222"))
        #expect(page.items[2].role == .admin)
    }

    @Test("errors map from the documented envelope", arguments: [
        (404, #"{"error":{"code":"not_found","message":"session not found","details":{}}}"#, "notFound"),
        (403, #"{"error":{"code":"forbidden","message":"not a group admin","details":{}}}"#, "forbidden"),
        (501, #"{"error":{"code":"not_implemented","message":"session not connected","details":{}}}"#, "notConnected"),
        (400, #"{"error":{"code":"validation_error","message":"bad jid","details":{}}}"#, "validation"),
        (401, #"{"error":{"code":"unauthorized","message":"bad token","details":{}}}"#, "unauthorized"),
        (429, #"{"error":{"code":"rate_limited","message":"slow down","details":{}}}"#, "rateLimited"),
        (500, #"{"error":{"code":"internal","message":"boom","details":{}}}"#, "server"),
        (502, "<html><body>502 Bad Gateway</body></html>", "server"),
    ])
    func errors(_ status: Int, _ body: String, _ kind: String) {
        let e = V1Decode.error(response(status, body, retryAfter: 7))
        let name = Self.kindName(e)
        #expect(name == kind, "got \(e)")
        if kind == "rateLimited" { #expect(e == .rateLimited(retryAfter: 7)) }
        if status == 502 { #expect(e.message.contains("502 Bad Gateway")) }
    }

    static func kindName(_ e: GatewayError) -> String {
        switch e {
        case .unauthorized: "unauthorized"
        case .forbidden: "forbidden"
        case .notFound: "notFound"
        case .notConnected: "notConnected"
        case .rateLimited: "rateLimited"
        case .validation: "validation"
        case .server: "server"
        case .transport: "transport"
        case .undecodable: "undecodable"
        case .noSuchRoute: "noSuchRoute"
        case .configuration: "configuration"
        case .storage: "storage"
        case .notPossible: "not possible"
        case .tooLarge: "tooLarge"
        }
    }

    @Test("HTML where JSON was expected is undecodable, with a short excerpt")
    func htmlList() {
        #expect(throws: GatewayError.self) { try V1Decode.sessions(response(200, "<html>login</html>")) }
        do { _ = try V1Decode.groups(response(200, "<html>login</html>")) } catch {
            #expect(error == .undecodable(status: 200, excerpt: "<html>login</html>"))
        }
    }

    @Test("requests: methods, paths with @ as %40, bodies")
    func encoders() throws {
        let g = try JID(parsing: "120363041234567890@g.us")
        let m = try JID(parsing: "+5511987654321")
        let s = "01J9ZX8K2QHV0M3T6R7P4N5W8C"
        let base = "/api/v1/sessions/\(s)/groups/120363041234567890%40g.us"
        #expect(V1API.sessions() == HTTPRequestSpec(method: "GET", path: "/api/v1/sessions"))
        #expect(V1API.groups(session: s, cursor: "c 1").query == [URLQueryItem(name: "cursor", value: "c 1")])
        #expect(V1API.members(session: s, group: g).path == "\(base)/members")
        let rm = V1API.remove(session: s, group: g, member: m)
        #expect(rm.method == "DELETE")
        #expect(rm.path == "\(base)/members/5511987654321%40s.whatsapp.net")
        #expect(rm.body == nil)
        #expect(V1API.promote(session: s, group: g, member: m).path == "\(base)/members/5511987654321%40s.whatsapp.net/promote")
        #expect(V1API.demote(session: s, group: g, member: m).method == "POST")
        #expect(V1API.leave(session: s, group: g).path == "\(base):leave")
        let add = V1API.add(session: s, group: g, members: [m])
        #expect(add.method == "POST")
        #expect(add.headers["Content-Type"] == "application/json")
        #expect(String(decoding: try #require(add.body), as: UTF8.self) == #"{"participants":["5511987654321@s.whatsapp.net"]}"#)
        // A session id with characters outside the unreserved set is encoded.
        #expect(V1API.sessions(cursor: nil).path == "/api/v1/sessions")
        #expect(V1API.groups(session: "a b/c").path == "/api/v1/sessions/a%20b%2Fc/groups")
    }
}

@Suite("paging guards")
struct PagingGuardTests {
    @Test("an empty page or a cursor that does not move ends the paging")
    func advance() {
        #expect(V1Gateway.advance(nil, to: "a", pageEmpty: false) == "a")
        #expect(V1Gateway.advance("a", to: "b", pageEmpty: false) == "b")
        #expect(V1Gateway.advance("a", to: "a", pageEmpty: false) == nil)
        #expect(V1Gateway.advance("a", to: "b", pageEmpty: true) == nil)
        #expect(V1Gateway.advance("a", to: nil, pageEmpty: false) == nil)
    }
}
