import Foundation
import GatewayKit
import GRDB

/// The fleet index: every session, group and participant the sync and the events have seen,
/// in SQLite (WAL) in the state directory, one file per gateway profile. It is a cache:
/// losing it loses nothing but time, and a schema change rebuilds it. Two processes may
/// open it at once (the console and `wamod sync`, say): a write waits for the other's
/// (the busy timeout) rather than failing, and readers never wait.
///
/// Times are kept as Unix seconds (REAL). JIDs are kept in their canonical text form
/// (`…@s.whatsapp.net`, `…@lid`, `…@g.us`), so a phone JID and its `@c.us` spelling are one.
public final class FleetStore: Sendable {
    /// Bumped on every schema change: a file of another version is deleted and rebuilt.
    public static let schemaVersion = 1

    /// How long a write waits for another connection's (another process's) write to end.
    public static let busyTimeout: TimeInterval = 15

    /// How many events the index keeps for followers (the oldest go first).
    public static let eventsKept: Int64 = 10_000

    /// `<state>/index/<profile>.sqlite`.
    public static func path(profile: String, paths: Paths = Paths()) -> String {
        paths.stateDirectory + "/index/" + FileName.safe(profile) + ".sqlite"
    }

    public let path: String
    /// A pool for the console, sync and guard; one read-only connection for the commands
    /// that only read (`openForReading`).
    let pool: any DatabaseWriter
    /// Opened by `openForReading`: every write fails.
    public let readOnly: Bool

    /// Opens (creating the directory and the file, 0600) or rebuilds the index at `path`.
    /// A file of another schema version, or one that is not a database, is deleted (with its
    /// `-wal` and `-shm`) and made anew. Fails with `GatewayError.storage` when the file
    /// cannot be opened at all (permissions, a read-only disk).
    public init(path: String) throws {
        self.path = path
        pool = try Self.open(path)
        readOnly = false
    }

    private init(path: String, reader: DatabaseQueue) {
        self.path = path
        pool = reader
        readOnly = true
    }

    /// The index for a command that only reads it (`wamod find` without `--remove`): one
    /// read-only connection, nil when there is no index of this schema yet (the caller then
    /// reads live, or says to sync). A writable open costs a write and an fsync each time:
    /// with the WAL gone after the last close, the pool writes a transaction to make one
    /// again, and checkpoints it at close; a read-only one does neither, and never rebuilds a
    /// file another version is using.
    public static func openForReading(path: String) throws -> FleetStore? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        var config = configuration()
        config.readonly = true
        // SQLite opens a read-only WAL database when it may create the -shm and -wal beside
        // it (the state directory is ours), https://www.sqlite.org/wal.html#readonly.
        let queue: DatabaseQueue
        do {
            queue = try DatabaseQueue(path: path, configuration: config)
            let version = try queue.read { db in try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0 }
            guard version == schemaVersion else {
                try queue.close()
                return nil
            }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_NOTADB || error.resultCode == .SQLITE_CORRUPT {
            // Not an index we can read: the next writable open rebuilds it.
            return nil
        } catch {
            throw GatewayError.storage("the fleet index at \(path) cannot be opened: \(error)")
        }
        return FleetStore(path: path, reader: queue)
    }

    // MARK: Opening

    static func configuration() -> Configuration {
        var config = Configuration()
        config.label = "fleet-index"
        config.busyMode = .timeout(busyTimeout)
        config.foreignKeysEnabled = true
        config.maximumReaderCount = 4
        config.prepareDatabase { db in
            // A cache: WAL with NORMAL sync never corrupts the file, at worst loses the last
            // writes on a power cut, which the next sync reads again.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // 4 MB of pages per connection: a read of a large group updates four indexes, and a
            // fleet of 50 sessions and 9,000 groups is a 2 MB file (the cache is the console's
            // memory: up to five connections).
            try db.execute(sql: "PRAGMA cache_size = -4096")
        }
        return config
    }

    private enum Opened {
        case ready(DatabasePool)
        /// Another schema version (or some other file): to be rebuilt.
        case stale
    }

