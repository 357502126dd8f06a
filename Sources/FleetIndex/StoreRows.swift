import Foundation
import GatewayKit
import GRDB

/// The index's tables. Participants are looked up by phone JID and `@lid` across every group
/// (`find`; a participant's id is always one of the two), by group (a read's diff, the
/// cascade when a group goes), and by when they joined (`joined(since:)`, the "new members"
/// view): each has its index. A participant names its group by the group's integer key,
/// not by session and JID, which keeps half a million rows about a third smaller.
enum Schema {
    /// Indexes added after a schema version shipped, which change no row's meaning: made on
    /// the next writable open of an older file (`CREATE INDEX IF NOT EXISTS`), where a new
    /// version would rebuild a fleet's index (a 40-minute sync of a large fleet) for them.
    /// `fleet_group_read` answers a find's "groups read … ago" from about 40 pages rather
    /// than the 490 of the whole group table.
    static let additions: [(name: String, sql: String)] = [
        ("fleet_group_read", "CREATE INDEX IF NOT EXISTS fleet_group_read ON fleet_group(last_full_read)"),
    ]

    static let statements: [String] = [
        """
        CREATE TABLE fleet_session (
          id TEXT NOT NULL PRIMARY KEY,
          label TEXT NOT NULL,
          account TEXT,
          account_lid TEXT,
          connected INTEGER NOT NULL,
          status TEXT NOT NULL,
          rate_per_minute INTEGER,
          rate_per_hour INTEGER,
          first_seen REAL NOT NULL,
          last_seen REAL NOT NULL,
          groups_listed REAL
        )
        """,
        """
        CREATE TABLE fleet_group (
          gid INTEGER PRIMARY KEY,
          session TEXT NOT NULL REFERENCES fleet_session(id) ON DELETE CASCADE,
          jid TEXT NOT NULL,
          subject TEXT NOT NULL,
          size INTEGER,
          owner TEXT,
          our_role TEXT,
          settings TEXT,
          community INTEGER,
          pending_requests INTEGER,
          first_seen REAL NOT NULL,
          last_seen REAL NOT NULL,
          last_full_read REAL
        )
        """,
        "CREATE UNIQUE INDEX fleet_group_jid ON fleet_group(session, jid)",
        """
        CREATE TABLE fleet_participant (
          pid INTEGER PRIMARY KEY,
          gid INTEGER NOT NULL REFERENCES fleet_group(gid) ON DELETE CASCADE,
          id TEXT NOT NULL,
          phone TEXT,
          lid TEXT,
          name TEXT,
          role TEXT NOT NULL,
          first_seen REAL NOT NULL,
          last_seen REAL NOT NULL,
          baseline INTEGER NOT NULL,
          joined_at REAL,
          joined_via TEXT,
          added_by TEXT
        )
        """,
        "CREATE UNIQUE INDEX fleet_participant_member ON fleet_participant(gid, id)",
        "CREATE INDEX fleet_participant_phone ON fleet_participant(phone) WHERE phone IS NOT NULL",
        "CREATE INDEX fleet_participant_lid ON fleet_participant(lid) WHERE lid IS NOT NULL",
        "CREATE INDEX fleet_participant_joined ON fleet_participant(COALESCE(joined_at, first_seen)) WHERE baseline = 0",
        """
        CREATE TABLE fleet_event (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          event TEXT NOT NULL,
          received REAL NOT NULL
        )
        """,
        "CREATE TABLE fleet_meta (key TEXT NOT NULL PRIMARY KEY, value TEXT NOT NULL)",
        """
        CREATE TABLE sync_round (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          started REAL NOT NULL,
          finished REAL
        )
        """,
    ]
}

