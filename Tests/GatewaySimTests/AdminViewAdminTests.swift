import Foundation
import GatewayKit
import TestSupport
@testable import GatewaySim
import Testing

/// The admin view's group administration: settings, invite codes, join requests, sent texts,
/// and joining by a code.
@Suite struct AdminViewAdminTests {
    @Test func sessionsShowEachGroupsSettingsCodeAndRequests() async throws {
        let world = tinyWorld()
        world.markCommunity(session: T.alpha, group: T.ours)
        try await withSim(.waha, world: world) { sim async throws in
            let sessions = try #require(try await send("GET", sim.baseURL, "/_sim/sessions").object["sessions"] as? [[String: Any]])
            let groups = try #require(sessions[0]["groups"] as? [[String: Any]])
            let team = groups[0]
            #expect(team["inviteCode"] as? String == world.currentInviteCode(session: T.alpha, group: T.teamAlpha))
            #expect(team["pendingRequests"] as? Int == 2 && team["community"] as? Bool == false)
            let settings = try #require(team["settings"] as? [String: Any])
            #expect(settings["approval"] as? Bool == true && settings["announce"] as? Bool == false && settings["adminsAdd"] as? Bool == true)
            #expect(groups[2]["community"] as? Bool == true)
        }
    }

    @Test func aGroupShowsItsRequestsAndTextsAndAJoinByAnOldCodeIsRefused() async throws {
        let world = tinyWorld()
        try await withSim(.v1, world: world) { sim async throws in
            _ = try await send("POST", sim.baseURL, "/api/v1/sessions/\(T.alpha)/messages", json: ["type": "text", "to": T.teamAlpha.string, "text": "reunião"])
            let path = "/_sim/group?session=\(T.alpha)&group=\(enc(T.teamAlpha))"
            let a = try await send("GET", sim.baseURL, path)
            #expect(a.status == 200 && a.object["subject"] as? String == "Team Alpha")
            let code = try #require(a.object["inviteCode"] as? String)
            #expect(a.object["inviteLink"] as? String == "https://chat.whatsapp.com/\(code)")
            let pending = try #require(a.object["pendingRequests"] as? [[String: Any]])
            #expect(pending.map { $0["phone"] as? String } == T.requesters.map(\.string) && pending.first?["name"] as? String == "Gabriel Nunes")
            let texts = try #require(a.object["messages"] as? [[String: Any]])
            #expect(texts.map { $0["text"] as? String } == ["reunião"] && texts.first?["delivered"] as? Bool == true)

            // Joining by the code (approval is on: a request), then by the old one after a reset.
            let join = try await send("POST", sim.baseURL, "/_sim/join", json: ["code": "https://chat.whatsapp.com/\(code)", "as": "+5511900000091", "name": "Íris"])
            #expect(join.status == 200 && join.object["outcome"] as? String == "pending" && join.object["group"] as? String == T.teamAlpha.string)
            #expect(world.pendingRequests(session: T.alpha, group: T.teamAlpha)?.last?.name == "Íris")
            #expect(try await send("DELETE", sim.baseURL, "/api/v1/sessions/\(T.alpha)/groups/\(enc(T.teamAlpha))/invite").status == 200)
            let old = try await send("POST", sim.baseURL, "/_sim/join", json: ["code": code, "as": T.outsider.string])
            #expect(old.status == 404 && old.object["error"] is String)
            #expect(try await send("POST", sim.baseURL, "/_sim/join", json: ["code": code]).status == 400)

            let all = try await send("GET", sim.baseURL, "/_sim/messages?chat=\(enc(T.teamAlpha))")
            #expect((all.object["messages"] as? [[String: Any]])?.count == 1)
            #expect(try await send("GET", sim.baseURL, "/_sim/messages?chat=nope").status == 400)
            #expect(try await send("GET", sim.baseURL, "/_sim/group?session=\(T.alpha)&group=\(enc(T.offlineGroup))").status == 404)
            #expect(try await send("GET", sim.baseURL, "/_sim/group?session=\(T.alpha)").status == 400)
        }
    }
}
