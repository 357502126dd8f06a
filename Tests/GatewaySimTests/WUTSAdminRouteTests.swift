import Foundation
import GatewayKit
import TestSupport
@testable import GatewaySim
import Testing

/// WUTS's group administration (gateways.md §9, seed 002): invite link, PATCH, /send/text, and
/// removing participants from a community's parent.
@Suite struct WUTSAdminRouteTests {
    func g(_ group: JID = T.teamAlpha) -> String { "/groups/\(group.string)" }
    func isError(_ a: Answer, _ status: Int, _ code: String) -> Bool {
        a.status == status && a.object["success"] as? Bool == false && a.object["error_code"] as? String == code && a.object["error"] is String
    }
    func rows(_ a: Answer) -> [[String: Any]] { a.object["participants"] as? [[String: Any]] ?? [] }

    @Test func theInviteLinkIsReadAndResetAndTheOldOneStopsWorking() async throws {
        let world = tinyWorld()
        try await withSim(.wuts, world: world) { sim async throws in
            let a = try await send("GET", sim.baseURL, g(T.ours) + "/invite")
            #expect(a.status == 200 && a.object["success"] as? Bool == true && a.object["group_jid"] as? String == T.ours.string)
            let old = try #require(a.object["invite_link"] as? String)
            #expect(old == InviteLink(code: world.currentInviteCode(session: T.alpha, group: T.ours) ?? "").url && a.object["reset_at"] == nil)
            let reset = try await send("POST", sim.baseURL, g(T.ours) + "/invite/reset")
            let fresh = try #require(reset.object["invite_link"] as? String)
            #expect(reset.status == 200 && fresh != old && (reset.object["reset_at"] as? String)?.hasSuffix("Z") == true)
            #expect(reset.object["group_jid"] as? String == T.ours.string)
            #expect(throws: JoinByCodeRefusal.invalidCode) { try world.join(code: old, as: T.outsider) }
            #expect(try world.join(code: fresh, as: T.outsider) == .joined(session: T.alpha, group: T.ours))

            #expect(isError(try await send("GET", sim.baseURL, g(T.readers) + "/invite"), 403, "NOT_GROUP_ADMIN"))
            #expect(isError(try await send("POST", sim.baseURL, g(T.readers) + "/invite/reset"), 403, "NOT_GROUP_ADMIN"))
            #expect(isError(try await send("GET", sim.baseURL, g(T.offlineGroup) + "/invite?device_id=\(T.offline)"), 503, "DEVICE_NOT_READY"))
            #expect(isError(try await send("GET", sim.baseURL, g(JID(kind: .group, user: "1203639")) + "/invite"), 404, "GROUP_NOT_FOUND"))
        }
    }

