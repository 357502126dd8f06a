import Foundation
import Testing
@testable import GatewayKit

@Suite("wawp dialect")
struct WawpDialectTests {
    // The documented examples of gateways.md §6, seed 001 and Wawp's session info.
    static let infoBody = #"{"name":"wawp-84729105","status":"WORKING","config":{"webhooks":{},"proxy":null},"me":{"id":"201012345678@c.us","pushName":"John Doe"}}"#
    static let participantsBody = #"[{"id":"123@lid","pn":"123@c.us","role":"superadmin"},{"id":"111@c.us","pn":"111@c.us","role":"participant"}]"#
    static let g = JID(kind: .group, user: "120363041234567890")
    static let a = JID(kind: .user, user: "5511900000012")

    @Test("session info: neither the id nor the label is the session's name (it may be the instance id); WORKING is connected")
    func session() throws {
        let s = try WawpDecode.session(response(200, Self.infoBody))
        #expect(s.id == "instance" && s.label == "John Doe")
        #expect(try WawpDecode.session(response(200, #"{"name":"inst-secret","status":"WORKING","me":{"id":"2010@c.us"}}"#)).label == "Wawp instance")
        #expect(s.account == JID(kind: .user, user: "201012345678") && s.connected && s.status == "WORKING")
        let off = try WawpDecode.session(response(200, #"{"name":"wawp-1","status":"SCAN_QR_CODE","me":null}"#))
        #expect(!off.connected && off.account == nil && off.status == "SCAN_QR_CODE")
        #expect(throws: GatewayError.self) { try WawpDecode.session(response(200, #"{"status":"WORKING"}"#)) }
        #expect(throws: GatewayError.self) { try WawpDecode.session(response(200, "<html>")) }
    }

    @Test("reads are WAHA's: participants with id, pn and role")
    func reads() throws {
        let people = try WAHADecode.participants(response(200, Self.participantsBody))
        #expect(people.map(\.role) == [.superadmin, .member])
        #expect(people[0].lid == JID(kind: .lid, user: "123") && people[0].phone == JID(kind: .user, user: "123"))
    }

    @Test("a change answers {\"ok\":true}; ok false is no; anything else is undecodable")
    func ok() throws {
        #expect(try WawpDecode.ok(response(200, #"{"ok":true}"#)).get() == true)
        #expect(try WawpDecode.ok(response(200, #"{ "ok": false }"#)).get() == false)
        #expect(try WawpDecode.ok(response(200, "")).get() == true)
        guard case .failure(.undecodable(200, let excerpt)) = WawpDecode.ok(response(200, "<html>oops</html>")) else {
            Issue.record("expected undecodable"); return
        }
        #expect(excerpt == "<html>oops</html>")
        if case .success = WawpDecode.ok(response(200, #"{"done":1}"#)) { Issue.record("expected undecodable") }
    }

    @Test("errors: {status, message, error}", arguments: [
        (401, #"{"status":401,"message":"Invalid or missing access token","error":"Unauthorized"}"#, "unauthorized"),
        (401, "", "unauthorized"),
        (403, #"{"status":403,"message":"The instance is not an admin of this group","error":"Forbidden"}"#, "forbidden"),
        (404, #"{"status":404,"message":"Instance not found","error":"Not Found"}"#, "notFound"),
        (400, #"{"status":400,"message":"instance_id is required","error":"Bad Request"}"#, "validation"),
        (422, #"{"status":422,"message":"Session status is not as expected: SCAN_QR_CODE (expected WORKING)","error":"Unprocessable Entity"}"#, "notConnected"),
        (429, #"{"status":429,"message":"Too many requests","error":"Too Many Requests"}"#, "rateLimited"),
        (500, #"{"status":500,"message":"Internal server error","error":"Internal Server Error"}"#, "server"),
        (502, "<html><body>502 Bad Gateway</body></html>", "server"),
    ])
    func errors(_ status: Int, _ body: String, _ kind: String) {
        let e = WawpDecode.error(response(status, body, retryAfter: 3))
        #expect(V1DialectTests.kindName(e) == kind, "got \(e)")
        if status == 429 { #expect(e == .rateLimited(retryAfter: 3)) }
    }

    @Test("a refused change concerns its one participant: the creator, a non-member; else the error")
    func refusals() {
        let creator = WawpDecode.refusal(.remove, response(403, #"{"status":403,"message":"the group creator (superadmin) cannot be removed","error":"Forbidden"}"#))
        #expect(creator == .refused("not allowed: the group's creator cannot be removed"))
        let absent = WawpDecode.refusal(.demote, response(404, #"{"status":404,"message":"111@c.us is not a participant of this group","error":"Not Found"}"#))
        #expect(absent == .refused("not a member of the group"))
        let notAdmin = WawpDecode.refusal(.remove, response(403, #"{"status":403,"message":"The instance is not an admin of this group","error":"Forbidden"}"#))
        guard case .failed(let e) = notAdmin, case .forbidden = e else { Issue.record("got \(notAdmin)"); return }
        #expect(e.stopsOperation)
        guard case .failed(.notFound) = WawpDecode.refusal(.remove, response(404, #"{"status":404,"message":"Instance not found","error":"Not Found"}"#)) else {
            Issue.record("an unknown instance is not a refusal"); return
        }
    }

    @Test("a route miss is told apart from Wawp's own 404")
    func routeMiss() {
        let spec = WawpAPI.participants(Self.g)
        let miss = response(404, #"{"status":404,"message":"Cannot GET /v2/groups/120363041234567890@g.us/participants","error":"Not Found"}"#)
        #expect(WawpDecode.error(miss, spec) == .noSuchRoute(method: "GET", path: "/v2/groups/120363041234567890@g.us/participants"))
        #expect(WawpDecode.error(response(404, "<html>nginx</html>"), spec) == .noSuchRoute(method: "GET", path: spec.path))
        #expect(V1DialectTests.kindName(WawpDecode.error(response(404, #"{"status":404,"message":"Group not found","error":"Not Found"}"#), spec)) == "notFound")
    }

    @Test("requests: WAHA's paths under /v2 without a session, {\"id\"} objects, no secret in the spec")
    func encoders() throws {
        let t = [try JID(parsing: "+1234567890"), try JID(parsing: "55@lid")]
        let base = "/v2/groups/120363041234567890@g.us"
        #expect(WawpAPI.sessionInfo().path == "/v2/session/info")
        let groups = WawpAPI.groups(limit: 50, offset: 100)
        #expect(groups.path == "/v2/groups" && groups.query.map(\.value) == ["50", "100", "subject", "asc", "participants"])
        #expect(WawpAPI.participants(Self.g).path == "\(base)/participants")
        let paths: [(MemberAction, String)] = [(.remove, "participants/remove"), (.add, "participants/add"),
                                               (.promote, "admin/promote"), (.demote, "admin/demote")]
        for (action, tail) in paths {
            let spec = WawpAPI.mutation(action, group: Self.g, targets: t)
            #expect(spec.method == "POST" && spec.path == "\(base)/\(tail)" && spec.query.isEmpty)
            #expect(String(decoding: try #require(spec.body), as: UTF8.self) == #"{"participants":[{"id":"1234567890@c.us"},{"id":"55@lid"}]}"#)
        }
        let leave = WawpAPI.leave(Self.g)
        #expect(leave.method == "POST" && leave.path == "\(base)/leave")
    }

    @Test("the token INSTANCE_ID:ACCESS_TOKEN becomes two query parameters, masked everywhere")
    func credential() throws {
        let c = GatewayFactory.credential(for: .wawp, token: "ABC123DEF456:tok:en")
        #expect(c.queryItems == [URLQueryItem(name: "instance_id", value: "ABC123DEF456"), URLQueryItem(name: "access_token", value: "tok:en")])
        #expect(c.headers.isEmpty && "\(c)" == "Credential(***)")
        let url = try #require(URL(string: "https://api.wawp.net"))
        let gw = try GatewayFactory.make(dialect: .wawp, baseURL: url, token: "ABC123DEF456:secret")
        #expect(gw is WawpGateway && !gw.capabilities.batching && !gw.capabilities.perRowResults && !gw.capabilities.listsSessions)
        for bad in ["no-colon-secret", ":secret", "ABC123DEF456:"] {
            do {
                _ = try GatewayFactory.make(dialect: .wawp, baseURL: url, token: bad)
                Issue.record("expected a configuration error for a malformed token")
            } catch {
                guard case .configuration(let m) = error else { Issue.record("got \(error)"); continue }
                #expect(m.contains("INSTANCE_ID:ACCESS_TOKEN") && !m.contains("secret"))
            }
        }
        // Were the secrets ever in a request's own query, the log would mask them.
        let spec = HTTPRequestSpec(method: "GET", path: "/v2/groups", query: c.queryItems)
        #expect(spec.redactedTarget == "/v2/groups?instance_id=***&access_token=***")
        #expect(Redaction.scrub("GET https://api.wawp.net/v2/groups?instance_id=ABC123DEF456&access_token=tok") == "GET https://api.wawp.net/v2/groups?instance_id=***&access_token=***")
    }
}
