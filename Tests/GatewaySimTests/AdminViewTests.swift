import Foundation
import GatewayKit
import TestSupport
@testable import GatewaySim
import Testing

/// The emulator's admin view (`/_sim/…`): not part of any gateway's API; the server's token;
/// never touched by faults.
@Suite struct AdminViewTests {
    @Test func everyDialectServesItAndRefusesAWrongToken() async throws {
        for dialect in Dialect.allCases {
            let world = tinyWorld()
            try await withSim(dialect, world: world) { sim async throws in
                for token in [nil, "wrong", testToken + "x"] as [String?] {
                    let a = try await send("GET", sim.baseURL, "/_sim/ledger", token: token)
                    #expect(a.status == 401, "\(dialect.rawValue)")
                    #expect(!a.text.contains(testToken))
                }
                let a = try await send("GET", sim.baseURL, "/_sim/ledger")
                #expect(a.status == 200, "\(dialect.rawValue)")
                #expect((a.object["changes"] as? [Any])?.isEmpty == true, "\(dialect.rawValue)")
                #expect(try await send("GET", sim.baseURL, "/_sim/nothing-here").status == 404)
            }
        }
    }

    @Test func faultsNeverTouchIt() async throws {
        let world = tinyWorld()
        try await withSim(.v1, world: world) { sim async throws in
            world.updateFaults { f in
                f.dropNext = 3; f.htmlNext = 3; f.serverErrorNext = 3; f.rateLimitNext = 3
                f.serverErrorRate = 0.2; f.rateLimitRate = 0.2; f.dropRate = 0.2; f.truncatedRate = 0.2
                f.htmlRate = 0.1; f.stallRate = 0.1; f.stallMs = 20_000; f.latencyMs = 0
            }
            for path in ["/_sim/sessions", "/_sim/ledger", "/_sim/arrivals", "/_sim/faults",
                         "/_sim/members?session=\(T.alpha)&group=\(enc(T.teamAlpha))"] {
                for _ in 0..<3 {
                    let a = try await send("GET", sim.baseURL, path)
                    #expect(a.status == 200 && !a.object.isEmpty, "\(path)")
                }
            }
            let f = world.faults
            #expect(f.dropNext == 3 && f.htmlNext == 3 && f.serverErrorNext == 3 && f.rateLimitNext == 3)
            #expect(world.arrivalCount == 0)
        }
    }

    @Test func sessionsMembersAndLedger() async throws {
        let world = tinyWorld()
        try await withSim(.wasend, world: world) { sim async throws in
            let sessions = try #require(try await send("GET", sim.baseURL, "/_sim/sessions").object["sessions"] as? [[String: Any]])
            #expect(sessions.map { $0["id"] as? String } == [T.alpha, T.offline])
            #expect(sessions[0]["account"] as? String == T.alphaAccount.string && sessions[0]["lid"] as? String == T.alphaLID.string)
            #expect(sessions[0]["label"] as? String == T.alphaLabel)
            #expect(sessions[0]["connected"] as? Bool == true && sessions[1]["connected"] as? Bool == false)
            let groups = try #require(sessions[0]["groups"] as? [[String: Any]])
            #expect(groups.map { $0["jid"] as? String } == [T.teamAlpha.string, T.readers.string, T.ours.string])
            #expect(groups[0]["subject"] as? String == "Team Alpha" && groups[0]["size"] as? Int == T.teamAlphaSize)

            let path = "/_sim/members?session=\(T.alpha)&group=\(enc(T.teamAlpha))"
            let members = try #require(try await send("GET", sim.baseURL, path).object["members"] as? [[String: Any]])
            #expect(members.count == T.teamAlphaSize)
            #expect(members[0]["id"] as? String == T.creator.string && members[0]["role"] as? String == "superadmin")
            #expect(members[0]["phone"] as? String == T.creator.string && members[0]["lid"] as? String == T.lidOf(T.creator).string)
            #expect(members.last?["id"] as? String == T.lidOnlyMember.string && members.last?["phone"] is NSNull)
            // Plain `@` works too.
            #expect(try await send("GET", sim.baseURL, "/_sim/members?session=\(T.alpha)&group=\(T.teamAlpha.string)").status == 200)
            for bad in ["/_sim/members?session=nobody&group=\(enc(T.teamAlpha))",
                        "/_sim/members?session=\(T.alpha)&group=\(enc(T.offlineGroup))"] {
                let a = try await send("GET", sim.baseURL, bad)
                #expect(a.status == 404 && a.object["error"] is String)
            }
            #expect(try await send("GET", sim.baseURL, "/_sim/members?session=\(T.alpha)").status == 400)

            let removed = try await send("DELETE", sim.baseURL, "/\(T.alpha)/groups/\(T.teamAlpha.string)/participants",
                                         json: ["participants": [T.plainMembers[0].string, T.plainMembers[0].string]])
            #expect(removed.status == 200)
            let changes = try #require(try await send("GET", sim.baseURL, "/_sim/ledger").object["changes"] as? [[String: Any]])
            #expect(changes.count == 1)
            #expect(changes.first?["action"] as? String == "remove" && changes.first?["target"] as? String == T.plainMembers[0].string)
            #expect(changes.first?["session"] as? String == T.alpha && changes.first?["group"] as? String == T.teamAlpha.string)
            #expect(changes.first?["seq"] as? Int == 1 && changes.first?["at"] is Double)
            let since = try await send("GET", sim.baseURL, "/_sim/ledger?since=1")
            #expect((since.object["changes"] as? [Any])?.isEmpty == true)

            let arrivals = try #require(try await send("GET", sim.baseURL, "/_sim/arrivals").object["arrivals"] as? [[String: Any]])
            #expect(arrivals.count == 1 && arrivals.first?["method"] as? String == "DELETE")
        }
    }