    static func open(_ path: String) throws -> DatabasePool {
        do {
            try SecureFile.prepare(path)
        } catch {
            throw GatewayError.storage("the fleet index cannot be created at \(path): \(error.localizedDescription)")
        }
        do {
            if case .ready(let pool) = try openChecked(path) { return pool }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_NOTADB || error.resultCode == .SQLITE_CORRUPT {
            // Not a database, or a damaged one: it is a cache, so it is made anew below.
        } catch {
            throw GatewayError.storage("the fleet index at \(path) cannot be opened: \(error)")
        }
        do {
            try SecureFile.remove(database: path)
            try SecureFile.prepare(path)
            if case .ready(let pool) = try openChecked(path) { return pool }
            throw GatewayError.storage("the fleet index at \(path) was rebuilt but still has another schema version")
        } catch let error as GatewayError {
            throw error
        } catch {
            throw GatewayError.storage("the fleet index at \(path) cannot be rebuilt: \(error)")
        }
    }

    private static func openChecked(_ path: String) throws -> Opened {
        let pool = try DatabasePool(path: path, configuration: configuration())
        do {
            let version = try pool.read { db in try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0 }
            if version == schemaVersion {
                try addMissingIndexes(pool)
                return .ready(pool)
            }
            if version == 0 {
                // Created in one immediate transaction: a second process opening a new file at
                // the same time waits, then finds the schema made.
                let made = try pool.write { db -> Bool in
                    let now = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
                    if now == schemaVersion { return true }
                    guard now == 0, try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sqlite_master") == 0 else { return false }
                    for sql in Schema.statements { try db.execute(sql: sql) }
                    for a in Schema.additions { try db.execute(sql: a.sql) }
                    try db.execute(sql: "PRAGMA user_version = \(schemaVersion)")
                    return true
                }
                if made { return .ready(pool) }
            }
            try pool.close()
            return .stale
        } catch {
            try? pool.close()
            throw error
        }
    }

    /// Moves the write-ahead log into the file and empties it. Another process's write is
    /// waited for (the busy timeout at most); when it cannot be done, nothing is lost: the log
    /// stays, and the next writer's close tries again. Called when a writer is done (a sync,
    /// the console, guard, listen): a log left behind by a process that ends without closing
    /// the file is read in full by every later opening, 11 MB and some 20 ms for each
    /// `wamod find` after a console session.
    ///
    /// `waitingAtMost` bounds the wait for another process's write or read (the console
    /// quits with one second, not the busy timeout's fifteen: an operator pressing q is not
    /// kept waiting for a `wamod sync` next to it). Returns whether the log was emptied.
    @discardableResult
    public func checkpoint(waitingAtMost seconds: TimeInterval = busyTimeout) -> Bool {
        guard !readOnly else { return false }
        return (try? pool.writeWithoutTransaction { db -> Bool in
            let ms = Int((min(seconds, Self.busyTimeout) * 1000).rounded())
            try db.execute(sql: "PRAGMA busy_timeout = \(ms)")
            defer { try? db.execute(sql: "PRAGMA busy_timeout = \(Int(Self.busyTimeout * 1000))") }
            // SQLITE_BUSY (another connection still writing or reading the log) throws.
            try db.checkpoint(.truncate)
            return true
        }) ?? false
    }

    /// The additive indexes a file of this version lacks (looked for in a read, so an
    /// index that has them all costs no write).
    private static func addMissingIndexes(_ pool: DatabasePool) throws {
        let names = Schema.additions.map(\.name)
        let present = try pool.read { db in
            try Set(String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND name IN (\(names.map { _ in "?" }.joined(separator: ",")))",
                                    arguments: StatementArguments(names)))
        }
        let missing = Schema.additions.filter { !present.contains($0.name) }
        guard !missing.isEmpty else { return }
        try pool.write { db in for a in missing { try db.execute(sql: a.sql) } }
    }

    // MARK: Writes (each one transaction)

    /// The sessions listed now. Those not listed are gone from the index (with their groups).
    public func recordSessions(_ sessions: [Session], at: Date) throws {
        let t = at.timeIntervalSince1970
        try pool.write { db in
            var listed = Set<String>()
            for s in sessions where listed.insert(s.id).inserted {
                try Rows.upsertSession(db, s, at: t)
            }
            let known = try String.fetchAll(db, sql: "SELECT id FROM fleet_session")
            for id in known where !listed.contains(id) {
                try db.run(sql: "DELETE FROM fleet_session WHERE id = ?", arguments: [id])
            }
        }
    }

