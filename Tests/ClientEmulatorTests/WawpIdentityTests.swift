import Foundation
import GatewayKit
import TestSupport
import GatewaySim
import Testing

/// Wawp's identity read over loopback: the documented `POST /v2/session/info`, the older `GET`
/// (the fallback, learned once), and an identity read that fails while the listing goes on.
@Suite("wawp identity read against the emulator", .serialized)
struct WawpIdentityTests {
    static let alpha = TinyFixture.alpha

    static func infoArrivals(_ world: World) -> [String] {
        world.arrivals().filter { $0.path == "/v2/session/info" }.map(\.method)
    }

    static func wawp(_ h: Harness) throws -> WawpGateway {
        try #require(h.gateway as? WawpGateway)
    }

    @Test("a gateway that serves only the documented POST: the client sends POST, and only POST")
    func documentedPost() async throws {
        try await withHarness(.wawp, clientToken: "\(Self.alpha):\(Harness.token)") { h in
            h.world.setWawpSessionInfo(.documented)
            let sessions = try await h.gateway.sessions()
            #expect(sessions.count == 1)
            #expect(sessions.first?.account == TinyFixture.alphaAccount && sessions.first?.connected == true)
            #expect(Self.infoArrivals(h.world) == ["POST"])
            #expect(try Self.wawp(h).sessionInfoMethod == "POST")
            let groups = try await h.gateway.groups(session: Self.alpha)
            #expect(groups.first { $0.jid == TinyFixture.teamAlpha } != nil)
        }
    }

    @Test("a gateway of the older page (GET only): POST misses, GET answers, and GET is kept for the client's life")
    func olderGet() async throws {
        try await withHarness(.wawp, clientToken: "\(Self.alpha):\(Harness.token)") { h in
            h.world.setWawpSessionInfo(.older)
            let first = try await h.gateway.sessions()
            #expect(first.first?.account == TinyFixture.alphaAccount)
            #expect(Self.infoArrivals(h.world) == ["POST", "GET"])
            #expect(try Self.wawp(h).sessionInfoMethod == "GET")
            _ = try await h.gateway.sessions()
            #expect(Self.infoArrivals(h.world) == ["POST", "GET", "GET"])
            // Our role is known again from the participants: the account was read.
            let people = try await h.gateway.participants(session: Self.alpha, group: TinyFixture.teamAlpha)
            #expect(people.role(of: try #require(first.first)) == .admin)
        }
    }

    @Test("a failing identity read (500) does not stop the listing: groups and members list, our role is unknown")
    func failingIdentity() async throws {
        try await withHarness(.wawp, clientToken: "\(Self.alpha):\(Harness.token)") { h in
            // The read and the transport's two re-reads of it.
            h.world.updateFaults { $0.serverErrorNext = 3 }
            let sessions = try await h.gateway.sessions()
            let s = try #require(sessions.first)
            #expect(sessions.count == 1 && s.account == nil && s.accountLID == nil)
            #expect(s.status.contains("unknown") && s.status.contains("500"))
            #expect(Self.infoArrivals(h.world) == ["POST", "POST", "POST"])
            #expect(try Self.wawp(h).sessionInfoMethod == nil)

            h.world.updateFaults { $0.serverErrorNext = 3 }
            let groups = try await h.gateway.groups(session: s.id)
            #expect(Set(groups.map(\.jid)) == [TinyFixture.teamAlpha, TinyFixture.readers, TinyFixture.ours])
            #expect(groups.allSatisfy { $0.ourRole == nil })
            let people = try await h.gateway.participants(session: s.id, group: TinyFixture.teamAlpha)
            #expect(people.count == TinyFixture.teamAlphaSize)
            #expect(people.role(of: s) == nil)

            // Once the gateway answers again, the identity is read and the role known.
            let again = try #require(try await h.gateway.sessions().first)
            #expect(again.account == TinyFixture.alphaAccount && people.role(of: again) == .admin)
        }
    }

    @Test("a refused credential is still an error, not an unknown instance")
    func refusedCredential() async throws {
        try await withHarness(.wawp, clientToken: "\(Self.alpha):wrong-token") { h in
            do {
                let s = try await h.gateway.sessions()
                Issue.record("expected unauthorized, got \(s)")
            } catch {
                guard case .unauthorized = error as? GatewayError else { Issue.record("got \(error)"); return }
            }
        }
    }
}