/// The select lists the reads share, each column named with its table's prefix. A
/// participant's `p_last` is when they were last seen: by the last full read of their group
/// (which every member still there was part of: a read writes only the rows that changed) or
/// by an event after it. `Columns.participant` is read with its group joined as `g`.
enum Columns {
    static let session = """
        s.id AS s_id, s.label AS s_label, s.account AS s_account, s.account_lid AS s_account_lid, \
        s.connected AS s_connected, s.status AS s_status, s.rate_per_minute AS s_rpm, s.rate_per_hour AS s_rph, \
        s.first_seen AS s_first, s.last_seen AS s_last, s.groups_listed AS s_listed
        """
    static let group = """
        g.session AS g_session, g.jid AS g_jid, g.subject AS g_subject, g.size AS g_size, g.owner AS g_owner, \
        g.our_role AS g_role, g.settings AS g_settings, g.community AS g_community, g.pending_requests AS g_pending, \
        g.first_seen AS g_first, g.last_seen AS g_last, g.last_full_read AS g_read
        """
    static let participant = """
        p.pid AS p_pid, p.phone AS p_phone, p.lid AS p_lid, p.name AS p_name, \
        p.role AS p_role, p.first_seen AS p_first, MAX(p.last_seen, COALESCE(g.last_full_read, p.last_seen)) AS p_last, p.baseline AS p_baseline, \
        p.joined_at AS p_joined_at, p.joined_via AS p_via, p.added_by AS p_by
        """
}

/// Rows back into the model. What does not decode (a JID another version wrote differently)
/// is dropped rather than shown wrong.
enum Decode {
    static func date(_ t: Double?) -> Date? { t.map(Date.init(timeIntervalSince1970:)) }

    static func session(_ row: Row) -> IndexedSession {
        let s = Session(id: row["s_id"], label: row["s_label"], account: JID.lenient(row["s_account"]),
                        accountLID: JID.lenient(row["s_account_lid"]), connected: row["s_connected"], status: row["s_status"],
                        ratePerMinute: row["s_rpm"], ratePerHour: row["s_rph"])
        return IndexedSession(session: s, firstSeen: Date(timeIntervalSince1970: row["s_first"]),
                              lastSeen: Date(timeIntervalSince1970: row["s_last"]), groupsListed: date(row["s_listed"]))
    }

    /// One decoder for every row's settings (a decoder made per group was most of reading
    /// a session's 200 groups).
    static let settingsDecoder = JSONDecoder()

    static func group(_ row: Row) -> IndexedGroup? {
        guard let jid = JID.lenient(row["g_jid"]) else { return nil }
        let role: String? = row["g_role"]
        var g = Group(jid: jid, subject: row["g_subject"], size: row["g_size"], owner: JID.lenient(row["g_owner"]),
                      ourRole: role.flatMap(Role.init(rawValue:)))
        if let text: String = row["g_settings"] { g.settings = try? settingsDecoder.decode(GroupSettings.self, from: Data(text.utf8)) }
        g.community = row["g_community"]
        g.pendingRequests = row["g_pending"]
        return IndexedGroup(session: row["g_session"], group: g, firstSeen: Date(timeIntervalSince1970: row["g_first"]),
                            lastSeen: Date(timeIntervalSince1970: row["g_last"]), lastFullRead: date(row["g_read"]))
    }

    /// A participant of a group already known, from a row that starts with
    /// `Columns.participant`, read by position.
    static func participant(_ row: Row, session: String, group: JID) -> IndexedParticipant? {
        let phone = JID.lenient(row[1]), lid = JID.lenient(row[2])
        guard phone != nil || lid != nil else { return nil }
        let role: String = row[4]
        let via: String? = row[9]
        let p = Participant(phone: phone, lid: lid, name: row[3], role: Role(rawValue: role) ?? .member)
        return IndexedParticipant(session: session, group: group, participant: p,
                                  firstSeen: Date(timeIntervalSince1970: row[5]), lastSeen: Date(timeIntervalSince1970: row[6]),
                                  baseline: row[7], joinedAt: date(row[8]),
                                  joinedVia: via.flatMap(JoinVia.init(rawValue:)), addedBy: JID.lenient(row[10]))
    }

