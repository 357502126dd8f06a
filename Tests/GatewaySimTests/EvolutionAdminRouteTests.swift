import Foundation
import GatewayKit
import TestSupport
@testable import GatewaySim
import Testing

/// Evolution's group administration (gateways.md §9): inviteCode, revokeInviteCode, updateSetting,
/// message/sendText.
@Suite struct EvolutionAdminRouteTests {
    func messages(_ a: Answer) -> [String] { (a.object["response"] as? [String: Any])?["message"] as? [String] ?? [] }
    func isError(_ a: Answer, _ status: Int, _ expected: [String]) -> Bool {
        a.status == status && a.object["status"] as? Int == status && a.object["error"] is String && messages(a) == expected
    }
    func at(_ route: String, _ g: JID = T.teamAlpha, instance: String = T.alpha) -> String { "/group/\(route)/\(instance)?groupJid=\(g.string)" }

    @Test func theInviteCodeIsReadAndRevokedAndTheOldOneStopsWorking() async throws {
        let world = tinyWorld()
        try await withSim(.evolution, world: world) { sim async throws in
            let a = try await evoSend("GET", sim.baseURL, at("inviteCode", T.ours))
            #expect(a.status == 200 && a.object.count == 2)
            let old = try #require(a.object["inviteCode"] as? String)
            #expect(old == world.currentInviteCode(session: T.alpha, group: T.ours) && a.object["inviteUrl"] as? String == "https://chat.whatsapp.com/\(old)")
            let revoked = try await evoSend("POST", sim.baseURL, at("revokeInviteCode", T.ours))
            #expect(revoked.status == 201 && revoked.object["revoked"] as? Bool == true)
            let fresh = try #require(revoked.object["inviteCode"] as? String)
            #expect(fresh != old && fresh == world.currentInviteCode(session: T.alpha, group: T.ours))
            #expect(throws: JoinByCodeRefusal.invalidCode) { try world.join(code: old, as: T.outsider) }
            #expect(try world.join(code: fresh, as: T.outsider) == .joined(session: T.alpha, group: T.ours))

            #expect(isError(try await evoSend("GET", sim.baseURL, at("inviteCode", T.readers)), 404, ["No invite code", "Error: forbidden"]))
            #expect(isError(try await evoSend("POST", sim.baseURL, at("revokeInviteCode", T.readers)), 404, ["Revoke error", "Error: forbidden"]))
            #expect(isError(try await evoSend("GET", sim.baseURL, at("inviteCode", T.offlineGroup, instance: T.offline)), 404,
                            ["No invite code", "Error: Connection Closed"]))
            #expect(isError(try await evoSend("GET", sim.baseURL, at("inviteCode", JID(kind: .group, user: "1203639"))), 404,
                            ["No invite code", "Error: item-not-found"]))
            #expect(isError(try await evoSend("GET", sim.baseURL, "/group/inviteCode/ghost?groupJid=\(T.ours.string)"), 404,
                            [#"The "ghost" instance does not exist"#]))
        }
    }

    @Test func updateSettingTakesEvolutionsActionsAndAnswers201() async throws {
        let world = tinyWorld()
        try await withSim(.evolution, world: world) { sim async throws in
            for action in ["announcement", "locked"] {
                let a = try await evoSend("POST", sim.baseURL, at("updateSetting"), json: ["action": action])
                #expect(a.status == 201 && a.text == "{}", "\(action)")
            }
            #expect(world.settings(session: T.alpha, group: T.teamAlpha)?.announce == true && world.settings(session: T.alpha, group: T.teamAlpha)?.locked == true)
            let groups = try await evoSend("GET", sim.baseURL, "/group/fetchAllGroups/\(T.alpha)?getParticipants=false")
            let team = try #require(groups.array.first { $0["id"] as? String == T.teamAlpha.string })
            #expect(team["announce"] as? Bool == true && team["restrict"] as? Bool == true && team["joinApprovalMode"] as? Bool == true)
            for action in ["not_announcement", "unlocked"] {
                #expect(try await evoSend("POST", sim.baseURL, at("updateSetting"), json: ["action": action]).status == 201)
            }
            #expect(world.settings(session: T.alpha, group: T.teamAlpha)?.announce == false && world.settings(session: T.alpha, group: T.teamAlpha)?.locked == false)

            #expect(isError(try await evoSend("POST", sim.baseURL, at("updateSetting", T.readers), json: ["action": "announcement"]), 400,
                            ["Error updating setting", "Error: forbidden"]))
            #expect(isError(try await evoSend("POST", sim.baseURL, at("updateSetting", T.offlineGroup, instance: T.offline), json: ["action": "locked"]),
                            400, ["Error updating setting", "Error: Connection Closed"]))
            let bad = try await evoSend("POST", sim.baseURL, at("updateSetting"), json: ["action": "admin_add"])
            #expect(bad.status == 400 && messages(bad).first?.contains("announcement, not_announcement, locked, unlocked") == true)
            #expect(world.settings(session: T.alpha, group: T.readers)?.announce == false)
            // No join requests upstream: no route.
            #expect(try await evoSend("GET", sim.baseURL, "/group/joinRequests/\(T.alpha)?groupJid=\(T.teamAlpha.string)").status == 404)
        }
    }

    @Test func sendTextAnswers201WithBaileysMessage() async throws {
        let world = tinyWorld()
        try await withSim(.evolution, world: world) { sim async throws in
            let a = try await evoSend("POST", sim.baseURL, "/message/sendText/\(T.alpha)", json: ["number": "5511900000050", "text": "Olá!"])
            #expect(a.status == 201 && (a.object["message"] as? [String: Any])?["conversation"] as? String == "Olá!")
            let key = try #require(a.object["key"] as? [String: Any])
            #expect(key["remoteJid"] as? String == T.outsider.string && key["fromMe"] as? Bool == true && key["id"] as? String == world.messages().first?.id)
            #expect(a.object["messageType"] as? String == "conversation" && a.object["messageTimestamp"] is Int)
            #expect(try await evoSend("POST", sim.baseURL, "/message/sendText/\(T.alpha)", json: ["number": T.teamAlpha.string, "text": "oi"]).status == 201)
            #expect(world.messages().map(\.chat) == [T.outsider, T.teamAlpha])

            world.setSettings(GroupSettings(announce: true), session: T.alpha, group: T.readers)
            #expect(isError(try await evoSend("POST", sim.baseURL, "/message/sendText/\(T.alpha)", json: ["number": T.readers.string, "text": "x"]),
                            400, ["Error: forbidden"]))
            #expect(isError(try await evoSend("POST", sim.baseURL, "/message/sendText/\(T.offline)", json: ["number": T.outsider.user, "text": "x"]),
                            400, ["Error: Connection Closed"]))
            #expect(isError(try await evoSend("POST", sim.baseURL, "/message/sendText/ghost", json: ["number": T.outsider.user, "text": "x"]),
                            404, [#"The "ghost" instance does not exist"#]))
            #expect(try await evoSend("POST", sim.baseURL, "/message/sendText/\(T.alpha)", json: ["number": T.outsider.user]).status == 400)
            #expect(world.messages().count == 2)
        }
    }
}
