import Foundation
import GatewayKit
import TestSupport
import GatewaySim
import Testing

/// The client against the emulator over real loopback HTTP, for each dialect.
/// One case at a time: 6 dialects × 15 journeys, each with its own emulator, all at once on
/// a 2-core machine left some answers waiting past the client's timeout.
@Suite("client against emulator", .serialized)
struct ClientEmulatorTests {
    static let dialects: [Dialect] = [.v1, .wasend, .waha, .wuts, .wawp, .evolution]
    let alpha = TinyFixture.alpha

    /// The client's token. Wawp's holds two secrets, `INSTANCE_ID:ACCESS_TOKEN`: the instance is
    /// the emulator's session `alpha`.
    static func clientToken(_ d: Dialect, _ token: String = Harness.token) -> String {
        d == .wawp ? "\(TinyFixture.alpha):\(token)" : token
    }

    @Test("lists sessions, groups (every page) and participants", arguments: dialects)
    func lists(_ d: Dialect) async throws {
        try await withHarness(d, clientToken: Self.clientToken(d)) { h in
            let sessions = try await h.gateway.sessions()
            // A dialect without a session list (wuts, wawp) names its one session its own way.
            // WAHA names its sessions: the emulator's WAHA session ids are the world's labels.
            let a = try #require(h.gateway.capabilities.listsSessions ? sessions.first { $0.id == TinyFixture.alpha || $0.id == TinyFixture.alphaLabel } : sessions.first)
            #expect(a.connected)
            #expect(a.account == TinyFixture.alphaAccount)
            if h.gateway.capabilities.listsSessions {
                #expect(sessions.first { $0.id == TinyFixture.offline || $0.id == TinyFixture.offlineLabel }?.connected == false)
            } else {
                // The token is one device (wuts) or one instance (wawp): one session, and only it.
                #expect(sessions.count == 1)
            }

            h.world.setPageSizes(groups: 1, members: 3)
            let groups = try await h.gateway.groups(session: alpha)
            #expect(Set(groups.map(\.jid)) == [TinyFixture.teamAlpha, TinyFixture.readers, TinyFixture.ours])
            let team = try #require(groups.first { $0.jid == TinyFixture.teamAlpha })
            #expect(team.subject == "Team Alpha")
            #expect(team.owner == TinyFixture.creator)

            let people = try await h.gateway.participants(session: alpha, group: TinyFixture.teamAlpha)
            #expect(people.count == TinyFixture.teamAlphaSize)
            #expect(people.first(matching: TinyFixture.creator)?.role == .superadmin)
            #expect(people.first(matching: TinyFixture.otherAdmin)?.role == .admin)
            #expect(people.first(matching: TinyFixture.lidOnlyMember)?.phone == nil)
            if d == .wuts || d == .evolution {
                // WUTS's participant rows are {jid, phone_number, is_admin, is_super_admin} and
                // Evolution's {id, admin}: no names.
                #expect(people.allSatisfy { $0.name == nil })
            } else if d == .waha || d == .wawp {
                // WAHA's participants/v2 rows, which Wawp answers too, are only {id, pn, role}: no names to show.
                #expect(people.allSatisfy { $0.name == nil })
                #expect(people.first(matching: TinyFixture.plainMembers[3])?.lid == TinyFixture.lidOf(TinyFixture.plainMembers[3]))
            } else {
                #expect(people.contains { $0.name == "王芳" })
            }
            #expect(people.role(of: a) == .admin)
        }
    }

    @Test("removes one participant", arguments: dialects)
    func removeOne(_ d: Dialect) async throws {
        try await withHarness(d, clientToken: Self.clientToken(d)) { h in
            let carla = TinyFixture.plainMembers[0]
            let r = try await h.gateway.apply(.remove, session: alpha, group: TinyFixture.teamAlpha, targets: [carla])
            #expect(r.count == 1)
            #expect(r[0].outcome == .done)
            #expect(r[0].httpStatus != nil)
            #expect(!h.isMember(carla, of: TinyFixture.teamAlpha))
            #expect(h.members(TinyFixture.teamAlpha).count == TinyFixture.teamAlphaSize - 1)
        }
    }

