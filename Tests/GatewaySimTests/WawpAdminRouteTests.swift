import Foundation
import GatewayKit
import TestSupport
@testable import GatewaySim
import Testing

/// Wawp's group administration (gateways.md §9): invite code, admin-only settings (read only),
/// send/text by POST and GET.
@Suite struct WawpAdminRouteTests {
    func q(_ path: String, instance: String = T.alpha) -> String {
        path + (path.contains("?") ? "&" : "?") + "instance_id=\(instance)&access_token=\(testToken)"
    }
    func g(_ group: JID = T.teamAlpha) -> String { "/v2/groups/\(group.string)" }
    func call(_ sim: RunningSim, _ method: String, _ path: String, instance: String = T.alpha, json: Any? = nil) async throws -> Answer {
        try await send(method, sim.baseURL, q(path, instance: instance), token: nil, json: json)
    }
    func isError(_ a: Answer, _ status: Int) -> Bool {
        a.status == status && a.object["status"] as? Int == status && a.object["message"] is String && a.object["error"] is String
    }
    func string(_ a: Answer) -> String? { (try? JSONSerialization.jsonObject(with: a.body, options: .fragmentsAllowed)) as? String }

    @Test func theInviteCodeIsAJSONStringAndARevokeLocksTheOldOneOut() async throws {
        let world = tinyWorld()
        try await withSim(.wawp, world: world) { sim async throws in
            let a = try await call(sim, "GET", g(T.ours) + "/invite-code")
            let old = try #require(string(a))
            #expect(a.status == 200 && old == world.currentInviteCode(session: T.alpha, group: T.ours))
            let revoked = try await call(sim, "POST", g(T.ours) + "/invite-code/revoke")
            let fresh = try #require(string(revoked))
            #expect(revoked.status == 200 && fresh != old && fresh == world.currentInviteCode(session: T.alpha, group: T.ours))
            #expect(throws: JoinByCodeRefusal.invalidCode) { try world.join(code: old, as: T.outsider) }
            #expect(try world.join(code: fresh, as: T.outsider) == .joined(session: T.alpha, group: T.ours))

            #expect(isError(try await call(sim, "GET", g(T.readers) + "/invite-code"), 403))
            #expect(isError(try await call(sim, "POST", g(T.readers) + "/invite-code/revoke"), 403))
            #expect(isError(try await call(sim, "GET", g(T.offlineGroup) + "/invite-code", instance: T.offline), 422))
            #expect(isError(try await call(sim, "GET", g(JID(kind: .group, user: "1203639")) + "/invite-code"), 404))
            #expect(isError(try await send("GET", sim.baseURL, g() + "/invite-code?instance_id=\(T.alpha)", token: nil), 401))
        }
    }

    @Test func theAdminOnlySettingsAreReadAndHaveNoSetter() async throws {
        let world = tinyWorld()
        world.setSettings(GroupSettings(announce: true), session: T.alpha, group: T.readers)
        try await withSim(.wawp, world: world) { sim async throws in
            let messages = try await call(sim, "GET", g(T.readers) + "/settings/security/messages-admin-only")
            #expect(messages.status == 200 && messages.object.count == 1 && messages.object["adminsOnly"] as? Bool == true)
            #expect(try await call(sim, "GET", g(T.readers) + "/settings/security/info-admin-only").object["adminsOnly"] as? Bool == false)
            #expect(isError(try await call(sim, "GET", g(T.offlineGroup) + "/settings/security/info-admin-only", instance: T.offline), 422))
            // The group list (WAHA's shape) says the same.
            let groups = try await call(sim, "GET", "/v2/groups?exclude=participants")
            #expect(groups.array.first { $0["id"] as? String == T.readers.string }?["announce"] as? Bool == true)
            // No setter, no member-add or approval settings, no join requests: Wawp's route miss.
            for (method, p) in [("PUT", "/settings/security/messages-admin-only"), ("POST", "/settings/security/info-admin-only"),
                                ("GET", "/settings/security/member-add-mode"), ("GET", "/participants/join-requests"),
                                ("POST", "/participants/join-requests/approve")] {
                let miss = try await call(sim, method, g() + p, json: method == "GET" ? nil : ["adminsOnly": true])
                #expect(isError(miss, 404) && miss.object["message"] as? String == "Cannot \(method) \(g() + p)", "\(p)")
            }
            #expect(world.settings(session: T.alpha, group: T.teamAlpha)?.announce == false)
        }
    }

    @Test func sendTextByPostAndByGet() async throws {
        let world = tinyWorld()
        try await withSim(.wawp, world: world) { sim async throws in
            let post = try await call(sim, "POST", "/v2/send/text", json: ["chatId": T.outsider.cUs, "message": "Olá pelo POST"])
            #expect(post.status == 200 && post.object["body"] as? String == "Olá pelo POST" && post.object["fromMe"] as? Bool == true)
            #expect(post.object["to"] as? String == T.outsider.cUs && (post.object["id"] as? String)?.hasSuffix(world.messages().last?.id ?? "?") == true)
            let text = "Olá pelo GET".addingPercentEncoding(withAllowedCharacters: CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")) ?? ""
            let get = try await call(sim, "GET", "/v2/send/text?chatId=\(T.teamAlpha.string)&message=\(text)")
            #expect(get.status == 200 && get.object["body"] as? String == "Olá pelo GET" && get.object["to"] as? String == T.teamAlpha.string)
            #expect(world.messages().map(\.chat) == [T.outsider, T.teamAlpha])

            world.setSettings(GroupSettings(announce: true), session: T.alpha, group: T.readers)
            #expect(isError(try await call(sim, "POST", "/v2/send/text", json: ["chatId": T.readers.string, "message": "x"]), 403))
            #expect(isError(try await call(sim, "POST", "/v2/send/text", json: ["chatId": T.offlineGroup.string, "message": "x"]), 404))
            #expect(isError(try await call(sim, "POST", "/v2/send/text", instance: T.offline, json: ["chatId": T.outsider.cUs, "message": "x"]), 422))
            #expect(isError(try await call(sim, "POST", "/v2/send/text", json: ["chatId": T.outsider.cUs]), 400))
            #expect(isError(try await call(sim, "POST", "/v2/send/text", json: ["chatId": "nope", "message": "x"]), 400))
            #expect(world.messages().count == 2)
        }
    }
}