    @Test func patchIsAllOrNothingAndAnswersTheRefreshedGroup() async throws {
        let world = tinyWorld()
        try await withSim(.wuts, world: world) { sim async throws in
            let a = try await send("PATCH", sim.baseURL, g(), json: ["name": "WUTS Team Renamed", "topic": "New subject text",
                                                                    "announcement": true, "member_add_mode": "all_member", "join_approval": false])
            #expect(a.status == 200 && a.object["success"] as? Bool == true)
            let group = try #require(a.object["group"] as? [String: Any])
            #expect(group["name"] as? String == "WUTS Team Renamed" && group["topic"] as? String == "New subject text")
            #expect(group["is_announce"] as? Bool == true && group["is_locked"] as? Bool == false && group["join_approval"] as? Bool == false)
            #expect(group["members_count"] as? Int == T.teamAlphaSize && group["created_at"] is String && group["participants"] == nil)
            #expect(world.settings(session: T.alpha, group: T.teamAlpha) == GroupSettings(announce: true, locked: false, adminsAdd: false, approval: false))
            #expect(try await send("PATCH", sim.baseURL, g(), json: ["locked": true, "member_add_mode": "admin"]).status == 200)
            #expect(world.settings(session: T.alpha, group: T.teamAlpha)?.locked == true && world.settings(session: T.alpha, group: T.teamAlpha)?.adminsAdd == true)
            let list = try await send("GET", sim.baseURL, "/groups")
            let team = try #require((list.object["groups"] as? [[String: Any]])?.first)
            #expect(team["is_announce"] as? Bool == true && team["is_locked"] as? Bool == true && team["join_approval"] as? Bool == false)

            // Readers: only a member. A rename alone goes through; with a setting, nothing is made.
            #expect(try await send("PATCH", sim.baseURL, g(T.readers), json: ["name": "Leitores"]).status == 200)
            let refused = try await send("PATCH", sim.baseURL, g(T.readers), json: ["name": "Readers", "announcement": true])
            #expect(isError(refused, 403, "NOT_GROUP_ADMIN"))
            #expect(world.group(session: T.alpha, jid: T.readers)?.subject == "Leitores" && world.settings(session: T.alpha, group: T.readers)?.announce == false)
            // Locked: a member cannot rename it any more.
            world.setSettings(GroupSettings(locked: true), session: T.alpha, group: T.readers)
            #expect(isError(try await send("PATCH", sim.baseURL, g(T.readers), json: ["name": "Readers"]), 403, "NOT_GROUP_ADMIN"))

            for bad: [String: Any] in [[:], ["member_add_mode": "everyone"], ["locked": "yes"], ["name": ""]] {
                #expect(isError(try await send("PATCH", sim.baseURL, g(), json: bad), 400, "VALIDATION_ERROR"), "\(bad)")
            }
            #expect(isError(try await send("PATCH", sim.baseURL, g(T.offlineGroup) + "?device_id=\(T.offline)", json: ["locked": true]),
                            503, "DEVICE_NOT_READY"))
            // WUTS documents no join requests: no route.
            let miss = try await send("GET", sim.baseURL, g() + "/participants/join-requests")
            #expect(miss.status == 404 && miss.text == "404 page not found")
        }
    }

    @Test func sendTextNormalisesTheNumberAndFollowsTheRules() async throws {
        let world = tinyWorld()
        try await withSim(.wuts, world: world) { sim async throws in
            let a = try await send("POST", sim.baseURL, "/send/text", json: ["number": "+55 (11) 99999-9999", "text": "Hello from *WUTS*!"])
            #expect(a.status == 200 && a.object["success"] as? Bool == true && a.object["status"] as? String == "sent")
            #expect(a.object["chat_jid"] as? String == "5511999999999@s.whatsapp.net" && (a.object["timestamp"] as? String)?.hasSuffix("Z") == true)
            #expect(a.object["message_id"] as? String == world.messages().first?.id)
            #expect((a.object["metadata"] as? [String: Any])?["device_id"] as? String == T.alpha)
            #expect(try await send("POST", sim.baseURL, "/send/text", json: ["number": T.teamAlpha.string, "text": "oi"]).status == 200)
            #expect(world.messages().map(\.chat) == [JID(kind: .user, user: "5511999999999"), T.teamAlpha])

            world.setSettings(GroupSettings(announce: true), session: T.alpha, group: T.readers)
            #expect(isError(try await send("POST", sim.baseURL, "/send/text", json: ["number": T.readers.string, "text": "x"]), 403, "NOT_GROUP_ADMIN"))
            #expect(isError(try await send("POST", sim.baseURL, "/send/text", json: ["number": "12345", "text": "x"]), 400, "VALIDATION_ERROR"))
            #expect(isError(try await send("POST", sim.baseURL, "/send/text", json: ["number": "5511999999999"]), 400, "VALIDATION_ERROR"))
            #expect(isError(try await send("POST", sim.baseURL, "/send/text?device_id=\(T.offline)", json: ["number": "5511999999999", "text": "x"]),
                            503, "DEVICE_NOT_READY"))
            #expect(world.messages().count == 2)
        }
    }

    @Test func aCommunitysParticipantsAreRemovedLikeAGroups() async throws {
        let world = tinyWorld()
        world.markCommunity(session: T.alpha, group: T.teamAlpha)
        try await withSim(.wuts, world: world) { sim async throws in
            let list = try await send("GET", sim.baseURL, "/groups")
            let groups = try #require(list.object["groups"] as? [[String: Any]])
            #expect(groups.first?["is_community"] as? Bool == true && groups.dropFirst().allSatisfy { $0["is_community"] == nil })

            let path = "/communities/\(T.teamAlpha.string)/participants"
            let a = try await send("DELETE", sim.baseURL, path, json: ["participants": [T.plainMembers[0].user, T.creator.string, T.outsider.string]])
            #expect(a.status == 200 && a.object["success"] as? Bool == true)
            #expect(a.object["jid"] as? String == T.teamAlpha.string && a.object["action"] as? String == "remove")
            // The group route's rows: the participant as it now stands, WhatsApp's code when refused.
            #expect(rows(a).map { $0["jid"] as? String } == [T.plainMembers[0].string, T.creator.string, T.outsider.string])
            #expect(rows(a).map { $0["error"] as? Int } == [nil, 403, 404])
            #expect(rows(a)[1]["is_super_admin"] as? Bool == true && rows(a)[0]["is_admin"] as? Bool == false)
            #expect(world.members(session: T.alpha, group: T.teamAlpha)?.count == T.teamAlphaSize - 1)
            #expect(world.ledger().map { [$0.action, $0.target] } == [["remove", T.plainMembers[0].string]])

            // Not a community's parent: answered as an unknown one, nothing changed.
            let plain = try await send("DELETE", sim.baseURL, "/communities/\(T.ours.string)/participants", json: ["participants": [T.plainMembers[0].string]])
            #expect(isError(plain, 404, "GROUP_NOT_FOUND"))
            #expect(world.members(session: T.alpha, group: T.ours)?.contains { $0.matches(T.plainMembers[0]) } == true)
            world.markCommunity(session: T.alpha, group: T.readers)
            #expect(isError(try await send("DELETE", sim.baseURL, "/communities/\(T.readers.string)/participants",
                                           json: ["participants": [T.plainMembers[1].string]]), 403, "NOT_GROUP_ADMIN"))
            world.markCommunity(session: T.offline, group: T.offlineGroup)
            #expect(isError(try await send("DELETE", sim.baseURL, "/communities/\(T.offlineGroup.string)/participants?device_id=\(T.offline)",
                                           json: ["participants": [T.plainMembers[0].string]]), 503, "DEVICE_NOT_READY"))
            #expect(isError(try await send("DELETE", sim.baseURL, path, json: ["participants": []]), 400, "VALIDATION_ERROR"))
            // Other dialects have no such route.
        }
        try await withSim(.waha, world: world) { sim async throws in
            #expect(try await wahaSend("DELETE", sim.baseURL, "/communities/\(T.teamAlpha.string)/participants").status == 404)
        }
    }

    @Test func theDemosCommunityIsListedAndItsMembersRemoved() async throws {
        let world = World.fixture(.demo, options: .unlimited)
        try await withSim(.wuts, world: world) { sim async throws in
            let list = try await send("GET", sim.baseURL, "/groups")
            let groups = try #require(list.object["groups"] as? [[String: Any]])
            let community = try #require(groups.first { $0["is_community"] as? Bool == true })
            #expect(community["name"] as? String == "Comunidade Suporte BR" && community["members_count"] as? Int == 57)
            let jid = try #require(community["jid"] as? String)
            let one = try await send("GET", sim.baseURL, "/groups/\(jid)")
            let people = try #require((one.object["group"] as? [String: Any])?["participants"] as? [[String: Any]])
            let victim = try #require(people.last?["jid"] as? String)
            let a = try await send("DELETE", sim.baseURL, "/communities/\(jid)/participants", json: ["participants": [victim]])
            #expect(rows(a).map { $0["jid"] as? String } == [victim] && rows(a).first?["error"] == nil)
        }
    }
}