    @Test("removes several, one result per target, by phone and by @lid", arguments: dialects)
    func removeSeveral(_ d: Dialect) async throws {
        try await withHarness(d, clientToken: Self.clientToken(d)) { h in
            let targets = [TinyFixture.plainMembers[1], TinyFixture.plainMembers[2], TinyFixture.lidOnlyMember]
            let r = try await h.gateway.apply(.remove, session: alpha, group: TinyFixture.teamAlpha, targets: targets)
            #expect(r.map(\.target) == targets)
            #expect(r.allSatisfy { $0.outcome == .done }, "\(r)")
            for t in targets { #expect(!h.isMember(t, of: TinyFixture.teamAlpha)) }
            #expect(h.members(TinyFixture.teamAlpha).count == TinyFixture.teamAlphaSize - 3)
        }
    }

    @Test("the owner cannot be removed", arguments: dialects)
    func owner(_ d: Dialect) async throws {
        try await withHarness(d, clientToken: Self.clientToken(d)) { h in
            let r = try await h.gateway.apply(.remove, session: alpha, group: TinyFixture.teamAlpha, targets: [TinyFixture.creator])
            #expect(!r[0].outcome.isSuccess, "\(r[0].outcome)")
            #expect(h.role(TinyFixture.creator, in: TinyFixture.teamAlpha) == .superadmin)
        }
    }

    @Test("a non-member: idempotent where the dialect says so, refused otherwise", arguments: dialects)
    func nonMember(_ d: Dialect) async throws {
        try await withHarness(d, clientToken: Self.clientToken(d)) { h in
            let before = h.members(TinyFixture.teamAlpha).count
            let r = try await h.gateway.apply(.remove, session: alpha, group: TinyFixture.teamAlpha, targets: [TinyFixture.outsider])
            if h.gateway.capabilities.idempotentRemove {
                #expect(r[0].outcome.isSuccess)
            } else {
                #expect(r[0].outcome.kind == "refused", "\(r[0].outcome)")
            }
            #expect(h.members(TinyFixture.teamAlpha).count == before)
        }
    }

    @Test("not an admin: forbidden, and nobody is removed", arguments: dialects)
    func notAdmin(_ d: Dialect) async throws {
        try await withHarness(d, clientToken: Self.clientToken(d)) { h in
            let carla = TinyFixture.plainMembers[0]
            let r = try await h.gateway.apply(.remove, session: alpha, group: TinyFixture.readers, targets: [carla])
            guard case .failed(.forbidden) = r[0].outcome else { Issue.record("expected forbidden, got \(r[0].outcome)"); return }
            // WAHA passes WhatsApp's refusal on as a 500 whose exception.message is "forbidden";
            // Evolution as a 400 whose response.message ends "Error: forbidden".
            #expect(r[0].httpStatus == (d == .waha ? 500 : d == .evolution ? 400 : 403))
            #expect(h.isMember(carla, of: TinyFixture.readers))
        }
    }

    @Test("an offline session: not connected", arguments: dialects)
    func offline(_ d: Dialect) async throws {
        try await withHarness(d, clientToken: Self.clientToken(d)) { h in
            let carla = TinyFixture.plainMembers[0]
            // A dialect whose token is one device or instance (wuts, wawp) cannot reach the
            // fixture's offline session: its own is disconnected instead.
            let single = !h.gateway.capabilities.listsSessions
            let session = single ? alpha : TinyFixture.offline
            let group = single ? TinyFixture.teamAlpha : TinyFixture.offlineGroup
            if single { h.world.setConnected(false, session: alpha) }
            let r = try await h.gateway.apply(.remove, session: session, group: group, targets: [carla])
            guard case .failed(.notConnected) = r[0].outcome else { Issue.record("expected not connected, got \(r[0].outcome)"); return }
            #expect(h.isMember(carla, of: group, session: session))
            if single {
                // WUTS reads groups through the live connection (DEVICE_NOT_READY); Wawp, like
                // WAHA, answers 422 while the instance is not WORKING.
                await #expect(throws: GatewayError.self) { try await h.gateway.groups(session: session) }
            } else if d == .v1 {
                // v1 serves lists from stored data while the session is offline.
                let groups = try await h.gateway.groups(session: TinyFixture.offline)
                #expect(groups.map(\.jid) == [TinyFixture.offlineGroup])
            } else {
                // Wasend, like WAHA, answers group reads of a session that is not WORKING with 422;
                // Evolution reads groups live and answers 400 "Error: Connection Closed".
                await #expect(throws: GatewayError.self) { try await h.gateway.groups(session: TinyFixture.offline) }
            }
        }
    }

    @Test("demote an admin; demoting a member is already so or refused", arguments: dialects)
    func demote(_ d: Dialect) async throws {
        try await withHarness(d, clientToken: Self.clientToken(d)) { h in
            let r = try await h.gateway.apply(.demote, session: alpha, group: TinyFixture.teamAlpha, targets: [TinyFixture.otherAdmin])
            #expect(r[0].outcome == .done)
            #expect(h.role(TinyFixture.otherAdmin, in: TinyFixture.teamAlpha) == .member)
            let owner = try await h.gateway.apply(.demote, session: alpha, group: TinyFixture.teamAlpha, targets: [TinyFixture.creator])
            #expect(!owner[0].outcome.isSuccess)
            #expect(h.role(TinyFixture.creator, in: TinyFixture.teamAlpha) == .superadmin)
        }
    }

    @Test("promote a member", arguments: dialects)
    func promote(_ d: Dialect) async throws {
        try await withHarness(d, clientToken: Self.clientToken(d)) { h in
            let carla = TinyFixture.plainMembers[0]
            let r = try await h.gateway.apply(.promote, session: alpha, group: TinyFixture.teamAlpha, targets: [carla])
            #expect(r[0].outcome == .done)
            #expect(h.role(carla, in: TinyFixture.teamAlpha) == .admin)
        }
    }

    @Test("add: a newcomer is added, a member is already so, a number not on WhatsApp is refused", arguments: dialects)
    func add(_ d: Dialect) async throws {
        try await withHarness(d, clientToken: Self.clientToken(d)) { h in
            let carla = TinyFixture.plainMembers[0]
            let r = try await h.gateway.apply(.add, session: alpha, group: TinyFixture.teamAlpha,
                                              targets: [TinyFixture.outsider, TinyFixture.notOnWhatsApp])
            #expect(r[0].outcome == .done)
            #expect(h.isMember(TinyFixture.outsider, of: TinyFixture.teamAlpha))
            #expect(r[1].outcome.kind == "refused", "\(r[1].outcome)")
            #expect(!h.isMember(TinyFixture.notOnWhatsApp, of: TinyFixture.teamAlpha))
            let again = try await h.gateway.apply(.add, session: alpha, group: TinyFixture.teamAlpha, targets: [carla])
            #expect(again[0].outcome.isSuccess)
        }
    }

    @Test("leave a group", arguments: dialects)
    func leave(_ d: Dialect) async throws {
        try await withHarness(d, clientToken: Self.clientToken(d)) { h in
            let r = try await h.gateway.leave(session: alpha, group: TinyFixture.readers)
            #expect(r.outcome == .done)
            #expect(!h.isMember(TinyFixture.alphaAccount, of: TinyFixture.readers))
        }
    }

    @Test("a bad token is unauthorized and says what to check", arguments: dialects)
    func badToken(_ d: Dialect) async throws {
        try await withHarness(d, clientToken: Self.clientToken(d, "wrong-token")) { h in
            do {
                _ = try await h.gateway.sessions()
                Issue.record("expected unauthorized")
            } catch let error as GatewayError {
                guard case .unauthorized = error else { Issue.record("got \(error)"); return }
                #expect(error.message.contains("token"))
                #expect(!error.message.contains("wrong-token"))
                #expect(error.isUnreachableOrUnauthorized)
            }
        }
    }

    @Test("429 with Retry-After is waited out by the executor, and the request then succeeds", arguments: dialects)
    func rateLimited(_ d: Dialect) async throws {
        try await withHarness(d, clientToken: Self.clientToken(d)) { h in
            let events = EventBox()
            let gw = try GatewayFactory.make(dialect: d, baseURL: h.sim.baseURL, token: Self.clientToken(d), observer: { events.add($0) })
            // The session's bucket holds one request and refills one a second: the second removal
            // is answered 429 with Retry-After: 1, unless a second has passed (then the fault below does it).
            h.world.setRate(session: TinyFixture.alpha, perMinute: 60, burst: 1)
            let a = TinyFixture.plainMembers[3], b = TinyFixture.plainMembers[4]
            let first = try await gw.apply(.remove, session: alpha, group: TinyFixture.teamAlpha, targets: [a])
            // Mutations are answered 429 until the executor first reacts to one.
            h.world.updateFaults { $0.rateLimitRate = 1; $0.ratesOnMutationsOnly = true; $0.rateLimitRetryAfter = 1 }
            let world = h.world
            // A mutation's 429 reaches the executor (the transport waits out only reads' 429s),
            // which waits the Retry-After and sends again through the session's pacer.
            let second = await Executor(gateway: gw, retry: RetryPolicy(random: { 0 }))
                .run(.remove, session: alpha, group: TinyFixture.teamAlpha, targets: [b]) { e in
                    if case .waiting = e { world.updateFaults { $0.rateLimitRate = 0 } }
                }
            #expect(first[0].outcome == .done)
            #expect(second[0].outcome == .done)
            let statuses = events.all.filter { $0.method != "GET" }.compactMap(\.status)
            #expect(statuses.contains(429), "the emulator answered 429 at least once: \(statuses)")
            #expect(statuses.last.map { (200..<300).contains($0) } == true, "and the retry succeeded: \(statuses)")
            #expect(!h.isMember(a, of: TinyFixture.teamAlpha) && !h.isMember(b, of: TinyFixture.teamAlpha))
        }
    }

    @Test("a proxy's HTML 502 on a read is read again; when it stays, a server error with an excerpt, not a crash", arguments: dialects)
    func html(_ d: Dialect) async throws {
        try await withHarness(d, clientToken: Self.clientToken(d)) { h in
            // Wawp's identity read gives way, when it fails, to an instance whose account is
            // unknown (the listing goes on: WawpIdentityTests): its read here is a group's members.
            let read: () async throws -> Int = d == .wawp
                ? { try await h.gateway.participants(session: alpha, group: TinyFixture.teamAlpha).count }
                : { try await h.gateway.sessions().count }
            let expected = d == .wawp ? TinyFixture.teamAlphaSize : (h.gateway.capabilities.listsSessions ? 2 : 1)
            h.world.updateFaults { $0.htmlNext = 1 }
            #expect(try await read() == expected, "read again after one HTML page")
            h.world.updateFaults { $0.htmlNext = 3 }
            do {
                _ = try await read()
                Issue.record("expected an error")
            } catch let error as GatewayError {
                guard case .server(let status, let excerpt) = error else { Issue.record("got \(error)"); return }
                #expect(status == 502)
                #expect(excerpt?.contains("Bad Gateway") == true)
            }
            // The next request is answered normally.
            #expect(try await read() == expected)
        }
    }

    @Test("a read whose connection drops is read again; when it keeps dropping, a transport error that names the problem", arguments: dialects)
    func dropped(_ d: Dialect) async throws {
        try await withHarness(d, clientToken: Self.clientToken(d)) { h in
            h.world.updateFaults { $0.dropNext = 1 }
            #expect(try await h.gateway.sessions().isEmpty == false, "read again after one drop")
            // The HTTP stack may itself retry a read on a pooled connection that dropped: more drops than attempts.
            h.world.updateFaults { $0.dropNext = 20 }
            do {
                _ = try await h.gateway.sessions()
                Issue.record("expected an error")
            } catch let error as GatewayError {
                guard case .transport = error else { Issue.record("got \(error)"); return }
                #expect(error.message.contains("gateway unreachable"))
            }
        }
    }

    @Test("the request log masks nothing it should not and carries no token")
    func requestLog() async throws {
        let world = World.fixture(.tiny)
        let sim = try await SimServer.start(world: world, dialect: .v1, token: "secret-log-token")
        let events = EventBox()
        let gw = try GatewayFactory.make(dialect: .v1, baseURL: sim.baseURL, token: "secret-log-token", observer: { events.add($0) })
        _ = try await gw.sessions()
        _ = try await gw.apply(.remove, session: TinyFixture.alpha, group: TinyFixture.teamAlpha, targets: [TinyFixture.plainMembers[0]])
        await sim.stop()
        let all = events.all
        #expect(all.count == 2)
        #expect(all[0].method == "GET" && all[0].path == "/api/v1/sessions" && all[0].status == 200 && all[0].bytes > 0)
        #expect(all[1].method == "DELETE" && all[1].path.contains("%40") && all[1].status == 204)
        #expect(!all.contains { "\($0)".contains("secret-log-token") })
    }

    @Test("wasend falls back to the SDK paths when the documented route does not exist")
    func wasendFallback() async throws {
        try await withHarness(.wasend) { h in
            h.world.setWasendPathForms(.sdk)
            let carla = TinyFixture.plainMembers[0]
            let r = try await h.gateway.apply(.remove, session: alpha, group: TinyFixture.teamAlpha, targets: [carla])
            #expect(r[0].outcome == .done, "\(r[0].outcome)")
            #expect(!h.isMember(carla, of: TinyFixture.teamAlpha))
            #expect((h.gateway as? WasendGateway)?.usesSDKPaths == true)
            let p = try await h.gateway.apply(.promote, session: alpha, group: TinyFixture.teamAlpha, targets: [TinyFixture.plainMembers[1]])
            #expect(p[0].outcome == .done)
        }
    }
}

final class EventBox: Sendable {
    private let events = Mutex<[RequestEvent]>([])
    func add(_ e: RequestEvent) { events.withLock { $0.append(e) } }
    var all: [RequestEvent] { events.withLock { $0 } }
}

import Synchronization
