import Foundation
import Testing
@testable import GatewayKit

@Suite("evolution dialect")
struct EvolutionDialectTests {
    // The documented examples of gateways.md §7.
    static let instancesBody = #"[{"name":"support","connectionStatus":"open","ownerJid":"5511999999999@s.whatsapp.net","profileName":"Support"},{"name":"old","connectionStatus":"close","ownerJid":null,"profileName":null}]"#
    static let groupsBody = #"[{"id":"120363041234567890@g.us","subject":"Project Team","owner":"5511999999999@s.whatsapp.net","size":42,"announce":false,"restrict":false},{"id":"120363000000000002@g.us","subject":"Others","owner":"5511000000001@s.whatsapp.net","size":3,"announce":true,"restrict":true}]"#
    static let participantsBody = #"{"participants":[{"id":"5511999999999@s.whatsapp.net","admin":"superadmin"},{"id":"5511888888888@s.whatsapp.net","admin":"admin"},{"id":"5511777777777@s.whatsapp.net","admin":null},{"id":"205227043110999@lid","admin":null}]}"#
    static let updateBody = #"{"updateParticipants":[{"status":"200","jid":"5511888888888@s.whatsapp.net","content":{"tag":"participant","attrs":{"jid":"5511888888888@s.whatsapp.net"}}},{"status":"403","jid":"5511999999999@s.whatsapp.net","content":{}},{"status":"404","jid":"5511666666666@s.whatsapp.net","content":{}}]}"#
    static let forbiddenBody = #"{"status":400,"error":"Bad Request","response":{"message":["Error updating participants","Error: forbidden"]}}"#

    static let owner = JID(kind: .user, user: "5511999999999")
    static let g = JID(kind: .group, user: "120363041234567890")

