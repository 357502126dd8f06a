import Foundation
import Synchronization
import Testing
import GatewayKit
import GatewaySim
import TestSupport
import GRDB
@testable import FleetIndex

/// The sync against the emulator's `demo` world over loopback: paced on a virtual clock,
/// incremental, resumable after a kill, backing off a rate-limited session.
@Suite struct SyncTests {
    static let budget = ReadBudget(perSessionPerMinute: 30, sessionsAtOnce: 1, maxAge: 3600)

    static func groupCount(_ world: World) -> Int { connectedGroups(world).reduce(0) { $0 + $1.groups.count } }

    @Test func aFirstRoundReadsEveryGroupOfConnectedSessionsPacedExactly() async throws {
        try await withSim { h in
            try await withTempDirectory { dir in
                let clock = VirtualClock()
                let store = try FleetStore(path: dir + "/i.sqlite")
                let sync = FleetSync(store: store, gateway: h.gateway, budget: Self.budget, clock: clock, now: wallTime(clock))
                let progressed = Counter()
                let report = await sync.run(progress: { p in if case .group = p { progressed.increment() } })
                let total = Self.groupCount(h.world)
                #expect(report.sessions == h.world.sessions().count)
                #expect(report.groupsRead == total)
                #expect(report.groupsListed == total)
                #expect(progressed.count == total)
                #expect(report.groupsSkipped == 0 && !report.stopped && !report.resumed)
                #expect(report.joined.isEmpty)  // a first read is the baseline
                // The offline session is said, not read.
                #expect(report.failures.count == 1)
                #expect(report.failures.first?.contains("old-line") == true)
                #expect(memberReads(h.world).count == total)
                // One session at a time: its group list, then one read every 2 s.
                #expect(clock.sleeps.count == total)  // (lists + groups) - one first read per session
                #expect(clock.sleeps.allSatisfy { $0 == Self.budget.interval })
                let counts = try store.counts()
                #expect(counts.groups == total)
                #expect(counts.participants == connectedGroups(h.world).reduce(0) { $0 + $1.groups.reduce(0) { $0 + $1.size } })
                let fresh = try #require(try store.freshness())
                #expect(fresh.neverRead == 0 && fresh.lastRound != nil)
            }
        }
    }

