import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import GatewayKit
import TestSupport
@testable import GatewaySim
import Testing

/// Sends one request as WAHA's clients do: the key in `X-Api-Key`, participants as `{"id"}` objects.
func wahaSend(_ method: String, _ base: URL, _ path: String, key: String? = testToken, json: Any? = nil) async throws -> Answer {
    try await send(method, base, path, token: key, header: "X-Api-Key", json: json)
}

@Suite struct WAHARouteTests {
    func base(_ g: JID = T.teamAlpha, session: String = T.alpha) -> String { "/api/\(session)/groups/\(g.string)" }
    func ids(_ list: [JID]) -> [String: Any] { ["participants": list.map { ["id": $0.cUs] }] }
    /// The per-row statuses of an engine result, in order.
    func statuses(_ a: Answer) -> [String] { a.array.compactMap { $0["status"] as? String } }
    func exception(_ a: Answer) -> [String: Any] { a.object["exception"] as? [String: Any] ?? [:] }
    func isRefusal(_ a: Answer, _ message: String, _ data: Int) -> Bool {
        a.status == 500 && a.object["statusCode"] as? Int == 500
            && exception(a)["message"] as? String == message && exception(a)["data"] as? Int == data
    }

    @Test func apiKeyIsCheckedAndA401IsWAHAs() async throws {
        let routes = WAHARoutes(token: testToken)
        let request = SimRequest(method: "GET", target: "/api/sessions?all=true", authorization: nil, body: [])
        for key in [nil, "nope", ""] as [String?] {
            let a = routes.respond(to: request, key: key, world: tinyWorld())
            #expect(a.status == 401)
            #expect(String(decoding: a.body, as: UTF8.self) == #"{"message":"Unauthorized","statusCode":401}"#)
        }
        #expect(routes.respond(to: request, key: testToken, world: tinyWorld()).status == 200)
        // A route the server does not have is NestJS's 404 even without a key.
        let miss = routes.respond(to: SimRequest(method: "GET", target: "/nope", authorization: nil, body: []), key: nil, world: tinyWorld())
        #expect(miss.status == 404)
        #expect(!WAHARoutes.keyMatches("s3cr3t-token-for-test", testToken) && WAHARoutes.keyMatches(testToken, testToken))
    }

    @Test func sessionsAreABareArrayWithMeAndEngine() async throws {
        let world = tinyWorld()
        try await withSim(.waha, world: world) { sim async throws in
            let a = try await wahaSend("GET", sim.baseURL, "/api/sessions?all=true")
            #expect(a.status == 200 && a.array.count == 2)
            let alpha = a.array[0]
            #expect(alpha["name"] as? String == T.alphaLabel && alpha["status"] as? String == "WORKING")
            let me = try #require(alpha["me"] as? [String: Any])
            #expect(me["id"] as? String == "5511900000001@c.us" && me["pushName"] as? String == "Alpha Support")
            #expect((alpha["engine"] as? [String: Any])?["engine"] as? String == "NOWEB")
            #expect(a.array[1]["status"] as? String == "SCAN_QR_CODE" && a.array[1]["me"] is NSNull)
            // Without all=true, STOPPED sessions are left out.
            world.setConnected(false, session: T.offline, offlineStatus: "STOPPED")
            let running = try await wahaSend("GET", sim.baseURL, "/api/sessions")
            #expect(running.array.map { $0["name"] as? String } == [T.alphaLabel])
            let all = try await wahaSend("GET", sim.baseURL, "/api/sessions?all=true")
            #expect(all.array.map { $0["status"] as? String } == ["WORKING", "STOPPED"])
        }
    }

