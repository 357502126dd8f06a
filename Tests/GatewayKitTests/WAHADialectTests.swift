import Foundation
import Testing
@testable import GatewayKit

@Suite("waha dialect")
struct WAHADialectTests {
    // The documented examples of gateways.md §4.
    static let sessionsBody = #"[{"name":"default","status":"WORKING","me":{"id":"79111111@c.us","pushName":"Support"},"engine":{"engine":"NOWEB"}},{"name":"old","status":"STOPPED","me":null,"engine":{"engine":"NOWEB"}}]"#
    static let groupsArray = #"[{"id":"120363041234567890@g.us","subject":"Project Team","owner":"5511900000002@c.us","size":42,"participants":[{"id":"123@lid","pn":"5511900000002@c.us","role":"superadmin"},{"id":"79111111@c.us","pn":"79111111@c.us","role":"admin"}]}]"#
    static let groupsKeyed = #"{"120363041234567890@g.us":{"id":"120363041234567890@g.us","subject":"Project Team","owner":"79111111@s.whatsapp.net","size":42},"120363000000000002@g.us":{"subject":"Keyed only","size":3}}"#
    static let participantsV2 = #"[{"id":"123@lid","pn":"123@c.us","role":"superadmin"},{"id":"111@c.us","pn":"111@c.us","role":"participant"}]"#

    static var me: Session { Session(id: "default", label: "default", account: JID(kind: .user, user: "79111111"), connected: true, status: "WORKING") }
    static let a = JID(kind: .user, user: "5511900000012")
    static let b = JID(kind: .user, user: "5511900000013")
    static let c = JID(kind: .user, user: "5511900000014")

    @Test("sessions: name is the id; WORKING is connected; me is null when stopped")
    func sessions() throws {
        let list = try WAHADecode.sessions(response(200, Self.sessionsBody))
        #expect(list.map(\.id) == ["default", "old"])
        #expect(list[0].label == "default")
        #expect(list[0].account == JID(kind: .user, user: "79111111"))
        #expect(list[0].connected && list[0].status == "WORKING")
        #expect(!list[1].connected && list[1].status == "STOPPED" && list[1].account == nil)
    }

    @Test("groups: an array of groups, with participants giving our role")
    func groupsArray() throws {
        let page = try WAHADecode.groups(response(200, Self.groupsArray), me: Self.me)
        #expect(page.rows == 1)
        let g = try #require(page.items.first)
        #expect(g.jid.string == "120363041234567890@g.us")
        #expect(g.subject == "Project Team" && g.size == 42)
        #expect(g.owner == JID(kind: .user, user: "5511900000002"))
        #expect(g.ourRole == .admin)
    }

    @Test("groups: an object keyed by group JID (NOWEB); a row without id takes its key")
    func groupsKeyed() throws {
        let page = try WAHADecode.groups(response(200, Self.groupsKeyed), me: Self.me)
        #expect(page.rows == 2)
        // The object's keys carry no order once parsed: rows come sorted by subject, as asked.
        #expect(page.items.map(\.subject) == ["Keyed only", "Project Team"])
        let byJID = Dictionary(uniqueKeysWithValues: page.items.map { ($0.jid.string, $0) })
        #expect(byJID["120363000000000002@g.us"]?.subject == "Keyed only")
        // We own the first group (owner in @s.whatsapp.net form, our account in @c.us form).
        #expect(byJID["120363041234567890@g.us"]?.ourRole == .superadmin)
        #expect(byJID["120363000000000002@g.us"]?.ourRole == nil)
        #expect(try WAHADecode.groups(response(200, "{}"), me: nil).items.isEmpty)
        #expect(throws: GatewayError.self) { try WAHADecode.groups(response(200, #"{"a":1}"#), me: nil) }
    }