    @Test("instances: the name is the session; open is connected")
    func instances() throws {
        let list = try EvolutionDecode.instances(response(200, Self.instancesBody))
        #expect(list.map(\.id) == ["support", "old"])
        #expect(list[0].connected && list[0].account == Self.owner && list[0].label == "Support" && list[0].status == "open")
        #expect(!list[1].connected && list[1].account == nil && list[1].label == "old")
        let v1 = try EvolutionDecode.instances(response(200, #"[{"instance":{"instanceName":"legacy","owner":"5511999999999@s.whatsapp.net","status":"open"}}]"#))
        #expect(v1.first?.id == "legacy" && v1.first?.connected == true)
    }

    @Test("groups: subject, owner, size; our role from the owner")
    func groups() throws {
        let me = Session(id: "support", label: "Support", account: Self.owner, connected: true, status: "open")
        let list = try EvolutionDecode.groups(response(200, Self.groupsBody), me: me)
        #expect(list.map(\.subject) == ["Project Team", "Others"])
        #expect(list[0].jid == Self.g && list[0].size == 42 && list[0].owner == Self.owner && list[0].ourRole == .superadmin)
        #expect(list[1].ourRole == nil)
        #expect(throws: GatewayError.self) { try EvolutionDecode.groups(response(200, #"{"nope":1}"#), me: nil) }
    }

    @Test("participants: admin null, admin or superadmin; an @lid-only row")
    func participants() throws {
        let people = try EvolutionDecode.participants(response(200, Self.participantsBody))
        #expect(people.map(\.role) == [.superadmin, .admin, .member, .member])
        #expect(people[0].phone == Self.owner)
        #expect(people[3].phone == nil && people[3].lid == JID(kind: .lid, user: "205227043110999"))
    }

    @Test("updateParticipants: a status string per row, read by action")
    func rows() throws {
        let r = response(201, Self.updateBody)
        let rows = try EvolutionDecode.rows(r).get()
        let targets = [JID(kind: .user, user: "5511888888888"), Self.owner, JID(kind: .user, user: "5511666666666")]
        let out = targets.map { MemberRows.outcome(.remove, target: $0, rows: rows) }
        #expect(out[0] == .done)
        #expect(out[1].kind == "refused" && out[1].reason?.contains("creator") == true)
        #expect(out[2] == .refused("not a member of the group"))
        for body in ["<html>", #"{"updateParticipants":[{"jid":"1@s.whatsapp.net"}]}"#, #"{"updateParticipants":[1]}"#, #"{"ok":true}"#] {
            guard case .failure(.undecodable(201, let excerpt)) = EvolutionDecode.rows(response(201, body)) else {
                Issue.record("expected undecodable for \(body)"); continue
            }
            #expect(!excerpt.isEmpty)
        }
    }

    @Test("errors: WhatsApp's words in response.message decide, then the status", arguments: [
        (400, EvolutionDialectTests.forbiddenBody, "forbidden"),
        (400, #"{"status":400,"error":"Bad Request","response":{"message":["Error updating participants","Error: item-not-found"]}}"#, "notFound"),
        (400, #"{"status":400,"error":"Bad Request","response":{"message":["Error updating participants","Error: Connection Closed"]}}"#, "notConnected"),
        (400, #"{"status":400,"error":"Bad Request","response":{"message":["Error updating participants","Error: rate-overlimit"]}}"#, "rateLimited"),
        (400, #"{"status":400,"error":"Bad Request","response":{"message":[["The getParticipants needs to be informed in the query"]]}}"#, "validation"),
        (401, #"{"status":401,"error":"Unauthorized","response":{"message":"Unauthorized"}}"#, "unauthorized"),
        (401, "", "unauthorized"),
        (404, #"{"status":404,"error":"Not Found","response":{"message":["The \"x\" instance does not exist"]}}"#, "notFound"),
        (429, #"{"status":429,"error":"Too Many Requests","response":{"message":["slow down"]}}"#, "rateLimited"),
        (500, #"{"status":500,"error":"Internal Server Error","response":{"message":["boom"]}}"#, "server"),
        (502, "<html><body>502 Bad Gateway</body></html>", "server"),
    ])
    func errors(_ status: Int, _ body: String, _ kind: String) {
        let e = EvolutionDecode.error(response(status, body, retryAfter: 2))
        #expect(V1DialectTests.kindName(e) == kind, "got \(e)")
        if status == 429 { #expect(e == .rateLimited(retryAfter: 2)) }
    }

    @Test("Evolution's words are kept; a route miss is told apart from an unknown instance")
    func words() {
        #expect(EvolutionDecode.error(response(400, Self.forbiddenBody)) == .forbidden("Error updating participants: Error: forbidden"))
        let spec = EvolutionAPI.participants(instance: "support", group: Self.g)
        let miss = response(404, #"{"status":404,"error":"Not Found","response":{"message":["Cannot GET /group/participantz/support"]}}"#)
        #expect(EvolutionDecode.error(miss, spec) == .noSuchRoute(method: "GET", path: "/group/participants/support?groupJid=120363041234567890@g.us"))
        let unknown = response(404, #"{"status":404,"error":"Not Found","response":{"message":["The \"x\" instance does not exist"]}}"#)
        #expect(V1DialectTests.kindName(EvolutionDecode.error(unknown, spec)) == "notFound")
    }

    @Test("requests: the instance in the path, groupJid in the query, digits-only participants, the apikey header")
    func encoders() throws {
        let t = [try JID(parsing: "+55 11 99999-9999"), try JID(parsing: "5511888888888@c.us"), try JID(parsing: "55@lid")]
        #expect(EvolutionAPI.instances().path == "/instance/fetchInstances")
        let groups = EvolutionAPI.groups(instance: "my line")
        #expect(groups.path == "/group/fetchAllGroups/my%20line" && groups.query == [URLQueryItem(name: "getParticipants", value: "false")])
        let people = EvolutionAPI.participants(instance: "support", group: Self.g)
        #expect(people.path == "/group/participants/support" && people.query == [URLQueryItem(name: "groupJid", value: Self.g.string)])
        for action in MemberAction.allCases {
            let spec = EvolutionAPI.mutation(action, instance: "support", group: Self.g, targets: t)
            #expect(spec.method == "POST" && spec.path == "/group/updateParticipant/support" && spec.query == people.query)
            #expect(String(decoding: try #require(spec.body), as: UTF8.self)
                == #"{"action":"\#(action.rawValue)","participants":["5511999999999","5511888888888","55@lid"]}"#)
        }
        let leave = EvolutionAPI.leave(instance: "support", group: Self.g)
        #expect(leave.method == "DELETE" && leave.path == "/group/leaveGroup/support" && leave.query == people.query && leave.body == nil)
        let credential = GatewayFactory.credential(for: .evolution, token: "k3y")
        #expect(credential.headers == ["apikey": "k3y"] && !"\(credential)".contains("k3y"))
        let gw = try GatewayFactory.make(dialect: .evolution, baseURL: try #require(URL(string: "https://evo.example.com")), token: "k3y")
        #expect(gw is EvolutionGateway && gw.capabilities.batching && gw.capabilities.perRowResults && gw.capabilities.listsSessions)
    }
}
