import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import GatewayKit
import TestSupport
@testable import GatewaySim
import Synchronization
import Testing

@Suite struct WawpRouteTests {
    /// `path` with Wawp's two secrets in the query: the instance is a world session's id.
    func q(_ path: String, instance: String = T.alpha, token: String = testToken) -> String {
        path + (path.contains("?") ? "&" : "?") + "instance_id=\(instance)&access_token=\(token)"
    }
    func groupPath(_ g: JID = T.teamAlpha) -> String { "/v2/groups/\(g.string)" }
    func ids(_ list: [JID]) -> [String: Any] { ["participants": list.map { ["id": $0.cUs] }] }
    func post(_ sim: RunningSim, _ path: String, _ json: Any? = nil) async throws -> Answer {
        try await send("POST", sim.baseURL, q(path), token: nil, json: json)
    }
    func get(_ sim: RunningSim, _ path: String) async throws -> Answer {
        try await send("GET", sim.baseURL, q(path), token: nil)
    }
    func isError(_ a: Answer, _ status: Int) -> Bool {
        a.status == status && a.object["status"] as? Int == status && a.object["message"] is String && a.object["error"] is String
    }

    @Test func theQueryCarriesTheCredentialsAndErrorsAreWawps() async throws {
        try await withSim(.wawp, world: tinyWorld()) { sim async throws in
            #expect(isError(try await send("GET", sim.baseURL, "/v2/groups?instance_id=\(T.alpha)", token: nil), 401))
            #expect(isError(try await send("GET", sim.baseURL, q("/v2/groups", token: "nope"), token: nil), 401))
            // A bearer token is not Wawp's auth.
            #expect(isError(try await send("GET", sim.baseURL, "/v2/groups?instance_id=\(T.alpha)"), 401))
            let noInstance = try await send("GET", sim.baseURL, "/v2/groups?access_token=\(testToken)", token: nil)
            #expect(isError(noInstance, 400) && noInstance.object["message"] as? String == "instance_id is required")
            #expect(try await get(sim, "/v2/groups").status == 200)
            let unknown = try await send("GET", sim.baseURL, q("/v2/groups", instance: "ZZZZZZZZZZZZ"), token: nil)
            #expect(isError(unknown, 404) && unknown.object["message"] as? String == "Instance not found")
            // The access-token header is accepted too.
            var request = URLRequest(url: try #require(URL(string: sim.baseURL.absoluteString + "/v2/groups?instance_id=\(T.alpha)")))
            request.setValue(testToken, forHTTPHeaderField: "access-token")
            let (_, response) = try await makeSession().data(for: request)
            #expect((response as? HTTPURLResponse)?.statusCode == 200)
            // A route miss names the path, never the query with its secrets.
            let miss = try await get(sim, "/v2/nope")
            #expect(isError(miss, 404) && miss.object["message"] as? String == "Cannot GET /v2/nope" && !miss.text.contains(testToken))
        }
    }

    @Test func sessionInfoGroupsAndParticipantsAreWAHAs() async throws {
        try await withSim(.wawp, world: tinyWorld()) { sim async throws in
            for method in ["GET", "POST"] {
                let info = try await send(method, sim.baseURL, q("/v2/session/info"), token: nil)
                #expect(info.status == 200 && info.object["name"] as? String == "wawp-alpha" && info.object["status"] as? String == "WORKING")
                #expect((info.object["me"] as? [String: Any])?["id"] as? String == T.alphaAccount.cUs)
                #expect(!info.text.contains(T.alpha))
            }
            let other = try await send("GET", sim.baseURL, q("/v2/session/info", instance: T.offline), token: nil)
            #expect(other.object["status"] as? String == "SCAN_QR_CODE" && other.object["me"] is NSNull)

            let groups = try await get(sim, "/v2/groups?sortBy=subject&sortOrder=asc&exclude=participants")
            #expect(groups.array.compactMap { $0["subject"] as? String } == ["Ours ✨", "Readers 📚", "Team Alpha"])
            #expect(groups.array.allSatisfy { $0["participants"] == nil })
            let page = try await get(sim, "/v2/groups?limit=1&offset=2&sortBy=subject")
            #expect(page.array.count == 1 && page.array[0]["id"] as? String == T.teamAlpha.string)
            #expect((page.array[0]["participants"] as? [Any])?.count == T.teamAlphaSize && page.array[0]["owner"] as? String == T.creator.string)
            #expect(isError(try await get(sim, "/v2/groups?limit=-1"), 400))

            let people = try await get(sim, groupPath() + "/participants")
            #expect(people.status == 200 && people.array.count == T.teamAlphaSize)
            #expect(people.array[0]["role"] as? String == "superadmin" && people.array[0]["pn"] as? String == T.creator.cUs)
            #expect(people.array.last?["id"] as? String == T.lidOnlyMember.string && people.array.last?["pn"] is NSNull)
            #expect(isError(try await get(sim, groupPath(JID(kind: .group, user: "1203639")) + "/participants"), 404))
        }
    }

    @Test func changesAnswerOkAndRefuseWholeBeforeChangingAnything() async throws {
        let world = tinyWorld()
        try await withSim(.wawp, world: world) { sim async throws in
            let remove = try await post(sim, groupPath() + "/participants/remove", ids([T.plainMembers[0], T.lidOnlyMember]))
            #expect(remove.status == 200 && remove.text == #"{"ok":true}"#)
            #expect(world.members(session: T.alpha, group: T.teamAlpha)?.count == T.teamAlphaSize - 2)
            // The creator, a non-member, our own account: refused whole, nobody removed.
            let creator = try await post(sim, groupPath() + "/participants/remove", ids([T.plainMembers[1], T.creator]))
            #expect(isError(creator, 403) && (creator.object["message"] as? String)?.contains("creator") == true)
            let outsider = try await post(sim, groupPath() + "/participants/remove", ids([T.outsider]))
            #expect(isError(outsider, 404) && (outsider.object["message"] as? String)?.contains("not a participant") == true)
            #expect(isError(try await post(sim, groupPath() + "/participants/remove", ids([T.alphaAccount])), 403))
            #expect(world.members(session: T.alpha, group: T.teamAlpha)?.count == T.teamAlphaSize - 2)
            // Plain JID strings are accepted too (the seed's "list of JIDs").
            let promote = try await post(sim, groupPath() + "/admin/promote", ["participants": [T.plainMembers[1].string]])
            #expect(promote.text == #"{"ok":true}"#)
            #expect(world.members(session: T.alpha, group: T.teamAlpha)?.first { $0.matches(T.plainMembers[1]) }?.role == .admin)
            let demote = try await post(sim, groupPath() + "/admin/demote", ids([T.creator]))
            #expect(isError(demote, 403))
            // An add WhatsApp declines still answers ok.
            let add = try await post(sim, groupPath() + "/participants/add", ids([T.notOnWhatsApp, T.outsider]))
            #expect(add.text == #"{"ok":true}"#)
            let after = world.members(session: T.alpha, group: T.teamAlpha) ?? []
            #expect(after.contains { $0.matches(T.outsider) } && !after.contains { $0.matches(T.notOnWhatsApp) })
            // The secrets may come in the body, as the seed lists them.
            let inBody = try await send("POST", sim.baseURL, groupPath() + "/participants/remove", token: nil,
                                        json: ["instance_id": T.alpha, "access_token": testToken, "participants": [["id": T.outsider.cUs]]])
            #expect(inBody.text == #"{"ok":true}"#)
            #expect(isError(try await post(sim, groupPath() + "/participants/remove", ["participants": []]), 400))
            #expect(isError(try await post(sim, groupPath() + "/participants/remove", ["participants": [["id": "x@g.us"]]]), 400))
        }
    }

    @Test func notAdminNotWorkingLeaveAndRateLimit() async throws {
        let world = tinyWorld(WorldOptions(ratePerMinute: 60, burst: 1, clock: .manual(ManualTime())))
        try await withSim(.wawp, world: world) { sim async throws in
            let forbidden = try await post(sim, groupPath(T.readers) + "/participants/remove", ids([T.plainMembers[0]]))
            #expect(isError(forbidden, 403) && (forbidden.object["message"] as? String)?.contains("admin") == true)
            let leave = try await post(sim, groupPath(T.readers) + "/leave")
            #expect(leave.status == 200 && leave.text == #"{"ok":true}"#)
            let limited = try await post(sim, groupPath(T.ours) + "/leave")
            #expect(isError(limited, 429) && limited.header("Retry-After") != nil)
            world.updateFaults { $0.serverErrorNext = 1 }
            #expect(isError(try await get(sim, "/v2/groups"), 500))
            world.setConnected(false, session: T.alpha)
            let offline = try await get(sim, "/v2/groups")
            #expect(isError(offline, 422) && (offline.object["message"] as? String)?.contains("WORKING") == true)
        }
    }

    @Test func theClientsLogNeverCarriesTheSecrets() async throws {
        let world = tinyWorld()
        try await withSim(.wawp, world: world) { sim async throws in
            let paths = Mutex<[String]>([])
            let gw = try GatewayFactory.make(dialect: .wawp, baseURL: sim.baseURL, token: "\(T.alpha):\(testToken)",
                                             observer: { e in paths.withLock { $0.append("\(e)") } })
            let sessions = try await gw.sessions()
            #expect(sessions.map(\.id) == ["instance"])
            let r = try await gw.apply(.remove, session: sessions[0].id, group: T.teamAlpha, targets: [T.plainMembers[0], T.creator])
            #expect(r[0].outcome == .done && r[1].outcome.kind == "refused")
            let logged = paths.withLock { $0 }
            // The session read, the removal and its read-back, the creator's refused removal.
            #expect(logged.count == 4)
            #expect(!logged.contains { $0.contains(testToken) || $0.contains(T.alpha) })
        }
    }
}
