import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import GatewayKit
import TestSupport
@testable import GatewaySim
import Testing

/// v1's group administration (gateways.md §9): invite link, PATCH, members:approve, sending.
@Suite struct V1AdminRouteTests {
    func g(_ group: JID = T.teamAlpha, session: String = T.alpha) -> String { "/api/v1/sessions/\(session)/groups/\(enc(group))" }
    func messages(_ session: String = T.alpha) -> String { "/api/v1/sessions/\(session)/messages" }
    func errorCode(_ a: Answer) -> String? { (a.object["error"] as? [String: Any])?["code"] as? String }
    func isError(_ a: Answer, _ status: Int, _ code: String) -> Bool {
        a.status == status && errorCode(a) == code && ((a.object["error"] as? [String: Any])?["message"] is String)
    }

    @Test func theInviteLinkIsReadAndResetAndTheOldCodeStopsWorking() async throws {
        let world = tinyWorld()
        try await withSim(.v1, world: world) { sim async throws in
            let a = try await send("GET", sim.baseURL, g() + "/invite")
            #expect(a.status == 200 && a.object.count == 1)
            let link = try #require(a.object["invite"] as? String)
            let old = try #require(world.currentInviteCode(session: T.alpha, group: T.teamAlpha))
            #expect(link == "https://chat.whatsapp.com/\(old)")
            #expect(try await send("GET", sim.baseURL, g() + "/invite").object["invite"] as? String == link, "reading does not reset")

            let reset = try await send("DELETE", sim.baseURL, g() + "/invite")
            #expect(reset.status == 200)
            let fresh = try #require(reset.object["invite"] as? String)
            #expect(fresh != link && fresh == "https://chat.whatsapp.com/\(world.currentInviteCode(session: T.alpha, group: T.teamAlpha) ?? "")")
            #expect(throws: JoinByCodeRefusal.invalidCode) { try world.join(code: link, as: T.outsider) }
            // Team Alpha needs approval: the new link makes a join request.
            #expect(try world.join(code: fresh, as: T.outsider) == .pending(session: T.alpha, group: T.teamAlpha))

            #expect(isError(try await send("GET", sim.baseURL, g(T.readers) + "/invite"), 403, "forbidden"))
            #expect(isError(try await send("DELETE", sim.baseURL, g(T.readers) + "/invite"), 403, "forbidden"))
            #expect(isError(try await send("GET", sim.baseURL, g(T.offlineGroup, session: T.offline) + "/invite"), 501, "not_implemented"))
            #expect(isError(try await send("GET", sim.baseURL, g(JID(kind: .group, user: "1203639")) + "/invite"), 404, "not_found"))
            #expect(isError(try await send("GET", sim.baseURL, g(session: "nobody") + "/invite"), 404, "not_found"))
            #expect(world.ledger().map(\.action) == ["invite-reset"])
        }
    }

