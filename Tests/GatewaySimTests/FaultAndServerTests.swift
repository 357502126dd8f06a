import Foundation
import GatewayKit
import TestSupport
@testable import GatewaySim
import Testing

@Suite struct FaultAndServerTests {
    @Test func htmlFaultAnswersAProxyPageThenRecovers() async throws {
        let world = tinyWorld()
        try await withSim(.v1, world: world) { sim async throws in
            world.updateFaults { $0.htmlNext = 1 }
            let a = try await send("GET", sim.baseURL, "/api/v1/sessions")
            #expect(a.status == 502)
            #expect(a.header("Content-Type")?.hasPrefix("text/html") == true)
            #expect(a.text == "<html><body>502 Bad Gateway</body></html>")
            #expect(try await send("GET", sim.baseURL, "/api/v1/sessions").status == 200)
            #expect(world.faults.htmlNext == 0)
        }
    }

    @Test func dropClosesTheConnectionWithoutAnswer() async throws {
        let world = tinyWorld()
        try await withSim(.wasend, world: world) { sim async throws in
            world.updateFaults { $0.dropNext = 1 }
            await #expect(throws: (any Error).self) { _ = try await send("GET", sim.baseURL, "/sessions") }
            #expect(try await send("GET", sim.baseURL, "/sessions").status == 200)
        }
    }

    @Test func serverErrorsInTheDialectsShape() async throws {
        let world = tinyWorld()
        try await withSim(.wasend, world: world) { sim async throws in
            world.updateFaults { $0.serverErrorNext = 2; $0.serverErrorStatus = 503 }
            for _ in 0..<2 {
                let a = try await send("GET", sim.baseURL, "/sessions")
                #expect(a.status == 503 && a.object["success"] as? Bool == false)
            }
            #expect(try await send("GET", sim.baseURL, "/sessions").status == 200)
            world.updateFaults { $0.serverErrorRate = 1; $0.serverErrorStatus = 500 }
            #expect(try await send("GET", sim.baseURL, "/sessions").status == 500)
            world.setFaults(.none)
            #expect(try await send("GET", sim.baseURL, "/sessions").status == 200)
        }
        try await withSim(.v1, world: world) { sim async throws in
            world.updateFaults { $0.serverErrorNext = 1 }
            let a = try await send("GET", sim.baseURL, "/api/v1/sessions")
            #expect(a.status == 500 && (a.object["error"] as? [String: Any])?["code"] is String)
        }
    }

    @Test func rateLimitStormCarriesRetryAfter() async throws {
        let world = tinyWorld()
        try await withSim(.v1, world: world) { sim async throws in
            world.updateFaults { $0.rateLimitNext = 1; $0.rateLimitRetryAfter = 3 }
            let a = try await send("GET", sim.baseURL, "/api/v1/sessions")
            #expect(a.status == 429 && a.header("Retry-After") == "3")
            #expect(((a.object["error"] as? [String: Any])?["code"] as? String) == "rate_limited")
        }
    }

    @Test func latencyDelaysTheAnswer() async throws {
        let world = tinyWorld()
        try await withSim(.v1, world: world) { sim async throws in
            world.updateFaults { $0.latencyMs = 150 }
            let start = ContinuousClock.now
            #expect(try await send("GET", sim.baseURL, "/api/v1/sessions").status == 200)
            #expect(ContinuousClock.now - start >= .milliseconds(150))  // a lower bound only
        }
    }

    @Test func sessionDisconnectsMidOperation() async throws {
        let world = tinyWorld()
        try await withSim(.v1, world: world) { sim async throws in
            world.updateFaults { $0.disconnectAfterMutations = [T.alpha: 1] }
            let path = "/api/v1/sessions/\(T.alpha)/groups/\(enc(T.teamAlpha))/members/"
            #expect(try await send("DELETE", sim.baseURL, path + enc(T.plainMembers[0])).status == 204)
            #expect(try await send("DELETE", sim.baseURL, path + enc(T.plainMembers[1])).status == 501)
        }
    }

    @Test func twoDialectsShareOneWorld() async throws {
        let world = tinyWorld()
        let v1 = try await SimServer.start(world: world, dialect: .v1, token: testToken)
        let wasend = try await SimServer.start(world: world, dialect: .wasend, token: "other-key")
        #expect(v1.port != wasend.port && v1.port > 0 && wasend.port > 0)
        #expect(v1.baseURL.absoluteString == "http://127.0.0.1:\(v1.port)")
        let removed = try await send("DELETE", wasend.baseURL, "/\(T.alpha)/groups/\(T.teamAlpha.string)/participants",
                                     token: "other-key", json: ["participants": [T.plainMembers[0].string]])
        #expect(removed.status == 200)
        let members = try await send("GET", v1.baseURL, "/api/v1/sessions/\(T.alpha)/groups/\(enc(T.teamAlpha))/members")
        #expect((members.object["data"] as? [Any])?.count == T.teamAlphaSize - 1)
        #expect(try await send("GET", v1.baseURL, "/api/v1/sessions", token: "other-key").status == 401)
        await v1.stop()
        await wasend.stop()
        // Stopped: nothing of this world answers on its port any more. The whole suite starts
        // hundreds of servers on ports the system picks, so the freed port may already be
        // another test's server (a CI run saw one answer): that one serves a world of its own,
        // with Team Alpha whole, not this world's Team Alpha less the member removed above.
        do {
            let after = try await send("GET", v1.baseURL, "/api/v1/sessions/\(T.alpha)/groups/\(enc(T.teamAlpha))/members")
            #expect((after.object["data"] as? [Any])?.count != T.teamAlphaSize - 1, "the stopped server still answered: \(after.status)")
        } catch {
            // Refused: the port is closed, as it should be.
        }
    }

    @Test func everyDialectStarts() async throws {
        #expect(SimDialects.supported == Dialect.allCases)
        for dialect in Dialect.allCases {
            let sim = try await SimServer.start(world: tinyWorld(), dialect: dialect, token: testToken)
            #expect(sim.dialect == dialect && sim.port > 0)
            // Each answers in its own way, but answers: a route it does not have is a 404.
            let miss = try await send("GET", sim.baseURL, "/no/such/route/anywhere")
            #expect(miss.status == 404, "\(dialect.rawValue)")
            await sim.stop()
        }
    }

    @Test func tokenComparison() {
        #expect(Auth.bearer("Bearer abc", matches: "abc"))
        #expect(Auth.bearer("bearer abc", matches: "abc"))
        #expect(!Auth.bearer("Bearer abcd", matches: "abc"))
        #expect(!Auth.bearer("Bearer ab", matches: "abc"))
        #expect(!Auth.bearer("Basic abc", matches: "abc"))
        #expect(!Auth.bearer("Bearer ", matches: ""))
        #expect(!Auth.bearer(nil, matches: "abc"))
    }
}