    /// One session's group list, read in full now: groups not in it are gone from the index
    /// (with their participants). A group's last full read, first-seen time, and what the
    /// listing does not tell (our role, settings) are kept from before.
    public func recordGroups(session: String, _ groups: [Group], at: Date) throws {
        let t = at.timeIntervalSince1970
        try pool.write { db in
            try Rows.ensureSession(db, session, at: t)
            var listed = Set<String>()
            let encoder = JSONEncoder()
            for g in groups where listed.insert(g.jid.string).inserted {
                try Rows.upsertGroup(db, session: session, g, at: t, encoder: encoder)
            }
            let known = try String.fetchAll(db.cachedStatement(sql: "SELECT jid FROM fleet_group WHERE session = ?"), arguments: [session])
            for jid in known where !listed.contains(jid) {
                try db.run(sql: "DELETE FROM fleet_group WHERE session = ? AND jid = ?", arguments: [session, jid])
            }
            try db.run(sql: "UPDATE fleet_session SET groups_listed = ?, last_seen = ? WHERE id = ?", arguments: [t, t, session])
        }
    }

    /// One group's participants read in full now. Those first seen on the group's first read
    /// are the baseline; later ones are joins; those missing have left. When and how someone
    /// joined, learned from an event, is kept.
    @discardableResult
    public func recordParticipants(session: String, group: JID, _ people: [Participant], at: Date) throws -> ParticipantDiff {
        let t = at.timeIntervalSince1970
        return try pool.write { db in
            try Rows.ensureSession(db, session, at: t)
            let gid = try Rows.ensureGroup(db, session: session, group: group, subject: nil, at: t)
            // The row exists (ensured above): no value is a group never read.
            let lastRead = try Double.fetchOne(db.cachedStatement(sql: "SELECT last_full_read FROM fleet_group WHERE gid = ?"), arguments: [gid])
            let firstRead = lastRead == nil
            var diff = ParticipantDiff(firstRead: firstRead)
            let members = try Members(db, gid: gid)
            var claimed = Set<Int64>()
            var present: [Participant] = []
            var seenPhone = Set<JID>(), seenLID = Set<JID>()
            for p in people {
                // The same person twice in one answer counts once.
                if let phone = p.phone, !seenPhone.insert(phone).inserted { continue }
                if let lid = p.lid, !seenLID.insert(lid).inserted { continue }
                if p.phone == nil && p.lid == nil { continue }
                present.append(p)
            }
            // Those gone first, so that an id freed by a leave can be taken by a join.
            var matches: [(Participant, Members.Row?)] = []
            for p in present {
                if let row = members.match(p), !claimed.contains(row.pid) {
                    claimed.insert(row.pid)
                    matches.append((p, row))
                } else if members.match(p) == nil {
                    matches.append((p, nil))
                }
            }
            for row in members.rows where !claimed.contains(row.pid) {
                try Rows.deleteMember(db, pid: row.pid)
                diff.left.append(row.participant)
            }
            for (p, row) in matches {
                if let row {
                    let merged = Participant(phone: p.phone ?? row.participant.phone, lid: p.lid ?? row.participant.lid,
                                             name: p.name ?? row.participant.name, role: p.role)
                    // Unchanged rows are not written: that they were seen now is the group's
                    // `last_full_read` (a read of a 1,024-member group rewrote every row).
                    if merged != row.participant { try Rows.updateMember(db, pid: row.pid, merged, at: t) }
                    if row.participant.role != p.role { diff.roleChanged.append(merged) }
                } else {
                    try Rows.insertMember(db, gid: gid, p, at: t, baseline: firstRead,
                                          joinedAt: nil, via: nil, by: nil)
                    if !firstRead { diff.joined.append(p) }
                }
            }
            let ourRole = try Rows.ourRole(db, session: session, in: present)
            try db.run(sql: """
                UPDATE fleet_group SET last_full_read = ?, last_seen = ?, size = ?, our_role = COALESCE(?, our_role) WHERE gid = ?
                """, arguments: [t, t, present.count, ourRole?.rawValue, gid])
            return diff
        }
    }

