import Foundation
import GatewayKit
import TestSupport
@testable import GatewaySim
import Testing

/// WAHA's group administration (gateways.md §9): invite code, the four security settings, join
/// requests, sendText.
@Suite struct WAHAAdminRouteTests {
    func g(_ group: JID = T.teamAlpha, session: String = T.alpha) -> String { "/api/\(session)/groups/\(group.string)" }
    func security(_ name: String, _ group: JID = T.teamAlpha, session: String = T.alpha) -> String {
        g(group, session: session) + "/settings/security/\(name)"
    }
    func isRefusal(_ a: Answer, _ message: String) -> Bool {
        a.status == 500 && (a.object["exception"] as? [String: Any])?["message"] as? String == message
    }
    func isNotWorking(_ a: Answer) -> Bool {
        a.status == 422 && a.object["status"] as? String == "SCAN_QR_CODE" && a.object["expected"] as? [String] == ["WORKING"]
    }

    @Test func theInviteCodeIsRawAndARevokeLocksTheOldOneOut() async throws {
        let world = tinyWorld()
        try await withSim(.waha, world: world) { sim async throws in
            let a = try await wahaSend("GET", sim.baseURL, g(T.ours) + "/invite-code")
            #expect(a.status == 200 && a.header("Content-Type")?.hasPrefix("text/html") == true)
            let old = a.text
            #expect(old == world.currentInviteCode(session: T.alpha, group: T.ours) && old.count == 22)
            // By the session's name too.
            #expect(try await wahaSend("GET", sim.baseURL, g(T.ours, session: T.alphaLabel) + "/invite-code").text == old)

            let revoked = try await wahaSend("POST", sim.baseURL, g(T.ours) + "/invite-code/revoke")
            #expect(revoked.status == 200 && revoked.text != old && revoked.text == world.currentInviteCode(session: T.alpha, group: T.ours))
            #expect(throws: JoinByCodeRefusal.invalidCode) { try world.join(code: old, as: T.outsider) }
            #expect(try world.join(code: revoked.text, as: T.outsider) == .joined(session: T.alpha, group: T.ours))

            #expect(isRefusal(try await wahaSend("GET", sim.baseURL, g(T.readers) + "/invite-code"), "forbidden"))
            #expect(isRefusal(try await wahaSend("POST", sim.baseURL, g(T.readers) + "/invite-code/revoke"), "forbidden"))
            #expect(isNotWorking(try await wahaSend("GET", sim.baseURL, g(T.offlineGroup, session: T.offline) + "/invite-code")))
            #expect(isRefusal(try await wahaSend("GET", sim.baseURL, g(JID(kind: .group, user: "1203639")) + "/invite-code"), "item-not-found"))
        }
    }

