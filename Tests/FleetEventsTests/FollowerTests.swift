import Foundation
import Testing
import FleetEvents
import FleetIndex
import GatewayKit
import GatewaySim
import TestSupport

/// The follower without an event source (a v1 gateway: polling), against the emulator over
/// loopback, on a virtual clock.
@Suite struct FollowerTests {
    @Test func aStartSoonAfterTheLastListingTakesTheIndexsListsAndLaterRoundsListAgain() async throws {
        let h = try await Harness.start(.v1, fixture: .demo)
        do { try await run(h) } catch {
            await h.stop()
            throw error
        }
        await h.stop()
    }

    func run(_ h: Harness) async throws {
        try await withStore { store in
            let clock = VirtualClock()
            let now: @Sendable () -> Date = { Date(timeIntervalSince1970: 1_750_000_000 + clock.now()) }
            let budget = ReadBudget(perSessionPerMinute: 600, sessionsAtOnce: 8, maxAge: 3600)
            let sync = FleetSync(store: store, gateway: h.gateway, budget: budget, clock: clock, now: now)
            let world = h.world
            let listings: @Sendable () -> Int = { world.arrivals().filter { $0.method == "GET" && $0.path.hasSuffix("/groups") }.count }
            let connected = h.world.sessions().filter(\.connected).count
            // A previous console's round: every connected session listed.
            let first = await sync.run()
            #expect(first.listingsReused == 0 && listings() == connected)

            // Started again 5 s later, polling every 30 s.
            clock.advance(by: 5)
            let follower = Follower(store: store, sync: sync, source: nil, pollEvery: 30, clock: clock, now: now)
            let updates = follower.updates()
            // Two rounds, and how many listings the gateway had answered when each ended (one
            // iteration of the stream: ending it stops the follower).
            let rounds = try await withThrowingTaskGroup(of: [(SyncReport, Int)]?.self) { group in
                group.addTask {
                    var out: [(SyncReport, Int)] = []
                    for await u in updates {
                        guard case .synced(let report) = u else { continue }
                        out.append((report, listings()))
                        if out.count == 2 { break }
                    }
                    return out
                }
                group.addTask {
                    try await Task.sleep(for: .seconds(60))
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let out = first, out.count == 2 else { throw Timeout(what: "two rounds") }
                return out
            }
            let (reused, listedThen) = rounds[0]
            #expect(reused.listingsReused == connected)
            #expect(reused.groupsRead == 0 && reused.groupsSkipped == reused.groupsListed && reused.groupsListed > 0)
            #expect(listedThen == connected)
            // The next round, one poll interval on, lists every session again.
            let (polled, listedLater) = rounds[1]
            #expect(polled.listingsReused == 0)
            #expect(listedLater == 2 * connected)
        }
    }

    /// A stream that stays open and says nothing.
    struct QuietSource: EventSource {
        var kind: EventSourceKind { .websocket }
        var description: String { "a quiet stream" }
        func events() -> AsyncThrowingStream<FleetEvent, any Error> { AsyncThrowingStream { _ in } }
    }

    @Test func withAnEventSourceTheFirstRoundListsToCatchUp() async throws {
        let h = try await Harness.start(.v1, fixture: .demo)
        do {
            try await withStore { store in
                let clock = VirtualClock()
                let now: @Sendable () -> Date = { Date(timeIntervalSince1970: 1_750_000_000 + clock.now()) }
                let sync = FleetSync(store: store, gateway: h.gateway, budget: ReadBudget(perSessionPerMinute: 600, sessionsAtOnce: 8, maxAge: 3600),
                                     clock: clock, now: now)
                let world = h.world
                let listings: @Sendable () -> Int = { world.arrivals().filter { $0.method == "GET" && $0.path.hasSuffix("/groups") }.count }
                let connected = world.sessions().filter(\.connected).count
                _ = await sync.run()
                clock.advance(by: 5)
                let follower = Follower(store: store, sync: sync, source: QuietSource(), pollEvery: 30, clock: clock, now: now)
                let updates = follower.updates()
                let first = try await withThrowingTaskGroup(of: (SyncReport, Int)?.self) { group in
                    group.addTask {
                        for await u in updates { if case .synced(let r) = u { return (r, listings()) } }
                        return nil
                    }
                    group.addTask {
                        try await Task.sleep(for: .seconds(60))
                        return nil
                    }
                    defer { group.cancelAll() }
                    guard let got = try await group.next(), let r = got else { throw Timeout(what: "a round") }
                    return r
                }
                // What the stream missed while no console ran is only in a fresh listing.
                #expect(first.0.listingsReused == 0)
                #expect(first.1 == 2 * connected)
            }
        } catch {
            await h.stop()
            throw error
        }
        await h.stop()
    }
}
