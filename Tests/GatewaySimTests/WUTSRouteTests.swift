import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import GatewayKit
import TestSupport
@testable import GatewaySim
import Testing

@Suite struct WUTSRouteTests {
    func path(_ g: JID = T.teamAlpha) -> String { "/groups/\(g.string)" }
    func rows(_ a: Answer) -> [[String: Any]] { a.object["participants"] as? [[String: Any]] ?? [] }
    /// Whether an answer is WUTS's error envelope with this status and code.
    func isError(_ a: Answer, _ status: Int, _ code: String) -> Bool {
        a.status == status && a.object["success"] as? Bool == false && a.object["error_code"] as? String == code
            && a.object["error"] is String && (a.object["timestamp"] as? String)?.hasSuffix("Z") == true
    }

    @Test func bearerIsCheckedAndA401IsTheEnvelope() async throws {
        try await withSim(.wuts, world: tinyWorld()) { sim async throws in
            for token in [nil, "nope"] as [String?] {
                let a = try await send("GET", sim.baseURL, "/status", token: token)
                #expect(isError(a, 401, "UNAUTHORIZED"), "\(a.text)")
            }
            #expect(try await send("GET", sim.baseURL, "/groups").status == 200)
            // An unknown route is the Go router's plain 404, token or not.
            let miss = try await send("GET", sim.baseURL, "/sessions", token: nil)
            #expect(miss.status == 404 && miss.text == "404 page not found")
        }
    }

    @Test func statusIsTheTokensDevice() async throws {
        let world = tinyWorld()
        try await withSim(.wuts, world: world) { sim async throws in
            let a = try await send("GET", sim.baseURL, "/status")
            #expect(a.status == 200 && a.object["success"] as? Bool == true)
            let data = try #require(a.object["data"] as? [String: Any])
            #expect(data["device_id"] as? String == T.alpha && data["connected"] as? Bool == true)
            #expect(data["jid"] as? String == T.alphaAccount.string && data["phone_number"] as? String == "5511900000001")
            #expect(data["status"] as? String == "connected" && data["is_logged_in"] as? Bool == true)
            // Another of the tenant's devices, by device_id: waiting for a QR scan, so logged out.
            let other = try await send("GET", sim.baseURL, "/status?device_id=\(T.offline)")
            let off = try #require(other.object["data"] as? [String: Any])
            #expect(other.status == 200 && off["connected"] as? Bool == false && off["is_logged_in"] as? Bool == false && off["jid"] is NSNull)
            #expect(isError(try await send("GET", sim.baseURL, "/status?device_id=nope"), 404, "DEVICE_NOT_FOUND"))
        }
    }

    @Test func groupsAndOneGroupWithParticipants() async throws {
        try await withSim(.wuts, world: tinyWorld()) { sim async throws in
            let list = try await send("GET", sim.baseURL, "/groups")
            let groups = try #require(list.object["groups"] as? [[String: Any]])
            #expect(groups.compactMap { $0["jid"] as? String } == [T.teamAlpha.string, T.readers.string, T.ours.string])
            let team = groups[0]
            #expect(team["name"] as? String == "Team Alpha" && team["owner"] as? String == T.creator.string)
            #expect(team["members_count"] as? Int == T.teamAlphaSize && team["is_announce"] as? Bool == false && team["is_locked"] as? Bool == false)
            #expect(team["topic"] is String && team["participants"] == nil)

            let one = try await send("GET", sim.baseURL, path())
            let group = try #require(one.object["group"] as? [String: Any])
            let people = try #require(group["participants"] as? [[String: Any]])
            #expect(people.count == T.teamAlphaSize)
            #expect(people[0]["jid"] as? String == T.creator.string && people[0]["is_super_admin"] as? Bool == true && people[0]["is_admin"] as? Bool == true)
            #expect(people[1]["jid"] as? String == T.alphaAccount.string && people[1]["is_super_admin"] as? Bool == false && people[1]["is_admin"] as? Bool == true)
            #expect(people[3]["phone_number"] as? String == T.plainMembers[0].string && people[3]["is_admin"] as? Bool == false)
            #expect(people.last?["jid"] as? String == T.lidOnlyMember.string && people.last?["phone_number"] as? String == "")
            let encoded = try await send("GET", sim.baseURL, "/groups/\(enc(T.teamAlpha))")
            #expect(encoded.status == 200)
            #expect(isError(try await send("GET", sim.baseURL, path(JID(kind: .group, user: "1203639"))), 404, "GROUP_NOT_FOUND"))
            #expect(isError(try await send("GET", sim.baseURL, "/groups/nope"), 400, "VALIDATION_ERROR"))
        }
    }

