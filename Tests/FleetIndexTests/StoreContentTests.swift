import Foundation
import Testing
import GatewayKit
@testable import FleetIndex

/// What the index keeps: diffs of reads, events followed, finds, joins, the watchlist's hits,
/// freshness, the events kept for followers, the sync's rounds.
@Suite struct StoreContentTests {
    static let g1 = group(1, subject: "Team", size: 3)

    static func store(_ dir: String) throws -> FleetStore {
        let store = try FleetStore(path: dir + "/i.sqlite")
        try store.recordSessions([session("s1", label: "alpha", account: person(100).phone)], at: date(0))
        try store.recordGroups(session: "s1", [g1], at: date(0))
        return store
    }

    static func stored(_ store: FleetStore, _ p: Participant, in g: JID = g1.jid) throws -> IndexedParticipant? {
        try store.participants(session: "s1", group: g).first { $0.participant.matches(p.id) }
    }

    @Test func theFirstReadIsTheBaselineAndLaterReadsAreDiffs() async throws {
        try await withTempDirectory { dir in
            let store = try Self.store(dir)
            let first = try store.recordParticipants(session: "s1", group: Self.g1.jid,
                                                     [person(1), person(2), person(3), person(100, role: .admin)], at: date(10))
            #expect(first.firstRead)
            #expect(first.isEmpty)
            #expect(try store.participants(session: "s1", group: Self.g1.jid).allSatisfy(\.baseline))
            var g = try #require(try store.group(session: "s1", jid: Self.g1.jid))
            #expect(g.lastFullRead == date(10))
            #expect(g.group.size == 4)
            #expect(g.group.ourRole == .admin)

            // Person 3 left, 4 joined, 2 was made admin.
            let later = try store.recordParticipants(session: "s1", group: Self.g1.jid,
                                                     [person(1), person(2, role: .admin), person(4), person(100, role: .admin)], at: date(20))
            #expect(!later.firstRead)
            #expect(later.joined.map(\.id) == [person(4).id])
            #expect(later.left.map(\.id) == [person(3).id])
            #expect(later.roleChanged.map(\.id) == [person(2).id])
            #expect(later.roleChanged.first?.role == .admin)
            let joiner = try #require(try Self.stored(store, person(4)))
            #expect(!joiner.baseline)
            #expect(joiner.firstSeen == date(20))
            #expect(joiner.isNew(since: date(15)))
            #expect(try Self.stored(store, person(3)) == nil)
            let kept = try #require(try Self.stored(store, person(1)))
            #expect(kept.baseline && kept.firstSeen == date(10) && kept.lastSeen == date(20))
            g = try #require(try store.group(session: "s1", jid: Self.g1.jid))
            #expect(g.lastFullRead == date(20))

            // A read that names someone by phone alone, then by `@lid` alone, is still them.
            let byPhone = try store.recordParticipants(session: "s1", group: Self.g1.jid,
                                                       [person(1, withLID: false), person(2, role: .admin, phone: false), person(4), person(100, role: .admin)],
                                                       at: date(30))
            #expect(byPhone.isEmpty)
            #expect(try Self.stored(store, person(1))?.participant.lid == person(1).lid)
        }
    }