    @Test("participants/v2: id, pn and the three roles")
    func participants() throws {
        let people = try WAHADecode.participants(response(200, Self.participantsV2))
        #expect(people.count == 2)
        #expect(people[0].lid == JID(kind: .lid, user: "123") && people[0].phone == JID(kind: .user, user: "123"))
        #expect(people[0].role == .superadmin)
        #expect(people[1].phone == JID(kind: .user, user: "111") && people[1].lid == nil && people[1].role == .member)
        let admin = try WAHADecode.participants(response(200, #"[{"id":"9@lid","pn":null,"role":"admin"}]"#))
        #expect(admin.first?.role == .admin && admin.first?.phone == nil && admin.first?.id == JID(kind: .lid, user: "9"))
        // The engines' older rows: NOWEB's `admin`, WEBJS's flags and serialized ids.
        let older = try WAHADecode.participants(response(200, #"[{"id":"5@s.whatsapp.net","admin":"superadmin"},{"id":{"_serialized":"6@c.us"},"isAdmin":true,"isSuperAdmin":false}]"#))
        #expect(older.map(\.role) == [.superadmin, .admin])
    }

    @Test("results shape 1: engine rows with status strings, matched across @c.us and @s.whatsapp.net")
    func rowsWithStatusStrings() throws {
        let body = #"[{"status":"200","jid":"5511900000012@s.whatsapp.net","content":{"tag":"participant","attrs":{"jid":"5511900000012@s.whatsapp.net"}}},{"status":"403","jid":"5511900000013@s.whatsapp.net","content":{}},{"status":"404","jid":"5511900000014@c.us","content":{}}]"#
        let r = response(200, body)
        guard case .success(.rows(let rows)) = WAHADecode.answer(r) else { Issue.record("expected rows"); return }
        // The answer's rows are read for the one target sent, each target by the row naming it.
        #expect(MemberRows.outcome(.remove, target: Self.a, rows: rows) == .done)
        let b = MemberRows.outcome(.remove, target: Self.b, rows: rows)
        #expect(b.kind == "refused" && b.reason?.contains("creator") == true)
        #expect(MemberRows.outcome(.remove, target: Self.c, rows: rows) == .refused("not a member of the group"))
    }

    @Test("results shape 2: {\"status\":200} is one status for the whole call")
    func wholeStatus() {
        #expect(WAHADecode.answer(response(200, #"{"status":200}"#)) == .success(.whole(200)))
        #expect(WAHADecode.answer(response(201, #"{"status":"200"}"#)) == .success(.whole(200)))
        #expect(WAHADecode.answer(response(200, "")) == .success(.whole(200)))
        #expect(WAHADecode.answer(response(201, "")) == .success(.whole(201)))
    }

    @Test("results shape 3: GOWS rows with JID and Error, 0 meaning ok")
    func gowsRows() throws {
        let body = #"[{"JID":"5511900000012@s.whatsapp.net","IsAdmin":false,"IsSuperAdmin":false,"Error":0},{"JID":"5511900000013@s.whatsapp.net","IsAdmin":false,"IsSuperAdmin":false,"Error":409}]"#
        let r = response(201, body)
        guard case .success(.rows(let rows)) = WAHADecode.answer(r) else { Issue.record("expected rows"); return }
        #expect(rows.map(\.code) == [200, 409])
        #expect(MemberRows.outcome(.add, target: Self.a, rows: rows) == .done)
        #expect(MemberRows.outcome(.add, target: Self.b, rows: rows) == .alreadySo("already a member"))
    }

    @Test("one target: its own row by id; the only row when it names nobody else (an @lid for a target sent by phone); else refused")
    func rowMatching() throws {
        let r = response(200, #"[{"status":"200","jid":"5511900000012@s.whatsapp.net"},{"status":"403","jid":"100000000000013@lid"}]"#)
        guard case .success(.rows(let rows)) = WAHADecode.answer(r) else { Issue.record("expected rows"); return }
        #expect(MemberRows.outcome(.promote, target: Self.a, rows: rows) == .done)
        // Two rows, neither naming b: the @lid row is not handed to b by its position.
        #expect(MemberRows.outcome(.promote, target: Self.b, rows: rows).kind == "refused")
        #expect(MemberRows.outcome(.promote, target: Self.b, rows: rows).reason?.contains("no row") == true)
        // The answer's only row, naming b's @lid: b's (its 403 refuses b).
        #expect(MemberRows.outcome(.promote, target: Self.b, rows: [rows[1]]).reason?.contains("not allowed") == true)
        #expect(MemberRows.outcome(.promote, target: Self.b, rows: [MemberRows.Row(ids: [JID(kind: .lid, user: "100000000000013")], code: 200)]) == .done)
        // The only row naming another phone is not b's.
        #expect(MemberRows.outcome(.promote, target: Self.b, rows: [rows[0]]).reason?.contains("no row") == true)
        #expect(MemberRows.outcome(.promote, target: Self.c, rows: []).kind == "refused")
    }

    @Test("per-row codes read by action", arguments: [
        (MemberAction.add, 409, "already"), (.add, 403, "refused"), (.add, 404, "refused"), (.add, 408, "refused"),
        (.add, 419, "refused"), (.remove, 200, "done"), (.remove, 404, "refused"), (.demote, 403, "refused"),
        (.promote, 201, "done"),
    ])
    func codes(_ action: MemberAction, _ code: Int, _ kind: String) {
        #expect(WAHADecode.outcome(action, code: code).kind == kind)
    }

    @Test("an add refused with 404 says not on WhatsApp; with 403, privacy")
    func addReasons() {
        #expect(WAHADecode.outcome(.add, code: 404) == .refused("not on WhatsApp"))
        #expect(WAHADecode.outcome(.add, code: 403).reason?.contains("privacy") == true)
        #expect(WAHADecode.outcome(.add, code: 419).reason == "the group is full")
    }

    @Test("a malformed mutation answer is undecodable with an excerpt")
    func malformed() {
        for body in ["<html>oops</html>", #"[{"jid":"1@c.us"}]"#, #"[1,2]"#, #""text""#] {
            guard case .failure(let e) = WAHADecode.answer(response(200, body)) else { Issue.record("accepted \(body)"); continue }
            guard case .undecodable(let status, let excerpt) = e else { Issue.record("got \(e)"); continue }
            #expect(status == 200 && !excerpt.isEmpty)
        }
    }

    @Test("the members read back after a whole-call status decide each target")
    func verifiedFromMembers() {
        let member = Participant(phone: Self.a, lid: nil, name: nil, role: .member)
        let admin = Participant(phone: Self.a, lid: nil, name: nil, role: .admin)
        let owner = Participant(phone: Self.a, lid: nil, name: nil, role: .superadmin)
        #expect(WAHADecode.verified(.remove, nil) == .done)
        #expect(WAHADecode.verified(.remove, owner).reason?.contains("creator") == true)
        #expect(WAHADecode.verified(.add, member) == .done)
        #expect(WAHADecode.verified(.add, nil).kind == "refused")
        #expect(WAHADecode.verified(.promote, admin) == .done)
        #expect(WAHADecode.verified(.promote, member).kind == "refused")
        #expect(WAHADecode.verified(.demote, member) == .done)
        #expect(WAHADecode.verified(.demote, owner).kind == "refused")
    }

    @Test("errors: 401, 404, 422 not WORKING, 400, 429, and WhatsApp's refusals as 500", arguments: [
        (401, #"{"message":"Unauthorized","statusCode":401}"#, "unauthorized"),
        (401, "", "unauthorized"),
        (404, #"{"statusCode":404,"message":"We didn't find a session with name 'x'","error":"Not Found"}"#, "notFound"),
        (422, #"{"error":"Session status is not as expected. Try again later or restart the session","session":"default","status":"SCAN_QR_CODE","expected":["WORKING"]}"#, "notConnected"),
        (400, #"{"message":["participants must be an array"],"error":"Bad Request","statusCode":400}"#, "validation"),
        (429, #"{"statusCode":429,"message":"Too Many Requests"}"#, "rateLimited"),
        (500, #"{"statusCode":500,"exception":{"message":"forbidden","data":403}}"#, "forbidden"),
        (500, #"{"statusCode":500,"exception":{"message":"not-authorized","data":401}}"#, "forbidden"),
        (500, #"{"statusCode":500,"exception":{"message":"item-not-found","data":404}}"#, "notFound"),
        (500, #"{"statusCode":500,"exception":{"message":"rate-overlimit","data":429}}"#, "rateLimited"),
        (500, #"{"statusCode":500,"exception":{"message":"bad-request","data":400}}"#, "validation"),
        (500, #"{"statusCode":500,"exception":{"message":"Cannot read properties of undefined","name":"TypeError"}}"#, "server"),
        (502, "<html><body>502 Bad Gateway</body></html>", "server"),
    ])
    func errors(_ status: Int, _ body: String, _ kind: String) {
        let e = WAHADecode.error(response(status, body, retryAfter: 4))
        #expect(V1DialectTests.kindName(e) == kind, "got \(e)")
        if status == 429 { #expect(e == .rateLimited(retryAfter: 4)) }
    }

    @Test("422 says which status the session is in; WhatsApp's words are kept")
    func errorWords() {
        let e = WAHADecode.error(response(422, #"{"error":"Session status is not as expected","session":"default","status":"SCAN_QR_CODE","expected":["WORKING"]}"#))
        #expect(e == .notConnected("status SCAN_QR_CODE, expected WORKING"))
        let f = WAHADecode.error(response(500, #"{"statusCode":500,"exception":{"message":"forbidden","data":403}}"#))
        #expect(f == .forbidden("WhatsApp: forbidden"))
        #expect(!f.isUnreachableOrUnauthorized)
    }

    @Test("a NestJS route miss is told apart from WAHA's own 404")
    func routeMiss() {
        let miss = response(404, #"{"message":"Cannot GET /api/default/groups/1@g.us/participants/v2","error":"Not Found","statusCode":404}"#)
        let api = response(404, #"{"statusCode":404,"message":"We didn't find a session with name 'x'","error":"Not Found"}"#)
        #expect(DialectSupport.isRouteMiss(miss, apiShape: WAHADecode.isAPIError))
        #expect(!DialectSupport.isRouteMiss(api, apiShape: WAHADecode.isAPIError))
        let spec = WAHAAPI.participants(session: "default", group: JID(kind: .group, user: "1"))
        #expect(WAHADecode.error(miss, spec) == .noSuchRoute(method: "GET", path: "/api/default/groups/1@g.us/participants/v2"))
        #expect(V1DialectTests.kindName(WAHADecode.error(api, spec)) == "notFound")
    }

    @Test("requests: paths, the groups query, {\"id\"} objects in @c.us form, the X-Api-Key header")
    func encoders() throws {
        let g = try JID(parsing: "120363041234567890@g.us")
        let t = [try JID(parsing: "+1234567890"), try JID(parsing: "987654321@s.whatsapp.net"), try JID(parsing: "55@lid")]
        let base = "/api/default/groups/120363041234567890@g.us"
        let sessions = WAHAAPI.sessions()
        #expect(sessions.path == "/api/sessions" && sessions.query == [URLQueryItem(name: "all", value: "true")])
        let groups = WAHAAPI.groups(session: "my line", limit: 50, offset: 100)
        #expect(groups.path == "/api/my%20line/groups")
        #expect(groups.query.map(\.name) == ["limit", "offset", "sortBy", "sortOrder", "exclude"])
        #expect(groups.query.map(\.value) == ["50", "100", "subject", "asc", "participants"])
        #expect(WAHAAPI.groupCount(session: "default").path == "/api/default/groups/count")
        #expect(WAHAAPI.participants(session: "default", group: g).path == "\(base)/participants/v2")
        let paths: [(MemberAction, String)] = [(.remove, "participants/remove"), (.add, "participants/add"),
                                               (.promote, "admin/promote"), (.demote, "admin/demote")]
        for (action, tail) in paths {
            let spec = WAHAAPI.mutation(action, session: "default", group: g, targets: t)
            #expect(spec.method == "POST" && spec.path == "\(base)/\(tail)")
            #expect(String(decoding: try #require(spec.body), as: UTF8.self)
                == #"{"participants":[{"id":"1234567890@c.us"},{"id":"987654321@c.us"},{"id":"55@lid"}]}"#)
        }
        let leave = WAHAAPI.leave(session: "default", group: g)
        #expect(leave.method == "POST" && leave.path == "\(base)/leave" && leave.body == nil)
        let credential = GatewayFactory.credential(for: .waha, token: "k")
        #expect(credential.headers == ["X-Api-Key": "k"] && credential.description == "Credential(***)")
        let gw = try GatewayFactory.make(dialect: .waha, baseURL: try #require(URL(string: "https://waha.example.com")), token: "k")
        #expect(gw.dialect == .waha && gw is WAHAGateway)
        #expect(gw.capabilities.batching && gw.capabilities.perRowResults && !gw.capabilities.idempotentRemove)
    }
}
