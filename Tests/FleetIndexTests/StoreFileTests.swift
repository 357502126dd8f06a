import Foundation
import GRDB
import Testing
import GatewayKit
@testable import FleetIndex

/// The index's file: made private, its schema versioned, rebuilt when it is not ours; the
/// watchlist beside it migrated and never rebuilt.
@Suite struct StoreFileTests {
    static func userVersion(_ path: String) throws -> Int {
        let q = try DatabaseQueue(path: path)
        return try q.read { try Int.fetchOne($0, sql: "PRAGMA user_version") ?? -1 }
    }

    static func tables(_ store: FleetStore) throws -> Set<String> {
        Set(try store.pool.read { try String.fetchAll($0, sql: "SELECT name FROM sqlite_master WHERE type = 'table'") })
    }

    static func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    /// A store holding one session, one group and two people.
    static func filled(_ path: String) throws -> FleetStore {
        let store = try FleetStore(path: path)
        try store.recordSessions([session("s1")], at: date(0))
        try store.recordGroups(session: "s1", [group(1)], at: date(0))
        try store.recordParticipants(session: "s1", group: group(1).jid, [person(1), person(2)], at: date(0))
        return store
    }

    @Test func aNewIndexHasTheSchemaAndIsPrivate() async throws {
        try await withTempDirectory { dir in
            let path = dir + "/state/index/prod.sqlite"
            let store = try FleetStore(path: path)
            #expect(try Self.tables(store).isSuperset(of: ["fleet_session", "fleet_group", "fleet_participant", "fleet_event",
                                                           "fleet_meta", "sync_round"]))
            try store.setMeta("k", "v")
            #expect(try Self.userVersion(path) == FleetStore.schemaVersion)
            #expect(try Self.mode(path) == 0o600)
            #expect(try Self.mode(dir + "/state/index") == 0o700)
            let journal = try store.pool.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") }
            #expect(journal == "wal")
            // The index `find` uses, not a scan of every participant.
            let plan = try store.pool.read { db in
                try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN SELECT * FROM fleet_participant p WHERE p.phone = ?1 OR p.lid = ?1",
                                 arguments: ["1@lid"]).map { $0["detail"] as String }
            }
            #expect(plan.contains { $0.contains("fleet_participant_phone") })
            #expect(plan.contains { $0.contains("fleet_participant_lid") })
            #expect(!plan.contains { $0.hasPrefix("SCAN") })
        }
    }

    @Test func aFileOfAnotherSchemaVersionIsRebuilt() async throws {
        try await withTempDirectory { dir in
            let path = dir + "/prod.sqlite"
            do {
                let store = try Self.filled(path)
                #expect(try store.counts().participants == 2)
            }
            do {
                let q = try DatabaseQueue(path: path)
                try q.write { try $0.execute(sql: "PRAGMA user_version = 99") }
            }
            let store = try FleetStore(path: path)
            #expect(try store.counts() == (0, 0, 0))
            #expect(try Self.userVersion(path) == FleetStore.schemaVersion)
            #expect(try Self.tables(store).contains("fleet_participant"))
            // The new schema works.
            try store.recordSessions([session("s2")], at: date(1))
            #expect(try store.sessions().map(\.session.id) == ["s2"])
        }
    }

    @Test func aFileOfSomethingElseIsRebuilt() async throws {
        try await withTempDirectory { dir in
            let path = dir + "/prod.sqlite"
            // Another program's database at the index's path: tables, but no version.
            do {
                let q = try DatabaseQueue(path: path)
                try q.write { try $0.execute(sql: "CREATE TABLE other (x)") }
            }
            let store = try FleetStore(path: path)
            #expect(try !Self.tables(store).contains("other"))
            #expect(try Self.tables(store).contains("fleet_group"))
        }
    }

    @Test func aGarbageFileIsRebuilt() async throws {
        try await withTempDirectory { dir in
            let path = dir + "/prod.sqlite"
            _ = try Self.filled(path)
            var noise = Data(count: 64 * 1024)
            for i in noise.indices { noise[i] = UInt8(truncatingIfNeeded: i &* 2_654_435_761 >> 7) }
            try noise.write(to: URL(fileURLWithPath: path))
            try? FileManager.default.removeItem(atPath: path + "-wal")
            try? FileManager.default.removeItem(atPath: path + "-shm")
            try noise.prefix(4096).write(to: URL(fileURLWithPath: path + "-wal"))
            let store = try FleetStore(path: path)
            #expect(try store.counts() == (0, 0, 0))
            try store.recordSessions([session("s1")], at: date(0))
            #expect(try store.counts().sessions == 1)
            #expect(try Self.mode(path) == 0o600)
        }
    }

    @Test func aFileThatCannotBeOpenedIsAClearError() async throws {
        try await withTempDirectory { dir in
            // A directory where the file should be: nothing to rebuild, and said so.
            let path = dir + "/prod.sqlite"
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            #expect {
                _ = try FleetStore(path: path)
            } throws: { error in
                guard case GatewayError.storage(let m) = error else { return false }
                return m.contains(path)
            }
        }
    }

    @Test func theWatchlistSurvivesARebuildOfTheIndex() async throws {
        try await withTempDirectory { dir in
            let indexPath = dir + "/prod.sqlite", listPath = dir + "/prod.watchlist.sqlite"
            let entry = WatchEntry(who: person(7).id, reason: "spam", addedBy: "ana", added: date(0), expires: nil)
            do {
                let list = try Watchlist(path: listPath)
                try list.add(entry)
                _ = try Self.filled(indexPath)
            }
            try Data("not a database".utf8).write(to: URL(fileURLWithPath: indexPath))
            let store = try FleetStore(path: indexPath)
            #expect(try store.counts().participants == 0)
            let list = try Watchlist(path: listPath)
            #expect(try list.entries() == [entry])
            #expect(try Self.mode(listPath) == 0o600)
        }
    }

    @Test func aWatchlistThatCannotBeReadIsKeptAsItIs() async throws {
        try await withTempDirectory { dir in
            let path = dir + "/prod.watchlist.sqlite"
            let bytes = Data(repeating: 0x5A, count: 8192)
            try bytes.write(to: URL(fileURLWithPath: path))
            #expect(throws: GatewayError.self) { _ = try Watchlist(path: path) }
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == bytes)
        }
    }

    @Test func theWatchlistsMigrationRunsOnAnOldFile() async throws {
        try await withTempDirectory { dir in
            let path = dir + "/prod.watchlist.sqlite"
            // A watchlist as the first version left it.
            do {
                let q = try DatabaseQueue(path: path)
                try Watchlist.migrator.migrate(q, upTo: "v1 entries")
                try q.write { db in
                    try db.execute(sql: "INSERT INTO watch_entry (who, reason, added_by, added, expires) VALUES (?, ?, ?, ?, ?)",
                                   arguments: [person(3).id.string, "old reason", "bruno", date(5).timeIntervalSince1970, nil])
                }
                let applied = try q.read { try String.fetchAll($0, sql: "SELECT identifier FROM grdb_migrations") }
                #expect(applied == ["v1 entries"])
            }
            let list = try Watchlist(path: path)
            #expect(try list.entries().map(\.who) == [person(3).id])
            #expect(try list.entries().first?.reason == "old reason")
            let (applied, index) = try list.pool.read { db in
                (try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY identifier"),
                 try String.fetchOne(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'watch_entry_added'"))
            }
            #expect(applied == ["v1 entries", "v2 listing order"])
            #expect(index == "watch_entry_added")
        }
    }

    @Test func watchlistEntriesAreReplacedRemovedAndExpire() async throws {
        try await withTempDirectory { dir in
            let list = try Watchlist(path: dir + "/w.sqlite")
            let a = WatchEntry(who: person(1).id, reason: "spam", addedBy: "ana", added: date(0), expires: date(100))
            let b = WatchEntry(who: person(2).lid!, reason: "scam", addedBy: "ana", added: date(10), expires: nil)
            #expect(try list.add(a) == nil)
            #expect(try list.add(b) == nil)
            var a2 = a
            a2.reason = "spam again"; a2.added = date(20)
            #expect(try list.add(a2) == a)
            #expect(try list.entries(now: date(50)).map(\.reason) == ["scam", "spam again"])
            #expect(try list.entries(now: date(200)).map(\.who) == [b.who])
            #expect(try list.entries(now: date(200), includeExpired: true).count == 2)
            #expect(try list.remove(person(2).lid!) == b)
            #expect(try list.remove(person(2).lid!) == nil)
            #expect(try list.entries(now: date(50)) == [a2])
        }
    }
    /// `wamod find` opens the index read-only: it sees what the sync wrote, writes nothing
    /// (not even the transaction a writable pool makes to bring its WAL back), and a file it
    /// cannot use is left for the next writable open to rebuild.
    @Test func aReadOnlyOpenReadsWithoutWriting() async throws {
        try await withTempDirectory { dir in
            let path = dir + "/prod.sqlite"
            #expect(try FleetStore.openForReading(path: path) == nil)
            #expect(!FileManager.default.fileExists(atPath: path))
            do {
                let store = try Self.filled(path)
                try store.pool.close()
            }
            func contents() -> [Data?] { [path, path + "-wal"].map { try? Data(contentsOf: URL(fileURLWithPath: $0)) } }
            let before = contents()
            do {
                let reader = try #require(try FleetStore.openForReading(path: path))
                #expect(reader.readOnly)
                #expect(try reader.find(person(1).phone!).map(\.group.group.jid) == [group(1).jid])
                #expect(try reader.counts().participants == 2)
                #expect(throws: (any Error).self) { try reader.setMeta("k", "v") }
                try reader.pool.close()
            }
            // Neither the file nor its WAL changed by a byte.
            #expect(contents() == before)

            // A writer open at the same time: the reader sees what it committed.
            let writer = try FleetStore(path: path)
            try writer.recordParticipants(session: "s1", group: group(1).jid, [person(1), person(2), person(3)], at: date(5))
            let reader = try #require(try FleetStore.openForReading(path: path))
            #expect(try reader.counts().participants == 3)

            // Another schema version: no reader, and the file is not touched.
            try writer.pool.write { try $0.execute(sql: "PRAGMA user_version = 99") }
            try writer.pool.close()
            try reader.pool.close()
            #expect(try FleetStore.openForReading(path: path) == nil)
            #expect(try Self.userVersion(path) == 99)
        }
    }
    /// A writer done with the index empties its log: the next open (a read-only find) has
    /// nothing to read back from it.
    @Test func aCheckpointEmptiesTheLog() async throws {
        try await withTempDirectory { dir in
            let path = dir + "/prod.sqlite"
            let store = try Self.filled(path)
            func walSize() -> Int { (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? NSNumber)?.intValue ?? 0 }
            #expect(walSize() > 0)
            store.checkpoint()
            #expect(walSize() == 0)
            #expect(try store.counts().participants == 2)
            let reader = try #require(try FleetStore.openForReading(path: path))
            reader.checkpoint()
            #expect(try reader.counts().participants == 2)
        }
    }
    /// Another process writing the index holds the console's checkpoint at quit no longer than
    /// it was told to wait: the log stays (nothing lost) and the next writer empties it.
    @Test func aCheckpointWaitsOnlyAsLongAsItIsTold() async throws {
        try await withTempDirectory { dir in
            let path = dir + "/prod.sqlite"
            let store = try Self.filled(path)
            // Another writer, as `wamod sync` next to the console would be, mid-transaction.
            var held = Configuration()
            held.allowsUnsafeTransactions = true // the transaction outlives one access, on purpose
            let other = try DatabaseQueue(path: path, configuration: held)
            try other.inDatabase { db in try db.execute(sql: "BEGIN IMMEDIATE") }
            #expect(store.checkpoint(waitingAtMost: 0.2) == false, "the other writer holds the log")
            try other.inDatabase { db in try db.execute(sql: "ROLLBACK") }
            try other.close()
            #expect(store.checkpoint(waitingAtMost: 0.2) == true)
            #expect((try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? NSNumber)?.intValue ?? 0 == 0)
            #expect(try store.counts().participants == 2)
        }
    }
    /// An index added after the version shipped is made on the next writable open of an older
    /// file, its rows kept; the "groups read … ago" query then reads that index, not the table.
    @Test func anAddedIndexIsMadeWithoutARebuild() async throws {
        try await withTempDirectory { dir in
            let path = dir + "/prod.sqlite"
            do {
                let store = try Self.filled(path)
                try store.pool.write { try $0.execute(sql: "DROP INDEX fleet_group_read") }
                try store.pool.close()
            }
            let store = try FleetStore(path: path)
            #expect(try store.counts().participants == 2)
            let indexes = try store.pool.read { try String.fetchAll($0, sql: "SELECT name FROM sqlite_master WHERE type = 'index'") }
            #expect(indexes.contains("fleet_group_read"))
            let plan = try store.pool.read { db in
                try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN SELECT COUNT(*), MIN(last_full_read), MAX(last_full_read), SUM(last_full_read IS NULL) FROM fleet_group")
                    .map { $0["detail"] as String }
            }
            #expect(plan.contains { $0.contains("COVERING INDEX fleet_group_read") }, "\(plan)")
        }
    }

    @Test func aSessionsJoinsAreReadThroughTheJoinsIndexNotEveryMember() async throws {
        try await withTempDirectory { dir in
            let store = try Self.filled(dir + "/i.sqlite")
            func plan(session: String?, group: JID?) throws -> [String] {
                let (filter, arguments) = FleetStore.joinedFilter(since: Date(timeIntervalSince1970: 0), session: session, group: group)
                return try store.pool.read { db in
                    try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + FleetStore.hitsSQL(where: filter, order: FleetStore.joinedOrder),
                                     arguments: StatementArguments(arguments)).map { $0["detail"] as String }
                }
            }
            for session in [nil, "s1"] as [String?] {
                let p = try plan(session: session, group: nil)
                #expect(p.contains { $0.contains("fleet_participant_joined") }, "\(p)")
                #expect(!p.contains { $0.contains("fleet_participant_member") }, "\(p)")
            }
            // One group: its members, by the group's key.
            let one = try plan(session: "s1", group: group(1).jid)
            #expect(one.contains { $0.contains("fleet_group_jid") }, "\(one)")
            // A join, found by each way of asking.
            try store.recordParticipants(session: "s1", group: group(1).jid, [person(1), person(2), person(3)], at: date(10))
            #expect(try store.joined(since: date(5), session: "s1").map(\.participant.participant.id) == [person(3).id])
            #expect(try store.joined(since: date(5), session: "s1", group: group(1).jid).map(\.participant.participant.id) == [person(3).id])
            #expect(try store.joined(since: date(5), session: "s2").isEmpty)
            #expect(try store.joined(since: date(11), session: "s1").isEmpty)
        }
    }
}