    @Test func removeIsTheDefaultActionWithOneRowPerParticipant() async throws {
        let world = tinyWorld()
        try await withSim(.wuts, world: world) { sim async throws in
            let a = try await send("DELETE", sim.baseURL, path() + "/participants",
                                   json: ["participants": [T.plainMembers[0].string, T.outsider.user, T.creator.cUs, T.lidOnlyMember.string]])
            #expect(a.status == 200 && a.object["success"] as? Bool == true)
            let r = rows(a)
            #expect(r.count == 4)
            #expect(r[0]["jid"] as? String == T.plainMembers[0].string && r[0]["error"] == nil && r[0]["is_admin"] as? Bool == false)
            #expect(r[1]["error"] as? Int == 404)
            #expect(r[2]["error"] as? Int == 403 && r[2]["is_super_admin"] as? Bool == true)
            #expect(r[3]["jid"] as? String == T.lidOnlyMember.string && r[3]["error"] == nil)
            let left = world.members(session: T.alpha, group: T.teamAlpha) ?? []
            #expect(left.count == T.teamAlphaSize - 2 && left.contains { $0.matches(T.creator) })
        }
    }

    @Test func actionsAddPromoteDemote() async throws {
        let world = tinyWorld()
        try await withSim(.wuts, world: world) { sim async throws in
            let add = try await send("DELETE", sim.baseURL, path() + "/participants",
                                     json: ["participants": [T.outsider.string, T.notOnWhatsApp.string, T.plainMembers[1].string], "action": "add"])
            #expect(rows(add).map { $0["error"] as? Int } == [nil, 404, 409])
            #expect(world.members(session: T.alpha, group: T.teamAlpha)?.contains { $0.matches(T.outsider) } == true)
            let promote = try await send("DELETE", sim.baseURL, path() + "/participants",
                                         json: ["participants": [T.plainMembers[1].string], "action": "promote"])
            #expect(rows(promote).first?["is_admin"] as? Bool == true && rows(promote).first?["error"] == nil)
            let demote = try await send("DELETE", sim.baseURL, path() + "/participants",
                                        json: ["participants": [T.otherAdmin.string, T.creator.string], "action": "demote"])
            #expect(rows(demote).map { $0["error"] as? Int } == [nil, 403])
            #expect(world.members(session: T.alpha, group: T.teamAlpha)?.first { $0.matches(T.otherAdmin) }?.role == .member)
            let bad = try await send("DELETE", sim.baseURL, path() + "/participants", json: ["participants": [T.outsider.string], "action": "kick"])
            #expect(isError(bad, 400, "VALIDATION_ERROR") && (bad.object["validation"] as? [[String: Any]])?.first?["field"] as? String == "action")
            #expect(isError(try await send("DELETE", sim.baseURL, path() + "/participants", json: ["participants": []]), 400, "VALIDATION_ERROR"))
            #expect(isError(try await send("DELETE", sim.baseURL, path() + "/participants", json: ["participants": ["x@g.us"]]), 400, "VALIDATION_ERROR"))
        }
    }

    @Test func notAdminOfflineAndLeave() async throws {
        let world = tinyWorld()
        try await withSim(.wuts, world: world) { sim async throws in
            let forbidden = try await send("DELETE", sim.baseURL, path(T.readers) + "/participants", json: ["participants": [T.plainMembers[0].string]])
            #expect(isError(forbidden, 403, "NOT_GROUP_ADMIN"))
            let leave = try await send("DELETE", sim.baseURL, path(T.readers) + "/leave")
            #expect(leave.status == 200 && leave.text == #"{"success":true}"#)
            #expect(isError(try await send("DELETE", sim.baseURL, path(T.readers) + "/leave"), 404, "GROUP_NOT_FOUND"))
            // The creator may leave its own group.
            #expect(try await send("DELETE", sim.baseURL, path(T.ours) + "/leave").status == 200)
            world.setConnected(false, session: T.alpha)
            #expect(isError(try await send("GET", sim.baseURL, "/groups"), 503, "DEVICE_NOT_READY"))
            #expect(isError(try await send("DELETE", sim.baseURL, path() + "/participants", json: ["participants": [T.outsider.string]]), 503, "DEVICE_NOT_READY"))
            // The status still answers 200, with the device disconnected.
            let status = try await send("GET", sim.baseURL, "/status")
            #expect(status.status == 200 && (status.object["data"] as? [String: Any])?["connected"] as? Bool == false)
        }
    }

    @Test func rateLimitAndInjectedFaultsInTheEnvelope() async throws {
        let world = tinyWorld(WorldOptions(ratePerMinute: 60, burst: 1, clock: .manual(ManualTime())))
        try await withSim(.wuts, world: world) { sim async throws in
            let body = ["participants": [T.plainMembers[0].string]]
            #expect(try await send("DELETE", sim.baseURL, path() + "/participants", json: body).status == 200)
            let limited = try await send("DELETE", sim.baseURL, path() + "/participants", json: ["participants": [T.plainMembers[1].string]])
            #expect(isError(limited, 429, "RATE_LIMITED") && limited.header("Retry-After") != nil)
            world.updateFaults { $0.serverErrorNext = 1 }
            #expect(isError(try await send("GET", sim.baseURL, "/groups"), 500, "INTERNAL_ERROR"))
            world.updateFaults { $0.rateLimitNext = 1; $0.rateLimitRetryAfter = 7 }
            let storm = try await send("GET", sim.baseURL, "/groups")
            #expect(isError(storm, 429, "RATE_LIMITED") && storm.header("Retry-After") == "7")
        }
    }
}