    /// A participant, from a row that has their group's columns too (after
    /// `Columns.participant`, which come first).
    static func participant(_ row: Row) -> IndexedParticipant? {
        guard let group = JID.lenient(row["g_jid"]) else { return nil }
        return participant(row, session: row["g_session"], group: group)
    }
}

/// One group's participants as stored, matched to those of a read or an event by phone JID,
/// then `@lid`, then id (a person seen once by `@lid` alone and later with a phone is one).
struct Members {
    struct Row {
        var pid: Int64
        var participant: Participant
    }

    let rows: [Row]
    private var byPhone: [JID: Int] = [:]
    private var byLID: [JID: Int] = [:]
    private var byID: [String: Int] = [:]

    init(_ db: Database, gid: Int64) throws {
        // Read by position from a cursor: a column looked up by name is compared without
        // regard to case for every row, and a 1,024-member group is read at every open.
        let found = try GRDB.Row.fetchCursor(db.cachedStatement(sql: "SELECT pid, id, phone, lid, name, role FROM fleet_participant WHERE gid = ? ORDER BY pid"),
                                             arguments: [gid])
        var rows: [Row] = []
        while let r = try found.next() {
            let role: String = r[5]
            let p = Participant(phone: JID.lenient(r[2]), lid: JID.lenient(r[3]), name: r[4], role: Role(rawValue: role) ?? .member)
            let index = rows.count
            rows.append(Row(pid: r[0], participant: p))
            if let phone = p.phone, byPhone[phone] == nil { byPhone[phone] = index }
            if let lid = p.lid, byLID[lid] == nil { byLID[lid] = index }
            let id: String = r[1]
            if byID[id] == nil { byID[id] = index }
        }
        self.rows = rows
    }

    func match(_ p: Participant) -> Row? {
        if let phone = p.phone, let i = byPhone[phone] { return rows[i] }
        if let lid = p.lid, let i = byLID[lid] { return rows[i] }
        if let i = byID[p.id.string] { return rows[i] }
        return nil
    }
}

/// The writes the store's transactions share.
enum Rows {
    static func upsertSession(_ db: Database, _ s: Session, at t: Double) throws {
        try db.run(sql: """
            INSERT INTO fleet_session (id, label, account, account_lid, connected, status, rate_per_minute, rate_per_hour, first_seen, last_seen)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(id) DO UPDATE SET label = excluded.label,
              account = COALESCE(excluded.account, account), account_lid = COALESCE(excluded.account_lid, account_lid),
              connected = excluded.connected, status = excluded.status,
              rate_per_minute = excluded.rate_per_minute, rate_per_hour = excluded.rate_per_hour, last_seen = excluded.last_seen
            """, arguments: [s.id, s.label, s.account?.string, s.accountLID?.string, s.connected, s.status,
                             s.ratePerMinute, s.ratePerHour, t, t])
    }

    /// A session the index has not listed yet (an event came through it first).
    static func ensureSession(_ db: Database, _ id: String, at t: Double) throws {
        try db.run(sql: """
            INSERT OR IGNORE INTO fleet_session (id, label, connected, status, first_seen, last_seen) VALUES (?, ?, 1, '', ?, ?)
            """, arguments: [id, Limits.clamp(id, Limits.label), t, t])
    }

    static func upsertGroup(_ db: Database, session: String, _ g: Group, at t: Double, encoder: JSONEncoder = JSONEncoder()) throws {
        let settings = g.settings.flatMap { try? encoder.encode($0) }.map { String(decoding: $0, as: UTF8.self) }
        try db.run(sql: """
            INSERT INTO fleet_group (session, jid, subject, size, owner, our_role, settings, community, pending_requests, first_seen, last_seen)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(session, jid) DO UPDATE SET subject = excluded.subject, size = COALESCE(excluded.size, size),
              owner = COALESCE(excluded.owner, owner), our_role = COALESCE(excluded.our_role, our_role),
              settings = COALESCE(excluded.settings, settings), community = COALESCE(excluded.community, community),
              pending_requests = excluded.pending_requests, last_seen = excluded.last_seen
            """, arguments: [session, g.jid.string, g.subject, g.size, g.owner?.string, g.ourRole?.rawValue, settings,
                             g.community, g.pendingRequests, t, t])
    }

