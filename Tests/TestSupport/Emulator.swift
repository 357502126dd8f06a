import Foundation
import GatewayKit
import GatewaySim

/// A fresh emulator world served over loopback, and a client speaking to it.
public struct Harness {
    public static let token = "test-token-\(UUID().uuidString)"
    public let world: World
    public let sim: RunningSim
    public let gateway: any Gateway

    public static func start(_ dialect: Dialect, fixture: Fixture = .tiny, token: String = Harness.token,
                      clientToken: String? = nil, options: TransportOptions = .init(timeout: 30)) async throws -> Harness {
        let world = World.fixture(fixture)
        let sim = try await SimServer.start(world: world, dialect: dialect, token: token)
        let gw = try GatewayFactory.make(dialect: dialect, baseURL: sim.baseURL, token: clientToken ?? token, options: options)
        return Harness(world: world, sim: sim, gateway: gw)
    }

    public func members(_ group: JID, session: String = TinyFixture.alpha) -> [SimMember] {
        world.members(session: session, group: group) ?? []
    }

    public func isMember(_ jid: JID, of group: JID, session: String = TinyFixture.alpha) -> Bool {
        members(group, session: session).contains { $0.matches(jid) }
    }

    public func role(_ jid: JID, in group: JID) -> Role? {
        members(group).first { $0.matches(jid) }?.role
    }

    public func stop() async { await sim.stop() }
}

/// Runs `body` against a fresh harness and always stops the server.
public func withHarness(_ dialect: Dialect, fixture: Fixture = .tiny, clientToken: String? = nil,
                 _ body: (Harness) async throws -> Void) async throws {
    let h = try await Harness.start(dialect, fixture: fixture, clientToken: clientToken)
    do {
        try await body(h)
    } catch {
        await h.stop()
        throw error
    }
    await h.stop()
}

extension Gateway {
    /// Several targets in turn, one request each, as the executor sends them: the tests' shorthand.
    public func apply(_ action: MemberAction, session: String, group: JID, targets: [JID]) async throws(GatewayError) -> [TargetResult] {
        var results: [TargetResult] = []
        for t in targets { results.append(try await apply(action, session: session, group: group, target: t)) }
        return results
    }
}