    @Test func groupsAreKeyedByJIDWithPagingSortingAndExclude() async throws {
        try await withSim(.waha, world: tinyWorld()) { sim async throws in
            let all = try await wahaSend("GET", sim.baseURL, "/api/\(T.alpha)/groups")
            #expect(all.status == 200)
            #expect(Set(all.object.keys) == [T.teamAlpha.string, T.readers.string, T.ours.string])
            let team = try #require(all.object[T.teamAlpha.string] as? [String: Any])
            #expect(team["id"] as? String == T.teamAlpha.string && team["subject"] as? String == "Team Alpha")
            #expect(team["owner"] as? String == T.creator.string && team["size"] as? Int == T.teamAlphaSize)
            let people = try #require(team["participants"] as? [[String: Any]])
            #expect(people.count == T.teamAlphaSize)
            #expect(people[0]["id"] as? String == T.creator.string && people[0]["admin"] as? String == "superadmin")
            #expect(people.last?["id"] as? String == T.lidOnlyMember.string && people.last?["admin"] is NSNull)

            let page = try await wahaSend("GET", sim.baseURL, "/api/\(T.alpha)/groups?limit=1&offset=1&sortBy=subject&sortOrder=asc&exclude=participants")
            #expect(Array(page.object.keys) == [T.readers.string])
            #expect((page.object[T.readers.string] as? [String: Any])?["participants"] == nil)
            // Keys come in the listing's order.
            let desc = try await wahaSend("GET", sim.baseURL, "/api/\(T.alpha)/groups?sortBy=subject&sortOrder=desc&exclude=participants")
            let positions = [T.teamAlpha, T.readers, T.ours].compactMap { desc.text.range(of: "\"\($0.string)\":{")?.lowerBound }
            #expect(positions.count == 3 && positions == positions.sorted())
            let count = try await wahaSend("GET", sim.baseURL, "/api/\(T.alpha)/groups/count")
            #expect(count.status == 200 && count.object["count"] as? Int == 3)
            let bad = try await wahaSend("GET", sim.baseURL, "/api/\(T.alpha)/groups?limit=-1")
            #expect(bad.status == 400 && bad.object["error"] as? String == "Bad Request" && bad.object["message"] is [String])
        }
    }

    @Test func theClientPagesThroughKeyedGroups() async throws {
        try await withSim(.waha, world: tinyWorld()) { sim async throws in
            let transport = try HTTPTransport(baseURL: sim.baseURL, credential: GatewayFactory.credential(for: .waha, token: testToken))
            let gateway = WAHAGateway(transport: transport, pageSize: 1)
            // The session by its name, as the session list gives it.
            let groups = try await gateway.groups(session: T.alphaLabel)
            // One group a page, by subject: "Ours ✨", "Readers 📚", "Team Alpha".
            #expect(groups.map(\.jid) == [T.ours, T.readers, T.teamAlpha])
            #expect(groups.first { $0.jid == T.ours }?.ourRole == .superadmin)
            // Participants are excluded from the list, so other roles stay unknown.
            #expect(groups.first { $0.jid == T.teamAlpha }?.ourRole == nil)
            #expect(groups.first { $0.jid == T.teamAlpha }?.size == T.teamAlphaSize)
        }
    }

    @Test func participantsV2HaveLidPnAndRole() async throws {
        try await withSim(.waha, world: tinyWorld()) { sim async throws in
            let a = try await wahaSend("GET", sim.baseURL, base() + "/participants/v2")
            #expect(a.status == 200 && a.array.count == T.teamAlphaSize)
            let creator = a.array[0]
            #expect(creator["id"] as? String == T.lidOf(T.creator).string && creator["pn"] as? String == T.creator.cUs)
            #expect(creator["role"] as? String == "superadmin")
            #expect(a.array[1]["role"] as? String == "admin" && a.array[1]["pn"] as? String == T.alphaAccount.cUs)
            #expect(a.array[3]["role"] as? String == "participant")
            let hidden = try #require(a.array.last)
            #expect(hidden["id"] as? String == T.lidOnlyMember.string && hidden["pn"] is NSNull)
            let encoded = try await wahaSend("GET", sim.baseURL, "/api/\(T.alpha)/groups/\(enc(T.teamAlpha))/participants/v2")
            #expect(encoded.array.count == T.teamAlphaSize)
            let unknown = try await wahaSend("GET", sim.baseURL, base(JID(kind: .group, user: "1203639")) + "/participants/v2")
            #expect(isRefusal(unknown, "item-not-found", 404))
            // Only the v2 participants path is served.
            let old = try await wahaSend("GET", sim.baseURL, base() + "/participants")
            #expect(old.status == 404 && old.object["message"] as? String == "Cannot GET \(base())/participants")
        }
    }

