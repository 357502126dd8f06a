import Foundation
import Testing
@testable import GatewayKit

/// Wawp's identity read as pure data: the documented POST, the route miss that sends the
/// older GET, and what an unread instance says.
@Suite("wawp identity read")
struct WawpIdentityReadTests {
    @Test("the documented form is POST /v2/session/info with no body; the older is GET; both are reads")
    func forms() {
        let documented = WawpAPI.sessionInfo()
        #expect(documented.method == "POST" && documented.path == "/v2/session/info")
        #expect(documented.body == nil && documented.query.isEmpty && documented.isReadOnly)
        let older = WawpAPI.sessionInfo(method: "GET")
        #expect(older.method == "GET" && older.path == documented.path && older.isReadOnly)
        // Mutations stay what they were: sent once.
        #expect(!WawpAPI.leave(JID(kind: .group, user: "120363041234567890")).isReadOnly)
    }

    @Test("a route miss (a web server's 404, or any 405) sends the other form; Wawp's own 404 does not")
    func routeMiss() {
        #expect(WawpDecode.isInfoRouteMiss(response(404, #"{"status":404,"message":"Cannot POST /v2/session/info","error":"Not Found"}"#)))
        #expect(WawpDecode.isInfoRouteMiss(response(404, "<html>Not Found</html>")))
        #expect(WawpDecode.isInfoRouteMiss(response(405, #"{"status":405,"message":"Method Not Allowed","error":"Method Not Allowed"}"#)))
        #expect(!WawpDecode.isInfoRouteMiss(response(404, #"{"status":404,"message":"Instance not found","error":"Not Found"}"#)))
        #expect(!WawpDecode.isInfoRouteMiss(response(500, #"{"status":500,"message":"Internal server error","error":"Internal Server Error"}"#)))
        #expect(!WawpDecode.isInfoRouteMiss(response(200, WawpDialectTests.infoBody)))
    }

    @Test("only what stops every call is thrown; any other failure is an instance whose account is unknown")
    func unread() {
        #expect(WawpDecode.stopsListing(.unauthorized(nil)))
        #expect(WawpDecode.stopsListing(.notFound("Instance not found")))
        #expect(WawpDecode.stopsListing(.transport("gateway unreachable")))
        #expect(!WawpDecode.stopsListing(.server(status: 500, message: nil)))
        #expect(!WawpDecode.stopsListing(.noSuchRoute(method: "POST", path: "/v2/session/info")))
        #expect(!WawpDecode.stopsListing(.undecodable(status: 200, excerpt: "<html>")))
        let s = WawpDecode.unreadInstance(.server(status: 502, message: "bad gateway"))
        #expect(s.id == "instance" && s.account == nil && s.accountLID == nil && s.connected)
        #expect(s.status == "unknown (session info: HTTP 502)")
        #expect(WawpDecode.unreadInstance(.noSuchRoute(method: "POST", path: "/v2/session/info")).status.contains("no session/info route"))
        // What an unknown account means for a role: unknown, not "not a member".
        let people = [Participant(phone: JID(kind: .user, user: "5511900000012"), lid: nil, name: nil, role: .admin)]
        #expect(people.role(of: s) == nil)
    }
}
