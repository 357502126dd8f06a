import Foundation
import GatewayKit
import TestSupport
import GatewaySim
import Testing

/// `Probe` tells each dialect the emulator serves from harmless reads.
@Suite("probe: which dialect a gateway speaks")
struct ProbeTests {
    static func token(_ d: Dialect) -> String { d == .wawp ? "\(TinyFixture.alpha):\(Harness.token)" : Harness.token }

    @Test("with the right token, exactly the served dialect answers in its shape", arguments: SimDialects.supported)
    func rightToken(_ d: Dialect) async throws {
        try await withHarness(d, clientToken: Self.token(d)) { h in
            let before = h.world.mutationsServed(session: TinyFixture.alpha)
            let answers = try await Probe.run(baseURL: h.sim.baseURL, token: Self.token(d))
            #expect(Probe.best(answers) == d, "\(answers)")
            #expect(answers.filter { $0.verdict == .speaks }.map(\.dialect) == [d])
            #expect(h.world.mutationsServed(session: TinyFixture.alpha) == before, "a probe changes nothing")
        }
    }

    @Test("without a token (or with a wrong one) the dialect's own refusal still tells it", arguments: SimDialects.supported)
    func refusals(_ d: Dialect) async throws {
        try await withHarness(d, clientToken: Self.token(d)) { h in
            let none = try await Probe.run(baseURL: h.sim.baseURL, token: "")
            #expect(Probe.best(none) == d, "\(none)")
            #expect(!none.contains { $0.verdict == .speaks })
            let wrong = try await Probe.run(baseURL: h.sim.baseURL, token: d == .wawp ? "\(TinyFixture.alpha):wrong" : "wrong")
            #expect(Probe.best(wrong) == d, "\(wrong)")
        }
    }

    @Test("a URL that is no gateway is recognised as none")
    func nothing() async throws {
        try await withHarness(.v1) { h in
            let answers = try await Probe.run(baseURL: h.sim.baseURL.appendingPathComponent("not-here"), token: Harness.token)
            #expect(Probe.best(answers) == nil, "\(answers)")
        }
    }
}
