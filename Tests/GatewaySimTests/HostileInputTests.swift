import Foundation
import GatewayKit
import TestSupport
@testable import GatewaySim
import Testing

/// The emulator must survive what a careless or hostile client sends.
@Suite("emulator: hostile paging")
struct HostileInputTests {
    @Test("a limit near Int.max with an offset pages to the end instead of overflowing")
    func hugeLimit() async throws {
        try await withSim(.waha, world: tinyWorld()) { sim async throws in
            let a = try await wahaSend("GET", sim.baseURL, "/api/\(TinyFixture.alpha)/groups?limit=\(Int.max)&offset=1")
            #expect(a.status == 200)
            // Still serving afterwards.
            #expect(try await wahaSend("GET", sim.baseURL, "/api/sessions?all=true").status == 200)
        }
    }
}