    @Test func theSecuritySettersAnswerTrueAndTheGettersReadThemBack() async throws {
        let world = tinyWorld()
        try await withSim(.waha, world: world) { sim async throws in
            for (name, field) in [("messages-admin-only", "adminsOnly"), ("info-admin-only", "adminsOnly"),
                                  ("member-add-mode", "membersCanAddNewMember"), ("membership-approval", "newMembersApprovalRequired")] {
                let before = try await wahaSend("GET", sim.baseURL, security(name))
                #expect(before.status == 200 && before.object.count == 1, "\(name)")
                let value = try #require(before.object[field] as? Bool, "\(name)")
                let set = try await wahaSend("PUT", sim.baseURL, security(name), json: [field: !value])
                #expect(set.status == 200 && set.text == "true", "\(name)")
                #expect(try await wahaSend("GET", sim.baseURL, security(name)).object[field] as? Bool == !value, "\(name)")
            }
            // Team Alpha started open, adding by admins only, approval on.
            #expect(world.settings(session: T.alpha, group: T.teamAlpha) == GroupSettings(announce: true, locked: true, adminsAdd: false, approval: false))
            let groups = try await wahaSend("GET", sim.baseURL, "/api/\(T.alpha)/groups?exclude=participants")
            let team = try #require(groups.object[T.teamAlpha.string] as? [String: Any])
            #expect(team["announce"] as? Bool == true && team["restrict"] as? Bool == true)
            #expect(team["memberAddMode"] as? Bool == true && team["joinApprovalMode"] as? Bool == false && team["isCommunity"] as? Bool == false)

            // Readers: only a member. Reading works; setting is WhatsApp's forbidden.
            #expect(try await wahaSend("GET", sim.baseURL, security("messages-admin-only", T.readers)).object["adminsOnly"] as? Bool == false)
            #expect(isRefusal(try await wahaSend("PUT", sim.baseURL, security("messages-admin-only", T.readers), json: ["adminsOnly": true]), "forbidden"))
            #expect(world.settings(session: T.alpha, group: T.readers)?.announce == false)
            let bad = try await wahaSend("PUT", sim.baseURL, security("info-admin-only"), json: ["adminsOnly": "yes"])
            #expect(bad.status == 400 && bad.object["error"] as? String == "Bad Request")
            #expect(isNotWorking(try await wahaSend("PUT", sim.baseURL, security("info-admin-only", T.offlineGroup, session: T.offline),
                                                   json: ["adminsOnly": true])))
            #expect(try await wahaSend("GET", sim.baseURL, security("ephemeral")).status == 404)
        }
    }

    @Test func settingsChangeWhatMembersMayDo() async throws {
        let world = tinyWorld()
        try await withSim(.waha, world: world) { sim async throws in
            // Approval on, set through WAHA: a join by the link becomes a request.
            #expect(try await wahaSend("PUT", sim.baseURL, security("membership-approval", T.ours), json: ["newMembersApprovalRequired": true]).text == "true")
            let code = try await wahaSend("GET", sim.baseURL, g(T.ours) + "/invite-code").text
            #expect(try world.join(code: code, as: T.outsider) == .pending(session: T.alpha, group: T.ours))
            let requests = try await wahaSend("GET", sim.baseURL, g(T.ours) + "/participants/join-requests")
            #expect(requests.array.map { $0["requesterPn"] as? String } == [T.outsider.cUs])
            // An announce group the session is only a member of takes no text from it.
            world.setSettings(GroupSettings(announce: true), session: T.alpha, group: T.readers)
            let refused = try await wahaSend("POST", sim.baseURL, "/api/sendText", json: ["session": T.alphaLabel, "chatId": T.readers.string, "text": "olá"])
            #expect(isRefusal(refused, "forbidden"))
            #expect(world.messages().isEmpty)
        }
    }

    @Test func joinRequestsAreListedAndAnsweredRowByRow() async throws {
        let world = tinyWorld()
        try await withSim(.waha, world: world) { sim async throws in
            let list = try await wahaSend("GET", sim.baseURL, g() + "/participants/join-requests")
            #expect(list.status == 200 && list.array.count == 2)
            let first = list.array[0]
            #expect(first["requesterId"] as? String == T.lidOf(T.requesters[0]).string && first["requesterPn"] as? String == T.requesters[0].cUs)
            #expect(first["parentGroupId"] as? String == "" && first["requestMethod"] as? String == "invite_link")
            #expect(first["timestamp"] is Int && first.keys.contains("addedById"))

            let approve = try await wahaSend("POST", sim.baseURL, g() + "/participants/join-requests/approve",
                                             json: ["participants": [["id": T.lidOf(T.requesters[0]).string], ["id": T.plainMembers[0].cUs]]])
            #expect(approve.status == 200 && approve.array.count == 2)
            #expect(approve.array[0]["requesterId"] as? String == T.lidOf(T.requesters[0]).string && approve.array[0]["success"] as? Bool == true)
            #expect(approve.array[0]["error"] == nil)
            #expect(approve.array[1]["requesterId"] as? String == T.plainMembers[0].cUs && approve.array[1]["success"] as? Bool == false)
            #expect(approve.array[1]["error"] as? String == "item-not-found")
            #expect(world.members(session: T.alpha, group: T.teamAlpha)?.contains { $0.matches(T.requesters[0]) } == true)

            let reject = try await wahaSend("POST", sim.baseURL, g() + "/participants/join-requests/reject",
                                            json: ["participants": [["id": T.requesters[1].cUs], ["id": T.requesters[0].cUs]]])
            #expect(reject.array.map { $0["success"] as? Bool } == [true, false], "an approved one is no longer pending")
            #expect(world.pendingRequests(session: T.alpha, group: T.teamAlpha)?.isEmpty == true)
            #expect(world.members(session: T.alpha, group: T.teamAlpha)?.contains { $0.matches(T.requesters[1]) } == false)
            #expect(world.ledger().map(\.action) == ["approve", "reject"])

            #expect(isRefusal(try await wahaSend("GET", sim.baseURL, g(T.readers) + "/participants/join-requests"), "forbidden"))
            #expect(isRefusal(try await wahaSend("POST", sim.baseURL, g(T.readers) + "/participants/join-requests/approve",
                                                 json: ["participants": [["id": T.outsider.cUs]]]), "forbidden"))
            #expect(isNotWorking(try await wahaSend("GET", sim.baseURL, g(T.offlineGroup, session: T.offline) + "/participants/join-requests")))
            let noBody = try await wahaSend("POST", sim.baseURL, g() + "/participants/join-requests/approve", json: ["participants": []])
            #expect(noBody.status == 400)
        }
    }

    @Test func sendTextAnswersAWAMessage() async throws {
        let world = tinyWorld()
        try await withSim(.waha, world: world) { sim async throws in
            let a = try await wahaSend("POST", sim.baseURL, "/api/sendText", json: ["session": T.alphaLabel, "chatId": T.outsider.cUs, "text": "Olá 👋"])
            #expect(a.status == 200 && a.object["fromMe"] as? Bool == true && a.object["body"] as? String == "Olá 👋")
            #expect(a.object["to"] as? String == T.outsider.cUs && a.object["from"] as? String == T.alphaAccount.cUs)
            let id = try #require(a.object["id"] as? String)
            let sent = try #require(world.messages().first)
            #expect(id == "true_\(T.outsider.cUs)_\(sent.id)" && sent.chat == T.outsider && sent.text == "Olá 👋")
            #expect(a.object["timestamp"] is Int && a.object["_data"] is [String: Any])
            // By the session's id too, and to a group the session is in.
            #expect(try await wahaSend("POST", sim.baseURL, "/api/sendText", json: ["session": T.alpha, "chatId": T.teamAlpha.string, "text": "oi"]).status == 200)
            #expect(world.messages().count == 2)

            let offline = try await wahaSend("POST", sim.baseURL, "/api/sendText", json: ["session": T.offlineLabel, "chatId": T.outsider.cUs, "text": "x"])
            #expect(offline.status == 422)
            let unknown = try await wahaSend("POST", sim.baseURL, "/api/sendText", json: ["chatId": T.outsider.cUs, "text": "x"])
            #expect(unknown.status == 404 && (unknown.object["message"] as? String)?.contains("'default'") == true)
            #expect(isRefusal(try await wahaSend("POST", sim.baseURL, "/api/sendText", json: ["session": T.alpha, "chatId": T.offlineGroup.string, "text": "x"]),
                              "item-not-found"))
            #expect(try await wahaSend("POST", sim.baseURL, "/api/sendText", json: ["session": T.alpha, "text": "x"]).status == 400)
            #expect(world.messages().count == 2)
        }
    }

    @Test func theRateLimitCountsTheseToo() async throws {
        let world = World.fixture(.tiny, options: WorldOptions(ratePerMinute: 10, burst: 1, clock: .manual(ManualTime())))
        try await withSim(.waha, world: world) { sim async throws in
            #expect(try await wahaSend("GET", sim.baseURL, g() + "/participants/join-requests").status == 200)
            let limited = try await wahaSend("POST", sim.baseURL, g() + "/invite-code/revoke")
            #expect(limited.status == 429 && limited.header("Retry-After") == "6")
            // Reading a setting is not a WhatsApp request of its own.
            #expect(try await wahaSend("GET", sim.baseURL, security("info-admin-only")).status == 200)
        }
    }
}
