import Foundation
import Testing
import GatewayKit
import GatewaySim
import TestSupport
@testable import FleetIndex

/// `find` from the index, then the groups involved read live before anything is changed.
@Suite struct ConfirmTests {
    /// The demo world's spammer (`DemoFixture.spammer`), in groups of several sessions.
    static let spammer = user("5511955501234")

    @Test func aHitWhosePersonLeftIsNoLongerAHitAndTheIndexFollows() async throws {
        try await withSim { h in
            try await withTempDirectory { dir in
                let clock = VirtualClock()
                let store = try FleetStore(path: dir + "/i.sqlite")
                let budget = ReadBudget(perSessionPerMinute: 30, sessionsAtOnce: 2, maxAge: 3600)
                let sync = FleetSync(store: store, gateway: h.gateway, budget: budget, clock: clock, now: wallTime(clock))
                _ = await sync.run()
                let hits = try store.find(Self.spammer)
                // Everywhere the world has them, in the connected sessions (the offline one's
                // groups were never read).
                let expected = connectedGroups(h.world).flatMap { s, groups in
                    groups.filter { g in h.world.members(session: s.id, group: g.jid)?.contains { $0.matches(Self.spammer) } == true }
                }
                #expect(hits.count == expected.count)
                #expect(hits.count >= 5)

                // Since the sync: removed elsewhere from one group (where the session is an
                // admin); another session left a group of theirs (it cannot be read now); a
                // third session went offline (its groups are still read, as find does).
                let gone = try #require(hits.first { $0.group.group.ourRole?.isAdmin == true })
                _ = try h.world.apply(.remove, session: gone.group.session, group: gone.group.group.jid, targets: [Self.spammer])
                let unreadable = try #require(hits.first { $0.group.session != gone.group.session })
                try h.world.leave(session: unreadable.group.session, group: unreadable.group.group.jid)
                let offline = try #require(hits.first { ![gone.group.session, unreadable.group.session].contains($0.group.session) })
                h.world.setConnected(false, session: offline.group.session)

                let before = memberReads(h.world).count
                let report = await IndexFind.confirm(Self.spammer, hits: hits, sync: sync)
                #expect(report.who == Self.spammer)
                #expect(report.groupsTotal == hits.count)
                #expect(report.groupsRead == hits.count - 1)
                #expect(report.notSearched.count == 1)
                #expect(report.notSearched.first?.contains(unreadable.group.group.subject) == true)
                #expect(report.hits.count == hits.count - 2)
                #expect(!report.hits.contains { $0.session.id == gone.group.session && $0.group.jid == gone.group.group.jid })
                #expect(!report.hits.contains { $0.session.id == unreadable.group.session && $0.group.jid == unreadable.group.group.jid })
                #expect(report.hits.allSatisfy { $0.participant.matches(Self.spammer) })
                // The sessions are the live ones: the offline one says so, and its hits are
                // not removable.
                let offlineHits = report.hits.filter { $0.session.id == offline.group.session }
                #expect(!offlineHits.isEmpty)
                #expect(offlineHits.allSatisfy { !$0.session.connected && !$0.removal.sends })
                // Our role is the one the live read showed.
                for hit in report.hits {
                    #expect(hit.ourRole == h.world.group(session: hit.session.id, jid: hit.group.jid)?.ourRole)
                }
                let labels = report.hits.map { "\($0.session.label)\u{0}\($0.group.subject)" }
                #expect(labels == labels.sorted())
                #expect(!report.stopped)
                // One live read per group.
                #expect(memberReads(h.world).count == before + hits.count)
                // The index followed the live reads.
                let after = try store.find(Self.spammer)
                #expect(after.count == hits.count - 1)
                #expect(!after.contains { $0.group.session == gone.group.session && $0.group.group.jid == gone.group.group.jid })
            }
        }
    }

    @Test func noHitsReadsNothing() async throws {
        try await withSim { h in
            try await withTempDirectory { dir in
                let store = try FleetStore(path: dir + "/i.sqlite")
                let sync = FleetSync(store: store, gateway: h.gateway, clock: VirtualClock())
                let before = h.world.arrivalCount
                let report = await IndexFind.confirm(Self.spammer, hits: [], sync: sync)
                #expect(report.hits.isEmpty && report.groupsTotal == 0 && report.notSearched.isEmpty)
                #expect(h.world.arrivalCount == before)
            }
        }
    }
}
