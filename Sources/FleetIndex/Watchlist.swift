import Foundation
import GatewayKit
import GRDB

/// A person who must not be in any group the profile administers.
public struct WatchEntry: Sendable, Hashable, Codable {
    /// Who: a phone JID (from a number) or an `@lid` id.
    public var who: JID
    public var reason: String
    /// The operator who added them (the audit context's user).
    public var addedBy: String
    public var added: Date
    /// After this the entry no longer applies (nil: never expires).
    public var expires: Date?

    public init(who: JID, reason: String, addedBy: String, added: Date, expires: Date?) {
        self.who = who; self.reason = Limits.clamp(reason, 512); self.addedBy = addedBy; self.added = added; self.expires = expires
    }

    public func isActive(at now: Date) -> Bool { expires.map { $0 > now } ?? true }
    public func matches(_ p: Participant) -> Bool { p.matches(who) }
}

/// A watchlisted person seen in a group.
public struct WatchHit: Sendable, Hashable {
    public var entry: WatchEntry
    public var hit: IndexHit

    public init(entry: WatchEntry, hit: IndexHit) { self.entry = entry; self.hit = hit }
}

/// The watchlist, in its own SQLite file beside the index (`<state>/index/<profile>.watchlist.sqlite`).
/// Unlike the index it is not a cache: its schema is migrated, never rebuilt, and a file
/// that cannot be read is an error, never deleted.
public final class Watchlist: Sendable {
    public static func path(profile: String, paths: Paths = Paths()) -> String {
        paths.stateDirectory + "/index/" + FileName.safe(profile) + ".watchlist.sqlite"
    }

    public let path: String
    let pool: DatabasePool

    /// Opens (creating the directory and the file, 0600) the watchlist at `path` and brings
    /// its schema up to date. Fails with `GatewayError.storage` when the file cannot be
    /// opened or is not a watchlist; the file is then left as it is.
    public init(path: String) throws {
        self.path = path
        do {
            try SecureFile.prepare(path)
        } catch {
            throw GatewayError.storage("the watchlist cannot be created at \(path): \(error.localizedDescription)")
        }
        var config = Configuration()
        config.label = "watchlist"
        config.busyMode = .timeout(FleetStore.busyTimeout)
        do {
            pool = try DatabasePool(path: path, configuration: config)
        } catch {
            throw GatewayError.storage("the watchlist at \(path) cannot be opened (it is kept as it is; move it away to start a new one): \(error)")
        }
        do {
            try Self.migrator.migrate(pool)
        } catch {
            try? pool.close()
            throw GatewayError.storage("the watchlist at \(path) cannot be brought up to date (it is kept as it is): \(error)")
        }
    }

    /// The watchlist's schema, one named migration per change, in order. Never edit one that
    /// has shipped: add the next.
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1 entries") { db in
            try db.execute(sql: """
                CREATE TABLE watch_entry (
                  who TEXT NOT NULL PRIMARY KEY,
                  reason TEXT NOT NULL,
                  added_by TEXT NOT NULL,
                  added REAL NOT NULL,
                  expires REAL
                )
                """)
        }
        m.registerMigration("v2 listing order") { db in
            // `entries` lists oldest first, and a guard reads them on every event.
            try db.execute(sql: "CREATE INDEX watch_entry_added ON watch_entry(added, who)")
        }
        return m
    }

    /// Adds an entry, or replaces the one for the same person (returned).
    @discardableResult
    public func add(_ entry: WatchEntry) throws -> WatchEntry? {
        try pool.write { db in
            let old = try Self.entry(db, who: entry.who)
            try db.execute(sql: """
                INSERT INTO watch_entry (who, reason, added_by, added, expires) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT(who) DO UPDATE SET reason = excluded.reason, added_by = excluded.added_by,
                  added = excluded.added, expires = excluded.expires
                """, arguments: [entry.who.string, entry.reason, Limits.clamp(entry.addedBy, Limits.name),
                                 entry.added.timeIntervalSince1970, entry.expires?.timeIntervalSince1970])
            return old
        }
    }

    /// Removes the entry matching `who` (by the JID given); returns it, nil when none.
    public func remove(_ who: JID) throws -> WatchEntry? {
        try pool.write { db in
            guard let old = try Self.entry(db, who: who) else { return nil }
            try db.execute(sql: "DELETE FROM watch_entry WHERE who = ?", arguments: [who.string])
            return old
        }
    }

    /// The entries, oldest first; expired ones only with `includeExpired`.
    public func entries(now: Date = Date(), includeExpired: Bool = false) throws -> [WatchEntry] {
        let all = try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT who, reason, added_by, added, expires FROM watch_entry ORDER BY added, who").compactMap(Self.decode)
        }
        return includeExpired ? all : all.filter { $0.isActive(at: now) }
    }

    private static func entry(_ db: Database, who: JID) throws -> WatchEntry? {
        try Row.fetchOne(db, sql: "SELECT who, reason, added_by, added, expires FROM watch_entry WHERE who = ?",
                         arguments: [who.string]).flatMap(decode)
    }

    private static func decode(_ row: Row) -> WatchEntry? {
        guard let who = JID.lenient(row["who"]) else { return nil }
        let expires: Double? = row["expires"]
        return WatchEntry(who: who, reason: row["reason"], addedBy: row["added_by"],
                          added: Date(timeIntervalSince1970: row["added"]), expires: expires.map(Date.init(timeIntervalSince1970:)))
    }
}