    @Test func faultsAreSwitchedOnAndOff() async throws {
        let world = tinyWorld()
        try await withSim(.waha, world: world) { sim async throws in
            world.updateFaults { $0.htmlNext = 2 }
            let on = try await send("POST", sim.baseURL, "/_sim/faults",
                                    json: ["rates": ["5xx": 1, "stall": 0.25], "stallMs": 8000, "mutationsOnly": true])
            #expect(on.status == 200)
            #expect((on.object["rates"] as? [String: Any])?["5xx"] as? Double == 1)
            var f = world.faults
            #expect(f.serverErrorRate == 1 && f.stallRate == 0.25 && f.stallMs == 8000 && f.ratesOnMutationsOnly)
            #expect(f.htmlNext == 2, "the counters are not rates")
            // Replaces every share: those not named become 0.
            _ = try await send("POST", sim.baseURL, "/_sim/faults", json: ["rates": ["429": 0.5]])
            f = world.faults
            #expect(f.serverErrorRate == 0 && f.stallRate == 0 && f.rateLimitRate == 0.5 && !f.ratesOnMutationsOnly)
            #expect(f.stallMs == 8000)
            for body in [["rates": ["boom": 0.1]], ["rates": ["5xx": 2]], ["rates": ["5xx": "x"]], ["stallMs": -1],
                         ["mutationsOnly": "yes"]] as [[String: Any]] {
                let a = try await send("POST", sim.baseURL, "/_sim/faults", json: body)
                #expect(a.status == 400 && a.object["error"] is String, "\(body)")
            }
            #expect(world.faults.rateLimitRate == 0.5, "a refused change changes nothing")
            _ = try await send("POST", sim.baseURL, "/_sim/faults", json: ["rates": [String: Any]()])
            #expect(!world.faults.anyRate)
        }
    }

    @Test func sessionsAreReconnected() async throws {
        let world = tinyWorld()
        try await withSim(.v1, world: world) { sim async throws in
            let a = try await send("POST", sim.baseURL, "/_sim/connected", json: ["session": T.offline, "connected": true])
            #expect(a.status == 200)
            #expect(world.session(T.offline)?.connected == true)
            _ = try await send("POST", sim.baseURL, "/_sim/connected", json: ["session": T.alpha, "connected": false])
            #expect(world.session(T.alpha)?.connected == false)
            #expect(try await send("POST", sim.baseURL, "/_sim/connected", json: ["session": "nobody", "connected": true]).status == 404)
            #expect(try await send("POST", sim.baseURL, "/_sim/connected", json: ["session": T.alpha]).status == 400)
        }
    }
}
