import Foundation
import GatewayKit
import TestSupport
@testable import GatewaySim
import Testing

/// Wasend's group administration (gateways.md §9): invite code, admin-only settings, sendText.
@Suite struct WasendAdminRouteTests {
    func g(_ group: JID = T.teamAlpha, session: String = T.alpha) -> String { "/\(session)/groups/\(group.string)" }
    func isError(_ a: Answer, _ status: Int) -> Bool {
        a.status == status && a.object["success"] as? Bool == false && a.object["error"] is String && a.object["message"] is String
    }
    /// The body as a bare JSON string (the SDK's form of the invite answers).
    func string(_ a: Answer) -> String? {
        (try? JSONSerialization.jsonObject(with: a.body, options: .fragmentsAllowed)) as? String
    }

    @Test func theInviteCodeIsABareStringAndARevokeLocksTheOldOneOut() async throws {
        let world = tinyWorld()
        try await withSim(.wasend, world: world) { sim async throws in
            let a = try await send("GET", sim.baseURL, g(T.ours) + "/invite-code")
            let old = try #require(string(a))
            #expect(a.status == 200 && old == world.currentInviteCode(session: T.alpha, group: T.ours))
            let revoked = try await send("POST", sim.baseURL, g(T.ours) + "/invite-code/revoke")
            let fresh = try #require(string(revoked))
            #expect(revoked.status == 200 && fresh != old && fresh == world.currentInviteCode(session: T.alpha, group: T.ours))
            #expect(throws: JoinByCodeRefusal.invalidCode) { try world.join(code: old, as: T.outsider) }
            #expect(try world.join(code: fresh, as: T.outsider) == .joined(session: T.alpha, group: T.ours))

            #expect(isError(try await send("GET", sim.baseURL, g(T.readers) + "/invite-code"), 403))
            #expect(isError(try await send("POST", sim.baseURL, g(T.readers) + "/invite-code/revoke"), 403))
            #expect(isError(try await send("GET", sim.baseURL, g(T.offlineGroup, session: T.offline) + "/invite-code"), 422))
            #expect(isError(try await send("GET", sim.baseURL, g(JID(kind: .group, user: "1203639")) + "/invite-code"), 404))
            // The invite-link form is documented but not modelled.
            #expect(try await send("POST", sim.baseURL, g() + "/invite-link/revoke").status == 404)
        }
    }

