import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import GatewayKit
import TestSupport
@testable import GatewaySim
import Testing

/// Sends one request as Evolution's clients do: the key in the `apikey` header.
func evoSend(_ method: String, _ base: URL, _ path: String, key: String? = testToken, json: Any? = nil) async throws -> Answer {
    try await send(method, base, path, token: key, header: "apikey", json: json)
}

@Suite struct EvolutionRouteTests {
    func update(_ g: JID = T.teamAlpha, instance: String = T.alpha) -> String { "/group/updateParticipant/\(instance)?groupJid=\(g.string)" }
    func messages(_ a: Answer) -> [String] { (a.object["response"] as? [String: Any])?["message"] as? [String] ?? [] }
    func isError(_ a: Answer, _ status: Int, last: String? = nil) -> Bool {
        a.status == status && a.object["status"] as? Int == status && a.object["error"] is String
            && (last == nil || messages(a).last == last)
    }
    func statuses(_ a: Answer) -> [String] { (a.object["updateParticipants"] as? [[String: Any]] ?? []).compactMap { $0["status"] as? String } }

    @Test func apikeyIsCheckedAndUnknownInstancesAre404() async throws {
        try await withSim(.evolution, world: tinyWorld()) { sim async throws in
            for key in [nil, "nope"] as [String?] {
                let a = try await evoSend("GET", sim.baseURL, "/instance/fetchInstances", key: key)
                #expect(a.status == 401 && a.text == #"{"status":401,"error":"Unauthorized","response":{"message":"Unauthorized"}}"#)
            }
            // A bearer token is not Evolution's auth.
            #expect(try await send("GET", sim.baseURL, "/instance/fetchInstances").status == 401)
            let unknown = try await evoSend("GET", sim.baseURL, "/group/fetchAllGroups/ghost?getParticipants=false")
            #expect(isError(unknown, 404, last: #"The "ghost" instance does not exist"#))
            let miss = try await evoSend("GET", sim.baseURL, "/group/nope/\(T.alpha)?secret=1")
            #expect(isError(miss, 404, last: "Cannot GET /group/nope/\(T.alpha)"))
        }
    }

    @Test func instancesGroupsAndParticipants() async throws {
        try await withSim(.evolution, world: tinyWorld()) { sim async throws in
            let list = try await evoSend("GET", sim.baseURL, "/instance/fetchInstances")
            #expect(list.array.map { $0["name"] as? String } == [T.alpha, T.offline])
            #expect(list.array.map { $0["connectionStatus"] as? String } == ["open", "connecting"])
            #expect(list.array[0]["ownerJid"] as? String == T.alphaAccount.string && list.array[0]["profileName"] as? String == "Alpha Support")

            // getParticipants is required.
            let missing = try await evoSend("GET", sim.baseURL, "/group/fetchAllGroups/\(T.alpha)")
            #expect(isError(missing, 400) && messages(missing).first?.contains("getParticipants") == true)
            let groups = try await evoSend("GET", sim.baseURL, "/group/fetchAllGroups/\(T.alpha)?getParticipants=false")
            #expect(groups.array.compactMap { $0["id"] as? String } == [T.teamAlpha.string, T.readers.string, T.ours.string])
            let team = groups.array[0]
            #expect(team["subject"] as? String == "Team Alpha" && team["owner"] as? String == T.creator.string)
            #expect(team["size"] as? Int == T.teamAlphaSize && team["announce"] as? Bool == false && team["restrict"] as? Bool == false)
            #expect(team["participants"] == nil)
            let full = try await evoSend("GET", sim.baseURL, "/group/fetchAllGroups/\(T.alpha)?getParticipants=true")
            #expect((full.array[0]["participants"] as? [Any])?.count == T.teamAlphaSize)

            let people = try await evoSend("GET", sim.baseURL, "/group/participants/\(T.alpha)?groupJid=\(T.teamAlpha.string)")
            let rows = try #require(people.object["participants"] as? [[String: Any]])
            #expect(rows.count == T.teamAlphaSize)
            #expect(rows[0]["id"] as? String == T.creator.string && rows[0]["admin"] as? String == "superadmin")
            #expect(rows[1]["admin"] as? String == "admin" && rows[3]["admin"] is NSNull)
            #expect(rows.last?["id"] as? String == T.lidOnlyMember.string)
            #expect(isError(try await evoSend("GET", sim.baseURL, "/group/participants/\(T.alpha)"), 400))
            let unknown = try await evoSend("GET", sim.baseURL, "/group/participants/\(T.alpha)?groupJid=1203639@g.us")
            #expect(isError(unknown, 400, last: "Error: item-not-found"))
        }
    }