    @Test func patchAppliesItsFieldsInOrderAndARefusalKeepsTheEarlierOnes() async throws {
        let world = tinyWorld()
        try await withSim(.v1, world: world) { sim async throws in
            let a = try await send("PATCH", sim.baseURL, g(), json: ["locked": true, "subject": "Team Alpha 🔒", "announce": true])
            #expect(a.status == 204 && a.body.isEmpty)
            #expect(world.settings(session: T.alpha, group: T.teamAlpha) == GroupSettings(announce: true, locked: true, adminsAdd: true, approval: true))
            let list = try await send("GET", sim.baseURL, "/api/v1/sessions/\(T.alpha)/groups")
            let team = try #require((list.object["data"] as? [[String: Any]])?.first)
            #expect(team["isAnnounce"] as? Bool == true && team["isLocked"] as? Bool == true && team["subject"] as? String == "Team Alpha 🔒")
            #expect(world.ledger().map(\.action) == ["subject", "settings", "settings"])

            // Readers: the session is only a member. Subject and description go through, announce is refused.
            let member = try await send("PATCH", sim.baseURL, g(T.readers), json: ["announce": true, "description": "nova", "subject": "Leitores"])
            #expect(isError(member, 403, "forbidden"))
            #expect(world.group(session: T.alpha, jid: T.readers)?.subject == "Leitores")
            #expect(world.group(session: T.alpha, jid: T.readers)?.description == "nova")
            #expect(world.settings(session: T.alpha, group: T.readers)?.announce == false)
            // Once the group is locked, a member cannot rename it.
            world.setSettings(GroupSettings(locked: true), session: T.alpha, group: T.readers)
            #expect(isError(try await send("PATCH", sim.baseURL, g(T.readers), json: ["subject": "Readers"]), 403, "forbidden"))
            #expect(world.group(session: T.alpha, jid: T.readers)?.subject == "Leitores")

            for bad: [String: Any] in [["announce": "yes"], ["subject": ""], ["locked": 1.5]] {
                #expect(isError(try await send("PATCH", sim.baseURL, g(), json: bad), 400, "validation_error"), "\(bad)")
            }
            #expect(isError(try await send("PATCH", sim.baseURL, g(T.offlineGroup, session: T.offline), json: ["announce": true]),
                            501, "not_implemented"))
            #expect(world.settings(session: T.offline, group: T.offlineGroup)?.announce == false)
        }
    }

    @Test func approvingMembersIsAlways501() async throws {
        try await withSim(.v1, world: tinyWorld()) { sim async throws in
            for path in [g(), g(T.offlineGroup, session: T.offline), g(session: "nobody"), g(JID(kind: .group, user: "1203639"))] {
                let a = try await send("POST", sim.baseURL, path + "/members:approve", json: ["participants": [T.requesters[0].string]])
                #expect(isError(a, 501, "not_implemented"), "\(path)")
            }
            #expect(try await send("POST", sim.baseURL, g() + "/members:approve", token: nil).status == 401)
            // Listing join requests is not a v1 route.
            let miss = try await send("GET", sim.baseURL, g() + "/members:pending")
            #expect(isError(miss, 404, "not_found"))
            #expect(isError(try await send("GET", sim.baseURL, g() + "/settings"), 404, "not_found"))
        }
    }

    @Test func aTextIsSentSyncOrAsyncAndAnIdempotencyKeyReplaysIt() async throws {
        let world = tinyWorld()
        try await withSim(.v1, world: world) { sim async throws in
            let body: [String: Any] = ["type": "text", "to": "+49 151 12345678", "text": "Olá! Você saiu do grupo."]
            let a = try await send("POST", sim.baseURL, messages(), json: body)
            #expect(a.status == 200 && a.object["mode"] as? String == "sync" && a.object["status"] as? String == "sent")
            let id = try #require(a.object["waMessageId"] as? String)
            #expect(a.object["timestamp"] is Int && a.object["replayed"] == nil)
            let sent = world.messages()
            #expect(sent.map(\.id) == [id] && sent.first?.chat == JID(kind: .user, user: "4915112345678"))

            // The admin view shows it.
            let seen = try await send("GET", sim.baseURL, "/_sim/messages?session=\(T.alpha)")
            let rows = try #require(seen.object["messages"] as? [[String: Any]])
            #expect(rows.map { $0["id"] as? String } == [id] && rows.first?["text"] as? String == "Olá! Você saiu do grupo.")

            // Replays: the first answer, marked, and nothing sent again.
            var request = URLRequest(url: try #require(URL(string: sim.baseURL.absoluteString + messages())))
            request.httpMethod = "POST"
            request.setValue("Bearer \(testToken)", forHTTPHeaderField: "Authorization")
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.setValue("exit-notice-42", forHTTPHeaderField: "Idempotency-Key")
            request.httpBody = try JSONSerialization.data(withJSONObject: ["type": "text", "to": T.outsider.string, "text": "Tchau"])
            let (d1, r1) = try await makeSession().data(for: request)
            let (d2, r2) = try await makeSession().data(for: request)
            let first = try #require(try JSONSerialization.jsonObject(with: d1) as? [String: Any])
            let second = try #require(try JSONSerialization.jsonObject(with: d2) as? [String: Any])
            #expect((r1 as? HTTPURLResponse)?.statusCode == 200 && (r2 as? HTTPURLResponse)?.statusCode == 200)
            #expect(first["replayed"] == nil && second["replayed"] as? Bool == true)
            #expect(first["waMessageId"] as? String == second["waMessageId"] as? String)
            #expect(world.messages().count == 2 && world.ledger().filter { $0.action == "send" }.count == 2)

            let queued = try await send("POST", sim.baseURL, messages() + "?async=true", json: ["type": "text", "to": T.readers.string, "text": "fila"])
            #expect(queued.status == 202 && queued.object["mode"] as? String == "async" && (queued.object["outboxId"] as? String)?.isEmpty == false)
            #expect(world.messages(chat: T.readers).count == 1)
        }
    }

    @Test func sendsFollowWhatsAppsRulesAndTheDocumentedTypes() async throws {
        let world = tinyWorld()
        world.setSettings(GroupSettings(announce: true), session: T.alpha, group: T.readers)
        try await withSim(.v1, world: world) { sim async throws in
            func post(_ json: [String: Any], session: String = T.alpha) async throws -> Answer {
                try await send("POST", sim.baseURL, messages(session), json: json)
            }
            #expect(isError(try await post(["type": "text", "to": T.readers.string, "text": "olá"]), 403, "forbidden"))
            #expect(try await post(["type": "text", "to": T.teamAlpha.string, "text": "olá"]).status == 200)
            #expect(isError(try await post(["type": "text", "to": T.offlineGroup.string, "text": "olá"]), 404, "not_found"))
            #expect(isError(try await post(["type": "text", "to": T.outsider.string, "text": "olá"], session: T.offline), 501, "not_implemented"))
            #expect(isError(try await post(["type": "text", "to": T.outsider.string, "text": "olá"], session: "nobody"), 404, "not_found"))
            for type in ["poll", "location", "contact", "carousel"] {
                #expect(isError(try await post(["type": type, "to": T.outsider.string]), 400, "validation_error"), "\(type)")
            }
            for type in ["image", "video", "audio", "document", "sticker"] {
                #expect(isError(try await post(["type": type, "to": T.outsider.string]), 501, "not_implemented"), "\(type)")
            }
            #expect(isError(try await post(["type": "text", "to": "nobody", "text": "x"]), 400, "validation_error"))
            #expect(isError(try await post(["type": "text", "to": T.outsider.string]), 400, "validation_error"))
            #expect(world.messages().count == 1)
        }
    }

    @Test func theInviteLinkCountsAgainstTheRateLimit() async throws {
        let world = World.fixture(.tiny, options: WorldOptions(ratePerMinute: 10, burst: 1, clock: .manual(ManualTime())))
        try await withSim(.v1, world: world) { sim async throws in
            #expect(try await send("GET", sim.baseURL, g() + "/invite").status == 200)
            let limited = try await send("GET", sim.baseURL, g() + "/invite")
            #expect(isError(limited, 429, "rate_limited") && limited.header("Retry-After") == "6")
            // A queued send is not limited; a synchronous one is.
            let body: [String: Any] = ["type": "text", "to": T.outsider.string, "text": "x"]
            #expect(try await send("POST", sim.baseURL, messages() + "?async", json: body).status == 202)
            #expect(try await send("POST", sim.baseURL, messages(), json: body).status == 429)
        }
    }
}
