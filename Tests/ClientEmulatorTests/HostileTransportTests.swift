import Foundation
import GatewayKit
import TestSupport
import GatewaySim
import Testing

/// The transport against a gateway that sends without end, trickles, or echoes the token:
/// every answer bounded in size and in time, no secret in any error.
@Suite("hostile gateway: the transport", .serialized)
struct HostileTransportTests {
    @Test("an answer that never ends is cut off at the limit and fails as too large")
    func endless() async throws {
        let world = World.fixture(.tiny)
        let sim = try await SimServer.start(world: world, dialect: .v1, token: Harness.token)
        let gw = try GatewayFactory.make(dialect: .v1, baseURL: sim.baseURL, token: Harness.token,
                                         options: TransportOptions(timeout: 60, maxAnswerBytes: 4 << 20))
        // Not read again: another try would take as much again.
        world.queueHostile(.endlessBody)
        do {
            _ = try await gw.sessions()
            Issue.record("expected the answer to be refused")
        } catch {
            let e = error
            #expect(e == .tooLarge(limit: 4 << 20), "\(e)")
            #expect(e.message.contains("4 MB limit"))
        }
        // The next answer is read as usual.
        #expect(try await gw.sessions().count == 2)
        await sim.stop()
    }

    @Test("an answer trickling a byte at a time is cut off at the timeout, first byte to last")
    func trickle() async throws {
        let world = World.fixture(.tiny)
        let sim = try await SimServer.start(world: world, dialect: .v1, token: Harness.token)
        let gw = try GatewayFactory.make(dialect: .v1, baseURL: sim.baseURL, token: Harness.token,
                                         options: TransportOptions(timeout: 1, readRetries: 0))
        // 300 bytes at one every 50 ms: 15 s in all, each byte well within any idle timeout.
        world.queueHostile(.trickle(bytes: 300, intervalMs: 50))
        let started = Date()
        do {
            _ = try await gw.sessions()
            Issue.record("expected a timeout")
        } catch {
            let e = error
            guard case .transport(let why) = e else { Issue.record("\(e)"); await sim.stop(); return }
            #expect(why.contains("no complete answer within 1 s"), "\(why)")
        }
        #expect(Date().timeIntervalSince(started) < 14, "cut off before the trickle ended")
        await sim.stop()
    }

    @Test("a gateway echoing the credential: no secret in the error, in any dialect", arguments: ClientEmulatorTests.dialects)
    func echo(_ d: Dialect) async throws {
        try await withHarness(d, clientToken: ClientEmulatorTests.clientToken(d)) { h in
            h.world.queueHostile(.echoCredential(status: 401))
            do {
                _ = try await h.gateway.sessions()
                Issue.record("expected a refusal")
            } catch {
                // What the command line and the console would show of it.
                let shown = TerminalText.clean(String(describing: error))
                #expect(!shown.contains(Harness.token), "\(d): \(shown)")
                #expect(shown.contains("unauthorized"), "\(d): \(shown)")
            }
        }
    }
}
