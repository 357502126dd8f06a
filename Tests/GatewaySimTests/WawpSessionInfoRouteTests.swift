import Foundation
import GatewayKit
import TestSupport
@testable import GatewaySim
import Testing

/// Which forms of `/v2/session/info` the emulator answers: both by default, only the current
/// page's POST, or only the older page's GET.
@Suite struct WawpSessionInfoRouteTests {
    func info(_ sim: RunningSim, _ method: String) async throws -> Answer {
        try await send(method, sim.baseURL, "/v2/session/info?instance_id=\(T.alpha)&access_token=\(testToken)", token: nil)
    }

    func served(_ a: Answer) -> Bool { a.status == 200 && a.object["status"] as? String == "WORKING" }

    func missed(_ a: Answer, _ method: String) -> Bool {
        a.status == 404 && a.object["message"] as? String == "Cannot \(method) /v2/session/info" && !a.text.contains(testToken)
    }

    @Test func bothFormsByDefaultThenEachAlone() async throws {
        let world = tinyWorld()
        #expect(world.options.wawpSessionInfo == .both)
        try await withSim(.wawp, world: world) { sim async throws in
            #expect(served(try await info(sim, "POST")))
            #expect(served(try await info(sim, "GET")))
            world.setWawpSessionInfo(.documented)
            #expect(served(try await info(sim, "POST")))
            #expect(missed(try await info(sim, "GET"), "GET"))
            world.setWawpSessionInfo(.older)
            #expect(served(try await info(sim, "GET")))
            #expect(missed(try await info(sim, "POST"), "POST"))
            // Other routes are not affected.
            #expect(try await send("GET", sim.baseURL, "/v2/groups?instance_id=\(T.alpha)&access_token=\(testToken)", token: nil).status == 200)
        }
    }
}
