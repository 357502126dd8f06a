import Foundation
import Testing
import FleetEvents
import GatewayKit
import GatewaySim
import TestSupport

/// WAHA's event WebSocket on the emulator, followed by the client's own source over loopback.
@Suite struct EmulatorWebSocketTests {
    let team = TinyFixture.teamAlpha
    let alpha = TinyFixture.alpha

    private func source(_ h: Harness, token: String = Harness.token) -> WAHAWebSocketSource {
        WAHAWebSocketSource(baseURL: h.sim.baseURL, token: token)
    }

    /// Opens the source and waits until the emulator counts the connection.
    private func open(_ src: WAHAWebSocketSource, _ h: Harness) async throws -> AsyncThrowingStream<FleetEvent, any Error> {
        let (opened, signal) = AsyncStream.makeStream(of: Void.self)
        let stream = src.events(onOpen: { signal.yield() })
        _ = try await next(opened, "the WebSocket to open")
        let sim = h.sim
        try await eventually("the emulator to count the connection") { sim.openEventSockets == 1 }
        return stream
    }

    @Test func aMemberAddedThroughTheAPIArrivesAsWAHAsEvent() async throws {
        try await withHarness(.waha) { h in
            let stream = try await open(source(h), h)
            _ = try await h.gateway.apply(.add, session: alpha, group: team, target: TinyFixture.outsider)
            let event = try await next(stream, "the join event")
            #expect(event.kind == .joined)
            // WAHA names the session as its session list does (the name, not the world's id).
            #expect(event.session == TinyFixture.alphaLabel)
            #expect(event.group == team)
            #expect(event.participants.first?.phone == TinyFixture.outsider)
            #expect(event.participants.first?.lid == TinyFixture.lidOf(TinyFixture.outsider))
            // Added by the session itself: the NOWEB engine's author is our account.
            #expect(event.via == .added)
            #expect(event.by == TinyFixture.alphaAccount)
            #expect(event.eventID?.hasPrefix("evt_") == true)
        }
    }

    @Test func removalsPromotionsAndDemotionsInOrder() async throws {
        try await withHarness(.waha) { h in
            let stream = try await open(source(h), h)
            let carla = TinyFixture.plainMembers[0]
            _ = try await h.gateway.apply(.promote, session: alpha, group: team, target: carla)
            _ = try await h.gateway.apply(.demote, session: alpha, group: team, target: carla)
            _ = try await h.gateway.apply(.remove, session: alpha, group: team, target: carla)
            var kinds: [FleetEvent.Kind] = []
            for _ in 0..<3 { kinds.append(try await next(stream, "an event").kind) }
            #expect(kinds == [.promoted, .demoted, .left])
        }
    }

    @Test func changesMadeThroughTheAdminViewArriveToo() async throws {
        try await withHarness(.waha) { h in
            let stream = try await open(source(h), h)
            // Someone joins by the link: the rehearsal route, over HTTP, as an operator would.
            let answer = try await send("POST", h.sim.baseURL, "/_sim/participants", token: Harness.token,
                                        json: ["session": alpha, "group": team.string, "add": ["+5511900000050"], "via": "invite"])
            #expect(answer.status == 200)
            let joined = try await next(stream, "the join by link")
            #expect(joined.kind == .joined)
            #expect(joined.via == .invite)
            #expect(joined.by == nil)
            // Another admin changes the subject on their phone.
            let subject = try await send("POST", h.sim.baseURL, "/_sim/group", token: Harness.token,
                                         json: ["session": alpha, "group": team.string, "subject": "Team \u{1B}[31mAlpha"])
            #expect(subject.status == 200)
            let changed = try await next(stream, "the subject change")
            #expect(changed.kind == .groupChanged)
            // An escape sequence in a subject is data: it reaches the model as it was sent.
            #expect(changed.subject == "Team \u{1B}[31mAlpha")
        }
    }

    @Test func aJoinRequestArrivesAsOne() async throws {
        try await withHarness(.waha) { h in
            let stream = try await open(source(h), h)
            // Team Alpha needs approval: a join by its code waits among the requests.
            let code = try #require(h.world.currentInviteCode(session: alpha, group: team))
            _ = try h.world.join(code: code, as: TinyFixture.outsider)
            let request = try await next(stream, "the join request")
            #expect(request.kind == .joinRequest)
            #expect(request.participants.first?.lid == TinyFixture.lidOf(TinyFixture.outsider))
            #expect(request.participants.first?.phone == TinyFixture.outsider)
            #expect(request.via == .invite)
        }
    }

    @Test func theSessionFilterKeepsOthersOut() async throws {
        try await withHarness(.waha) { h in
            let only = WAHAWebSocketSource(baseURL: h.sim.baseURL, token: Harness.token, sessions: ["no-such-session"])
            let stream = try await open(only, h)
            _ = try await h.gateway.apply(.add, session: alpha, group: team, target: TinyFixture.outsider)
            // A raw listener sees the event, so it was sent; the filtered source does not.
            let world = h.world, team = team
            try await eventually("the change to be made") {
                world.members(session: TinyFixture.alpha, group: team)?.contains { $0.matches(TinyFixture.outsider) } == true
            }
            let nothing = try? await next(stream, within: 1, "no event")
            #expect(nothing == nil)
        }
    }

    @Test func aWrongKeyIsRefusedWithTheHandshakesStatus() async throws {
        try await withHarness(.waha) { h in
            let stream = source(h, token: "wrong-key").events()
            do {
                for try await _ in stream {}
                Issue.record("a wrong key was let in")
            } catch {
                // The emulator's server answers a refused upgrade 400.
                #expect(String(describing: error).contains("handshake 400"))
                #expect(!String(describing: error).contains("wrong-key"))
            }
        }
    }

    @Test func closingTheSocketEndsTheStreamAndReopeningLetsItBackIn() async throws {
        try await withHarness(.waha) { h in
            let stream = try await open(source(h), h)
            h.sim.setEventSocketOpen(false)
            do {
                for try await _ in stream {}
            } catch {}
            #expect(h.sim.openEventSockets == 0)
            // Closed: the handshake is refused.
            let refused = source(h).events()
            await #expect(throws: (any Error).self) { for try await _ in refused {} }
            h.sim.setEventSocketOpen(true)
            let again = try await open(source(h), h)
            _ = try await h.gateway.apply(.add, session: alpha, group: team, target: TinyFixture.outsider)
            #expect(try await next(again, "an event after reopening").kind == .joined)
        }
    }
}