    @Test func adminOnlySettingsPerSettingAndAllAtOnce() async throws {
        let world = tinyWorld()
        try await withSim(.wasend, world: world) { sim async throws in
            let path = g() + "/settings/security/messages-admin-only"
            #expect(try await send("GET", sim.baseURL, path).object["enabled"] as? Bool == false)
            let on = try await send("PUT", sim.baseURL, path, json: ["enabled": true])
            #expect(on.status == 200 && on.object["success"] as? Bool == true && on.object["enabled"] as? Bool == true)
            #expect(on.object["message"] as? String == "Group messages setting 'messagesAdminOnly' updated successfully.")
            let back = try await send("GET", sim.baseURL, path).object
            #expect(back.count == 1 && back["enabled"] as? Bool == true)
            let info = try await send("PUT", sim.baseURL, g() + "/settings/security/info-admin-only", json: ["enabled": true])
            #expect(info.object["message"] as? String == "Group info setting 'infoAdminOnly' updated successfully.")
            #expect(world.settings(session: T.alpha, group: T.teamAlpha)?.announce == true && world.settings(session: T.alpha, group: T.teamAlpha)?.locked == true)

            let both = try await send("PUT", sim.baseURL, g() + "/settings", json: ["infoAdminOnly": false, "messagesAdminOnly": true])
            #expect(both.status == 200 && both.object["message"] as? String == "Group settings updated successfully.")
            let after = try #require(both.object["settings"] as? [String: Any])
            #expect(after.count == 2 && after["infoAdminOnly"] as? Bool == false && after["messagesAdminOnly"] as? Bool == true)
            let read = try await send("GET", sim.baseURL, g() + "/settings")
            let settings = try #require(read.object["settings"] as? [String: Any])
            #expect(read.object["success"] as? Bool == true && read.object["error"] is NSNull)
            #expect(settings["infoAdminOnly"] as? Bool == false && settings["messagesAdminOnly"] as? Bool == true && settings["ephemeralDuration"] as? Int == 0)
            // The group list's whatsmeow fields say the same.
            let groups = try await send("GET", sim.baseURL, "/\(T.alpha)/groups")
            let team = try #require(groups.array.first { $0["jid"] as? String == T.teamAlpha.string })
            #expect(team["isAnnounce"] as? Bool == true && team["isLocked"] as? Bool == false && team["isJoinApprovalRequired"] as? Bool == true)
            #expect(team["memberAddMode"] as? String == "admin_add" && team["isParent"] as? Bool == false)

            #expect(isError(try await send("PUT", sim.baseURL, g() + "/settings", json: ["infoAdminOnly": true]), 400), "both fields are required")
            #expect(isError(try await send("PUT", sim.baseURL, path, json: ["enabled": "yes"]), 400))
            #expect(isError(try await send("PUT", sim.baseURL, g(T.readers) + "/settings/security/messages-admin-only", json: ["enabled": true]), 403))
            #expect(isError(try await send("PUT", sim.baseURL, g(T.readers) + "/settings", json: ["infoAdminOnly": true, "messagesAdminOnly": true]), 403))
            #expect(world.settings(session: T.alpha, group: T.readers) == GroupSettings(announce: false, locked: false, adminsAdd: true, approval: false))
            #expect(isError(try await send("PUT", sim.baseURL, g(T.offlineGroup, session: T.offline) + "/settings/security/info-admin-only",
                                           json: ["enabled": true]), 422))
            // What Wasend does not document has no route: member-add mode, approval, join requests.
            for (method, p) in [("PUT", "/settings/security/member-add-mode"), ("GET", "/settings/security/membership-approval"),
                                ("GET", "/participants/join-requests"), ("POST", "/participants/join-requests/approve")] {
                let miss = try await send(method, sim.baseURL, g() + p, json: method == "GET" ? nil : ["participants": []])
                #expect(miss.status == 404 && miss.object["statusCode"] as? Int == 404, "\(p)")
            }
        }
    }

    @Test func sendTextAndSendNeedASession() async throws {
        let world = tinyWorld()
        try await withSim(.wasend, world: world) { sim async throws in
            for route in ["/sendText", "/send"] {
                let a = try await send("POST", sim.baseURL, route, json: ["session": T.alpha, "to": "+4915112345678", "text": "Olá \(route)"])
                #expect(a.status == 200 && a.object["type"] as? String == "text" && a.object["fromMe"] as? Bool == true, "\(route)")
                #expect(a.object["content"] as? String == "Olá \(route)" && a.object["to"] as? String == "+4915112345678")
                #expect(a.object["sender"] as? String == "+5511900000001" && a.object["recipient"] as? String == "4915112345678@c.us")
                #expect(a.object["id"] as? String == world.messages().last?.id && a.object["timestamp"] is String && a.object["status"] is String)
                let missing = try await send("POST", sim.baseURL, route, json: ["to": "+4915112345678", "text": "x"])
                #expect(isError(missing, 400) && (missing.object["message"] as? String)?.contains("session") == true, "\(route)")
            }
            #expect(world.messages().map(\.chat) == [JID(kind: .user, user: "4915112345678"), JID(kind: .user, user: "4915112345678")])
            world.setSettings(GroupSettings(announce: true), session: T.alpha, group: T.readers)
            #expect(isError(try await send("POST", sim.baseURL, "/sendText", json: ["session": T.alpha, "to": T.readers.string, "text": "x"]), 403))
            #expect(isError(try await send("POST", sim.baseURL, "/sendText", json: ["session": T.alpha, "to": T.offlineGroup.string, "text": "x"]), 404))
            #expect(isError(try await send("POST", sim.baseURL, "/sendText", json: ["session": T.offline, "to": T.outsider.string, "text": "x"]), 422))
            #expect(isError(try await send("POST", sim.baseURL, "/sendText", json: ["session": "nobody", "to": T.outsider.string, "text": "x"]), 404))
            #expect(isError(try await send("POST", sim.baseURL, "/send", json: ["session": T.alpha, "to": T.outsider.string, "imageUrl": "https://x"]), 400))
            #expect(world.messages().count == 2)
        }
    }
}
