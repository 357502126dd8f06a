import Foundation
import GatewayKit
import TestSupport
@testable import GatewaySim
import Testing

@Suite struct WasendRouteTests {
    func base(_ g: JID = T.teamAlpha, session: String = T.alpha) -> String { "/\(session)/groups/\(g.string)" }
    func ids(_ rows: Any?) -> [String] { (rows as? [[String: Any]])?.compactMap { $0["id"] as? String } ?? [] }
    func data(_ a: Answer) -> [String: Any] { a.object["data"] as? [String: Any] ?? [:] }
    func isWasendError(_ a: Answer) -> Bool { a.object["success"] as? Bool == false && a.object["error"] is String }

    @Test func authFailureIs401() async throws {
        try await withSim(.wasend, world: tinyWorld()) { sim async throws in
            for token in [nil, "nope"] as [String?] {
                let a = try await send("GET", sim.baseURL, "/sessions", token: token)
                #expect(a.status == 401 && isWasendError(a))
            }
        }
    }

    @Test func sessionsHaveNestedSessionAndDownstream() async throws {
        try await withSim(.wasend, world: tinyWorld()) { sim async throws in
            let a = try await send("GET", sim.baseURL, "/sessions")
            let rows = try #require(a.object["sessions"] as? [[String: Any]])
            #expect(rows.count == 2)
            let session = try #require(rows[0]["session"] as? [String: Any])
            #expect(session["uniqueSessionId"] as? String == T.alpha && session["phoneNumber"] as? String == "+5511900000001")
            for key in ["id", "userId", "sessionName", "status", "enableAccountProtection", "enableMessageLogging",
                        "enableWebhook", "createdAt", "updatedAt"] { #expect(session[key] != nil, "\(key)") }
            let statuses = rows.map { ($0["downstream"] as? [String: Any])?["status"] as? String }
            #expect(statuses == ["WORKING", "SCAN_QR_CODE"])
            let downstream = try #require(rows[0]["downstream"] as? [String: Any])
            #expect((downstream["config"] as? [String: Any])?["proxy"] is NSNull)
            #expect(((downstream["engine"] as? [String: Any])?["gows"] as? [String: Any])?["connected"] as? Bool == true)
        }
    }

    @Test func groupsAreABareArrayWithEveryFieldAndPaging() async throws {
        try await withSim(.wasend, world: tinyWorld()) { sim async throws in
            let all = try await send("GET", sim.baseURL, "/\(T.alpha)/groups")
            #expect(all.status == 200 && all.array.count == 3)
            let fields = ["jid", "ownerJid", "ownerPn", "name", "nameSetAt", "nameSetBy", "nameSetByPn", "topic", "topicId",
                          "topicSetAt", "topicSetBy", "topicSetByPn", "topicDeleted", "isLocked", "isAnnounce",
                          "announceVersionId", "isEphemeral", "disappearingTimer", "isIncognito", "isParent",
                          "defaultMembershipApprovalMode", "linkedParentJid", "isDefaultSubGroup", "isJoinApprovalRequired",
                          "addressingMode", "groupCreated", "creatorCountryCode", "participantVersionId", "memberAddMode",
                          "participants"]
            let team = try #require(all.array.first)
            #expect(Set(team.keys) == Set(fields))
            #expect(team["ownerPn"] as? String == "+5511900000010" && (team["participants"] as? [Any])?.count == T.teamAlphaSize)
            let page = try await send("GET", sim.baseURL, "/\(T.alpha)/groups?limit=1&offset=1&sortBy=subject&sortOrder=asc")
            #expect(page.array.map { $0["name"] as? String } == ["Readers 📚"])
            let desc = try await send("GET", sim.baseURL, "/\(T.alpha)/groups?limit=50&offset=0&sortBy=subject&sortOrder=desc")
            #expect(desc.array.map { $0["name"] as? String } == ["Team Alpha", "Readers 📚", "Ours ✨"])
            let count = try await send("GET", sim.baseURL, "/\(T.alpha)/groups/count")
            #expect(count.object["total"] as? Int == 3)
            let bad = try await send("GET", sim.baseURL, "/\(T.alpha)/groups?limit=-1")
            #expect(bad.status == 400 && isWasendError(bad))
        }
    }

    @Test func participantsAreABareArray() async throws {
        try await withSim(.wasend, world: tinyWorld()) { sim async throws in
            let a = try await send("GET", sim.baseURL, base() + "/participants")
            #expect(a.status == 200 && a.array.count == T.teamAlphaSize)
            let creator = try #require(a.array.first)
            #expect(creator["jid"] as? String == T.creator.cUs && creator["isSuperAdmin"] as? Bool == true)
            #expect(creator["isAdmin"] as? Bool == true && creator["displayName"] as? String == "Ana Souza")
            let hidden = try #require(a.array.last)
            #expect(hidden["jid"] as? String == T.lidOnlyMember.string && hidden["phoneNumber"] as? String == "")
            // The group id may come percent-encoded.
            let encoded = try await send("GET", sim.baseURL, "/\(T.alpha)/groups/\(enc(T.teamAlpha))/participants")
            #expect(encoded.array.count == T.teamAlphaSize)
        }
    }

    @Test func removeListsOnlyWhoReallyWentInBothForms() async throws {
        let world = tinyWorld()
        try await withSim(.wasend, world: world) { sim async throws in
            let a = try await send("DELETE", sim.baseURL, base() + "/participants",
                                   json: ["participants": [T.plainMembers[0].string, "5511977777777@s.whatsapp.net", T.creator.string]])
            #expect(a.status == 200 && a.object["success"] as? Bool == true)
            #expect(ids(a.object["removed"]) == [T.plainMembers[0].string])
            #expect(a.object["message"] as? String == "Selected participants were successfully removed.")
            let sdk = try await send("POST", sim.baseURL, base() + "/participants/remove", json: ["participants": ["+5511900000013"]])
            #expect(ids(sdk.object["removed"]) == [T.plainMembers[1].string])
            let none = try await send("DELETE", sim.baseURL, base() + "/participants",
                                      json: ["participants": [T.creator.string, T.plainMembers[0].string]])
            #expect(none.status == 422 && isWasendError(none))
            let missing = try await send("DELETE", sim.baseURL, base() + "/participants", json: ["notify": true])
            #expect(missing.status == 400 && isWasendError(missing))
            #expect(world.members(session: T.alpha, group: T.teamAlpha)?.count == T.teamAlphaSize - 2)
        }
    }

    @Test func addPromoteDemoteRowBodies() async throws {
        try await withSim(.wasend, world: tinyWorld()) { sim async throws in
            let add = try await send("POST", sim.baseURL, base() + "/participants/add",
                                     json: ["participants": [T.outsider.string, T.plainMembers[0].string], "notify": true])
            #expect(add.status == 200)
            #expect(ids(data(add)["added"]) == [T.outsider.string])
            #expect((data(add)["failed"] as? [[String: Any]])?.first?["reason"] as? String == "ALREADY_IN_GROUP")
            #expect((data(add)["added"] as? [[String: Any]])?.first?["reason"] as? String == "SUCCESS")

            let promote = try await send("POST", sim.baseURL, base() + "/participants/promote", json: ["participants": [T.outsider.string]])
            #expect(ids(promote.object["promoted"]) == [T.outsider.string])
            #expect((promote.object["promoted"] as? [[String: Any]])?.first?["isAdmin"] as? Bool == true)
            let sdkPromote = try await send("POST", sim.baseURL, base() + "/admin/promote", json: ["participants": [T.plainMembers[1].string]])
            #expect(ids(sdkPromote.object["promoted"]) == [T.plainMembers[1].string])
            let nobody = try await send("POST", sim.baseURL, base() + "/admin/promote", json: ["participants": ["5511977777777"]])
            #expect(nobody.status == 404 && isWasendError(nobody))

            let demote = try await send("POST", sim.baseURL, base() + "/participants/demote",
                                        json: ["participants": [T.outsider.string, T.plainMembers[2].string, "5511977777777"]])
            #expect(ids(data(demote)["demoted"]) == [T.outsider.string])
            let failed = (data(demote)["failed"] as? [[String: Any]])?.compactMap { $0["reason"] as? String }
            #expect(failed == ["NOT_ADMIN", "NOT_FOUND"])
            let sdkDemote = try await send("POST", sim.baseURL, base() + "/admin/demote", json: ["participants": [T.plainMembers[1].string]])
            #expect(ids((sdkDemote.object["data"] as? [String: Any])?["demoted"]) == [T.plainMembers[1].string])
        }
    }

    @Test func pathFormSwitchServesOnlyOneForm() async throws {
        let world = tinyWorld()
        try await withSim(.wasend, world: world) { sim async throws in
            world.setWasendPathForms(.documented)
            let sdk = try await send("POST", sim.baseURL, base() + "/participants/remove", json: ["participants": [T.plainMembers[0].string]])
            #expect(sdk.status == 404)
            #expect(sdk.object["message"] as? String == "Cannot POST \(base())/participants/remove")
            #expect(sdk.object["error"] as? String == "Not Found" && sdk.object["statusCode"] as? Int == 404)
            #expect(try await send("POST", sim.baseURL, base() + "/admin/promote", json: ["participants": [T.plainMembers[0].string]]).status == 404)
            #expect(try await send("POST", sim.baseURL, base() + "/participants/promote", json: ["participants": [T.plainMembers[0].string]]).status == 200)

            world.setWasendPathForms(.sdk)
            let doc = try await send("DELETE", sim.baseURL, base() + "/participants", json: ["participants": [T.plainMembers[0].string]])
            #expect(doc.status == 404 && doc.object["message"] as? String == "Cannot DELETE \(base())/participants")
            #expect(try await send("POST", sim.baseURL, base() + "/participants/demote", json: ["participants": [T.plainMembers[0].string]]).status == 404)
            #expect(try await send("POST", sim.baseURL, base() + "/admin/demote", json: ["participants": [T.plainMembers[0].string]]).status == 200)
            #expect(try await send("POST", sim.baseURL, base() + "/participants/remove", json: ["participants": [T.plainMembers[0].string]]).status == 200)
            // add and the lists are the same in both forms.
            #expect(try await send("GET", sim.baseURL, base() + "/participants").status == 200)
        }
    }

    @Test func leaveRules() async throws {
        try await withSim(.wasend, world: tinyWorld()) { sim async throws in
            let owner = try await send("POST", sim.baseURL, base(T.ours) + "/leave")
            #expect(owner.status == 403 && isWasendError(owner))
            let ok = try await send("POST", sim.baseURL, base(T.readers) + "/leave")
            #expect(ok.status == 200 && ok.object["message"] as? String == "Successfully left the group.")
            let again = try await send("POST", sim.baseURL, base(T.readers) + "/leave")
            #expect(again.status == 403 && isWasendError(again))
            let unknown = try await send("POST", sim.baseURL, base(JID(kind: .group, user: "1203639")) + "/leave")
            #expect(unknown.status == 404 && isWasendError(unknown))
            let badId = try await send("POST", sim.baseURL, "/\(T.alpha)/groups/abc@g.us/leave")
            #expect(badId.status == 400)
        }
    }

    @Test func sessionAndAdminRefusals() async throws {
        try await withSim(.wasend, world: tinyWorld()) { sim async throws in
            let offline = try await send("DELETE", sim.baseURL, base(T.offlineGroup, session: T.offline) + "/participants",
                                         json: ["participants": [T.plainMembers[0].string]])
            #expect(offline.status == 422 && isWasendError(offline))
            #expect((offline.object["message"] as? String)?.contains("WORKING") == true)
            let notAdmin = try await send("DELETE", sim.baseURL, base(T.readers) + "/participants",
                                          json: ["participants": [T.plainMembers[0].string]])
            #expect(notAdmin.status == 403 && isWasendError(notAdmin))
            let noSession = try await send("GET", sim.baseURL, "/NOPE/groups")
            #expect(noSession.status == 404 && isWasendError(noSession))
            let unknown = try await send("POST", sim.baseURL, "/x")
            #expect(unknown.status == 404)
            #expect(unknown.object["message"] as? String == "Cannot POST /x" && unknown.object["statusCode"] as? Int == 404)
        }
    }

    @Test func rateLimit429() async throws {
        let world = World.fixture(.tiny, options: WorldOptions(ratePerMinute: 10, burst: 2, clock: .manual(ManualTime())))
        try await withSim(.wasend, world: world) { sim async throws in
            let body = ["participants": [T.otherAdmin.string]]
            #expect(try await send("POST", sim.baseURL, base() + "/participants/promote", json: body).status == 200)
            #expect(try await send("POST", sim.baseURL, base() + "/participants/promote", json: body).status == 200)
            let limited = try await send("POST", sim.baseURL, base() + "/participants/promote", json: body)
            #expect(limited.status == 429 && isWasendError(limited) && limited.header("Retry-After") == "6")
            #expect(world.stats(session: T.alpha) == SimSessionStats(mutationsServed: 2, rateLimited: 1))
        }
    }
}