    @Test func aReadThatChangesNothingWritesNoMemberRowYetEveryoneIsSeenAtIt() async throws {
        try await withTempDirectory { dir in
            let store = try Self.store(dir)
            let people = (1...50).map { person($0) } + [person(100, role: .admin)]
            try store.recordParticipants(session: "s1", group: Self.g1.jid, people, at: date(10))
            let changesBefore = try store.pool.write { db in db.totalChangesCount }
            try store.recordParticipants(session: "s1", group: Self.g1.jid, people, at: date(30))
            let changesAfter = try store.pool.write { db in db.totalChangesCount }
            // The group's row (read time, size, role) and the session's: no member row.
            #expect(changesAfter - changesBefore <= 2, "\(changesAfter - changesBefore) rows written for an unchanged read")
            let rows = try store.participants(session: "s1", group: Self.g1.jid)
            #expect(rows.count == people.count)
            #expect(rows.allSatisfy { $0.lastSeen == date(30) && $0.firstSeen == date(10) })
            // A change is still written: a new name, and a role.
            var changed = people
            changed[0] = person(1, name: "Ana Renamed")
            changed[1] = person(2, role: .admin)
            let diff = try store.recordParticipants(session: "s1", group: Self.g1.jid, changed, at: date(40))
            #expect(diff.roleChanged.map(\.id) == [person(2).id])
            #expect(try Self.stored(store, person(1))?.participant.name == "Ana Renamed")
            #expect(try Self.stored(store, person(2))?.participant.role == .admin)
            #expect(try Self.stored(store, person(3))?.lastSeen == date(40))
        }
    }

    @Test func groupsAndSessionsNoLongerListedGoWithTheirParticipants() async throws {
        try await withTempDirectory { dir in
            let store = try Self.store(dir)
            let g2 = group(2, subject: "Other")
            try store.recordGroups(session: "s1", [Self.g1, g2], at: date(1))
            try store.recordParticipants(session: "s1", group: Self.g1.jid, [person(1)], at: date(2))
            try store.recordParticipants(session: "s1", group: g2.jid, [person(1), person(2)], at: date(2))
            // A listing again keeps the last full read.
            try store.recordGroups(session: "s1", [group(1, subject: "Team renamed", size: 1), g2], at: date(3))
            #expect(try store.group(session: "s1", jid: Self.g1.jid)?.lastFullRead == date(2))
            #expect(try store.group(session: "s1", jid: Self.g1.jid)?.group.subject == "Team renamed")
            try store.recordGroups(session: "s1", [g2], at: date(4))
            #expect(try store.groups(session: "s1").map(\.group.jid) == [g2.jid])
            #expect(try store.find(person(1).id).count == 1)
            try store.recordSessions([session("s2", label: "beta")], at: date(5))
            #expect(try store.counts() == (1, 0, 0))
            #expect(try store.sessions().first?.session.label == "beta")
        }
    }

    @Test func eventsAreFollowedAndAJoinsWayIsKeptByLaterReads() async throws {
        try await withTempDirectory { dir in
            let store = try Self.store(dir)
            try store.recordParticipants(session: "s1", group: Self.g1.jid, [person(1), person(2), person(3)], at: date(10))
            // Person 5 joins by the invite link; person 6 is added by person 1.
            let joined = try store.apply(FleetEvent(kind: .joined, session: "s1", group: Self.g1.jid, participants: [person(5)],
                                                    via: .invite, at: date(15)), at: date(16))
            #expect(joined.joined.map(\.id) == [person(5).id])
            let added = try store.apply(FleetEvent(kind: .joined, session: "s1", group: Self.g1.jid, participants: [person(6, phone: false)],
                                                   by: person(1).id, via: .added, at: nil), at: date(17))
            #expect(added.joined.count == 1)
            let five = try #require(try Self.stored(store, person(5)))
            #expect(!five.baseline && five.joinedAt == date(15) && five.joinedVia == .invite && five.addedBy == nil)
            let six = try #require(try Self.stored(store, person(6, phone: false)))
            #expect(six.joinedAt == date(17) && six.joinedVia == .added && six.addedBy == person(1).id)
            // A repeat of the event changes nothing.
            #expect(try store.apply(FleetEvent(kind: .joined, session: "s1", group: Self.g1.jid, participants: [person(5)], via: .invite),
                                    at: date(18)).isEmpty)