    /// Follows an event: joins, leaves, role changes, a new subject; a group it does not know
    /// is added (not read yet). Returns what changed in the index.
    @discardableResult
    public func apply(_ event: FleetEvent, at: Date) throws -> ParticipantDiff {
        let t = at.timeIntervalSince1970
        return try pool.write { db in
            try Rows.ensureSession(db, event.session, at: t)
            let gid = try Rows.ensureGroup(db, session: event.session, group: event.group, subject: event.subject, at: t)
            var diff = ParticipantDiff()
            let members = try Members(db, gid: gid)
            let people = event.participants.filter { $0.phone != nil || $0.lid != nil }
            switch event.kind {
            case .joined:
                let joinedAt = (event.at ?? at).timeIntervalSince1970
                var inserted = Set<JID>()
                for p in people {
                    if let row = members.match(p) {
                        // Already there (the sync saw them first, or a repeat): keep what the
                        // event tells of how they came, where nothing was known.
                        try db.run(sql: """
                            UPDATE fleet_participant SET last_seen = ?,
                              joined_at = CASE WHEN joined_via IS NULL AND baseline = 0 THEN ? ELSE joined_at END,
                              added_by = CASE WHEN joined_via IS NULL AND baseline = 0 THEN ? ELSE added_by END,
                              joined_via = CASE WHEN joined_via IS NULL AND baseline = 0 THEN ? ELSE joined_via END
                            WHERE pid = ?
                            """, arguments: [t, joinedAt, event.by?.string, (event.via ?? .unknown).rawValue, row.pid])
                        continue
                    }
                    guard inserted.insert(p.id).inserted else { continue }
                    try Rows.insertMember(db, gid: gid, p, at: t, baseline: false,
                                          joinedAt: joinedAt, via: event.via ?? .unknown, by: event.by)
                    diff.joined.append(p)
                }
            case .left:
                var removed = Set<Int64>()
                for p in people {
                    guard let row = members.match(p), removed.insert(row.pid).inserted else { continue }
                    try Rows.deleteMember(db, pid: row.pid)
                    diff.left.append(row.participant)
                }
            case .promoted, .demoted:
                let role: Role = event.kind == .promoted ? .admin : .member
                for p in people {
                    guard let row = members.match(p), row.participant.role != role, row.participant.role != .superadmin else { continue }
                    try db.run(sql: "UPDATE fleet_participant SET role = ?, last_seen = ? WHERE pid = ?",
                                   arguments: [role.rawValue, t, row.pid])
                    var now = row.participant
                    now.role = role
                    diff.roleChanged.append(now)
                }
            case .groupChanged:
                if let subject = event.subject {
                    try db.run(sql: "UPDATE fleet_group SET subject = ?, last_seen = ? WHERE gid = ?", arguments: [subject, t, gid])
                }
            case .joinRequest, .addedUs:
                // The group row above is all the index keeps: a new group is read by the
                // next sync (or when opened); requests are read live.
                break
            }
            if !diff.isEmpty {
                // A group read in full keeps its size with the index's count.
                try db.run(sql: """
                    UPDATE fleet_group SET size = (SELECT COUNT(*) FROM fleet_participant WHERE gid = ?1), last_seen = ?2
                    WHERE gid = ?1 AND last_full_read IS NOT NULL
                    """, arguments: [gid, t])
            }
            return diff
        }
    }

    /// Keeps an event as received (after `apply`), so another process following the index
    /// (the console, while `wamod listen` receives webhooks) sees it. Returns its row id.
    /// Ids only grow (never reused after the oldest are trimmed).
    @discardableResult
    public func appendEvent(_ event: FleetEvent, received: Date) throws -> Int64 {
        var kept = event
        if kept.participants.count > Self.participantsPerEvent { kept.participants = Array(kept.participants.prefix(Self.participantsPerEvent)) }
        let json = String(decoding: try Self.encoder.encode(kept), as: UTF8.self)
        return try pool.write { db in
            try db.run(sql: "INSERT INTO fleet_event (event, received) VALUES (?, ?)",
                           arguments: [json, received.timeIntervalSince1970])
            let id = db.lastInsertedRowID
            try db.run(sql: "DELETE FROM fleet_event WHERE id <= ?", arguments: [id - Self.eventsKept])
            return id
        }
    }

