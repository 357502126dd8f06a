import Foundation
import GatewayKit
import TestSupport
@testable import GatewaySim
import Testing

@Suite struct V1RouteTests {
    let groupsPath = "/api/v1/sessions/\(T.alpha)/groups"
    func membersPath(_ g: JID = T.teamAlpha, session: String = T.alpha) -> String {
        "/api/v1/sessions/\(session)/groups/\(enc(g))/members"
    }
    func errorCode(_ a: Answer) -> String? { (a.object["error"] as? [String: Any])?["code"] as? String }

    @Test func authFailuresAre401WithV1Shape() async throws {
        try await withSim(.v1, world: tinyWorld()) { sim async throws in
            for token in [nil, "wrong", testToken + "x"] as [String?] {
                let a = try await send("GET", sim.baseURL, "/api/v1/sessions", token: token)
                #expect(a.status == 401)
                #expect(errorCode(a) == "unauthorized")
                let error = try #require(a.object["error"] as? [String: Any])
                #expect(error["details"] is [String: Any] && error["message"] is String)
                #expect(!a.text.contains(testToken))
            }
        }
    }

    @Test func listsSessionsWithContractFields() async throws {
        try await withSim(.v1, world: tinyWorld()) { sim async throws in
            let a = try await send("GET", sim.baseURL, "/api/v1/sessions")
            #expect(a.status == 200)
            #expect(a.object["nextCursor"] is NSNull)
            let rows = try #require(a.object["data"] as? [[String: Any]])
            #expect(rows.map { $0["id"] as? String } == [T.alpha, T.offline])
            #expect(rows[0]["status"] as? String == "working" && rows[1]["status"] as? String != "working")
            #expect(rows[0]["waJid"] as? String == T.alphaAccount.string)
            #expect(rows[0]["waLid"] as? String == T.alphaLID.string)
            #expect(rows[0]["phoneNumber"] as? String == "5511900000001")
            for key in ["label", "ratePerMin", "ratePerHour", "lastConnectedAt"] { #expect(rows[0][key] != nil, "\(key)") }
        }
    }

    @Test func groupsArePaginatedWithCursors() async throws {
        let world = tinyWorld()
        world.setPageSizes(groups: 2)
        try await withSim(.v1, world: world) { sim async throws in
            let first = try await send("GET", sim.baseURL, groupsPath)
            let rows = try #require(first.object["data"] as? [[String: Any]])
            #expect(rows.map { $0["groupJid"] as? String } == [T.teamAlpha.string, T.readers.string])
            #expect(rows[0]["ownerJid"] as? String == T.creator.string)
            #expect(rows[0]["participantCount"] as? Int == T.teamAlphaSize)
            #expect(rows[0]["subject"] as? String == "Team Alpha")
            let cursor = try #require(first.object["nextCursor"] as? String)
            #expect(!cursor.isEmpty)
            let second = try await send("GET", sim.baseURL, groupsPath + "?cursor=\(cursor)")
            #expect((second.object["data"] as? [[String: Any]])?.map { $0["groupJid"] as? String } == [T.ours.string])
            #expect(second.object["nextCursor"] as? String == "")
            let bad = try await send("GET", sim.baseURL, groupsPath + "?cursor=garbage")
            #expect(bad.status == 400 && errorCode(bad) == "validation_error")
        }
    }

    @Test func membersTakePercentEncodedOrPlainJIDsAndPage() async throws {
        let world = tinyWorld()
        world.setPageSizes(members: 4)
        try await withSim(.v1, world: world) { sim async throws in
            var all: [[String: Any]] = []
            var path = membersPath()
            while true {
                let a = try await send("GET", sim.baseURL, path)
                #expect(a.status == 200)
                all += a.object["data"] as? [[String: Any]] ?? []
                guard let next = a.object["nextCursor"] as? String, !next.isEmpty, all.count < 100 else { break }
                path = membersPath() + "?cursor=\(next)"
            }
            #expect(all.count == T.teamAlphaSize)
            #expect(all.first?["role"] as? String == "admin")  // the creator is an admin row; ownerJid names it
            let hidden = try #require(all.last)
            #expect(hidden["jid"] is NSNull && hidden["lid"] as? String == T.lidOnlyMember.string)
            #expect(all[3]["tag"] as? String == "~Carla Dias" && all[3]["sessionId"] as? String == T.alpha)
            let plain = try await send("GET", sim.baseURL, "/api/v1/sessions/\(T.alpha)/groups/\(T.teamAlpha.string)/members")
            #expect(plain.status == 200 && (plain.object["data"] as? [Any])?.count == 4)
        }
    }

    @Test func removeIsIdempotentAndRespectsRules() async throws {
        let world = tinyWorld()
        try await withSim(.v1, world: world) { sim async throws in
            let carla = T.plainMembers[0]
            let a = try await send("DELETE", sim.baseURL, membersPath() + "/\(enc(carla))")
            #expect(a.status == 204 && a.body.isEmpty)
            #expect(world.members(session: T.alpha, group: T.teamAlpha)?.contains { $0.matches(carla) } == false)
            #expect(try await send("DELETE", sim.baseURL, membersPath() + "/\(enc(carla))").status == 204)
            let lid = try await send("DELETE", sim.baseURL, membersPath() + "/\(enc(T.lidOnlyMember))")
            #expect(lid.status == 204)
            #expect(world.members(session: T.alpha, group: T.teamAlpha)?.count == T.teamAlphaSize - 2)

            let creator = try await send("DELETE", sim.baseURL, membersPath() + "/\(enc(T.creator))")
            #expect(creator.status == 403 && errorCode(creator) == "forbidden")
            let me = try await send("DELETE", sim.baseURL, membersPath() + "/\(enc(T.alphaAccount))")
            #expect(me.status == 400 && errorCode(me) == "validation_error")
            let notAdmin = try await send("DELETE", sim.baseURL, membersPath(T.readers) + "/\(enc(T.plainMembers[1]))")
            #expect(notAdmin.status == 403 && errorCode(notAdmin) == "forbidden")
            let offline = try await send("DELETE", sim.baseURL, membersPath(T.offlineGroup, session: T.offline) + "/\(enc(carla))")
            #expect(offline.status == 501 && errorCode(offline) == "not_implemented")
            let noSession = try await send("DELETE", sim.baseURL, membersPath(session: "01NOPE") + "/\(enc(carla))")
            #expect(noSession.status == 404 && errorCode(noSession) == "not_found")
            let noGroup = try await send("DELETE", sim.baseURL, membersPath(JID(kind: .group, user: "1203639")) + "/\(enc(carla))")
            #expect(noGroup.status == 404 && errorCode(noGroup) == "not_found")
            let malformed = try await send("DELETE", sim.baseURL, membersPath() + "/not-a-jid")
            #expect(malformed.status == 400 && errorCode(malformed) == "validation_error")
        }
    }

    @Test func listsWorkWhileOffline() async throws {
        try await withSim(.v1, world: tinyWorld()) { sim async throws in
            let a = try await send("GET", sim.baseURL, "/api/v1/sessions/\(T.offline)/groups")
            #expect(a.status == 200 && (a.object["data"] as? [Any])?.count == 1)
            let m = try await send("GET", sim.baseURL, membersPath(T.offlineGroup, session: T.offline))
            #expect(m.status == 200 && (m.object["data"] as? [Any])?.count == 2)
        }
    }

    @Test func addPromoteDemote() async throws {
        let world = tinyWorld()
        try await withSim(.v1, world: world) { sim async throws in
            let add = try await send("POST", sim.baseURL, membersPath(),
                                     json: ["participants": [T.outsider.string, T.notOnWhatsApp.string, T.plainMembers[0].string]])
            #expect(add.status == 204)
            #expect(world.members(session: T.alpha, group: T.teamAlpha)?.contains { $0.matches(T.outsider) } == true)
            let empty = try await send("POST", sim.baseURL, membersPath(), json: ["participants": [String]()])
            #expect(empty.status == 400 && errorCode(empty) == "validation_error")
            let bad = try await send("POST", sim.baseURL, membersPath(), json: ["participants": ["x@y"]])
            #expect(bad.status == 400)

            let promote = try await send("POST", sim.baseURL, membersPath() + "/\(enc(T.outsider))/promote")
            #expect(promote.status == 204)
            #expect(world.members(session: T.alpha, group: T.teamAlpha)?.first { $0.matches(T.outsider) }?.role == .admin)
            #expect(try await send("POST", sim.baseURL, membersPath() + "/\(enc(T.outsider))/promote").status == 204)
            #expect(try await send("POST", sim.baseURL, membersPath() + "/\(enc(T.outsider))/demote").status == 204)
            #expect(try await send("POST", sim.baseURL, membersPath() + "/\(enc(T.outsider))/demote").status == 204)
            let creator = try await send("POST", sim.baseURL, membersPath() + "/\(enc(T.creator))/demote")
            #expect(creator.status == 403)
            let stranger = try await send("POST", sim.baseURL, membersPath() + "/\(enc(JID(kind: .user, user: "5511977777777")))/demote")
            #expect(stranger.status == 404 && errorCode(stranger) == "not_found")
        }
    }

    @Test func leaveIsASuffixOfTheGroupSegment() async throws {
        let world = tinyWorld()
        try await withSim(.v1, world: world) { sim async throws in
            let a = try await send("POST", sim.baseURL, "/api/v1/sessions/\(T.alpha)/groups/\(enc(T.readers)):leave")
            #expect(a.status == 204)
            #expect(world.group(session: T.alpha, jid: T.readers) == nil)
            let again = try await send("POST", sim.baseURL, "/api/v1/sessions/\(T.alpha)/groups/\(enc(T.readers)):leave")
            #expect(again.status == 404 && errorCode(again) == "not_found")
            // The owner may leave on v1.
            let ours = try await send("POST", sim.baseURL, "/api/v1/sessions/\(T.alpha)/groups/\(T.ours.string)%3Aleave")
            #expect(ours.status == 204)
            let noSuffix = try await send("POST", sim.baseURL, "/api/v1/sessions/\(T.alpha)/groups/\(enc(T.teamAlpha))")
            #expect(noSuffix.status == 404)
        }
    }

    @Test func rateLimitAnswers429WithRetryAfter() async throws {
        let time = ManualTime()
        let world = World.fixture(.tiny, options: WorldOptions(ratePerMinute: 2, burst: 1, clock: .manual(time)))
        try await withSim(.v1, world: world) { sim async throws in
            let path = membersPath() + "/\(enc(T.otherAdmin))/promote"
            #expect(try await send("POST", sim.baseURL, path).status == 204)
            let limited = try await send("POST", sim.baseURL, path)
            #expect(limited.status == 429 && errorCode(limited) == "rate_limited")
            #expect(limited.header("Retry-After") == "30")
            // Reads are not limited.
            #expect(try await send("GET", sim.baseURL, membersPath()).status == 200)
            time.advance(30)
            #expect(try await send("POST", sim.baseURL, path).status == 204)
        }
    }

    @Test func unknownRouteIs404() async throws {
        try await withSim(.v1, world: tinyWorld()) { sim async throws in
            let a = try await send("GET", sim.baseURL, "/api/v2/sessions")
            #expect(a.status == 404 && errorCode(a) == "not_found")
            let b = try await send("PUT", sim.baseURL, "/api/v1/sessions")
            #expect(b.status == 404)
        }
    }
}