    @Test func updateParticipantAnswers201WithStatusStrings() async throws {
        let world = tinyWorld()
        try await withSim(.evolution, world: world) { sim async throws in
            let remove = try await evoSend("POST", sim.baseURL, update(), json: [
                "action": "remove", "participants": [T.plainMembers[0].user, T.outsider.user, T.creator.user, T.lidOnlyMember.string]])
            #expect(remove.status == 201 && statuses(remove) == ["200", "404", "403", "200"])
            #expect(world.members(session: T.alpha, group: T.teamAlpha)?.count == T.teamAlphaSize - 2)
            let add = try await evoSend("POST", sim.baseURL, update(), json: [
                "action": "add", "participants": [T.outsider.user, T.notOnWhatsApp.user, T.plainMembers[1].string]])
            #expect(add.status == 201 && statuses(add) == ["200", "404", "409"])
            let promote = try await evoSend("POST", sim.baseURL, update(), json: ["action": "promote", "participants": [T.plainMembers[1].user]])
            #expect(statuses(promote) == ["200"])
            let demote = try await evoSend("POST", sim.baseURL, update(), json: ["action": "demote", "participants": [T.otherAdmin.user, T.creator.user]])
            #expect(statuses(demote) == ["200", "403"])
            #expect(world.members(session: T.alpha, group: T.teamAlpha)?.first { $0.matches(T.otherAdmin) }?.role == .member)
            #expect(isError(try await evoSend("POST", sim.baseURL, update(), json: ["action": "kick", "participants": ["1"]]), 400))
            #expect(isError(try await evoSend("POST", sim.baseURL, update(), json: ["action": "remove", "participants": []]), 400))
            #expect(isError(try await evoSend("POST", sim.baseURL, "/group/updateParticipant/\(T.alpha)", json: ["action": "remove", "participants": ["1"]]), 400))
        }
    }

    @Test func refusalsLeaveAndRateLimit() async throws {
        let world = tinyWorld(WorldOptions(ratePerMinute: 60, burst: 2, clock: .manual(ManualTime())))
        try await withSim(.evolution, world: world) { sim async throws in
            let forbidden = try await evoSend("POST", sim.baseURL, update(T.readers), json: ["action": "remove", "participants": [T.plainMembers[0].user]])
            #expect(isError(forbidden, 400, last: "Error: forbidden") && messages(forbidden).first == "Error updating participants")
            let leave = try await evoSend("DELETE", sim.baseURL, "/group/leaveGroup/\(T.alpha)?groupJid=\(T.readers.string)")
            #expect(leave.status == 200 && leave.object["groupJid"] as? String == T.readers.string && leave.object["leave"] as? Bool == true)
            let again = try await evoSend("DELETE", sim.baseURL, "/group/leaveGroup/\(T.alpha)?groupJid=\(T.readers.string)")
            #expect(isError(again, 429) || isError(again, 400, last: "Error: item-not-found"))
            let limited = try await evoSend("DELETE", sim.baseURL, "/group/leaveGroup/\(T.alpha)?groupJid=\(T.ours.string)")
            #expect(isError(limited, 429) && limited.header("Retry-After") != nil)
            world.updateFaults { $0.serverErrorNext = 1 }
            #expect(isError(try await evoSend("GET", sim.baseURL, "/instance/fetchInstances"), 500))
            let offline = try await evoSend("GET", sim.baseURL, "/group/fetchAllGroups/\(T.offline)?getParticipants=false")
            #expect(isError(offline, 400, last: "Error: Connection Closed"))
            let closed = try await evoSend("POST", sim.baseURL, update(T.offlineGroup, instance: T.offline), json: ["action": "remove", "participants": [T.plainMembers[0].user]])
            #expect(isError(closed, 400, last: "Error: Connection Closed"))
        }
    }
}