    @Test func sessionsAreReadSideBySideUpToTheBudgetAndEachOneAtItsPace() async throws {
        try await withSim { h in
            try await withTempDirectory { dir in
                // Each answer takes 30 ms, so that reads of different sessions overlap.
                h.world.updateFaults { $0.latencyMs = 30 }
                for atOnce in [1, 2] {
                    let clock = VirtualClock()
                    let observed = ObservedGateway(h.gateway, clock: clock)
                    let store = try FleetStore(path: dir + "/i\(atOnce).sqlite")
                    let budget = ReadBudget(perSessionPerMinute: 20, sessionsAtOnce: atOnce, maxAge: 3600)
                    let sync = FleetSync(store: store, gateway: observed, budget: budget, clock: clock, now: wallTime(clock))
                    let report = await sync.run()
                    #expect(report.groupsRead == Self.groupCount(h.world))
                    #expect(observed.maxSessionsAtOnce == atOnce)
                    #expect(observed.maxReadsOfOneSession == 1)
                    let bySession = Dictionary(grouping: observed.calls, by: \.session)
                    #expect(bySession.count == connectedGroups(h.world).count)
                    if atOnce == 1 {
                        // One session at a time: two of its reads start the interval apart
                        // on the clock. (Side by side, the other sessions' waits move the
                        // shared virtual clock too, so only the slots are exact.)
                        for calls in bySession.values {
                            for (a, b) in zip(calls, calls.dropFirst()) { #expect(b.at - a.at == budget.interval) }
                        }
                    }
                }
            }
        }
    }

    @Test func unchangedGroupsAreSkippedAndChangedOrOldOnesReadAgain() async throws {
        try await withSim { h in
            try await withTempDirectory { dir in
                let clock = VirtualClock()
                let store = try FleetStore(path: dir + "/i.sqlite")
                let sync = FleetSync(store: store, gateway: h.gateway, budget: Self.budget, clock: clock, now: wallTime(clock))
                let total = Self.groupCount(h.world)
                _ = await sync.run()
                #expect(memberReads(h.world).count == total)

                // Nothing changed: no group is read.
                clock.advance(by: 60)
                let second = await sync.run()
                #expect(second.groupsSkipped == total && second.groupsRead == 0)
                #expect(memberReads(h.world).count == total)

                // Someone leaves a group (elsewhere): its size changes, it alone is read.
                let br = try #require(h.world.session(labeled: "support-br"))
                let g = try #require(h.world.groups(session: br.id)?.first { $0.ourRole.isAdmin && $0.size > 3 })
                let leaver = try #require(h.world.members(session: br.id, group: g.jid)?.last { $0.role == .member })
                _ = try h.world.apply(.remove, session: br.id, group: g.jid, targets: [leaver.id])
                clock.advance(by: 60)
                let third = await sync.run()
                #expect(third.groupsRead == 1 && third.groupsSkipped == total - 1)
                #expect(memberReads(h.world).count == total + 1)
                #expect(try store.find(leaver.id).allSatisfy { $0.group.group.jid != g.jid })

                // A new subject alone is a change too.
                _ = try h.world.updateGroup([.subject("Renamed here")], session: br.id, group: g.jid, allOrNothing: true)
                clock.advance(by: 60)
                let renamed = await sync.run()
                #expect(renamed.groupsRead == 1)
                #expect(try store.group(session: br.id, jid: g.jid)?.group.subject == "Renamed here")

                // Past the max age every group is read again.
                clock.advance(by: Self.budget.maxAge)
                let old = await sync.run()
                #expect(old.groupsRead == total)
                #expect(memberReads(h.world).count == 2 * total + 2)

                // `force` reads all, changed or not.
                clock.advance(by: 60)
                let forced = await sync.run(force: true)
                #expect(forced.groupsRead == total && forced.groupsSkipped == 0)
                #expect(memberReads(h.world).count == 3 * total + 2)

                // One session only.
                clock.advance(by: 60)
                let one = await sync.run(session: "support-br", force: true)
                #expect(one.sessions == 1)
                #expect(one.groupsRead == (h.world.groups(session: br.id)?.count ?? -1))
                #expect(await sync.run(session: "nobody").failures.first?.contains("nobody") == true)
            }
        }
    }

    @Test func aRoundMayTakeRecentGroupListsFromTheIndexAndStillReadsWhatIsDue() async throws {
        try await withSim { h in
            try await withTempDirectory { dir in
                let clock = VirtualClock()
                let store = try FleetStore(path: dir + "/i.sqlite")
                let sync = FleetSync(store: store, gateway: h.gateway, budget: Self.budget, clock: clock, now: wallTime(clock))
                func listings() -> Int { h.world.arrivals().filter { $0.method == "GET" && $0.path.hasSuffix("/groups") }.count }
                let total = Self.groupCount(h.world)
                let connected = connectedGroups(h.world).count
                _ = await sync.run()
                #expect(listings() == connected)

                // Listed 60 s ago, reused within 300 s: no listing asked, nothing read.
                clock.advance(by: 60)
                let reused = await sync.run(reuseListingsWithin: 300)
                #expect(listings() == connected)
                #expect(reused.listingsReused == connected)
                #expect(reused.groupsListed == total && reused.groupsSkipped == total && reused.groupsRead == 0)
                #expect(memberReads(h.world).count == total)

                // A group the index has never read (a listing the previous round stopped
                // after) is read even when the list is reused.
                let br = try #require(h.world.session(labeled: "support-br"))
                let g = try #require(h.world.groups(session: br.id)?.first)
                let gid = try #require(try store.group(session: br.id, jid: g.jid))
                #expect(gid.lastFullRead != nil)
                try await store.pool.write { try $0.execute(sql: "UPDATE fleet_group SET last_full_read = NULL WHERE session = ? AND jid = ?", arguments: [br.id, g.jid.string]) }
                clock.advance(by: 10)
                let due = await sync.run(reuseListingsWithin: 300)
                #expect(due.groupsRead == 1 && listings() == connected)
                #expect(memberReads(h.world).count == total + 1)

                // A group left since the listing, and due: the gateway no longer has it for
                // this session; that is not a failure of the round.
                let left = try #require(h.world.groups(session: br.id)?.first { $0.ourRole != .superadmin && $0.jid != g.jid })
                try h.world.leave(session: br.id, group: left.jid)
                try await store.pool.write { try $0.execute(sql: "UPDATE fleet_group SET last_full_read = NULL WHERE session = ? AND jid = ?", arguments: [br.id, left.jid.string]) }
                clock.advance(by: 10)
                let gone = await sync.run(reuseListingsWithin: 300)
                #expect(gone.listingsReused == connected && gone.groupsRead == 0)
                #expect(gone.failed.isEmpty, "\(gone.failed)")

                // Older than that, or forced: listed again.
                clock.advance(by: 400)
                let old = await sync.run(reuseListingsWithin: 300)
                #expect(old.listingsReused == 0 && listings() == 2 * connected)
                clock.advance(by: 10)
                let forced = await sync.run(force: true, reuseListingsWithin: 300)
                #expect(forced.listingsReused == 0 && listings() == 3 * connected)
                // Without the option (the command line's sync) always listed.
                clock.advance(by: 10)
                _ = await sync.run()
                #expect(listings() == 4 * connected)
            }
        }
    }

    @Test func aNewProcessWaitsOutTheIntervalSinceTheLastRequestTheIndexRecorded() async throws {
        try await withSim { h in
            try await withTempDirectory { dir in
                let clock = VirtualClock()
                let path = dir + "/i.sqlite"
                let br = try #require(h.world.session(labeled: "support-br"))
                let g = try #require(h.world.groups(session: br.id)?.first)
                do {
                    let store = try FleetStore(path: path)
                    _ = await FleetSync(store: store, gateway: h.gateway, budget: Self.budget, clock: clock, now: wallTime(clock)).run(session: br.id)
                    #expect(memberReads(h.world).count == h.world.groups(session: br.id)?.count)
                }
                // Another process, half a second after the last read, with a group due: its
                // first request to that session waits the rest of the 2 s interval.
                clock.advance(by: 0.5)
                let store = try FleetStore(path: path)
                try await store.pool.write { try $0.execute(sql: "UPDATE fleet_group SET last_full_read = NULL WHERE session = ? AND jid = ?", arguments: [br.id, g.jid.string]) }
                let sync = FleetSync(store: store, gateway: h.gateway, budget: Self.budget, clock: clock, now: wallTime(clock))
                let before = clock.sleeps.count
                let report = await sync.run(session: br.id, reuseListingsWithin: 300)
                #expect(report.groupsRead == 1 && report.listingsReused == 1)
                let waits = Array(clock.sleeps.dropFirst(before))
                #expect(waits.count == 1)
                #expect(abs((waits.first ?? 0) - (Self.budget.interval - 0.5)) < 0.01, "\(waits)")
                // Long after: no wait at all.
                clock.advance(by: 60)
                try await store.pool.write { try $0.execute(sql: "UPDATE fleet_group SET last_full_read = NULL WHERE session = ? AND jid = ?", arguments: [br.id, g.jid.string]) }
                let later = FleetSync(store: store, gateway: h.gateway, budget: Self.budget, clock: clock, now: wallTime(clock))
                let n = clock.sleeps.count
                #expect(await later.run(session: br.id, reuseListingsWithin: 300).groupsRead == 1)
                #expect(clock.sleeps.count == n)
            }
        }
    }

    @Test func aJoinSeenByASyncIsReportedWithItsSession() async throws {
        try await withSim { h in
            try await withTempDirectory { dir in
                let clock = VirtualClock()
                let store = try FleetStore(path: dir + "/i.sqlite")
                let sync = FleetSync(store: store, gateway: h.gateway, budget: Self.budget, clock: clock, now: wallTime(clock))
                _ = await sync.run()
                let br = try #require(h.world.session(labeled: "support-br"))
                // A group that lets people in by its link without an admin's approval.
                let g = try #require(h.world.groups(session: br.id)?.first { $0.ourRole.isAdmin && $0.settings.approval != true })
                let newcomer = user("5511977700001")
                let code = try h.world.inviteCode(session: br.id, group: g.jid)
                let outcome = try h.world.join(code: code, as: newcomer, name: "New Person")
                #expect(outcome == .joined(session: br.id, group: g.jid))
                clock.advance(by: 60)
                let cut = wallTime(clock)()
                let report = await sync.run()
                #expect(report.joined.map(\.participant.participant.id) == [newcomer])
                #expect(report.joined.first?.session.session.label == "support-br")
                #expect(report.joined.first?.group.group.jid == g.jid)
                #expect(try store.joined(since: cut).map(\.participant.participant.id) == [newcomer])
                #expect(try store.joined(since: cut).first?.participant.baseline == false)
            }
        }
    }

    @Test func aKilledSyncIsResumedWithoutReadingAgain() async throws {
        try await withSim { h in
            try await withTempDirectory { dir in
                let path = dir + "/i.sqlite"
                let total = Self.groupCount(h.world)
                let killAfter = 5
                let clock = VirtualClock()
                do {
                    let store = try FleetStore(path: path)
                    let sync = FleetSync(store: store, gateway: h.gateway, budget: Self.budget, clock: clock, now: wallTime(clock))
                    let box = CancelBox(), reads = Counter()
                    let task = Task {
                        await sync.run(progress: { p in
                            if case .group = p, reads.increment() == killAfter { box.cancel() }
                        })
                    }
                    box.set(task)
                    let report = await task.value
                    #expect(report.stopped)
                    #expect(report.groupsRead == killAfter)
                    #expect(memberReads(h.world).count == killAfter)
                    #expect(try store.freshness()?.lastRound == nil)
                }
                // A new sync (a new process would be the same) on the same file.
                clock.advance(by: 30)
                let store = try FleetStore(path: path)
                let sync = FleetSync(store: store, gateway: h.gateway, budget: Self.budget, clock: clock, now: wallTime(clock))
                let report = await sync.run()
                #expect(report.resumed)
                #expect(report.groupsResumed == killAfter)
                #expect(report.groupsRead == total - killAfter)
                #expect(!report.stopped)
                // Every group read once over both runs.
                let reads = memberReads(h.world)
                #expect(reads.count == total)
                #expect(Set(reads).count == total)
                #expect(try store.freshness()?.lastRound != nil)
                #expect(try !store.beginRound(at: wallTime(clock)()).resumed)
            }
        }
    }

    @Test func aRateLimitedSessionBacksOffAndTheRoundGoesOn() async throws {
        try await withSim(retries: false) { h in
            try await withTempDirectory { dir in
                let clock = VirtualClock()
                let store = try FleetStore(path: dir + "/i.sqlite")
                let sync = FleetSync(store: store, gateway: h.gateway, budget: Self.budget, clock: clock, now: wallTime(clock))
                let first = try #require(connectedGroups(h.world).first)
                let k = first.groups.count
                let once = Counter(), world = h.world
                // After the first group of the first session is read, the next request is
                // refused as too many (429, Retry-After 1 s).
                let report = await sync.run(progress: { p in
                    if case .group = p, once.increment() == 1 {
                        world.updateFaults { $0.rateLimitNext = 1; $0.rateLimitRetryAfter = 1 }
                    }
                })
                let total = Self.groupCount(h.world)
                #expect(report.groupsRead == total)  // the refused group was read again, later
                #expect(!report.stopped)
                #expect(report.failures.contains { $0.contains(first.session.label) && $0.contains("rate limited") })
                let interval = Self.budget.interval
                // The first session: 2 s, 2 s (refused), then twice the interval to its end
                // (k - 2 groups and the one read again); the other sessions at the budget's pace.
                let sleeps = clock.sleeps
                let expectedFirst = [interval, interval] + Array(repeating: 2 * interval, count: k - 1)
                #expect(Array(sleeps.prefix(k + 1)) == expectedFirst)
                #expect(sleeps.dropFirst(k + 1).allSatisfy { $0 == interval })
                #expect(memberReads(h.world).count == total + 1)
            }
        }
    }

    @Test func aGatewayListingNoSessionsDoesNotEmptyTheIndex() async throws {
        try await withSim { h in
            try await withTempDirectory { dir in
                let store = try FleetStore(path: dir + "/i.sqlite")
                let clock = VirtualClock()
                _ = await FleetSync(store: store, gateway: h.gateway, budget: Self.budget, clock: clock, now: wallTime(clock)).run()
                let before = try store.counts()
                #expect(before.groups > 0)
                // The same index, read through a gateway whose world has no session at all
                // (as one that restarted, or whose token lost its scope, answers).
                let empty = World()
                let sim = try await SimServer.start(world: empty, dialect: .v1, token: Harness.token)
                defer { Task { await sim.stop() } }
                let gw = try GatewayFactory.make(dialect: .v1, baseURL: sim.baseURL, token: Harness.token)
                let report = await FleetSync(store: store, gateway: gw, budget: Self.budget, clock: clock, now: wallTime(clock)).run()
                #expect(report.failures.contains { $0.contains("listed none") }, "\(report.failures)")
                #expect(try store.counts() == before, "nothing forgotten")
                #expect(try store.sessions().count == h.world.sessions().count)
                await sim.stop()
            }
        }
    }

    @Test func aFailedReadIsReportedAndTheRoundGoesOn() async throws {
        try await withSim(retries: false) { h in
            try await withTempDirectory { dir in
                let clock = VirtualClock()
                let store = try FleetStore(path: dir + "/i.sqlite")
                let sync = FleetSync(store: store, gateway: h.gateway, budget: Self.budget, clock: clock, now: wallTime(clock))
                let once = Counter(), world = h.world
                let report = await sync.run(progress: { p in
                    if case .group = p, once.increment() == 2 { world.updateFaults { $0.serverErrorNext = 1 } }
                })
                let total = Self.groupCount(h.world)
                #expect(report.groupsRead == total - 1)
                #expect(report.failures.contains { $0.contains("500") })
                #expect(!report.stopped)
                #expect(try store.freshness()?.neverRead == 1)
                // The next round reads the one that failed (never read), and only it.
                clock.advance(by: 60)
                let next = await sync.run()
                #expect(next.groupsRead == 1 && next.groupsSkipped == total - 1)
            }
        }
    }

    @Test func aLiveReadIsPacedWithTheSync() async throws {
        try await withSim { h in
            try await withTempDirectory { dir in
                let clock = VirtualClock()
                let store = try FleetStore(path: dir + "/i.sqlite")
                let sync = FleetSync(store: store, gateway: h.gateway, budget: Self.budget, clock: clock, now: wallTime(clock))
                _ = await sync.run()
                let before = clock.sleeps.count
                let br = try #require(h.world.session(labeled: "support-br"))
                let g = try #require(h.world.groups(session: br.id)?.first)
                // Right after the round, the session's slot has long passed (the other
                // sessions were read since): a live read goes at once, a second one waits
                // the interval.
                let (people, diff) = try await sync.read(session: br.id, group: g.jid)
                _ = try await sync.read(session: br.id, group: g.jid)
                #expect(people.count == g.size)
                #expect(diff.isEmpty && !diff.firstRead)
                #expect(Array(clock.sleeps.dropFirst(before)) == [Self.budget.interval])
                #expect(try store.group(session: br.id, jid: g.jid)?.lastFullRead == wallTime(clock)())
            }
        }
    }
}
