import Foundation
import GatewayKit
import TestSupport
import GatewaySim
import Testing

/// What the group-administration tests (gateways.md §9) share: a harness per dialect, where
/// each dialect's offline session is, and how a refusal is caught.
enum Admin {
    static let dialects: [Dialect] = [.v1, .wasend, .waha, .wuts, .wawp, .evolution]
    static let alpha = TinyFixture.alpha

    /// A harness for `d`, the client holding the token as the dialect writes it, and no rate
    /// limit: these tests count requests, and a 429 (every administration request counts
    /// against the session's limit) would be one more.
    static func with(_ d: Dialect, _ body: (Harness) async throws -> Void) async throws {
        try await withHarness(d, clientToken: ClientEmulatorTests.clientToken(d)) { h in
            h.world.setRate(perMinute: 0, burst: 0)
            try await body(h)
        }
    }

    /// A session that is not connected, and a group of it where its account is an admin (so
    /// the only reason to refuse is the connection). A dialect whose token is one device or
    /// instance (wuts, wawp) cannot reach the fixture's offline session: its own is
    /// disconnected instead.
    static func offline(_ h: Harness) -> (session: String, group: JID) {
        if h.gateway.capabilities.listsSessions { return (TinyFixture.offline, TinyFixture.offlineGroup) }
        h.world.setConnected(false, session: alpha)
        return (alpha, TinyFixture.teamAlpha)
    }

    /// The error `body` throws; nil when it returns.
    static func thrown(_ body: () async throws(GatewayError) -> Void) async -> GatewayError? {
        do throws(GatewayError) {
            try await body()
            return nil
        } catch {
            return error
        }
    }

    /// Requests that reached the emulator other than reads.
    static func mutations(_ h: Harness) -> Int {
        h.world.arrivals().filter { $0.method != "GET" && $0.method != "HEAD" }.count
    }

    /// The changes the world made of `action` ("invite-reset", "settings", "send", "remove", …).
    static func changes(_ h: Harness, _ action: String) -> [SimChange] {
        h.world.ledger().filter { $0.action == action }
    }

    static func isForbidden(_ e: GatewayError?) -> Bool {
        if case .forbidden? = e { return true }
        return false
    }

    static func isNotConnected(_ e: GatewayError?) -> Bool {
        if case .notConnected? = e { return true }
        return false
    }

    static func failedWith(_ o: Outcome, _ test: (GatewayError?) -> Bool) -> Bool {
        if case .failed(let e) = o { return test(e) }
        return false
    }
}