    /// The group's key, adding it when the index has not listed it yet (never read: no last
    /// full read).
    static func ensureGroup(_ db: Database, session: String, group: JID, subject: String?, at t: Double) throws -> Int64 {
        if let gid = try Int64.fetchOne(db.cachedStatement(sql: "SELECT gid FROM fleet_group WHERE session = ? AND jid = ?"),
                                        arguments: [session, group.string]) { return gid }
        try db.run(sql: "INSERT INTO fleet_group (session, jid, subject, first_seen, last_seen) VALUES (?, ?, ?, ?, ?)",
                       arguments: [session, group.string, subject ?? "", t, t])
        return db.lastInsertedRowID
    }

    static func insertMember(_ db: Database, gid: Int64, _ p: Participant, at t: Double, baseline: Bool,
                             joinedAt: Double?, via: JoinVia?, by: JID?) throws {
        try db.cachedStatement(sql: """
            INSERT OR IGNORE INTO fleet_participant
              (gid, id, phone, lid, name, role, first_seen, last_seen, baseline, joined_at, joined_via, added_by)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [gid, p.id.string, p.phone?.string, p.lid?.string, p.name, p.role.rawValue,
                             t, t, baseline, joinedAt, via?.rawValue, by?.string])
    }

    /// Refreshes what a read tells of a participant; when and how they joined stay.
    static func updateMember(_ db: Database, pid: Int64, _ p: Participant, at t: Double) throws {
        try db.cachedStatement(sql: """
            UPDATE OR IGNORE fleet_participant SET id = ?, phone = ?, lid = ?, name = ?, role = ?, last_seen = ? WHERE pid = ?
            """).execute(arguments: [p.id.string, p.phone?.string, p.lid?.string, p.name, p.role.rawValue, t, pid])
    }

    static func deleteMember(_ db: Database, pid: Int64) throws {
        try db.cachedStatement(sql: "DELETE FROM fleet_participant WHERE pid = ?").execute(arguments: [pid])
    }

    /// The session's own role among `people`, where its account is known.
    static func ourRole(_ db: Database, session: String, in people: [Participant]) throws -> Role? {
        guard let row = try GRDB.Row.fetchOne(db, sql: "SELECT account, account_lid FROM fleet_session WHERE id = ?", arguments: [session]) else { return nil }
        let ids = [JID.lenient(row["account"]), JID.lenient(row["account_lid"])].compactMap { $0 }
        return people.first { p in ids.contains { p.matches($0) } }?.role
    }
}

/// The index's file and directory, private to the user: the directory 0700 when made here,
/// the file 0600 (SQLite gives its `-wal` and `-shm` the file's own mode).
enum SecureFile {
    static func prepare(_ path: String) throws {
        let fm = FileManager.default
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty, !fm.fileExists(atPath: dir) {
            try fm.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        if !fm.fileExists(atPath: path) {
            let fd = Foundation.open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0o600)
            guard fd >= 0 else { throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path]) }
            close(fd)
        }
        if let owner = try? fm.attributesOfItem(atPath: path)[.ownerAccountID] as? NSNumber, owner.uint32Value == getuid() {
            _ = chmod(path, 0o600)
        }
    }

    /// Deletes a database file and what SQLite keeps beside it.
    static func remove(database path: String) throws {
        let fm = FileManager.default
        for p in [path, path + "-wal", path + "-shm", path + "-journal"] where fm.fileExists(atPath: p) {
            try fm.removeItem(atPath: p)
        }
    }
}

extension Database {
    /// Runs one statement, prepared once per connection and kept (GRDB's statement cache):
    /// the index writes the same few statements thousands of times per sync, and preparing
    /// one asks SQLite's authorizer about every column it touches.
    func run(sql: String, arguments: StatementArguments = StatementArguments()) throws {
        try cachedStatement(sql: sql).execute(arguments: arguments)
    }
}