    /// Events kept after row `id`, oldest first (at most `limit`, itself at most 10,000). A
    /// row that no longer decodes (written by another version) is passed over.
    public func events(after id: Int64, limit: Int = 500) throws -> [StoredEvent] {
        let n = min(max(1, limit), Int(Self.eventsKept))
        return try pool.read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT id, event, received FROM fleet_event WHERE id > ? ORDER BY id LIMIT ?",
                                        arguments: [id, n])
            return rows.compactMap { row -> StoredEvent? in
                let text: String = row["event"]
                guard let event = try? Self.decoder.decode(FleetEvent.self, from: Data(text.utf8)) else { return nil }
                return StoredEvent(id: row["id"], event: event, received: Date(timeIntervalSince1970: row["received"]))
            }
        }
    }

    /// The last event's row id (0 when none): where a follower starts.
    public func lastEventID() throws -> Int64 {
        try pool.read { db in
            try Int64.fetchOne(db, sql: "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'fleet_event'), 0)") ?? 0
        }
    }

    /// A small key-value record beside the index: `listener` (when `wamod listen` last said it
    /// was alive, and what it receives), the sync's own notes.
    public func setMeta(_ key: String, _ value: String) throws {
        try pool.write { db in
            try db.execute(sql: "INSERT INTO fleet_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                           arguments: [key, value])
        }
    }

    public func meta(_ key: String) throws -> String? {
        try pool.read { db in try String.fetchOne(db, sql: "SELECT value FROM fleet_meta WHERE key = ?", arguments: [key]) }
    }

    // MARK: Reads

    /// The sessions, by label.
    public func sessions() throws -> [IndexedSession] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT \(Columns.session) FROM fleet_session s ORDER BY s.label, s.id").map(Decode.session)
        }
    }

    /// One session's groups, by subject.
    public func groups(session: String) throws -> [IndexedGroup] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT \(Columns.group) FROM fleet_group g WHERE g.session = ? ORDER BY g.subject, g.jid",
                             arguments: [session]).compactMap(Decode.group)
        }
    }

    public func group(session: String, jid: JID) throws -> IndexedGroup? {
        try pool.read { db in
            try Row.fetchOne(db, sql: "SELECT \(Columns.group) FROM fleet_group g WHERE g.session = ? AND g.jid = ?",
                             arguments: [session, jid.string]).flatMap(Decode.group)
        }
    }

    /// One group's participants, in the order the index first saw them.
    public func participants(session: String, group: JID) throws -> [IndexedParticipant] {
        try pool.read { db in
            // One group: its columns are known, so each row is read by position (a name
            // lookup per column per row was most of the cost for a 1,024-member group).
            let rows = try Row.fetchCursor(db.cachedStatement(sql: """
                SELECT \(Columns.participant) FROM fleet_participant p JOIN fleet_group g ON g.gid = p.gid
                WHERE g.session = ? AND g.jid = ? ORDER BY p.pid
                """), arguments: [session, group.string])
            var out: [IndexedParticipant] = []
            while let row = try rows.next() {
                if let p = Decode.participant(row, session: session, group: group) { out.append(p) }
            }
            return out
        }
    }

    /// Every group of every session where `who` is (by phone, `@lid` or id), sorted by
    /// session label then subject. (A participant's id is their phone JID, else their
    /// `@lid`: matching both columns matches the id too.)
    public func find(_ who: JID) throws -> [IndexHit] {
        try pool.read { db in
            try Self.hits(db, where: "p.phone = ?1 OR p.lid = ?1", arguments: [who.string],
                          order: "s.label, g.subject, s.id, g.jid")
        }
    }

    /// Participants who joined at or after `since` (baseline never), newest first; of one
    /// session or group when given.
    public func joined(since: Date, session: String? = nil, group: JID? = nil) throws -> [IndexHit] {
        let (filter, arguments) = Self.joinedFilter(since: since, session: session, group: group)
        return try pool.read { db in
            try Self.hits(db, where: filter, arguments: StatementArguments(arguments), order: Self.joinedOrder)
        }
    }

    static let joinedOrder = "COALESCE(p.joined_at, p.first_seen) DESC, s.label, g.subject"

    static func joinedFilter(since: Date, session: String?, group: JID?) -> (String, [(any DatabaseValueConvertible)?]) {
        var filter = "p.baseline = 0 AND COALESCE(p.joined_at, p.first_seen) >= ?"
        var arguments: [(any DatabaseValueConvertible)?] = [since.timeIntervalSince1970]
        // One session's joins are read through the joins' own index (a week's joins are few),
        // not through every member of the session's groups: `+` keeps SQLite from starting at
        // the session's groups (it did, without statistics). One group's members are few.
        if let group {
            if let session { filter += " AND g.session = ?"; arguments.append(session) }
            filter += " AND g.jid = ?"; arguments.append(group.string)
        } else if let session {
            filter += " AND +g.session = ?"; arguments.append(session)
        }
        return (filter, arguments)
    }

    /// Where any active entry of the watchlist is, now.
    public func watchHits(_ entries: [WatchEntry], now: Date = Date()) throws -> [WatchHit] {
        var out: [WatchHit] = []
        for entry in entries where entry.isActive(at: now) {
            out += try find(entry.who).map { WatchHit(entry: entry, hit: $0) }
        }
        return out
    }

    /// The oldest of the groups' last full reads (the index's age), and how many groups have
    /// never been read. Nil when the index holds no group.
    public func freshness() throws -> Freshness? {
        try pool.read { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT COUNT(*) AS n, MIN(last_full_read) AS oldest, MAX(last_full_read) AS newest,
                  SUM(last_full_read IS NULL) AS never,
                  (SELECT MAX(finished) FROM sync_round) AS last_round
                FROM fleet_group
                """) else { return nil }
            let n: Int = row["n"]
            guard n > 0 else { return nil }
            let oldest: Double? = row["oldest"], newest: Double? = row["newest"], lastRound: Double? = row["last_round"]
            return Freshness(oldest: oldest.map(Date.init(timeIntervalSince1970:)), newest: newest.map(Date.init(timeIntervalSince1970:)),
                             neverRead: row["never"] ?? 0, lastRound: lastRound.map(Date.init(timeIntervalSince1970:)))
        }
    }

    /// Counts, for status lines and benchmarks.
    public func counts() throws -> (sessions: Int, groups: Int, participants: Int) {
        try pool.read { db in
            let s = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM fleet_session") ?? 0
            let g = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM fleet_group") ?? 0
            let p = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM fleet_participant") ?? 0
            return (s, g, p)
        }
    }

    // MARK: The sync's own state (for resuming a killed sync)

    /// Starts a sync round (or returns the one a killed sync left unfinished).
    public func beginRound(at: Date) throws -> SyncRound {
        try pool.write { db in
            if let row = try Row.fetchOne(db, sql: "SELECT id, started FROM sync_round WHERE finished IS NULL ORDER BY id DESC LIMIT 1") {
                return SyncRound(id: row["id"], started: Date(timeIntervalSince1970: row["started"]), resumed: true)
            }
            try db.execute(sql: "INSERT INTO sync_round (started) VALUES (?)", arguments: [at.timeIntervalSince1970])
            let id = db.lastInsertedRowID
            // The record of old rounds is kept short.
            try db.execute(sql: "DELETE FROM sync_round WHERE id <= ?", arguments: [id - 100])
            return SyncRound(id: id, started: at, resumed: false)
        }
    }

    /// Ends `round` (and any older one left unfinished).
    public func finishRound(_ round: SyncRound, at: Date) throws {
        try pool.write { db in
            try db.execute(sql: "UPDATE sync_round SET finished = ? WHERE id <= ? AND finished IS NULL",
                           arguments: [at.timeIntervalSince1970, round.id])
        }
    }

    // MARK: For the sync (same module)

    /// What the sync compares a listing with: each group's subject, how many participants the
    /// index holds for it, and its last full read.
    struct GroupState: Sendable, Hashable {
        var subject: String
        /// The size the gateway's listing last gave (or a read counted).
        var size: Int?
        var members: Int
        var lastFullRead: Date?
    }

    /// A session's groups as the index holds them, by subject (as `groups(session:)`).
    func groupStates(session: String) throws -> [(jid: JID, state: GroupState)] {
        try pool.read { db in
            // By position, from a cursor (see `Members`).
            let rows = try Row.fetchCursor(db.cachedStatement(sql: """
                SELECT g.jid, g.subject, g.size, g.last_full_read,
                  (SELECT COUNT(*) FROM fleet_participant p WHERE p.gid = g.gid) AS members
                FROM fleet_group g WHERE g.session = ? ORDER BY g.subject, g.jid
                """), arguments: [session])
            var out: [(jid: JID, state: GroupState)] = []
            while let row = try rows.next() {
                guard let jid = JID.lenient(row[0]) else { continue }
                let last: Double? = row[3]
                out.append((jid, GroupState(subject: row[1], size: row[2], members: row[4],
                                            lastFullRead: last.map(Date.init(timeIntervalSince1970:)))))
            }
            return out
        }
    }

    /// When each session was last asked something by a sync (its groups listed, or one of
    /// them read in full), for pacing a new process's first requests.
    func lastAsked() throws -> [String: Date] {
        try pool.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT s.id, MAX(COALESCE(s.groups_listed, 0),
                  COALESCE((SELECT MAX(g.last_full_read) FROM fleet_group g WHERE g.session = s.id), 0)) AS at
                FROM fleet_session s
                """)
            var out: [String: Date] = [:]
            for row in rows {
                let at: Double = row["at"]
                if at > 0 { out[row["id"]] = Date(timeIntervalSince1970: at) }
            }
            return out
        }
    }

    /// The index's hits for `people` of one group (the joins a read found), as `find` gives them.
    func hits(session: String, group: JID, people: [Participant]) throws -> [IndexHit] {
        guard !people.isEmpty else { return [] }
        let all = try pool.read { db in
            try Self.hits(db, where: "g.session = ?1 AND g.jid = ?2", arguments: [session, group.string], order: "p.pid")
        }
        return all.filter { hit in people.contains { $0.matches(hit.participant.participant.id) } }
    }

    // MARK: Shared

    static let participantsPerEvent = 1024

    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.dateEncodingStrategy = .secondsSince1970
        e.outputFormatting = [.sortedKeys]
        return e
    }()

    static let decoder: JSONDecoder = {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .secondsSince1970
        return d
    }()

    static func hitsSQL(where filter: String, order: String) -> String {
        """
        SELECT \(Columns.participant), \(Columns.group), \(Columns.session)
        FROM fleet_participant p
        JOIN fleet_group g ON g.gid = p.gid
        JOIN fleet_session s ON s.id = g.session
        WHERE \(filter)
        ORDER BY \(order)
        """
    }

    private static func hits(_ db: Database, where filter: String, arguments: StatementArguments, order: String) throws -> [IndexHit] {
        let rows = try Row.fetchAll(db, sql: hitsSQL(where: filter, order: order), arguments: arguments)
        return rows.compactMap { row in
            guard let p = Decode.participant(row), let g = Decode.group(row) else { return nil }
            return IndexHit(session: Decode.session(row), group: g, participant: p)
        }
    }
}