    @Test func removeAnswersOneEngineRowPerTarget() async throws {
        let world = tinyWorld()
        try await withSim(.waha, world: world) { sim async throws in
            let a = try await wahaSend("POST", sim.baseURL, base() + "/participants/remove",
                                       json: ids([T.plainMembers[0], T.outsider, T.creator, T.lidOnlyMember]))
            #expect(a.status == 200)
            #expect(statuses(a) == ["200", "404", "403", "200"])
            #expect(a.array.map { $0["jid"] as? String } == [T.plainMembers[0].string, T.outsider.string, T.creator.string, T.lidOnlyMember.string])
            let refused = try #require(a.array[2]["content"] as? [String: Any])
            #expect(refused["tag"] as? String == "participant")
            #expect((refused["attrs"] as? [String: Any])?["error"] as? String == "403")
            #expect(((a.array[0]["content"] as? [String: Any])?["attrs"] as? [String: Any])?["error"] == nil)
            #expect(world.members(session: T.alpha, group: T.teamAlpha)?.count == T.teamAlphaSize - 2)
            // The session's own account is not removed: leaving is its own call.
            let me = try await wahaSend("POST", sim.baseURL, base() + "/participants/remove", json: ids([T.alphaAccount]))
            #expect(statuses(me) == ["403"])
        }
    }

    @Test func addPromoteDemoteRows() async throws {
        let world = tinyWorld()
        world.markPrivacyRestricted("5511900000060")
        try await withSim(.waha, world: world) { sim async throws in
            let shy = JID(kind: .user, user: "5511900000060")
            let add = try await wahaSend("POST", sim.baseURL, base() + "/participants/add",
                                         json: ids([T.outsider, T.plainMembers[0], T.notOnWhatsApp, shy]))
            #expect(add.status == 200 && statuses(add) == ["200", "409", "404", "403"])
            let invite = ((add.array[3]["content"] as? [String: Any])?["content"] as? [[String: Any]])?.first
            #expect(invite?["tag"] as? String == "add_request")
            #expect(world.members(session: T.alpha, group: T.teamAlpha)?.contains { $0.matches(T.outsider) } == true)

            let promote = try await wahaSend("POST", sim.baseURL, base() + "/admin/promote", json: ids([T.plainMembers[1], T.otherAdmin, T.notOnWhatsApp]))
            #expect(statuses(promote) == ["200", "200", "404"])
            let demote = try await wahaSend("POST", sim.baseURL, base() + "/admin/demote",
                                            json: ids([T.plainMembers[1], T.creator, T.plainMembers[2]]))
            #expect(statuses(demote) == ["200", "403", "200"])
            let roles = world.members(session: T.alpha, group: T.teamAlpha) ?? []
            #expect(roles.first { $0.matches(T.plainMembers[1]) }?.role == .member)
            #expect(roles.first { $0.matches(T.creator) }?.role == .superadmin)
        }
    }

    @Test func badBodiesAndIds() async throws {
        try await withSim(.waha, world: tinyWorld()) { sim async throws in
            for body: [String: Any] in [["notify": true], ["participants": []], ["participants": [T.plainMembers[0].cUs]]] {
                let a = try await wahaSend("POST", sim.baseURL, base() + "/participants/remove", json: body)
                #expect(a.status == 400 && a.object["statusCode"] as? Int == 400 && a.object["error"] as? String == "Bad Request")
            }
            let badId = try await wahaSend("POST", sim.baseURL, base() + "/participants/remove", json: ["participants": [["id": "abc@c.us"]]])
            #expect(isRefusal(badId, "bad-request", 400))
            let badGroup = try await wahaSend("POST", sim.baseURL, "/api/\(T.alpha)/groups/abc@g.us/participants/remove", json: ids([T.plainMembers[0]]))
            #expect(isRefusal(badGroup, "bad-request", 400))
            // WAHA's 500 body carries the request and the server's version.
            #expect((badId.object["request"] as? [String: Any])?["method"] as? String == "POST")
            #expect(badId.object["version"] is [String: Any])
        }
    }