            // Left, promoted, demoted, a new subject.
            let left = try store.apply(FleetEvent(kind: .left, session: "s1", group: Self.g1.jid, participants: [person(3)], by: person(1).id), at: date(19))
            #expect(left.left.map(\.id) == [person(3).id])
            #expect(try Self.stored(store, person(3)) == nil)
            let promoted = try store.apply(FleetEvent(kind: .promoted, session: "s1", group: Self.g1.jid, participants: [person(2)]), at: date(20))
            #expect(promoted.roleChanged.map(\.role) == [.admin])
            #expect(try Self.stored(store, person(2))?.participant.role == .admin)
            try store.apply(FleetEvent(kind: .demoted, session: "s1", group: Self.g1.jid, participants: [person(2)]), at: date(21))
            #expect(try Self.stored(store, person(2))?.participant.role == .member)
            try store.apply(FleetEvent(kind: .groupChanged, session: "s1", group: Self.g1.jid, subject: "Team 2"), at: date(22))
            #expect(try store.group(session: "s1", jid: Self.g1.jid)?.group.subject == "Team 2")

            // The next full read (person 6 now with a phone too) keeps how 5 and 6 came in.
            let read = try store.recordParticipants(session: "s1", group: Self.g1.jid,
                                                    [person(1), person(2), person(5), person(6)], at: date(30))
            #expect(read.isEmpty)
            let five2 = try #require(try Self.stored(store, person(5)))
            #expect(five2.joinedVia == .invite && five2.joinedAt == date(15) && !five2.baseline)
            let six2 = try #require(try Self.stored(store, person(6)))
            #expect(six2.joinedVia == .added && six2.addedBy == person(1).id && six2.participant.phone == person(6).phone)
        }
    }

    @Test func aJoinTheSyncSawFirstLearnsItsWayFromTheEvent() async throws {
        try await withTempDirectory { dir in
            let store = try Self.store(dir)
            try store.recordParticipants(session: "s1", group: Self.g1.jid, [person(1)], at: date(10))
            try store.recordParticipants(session: "s1", group: Self.g1.jid, [person(1), person(2)], at: date(20))
            let diff = try store.apply(FleetEvent(kind: .joined, session: "s1", group: Self.g1.jid, participants: [person(2)],
                                                  via: .invite, at: date(19)), at: date(21))
            #expect(diff.isEmpty)
            let two = try #require(try Self.stored(store, person(2)))
            #expect(two.joinedVia == .invite && two.joinedAt == date(19))
            // Someone of the baseline is never made "new" by an event.
            try store.apply(FleetEvent(kind: .joined, session: "s1", group: Self.g1.jid, participants: [person(1)], via: .invite, at: date(22)), at: date(22))
            #expect(try Self.stored(store, person(1))?.joinedVia == nil)
        }
    }

    @Test func aGroupFirstKnownByAnEventIsNotReadAndItsFirstReadIsTheBaseline() async throws {
        try await withTempDirectory { dir in
            let store = try Self.store(dir)
            let newGroup = group(9).jid
            try store.apply(FleetEvent(kind: .addedUs, session: "s1", group: newGroup, subject: "New one"), at: date(5))
            let g = try #require(try store.group(session: "s1", jid: newGroup))
            #expect(g.lastFullRead == nil && g.group.subject == "New one")
            #expect(try store.freshness()?.neverRead == 2)  // "Team", listed, and the new one
            // An event for a session the index has never listed adds it too.
            try store.apply(FleetEvent(kind: .joined, session: "s9", group: newGroup, participants: [person(1)], via: .invite), at: date(6))
            #expect(try store.sessions().map(\.session.id).contains("s9"))

            try store.apply(FleetEvent(kind: .joined, session: "s1", group: newGroup, participants: [person(7)], via: .invite, at: date(6)), at: date(6))
            let first = try store.recordParticipants(session: "s1", group: newGroup, [person(7), person(8)], at: date(10))
            #expect(first.firstRead && first.joined.isEmpty)
            #expect(try Self.stored(store, person(8), in: newGroup)?.baseline == true)
            #expect(try Self.stored(store, person(7), in: newGroup)?.baseline == false)
            #expect(try store.joined(since: date(0)).map(\.participant.participant.id) == [person(7).id, person(1).id])
        }
    }

    @Test func findByPhoneAndByLIDAcrossSessionsSortedByLabelThenSubject() async throws {
        try await withTempDirectory { dir in
            let store = try FleetStore(path: dir + "/i.sqlite")
            try store.recordSessions([session("z", label: "zulu"), session("a", label: "alpha")], at: date(0))
            try store.recordGroups(session: "z", [group(1, subject: "Beta"), group(2, subject: "Alpha")], at: date(0))
            try store.recordGroups(session: "a", [group(3, subject: "Zed"), group(4, subject: "Nothing here")], at: date(0))
            for (s, g) in [("z", 1), ("z", 2), ("a", 3)] {
                try store.recordParticipants(session: s, group: group(g).jid, [person(1), person(g + 10)], at: date(Double(g)))
            }
            try store.recordParticipants(session: "a", group: group(4).jid, [person(2)], at: date(4))
            let byPhone = try store.find(person(1).phone!)
            #expect(byPhone.map { "\($0.session.session.label)/\($0.group.group.subject)" } == ["alpha/Zed", "zulu/Alpha", "zulu/Beta"])
            #expect(byPhone.first?.asOf == date(3))
            #expect(byPhone.first?.participant.participant.name == "Person 1")
            let byLID = try store.find(person(1).lid!)
            #expect(byLID.map(\.group.group.jid) == byPhone.map(\.group.group.jid))
            #expect(try store.find(person(99).id).isEmpty)
            // Someone known by `@lid` alone is found by it.
            try store.recordParticipants(session: "a", group: group(4).jid, [person(2), person(50, phone: false)], at: date(5))
            #expect(try store.find(person(50).lid!).map(\.group.group.subject) == ["Nothing here"])
        }
    }

    @Test func joinedSinceListsOnlyNewMembersNewestFirst() async throws {
        try await withTempDirectory { dir in
            let store = try Self.store(dir)
            let g2 = group(2, subject: "Second")
            try store.recordGroups(session: "s1", [Self.g1, g2], at: date(0))
            try store.recordParticipants(session: "s1", group: Self.g1.jid, [person(1)], at: date(10))
            try store.recordParticipants(session: "s1", group: g2.jid, [person(1)], at: date(10))
            try store.recordParticipants(session: "s1", group: Self.g1.jid, [person(1), person(2)], at: date(100))
            try store.recordParticipants(session: "s1", group: g2.jid, [person(1), person(3)], at: date(200))
            // An event says person 4 joined long ago (before the cut) though seen only now.
            try store.apply(FleetEvent(kind: .joined, session: "s1", group: g2.jid, participants: [person(4)], via: .added, at: date(50)), at: date(300))
            #expect(try store.joined(since: date(0)).map(\.participant.participant.id) == [person(3).id, person(2).id, person(4).id])
            #expect(try store.joined(since: date(150)).map(\.participant.participant.id) == [person(3).id])
            #expect(try store.joined(since: date(0), group: Self.g1.jid).map(\.participant.participant.id) == [person(2).id])
            #expect(try store.joined(since: date(0), session: "nobody").isEmpty)
            #expect(try store.joined(since: date(0)).allSatisfy { !$0.participant.baseline })
        }
    }

    @Test func watchHitsAreTheActiveEntriesFound() async throws {
        try await withTempDirectory { dir in
            let store = try Self.store(dir)
            try store.recordParticipants(session: "s1", group: Self.g1.jid, [person(1), person(2), person(3)], at: date(10))
            let active = WatchEntry(who: person(1).phone!, reason: "spam", addedBy: "ana", added: date(0), expires: date(1000))
            let byLID = WatchEntry(who: person(2).lid!, reason: "scam", addedBy: "ana", added: date(0), expires: nil)
            let expired = WatchEntry(who: person(3).phone!, reason: "old", addedBy: "ana", added: date(0), expires: date(50))
            let absent = WatchEntry(who: person(9).phone!, reason: "x", addedBy: "ana", added: date(0), expires: nil)
            let hits = try store.watchHits([active, byLID, expired, absent], now: date(100))
            #expect(hits.map(\.entry.reason) == ["spam", "scam"])
            #expect(hits.map(\.hit.participant.participant.id) == [person(1).id, person(2).id])
            #expect(try store.watchHits([active], now: date(2000)).isEmpty)
        }
    }

    @Test func freshnessSaysHowOldTheIndexIs() async throws {
        try await withTempDirectory { dir in
            let store = try FleetStore(path: dir + "/i.sqlite")
            #expect(try store.freshness() == nil)
            try store.recordSessions([session("s1")], at: date(0))
            try store.recordGroups(session: "s1", [group(1), group(2), group(3)], at: date(0))
            try store.recordParticipants(session: "s1", group: group(1).jid, [person(1)], at: date(10))
            try store.recordParticipants(session: "s1", group: group(2).jid, [person(1)], at: date(40))
            let round = try store.beginRound(at: date(5))
            try store.finishRound(round, at: date(45))
            #expect(try store.freshness() == Freshness(oldest: date(10), newest: date(40), neverRead: 1, lastRound: date(45)))
        }
    }

    @Test func roundsResumeUntilFinished() async throws {
        try await withTempDirectory { dir in
            let store = try FleetStore(path: dir + "/i.sqlite")
            let first = try store.beginRound(at: date(0))
            #expect(!first.resumed)
            let again = try store.beginRound(at: date(10))
            #expect(again.resumed && again.id == first.id && again.started == date(0))
            try store.finishRound(again, at: date(20))
            let next = try store.beginRound(at: date(30))
            #expect(!next.resumed && next.id > first.id && next.started == date(30))
        }
    }

    @Test func eventsAreKeptForFollowersAndTrimmed() async throws {
        try await withTempDirectory { dir in
            let store = try FleetStore(path: dir + "/i.sqlite")
            #expect(try store.lastEventID() == 0)
            let e = FleetEvent(kind: .joined, session: "s1", group: group(1).jid, participants: [person(1)], by: person(2).id,
                               via: .invite, subject: nil, at: date(3), eventID: "evt-1")
            let id = try store.appendEvent(e, received: date(4))
            #expect(id == 1)
            #expect(try store.events(after: 0) == [StoredEvent(id: 1, event: e, received: date(4))])
            #expect(try store.events(after: 1).isEmpty)
            #expect(try store.lastEventID() == 1)
            try store.setMeta("listener", "alive")
            #expect(try store.meta("listener") == "alive")
            try store.setMeta("listener", "gone")
            #expect(try store.meta("listener") == "gone")
            #expect(try store.meta("nothing") == nil)

            let small = FleetEvent(kind: .left, session: "s1", group: group(1).jid, participants: [person(1)])
            try store.pool.write { db in
                // Ten thousand more, quickly: the rows as `appendEvent` writes them.
                let json = String(decoding: try FleetStore.encoder.encode(small), as: UTF8.self)
                for _ in 0..<Int(FleetStore.eventsKept) {
                    try db.execute(sql: "INSERT INTO fleet_event (event, received) VALUES (?, ?)", arguments: [json, date(5).timeIntervalSince1970])
                }
            }
            let last = try store.appendEvent(small, received: date(6))
            #expect(last == FleetStore.eventsKept + 2)
            #expect(try store.lastEventID() == last)
            // The oldest went; ids are never reused.
            let kept = try store.events(after: 0, limit: 5)
            #expect(kept.first?.id == last - FleetStore.eventsKept + 1)
            #expect(kept.count == 5)
            #expect(try store.events(after: last - 3).map(\.id) == [last - 2, last - 1, last])
        }
    }
}