/// An event as the index keeps it.
public struct StoredEvent: Sendable, Hashable {
    public var id: Int64
    public var event: FleetEvent
    public var received: Date

    public init(id: Int64, event: FleetEvent, received: Date) { self.id = id; self.event = event; self.received = received }
}

/// How current the index is.
public struct Freshness: Sendable, Hashable {
    /// The oldest last full read of a group that has been read.
    public var oldest: Date?
    /// The newest.
    public var newest: Date?
    public var neverRead: Int
    /// The last finished sync round.
    public var lastRound: Date?

    public init(oldest: Date?, newest: Date?, neverRead: Int, lastRound: Date?) {
        self.oldest = oldest; self.newest = newest; self.neverRead = neverRead; self.lastRound = lastRound
    }
}

/// One pass of the sync over the fleet. A group read at or after `started` in this round
/// is not read again when a killed sync resumes it.
public struct SyncRound: Sendable, Hashable {
    public var id: Int64
    public var started: Date
    /// A round a killed sync left unfinished, taken up again.
    public var resumed: Bool

    public init(id: Int64, started: Date, resumed: Bool) { self.id = id; self.started = started; self.resumed = resumed }
}

/// A file name from a profile's name: letters, digits, `-`, `_`, `.` kept; anything else `_`.
enum FileName {
    static func safe(_ s: String) -> String {
        let kept = s.unicodeScalars.map { c -> Character in
            (c.isASCII && (CharacterSet.alphanumerics.contains(c) || "-_.".unicodeScalars.contains(c))) ? Character(c) : "_"
        }
        let name = String(kept)
        return name.isEmpty || name.hasPrefix(".") ? "_" + name : name
    }
}