    @Test func sessionStateAdminAndRouteRefusals() async throws {
        let world = tinyWorld()
        try await withSim(.waha, world: world) { sim async throws in
            let offline = try await wahaSend("POST", sim.baseURL, base(T.offlineGroup, session: T.offline) + "/participants/remove",
                                             json: ids([T.plainMembers[0]]))
            #expect(offline.status == 422)
            #expect(offline.object["error"] as? String == "Session status is not as expected. Try again later or restart the session")
            #expect(offline.object["session"] as? String == T.offline && offline.object["status"] as? String == "SCAN_QR_CODE")
            #expect(offline.object["expected"] as? [String] == ["WORKING"])
            let reads = try await wahaSend("GET", sim.baseURL, "/api/\(T.offline)/groups")
            #expect(reads.status == 422)
            #expect(world.members(session: T.offline, group: T.offlineGroup)?.count == 2)

            let notAdmin = try await wahaSend("POST", sim.baseURL, base(T.readers) + "/participants/remove", json: ids([T.plainMembers[0]]))
            #expect(isRefusal(notAdmin, "forbidden", 403))
            #expect(world.members(session: T.alpha, group: T.readers)?.contains { $0.matches(T.plainMembers[0]) } == true)

            let noSession = try await wahaSend("GET", sim.baseURL, "/api/NOPE/groups")
            #expect(noSession.status == 404 && noSession.object["statusCode"] as? Int == 404)
            #expect((noSession.object["message"] as? String)?.hasPrefix("We didn't find a session with name 'NOPE'") == true)
            let unknown = try await wahaSend("POST", sim.baseURL, "/x")
            #expect(unknown.status == 404 && unknown.object["message"] as? String == "Cannot POST /x")
            #expect(unknown.object["error"] as? String == "Not Found" && unknown.object["statusCode"] as? Int == 404)
        }
    }

    @Test func leaveIs200WithNoBodyAndTheCreatorMayLeave() async throws {
        let world = tinyWorld()
        try await withSim(.waha, world: world) { sim async throws in
            let ok = try await wahaSend("POST", sim.baseURL, base(T.readers) + "/leave")
            #expect(ok.status == 200 && ok.body.isEmpty)
            #expect(world.group(session: T.alpha, jid: T.readers) == nil)
            let again = try await wahaSend("POST", sim.baseURL, base(T.readers) + "/leave")
            #expect(isRefusal(again, "item-not-found", 404))
            let owner = try await wahaSend("POST", sim.baseURL, base(T.ours) + "/leave")
            #expect(owner.status == 200)
            let unknown = try await wahaSend("POST", sim.baseURL, base(JID(kind: .group, user: "1203639")) + "/leave")
            #expect(isRefusal(unknown, "item-not-found", 404))
        }
    }

    @Test func rateLimitAndInjectedFaults() async throws {
        let world = World.fixture(.tiny, options: WorldOptions(ratePerMinute: 10, burst: 2, clock: .manual(ManualTime())))
        try await withSim(.waha, world: world) { sim async throws in
            let body = ids([T.otherAdmin])
            #expect(try await wahaSend("POST", sim.baseURL, base() + "/admin/promote", json: body).status == 200)
            #expect(try await wahaSend("POST", sim.baseURL, base() + "/admin/promote", json: body).status == 200)
            let limited = try await wahaSend("POST", sim.baseURL, base() + "/admin/promote", json: body)
            #expect(limited.status == 429 && limited.header("Retry-After") == "6" && limited.object["statusCode"] as? Int == 429)
            #expect(world.stats(session: T.alpha) == SimSessionStats(mutationsServed: 2, rateLimited: 1))

            world.updateFaults { $0.serverErrorNext = 1; $0.rateLimitNext = 1; $0.rateLimitRetryAfter = 3 }
            let failed = try await wahaSend("GET", sim.baseURL, "/api/sessions")
            #expect(failed.status == 500 && exception(failed)["message"] as? String == "internal error (injected by the emulator)")
            let storm = try await wahaSend("GET", sim.baseURL, "/api/sessions")
            #expect(storm.status == 429 && storm.header("Retry-After") == "3")
            #expect(try await wahaSend("GET", sim.baseURL, "/api/sessions").status == 200)
        }
    }
}
