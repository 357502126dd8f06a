import Foundation
import GatewayKit

/// The fleet index: every session, group and participant the sync and the events have seen,
/// in SQLite (WAL) in the state directory, one file per gateway profile. It is a cache:
/// losing it loses nothing but time, and a schema change rebuilds it. Two processes may
/// open it at once (the console and `wamod sync`, say).
public final class FleetStore: Sendable {
    /// Bumped on every schema change: a file of another version is deleted and rebuilt.
    public static let schemaVersion = 1

    /// `<state>/index/<profile>.sqlite`.
    public static func path(profile: String, paths: Paths = Paths()) -> String {
        paths.stateDirectory + "/index/" + FileName.safe(profile) + ".sqlite"
    }

    public let path: String

    /// Opens (creating the directory and the file, 0600) or rebuilds the index at `path`.
    public init(path: String) throws {
        self.path = path
        fatalError("FleetStore: not built yet")
    }

    // MARK: Writes (each one transaction)

    /// The sessions listed now.
    public func recordSessions(_ sessions: [Session], at: Date) throws { fatalError() }

    /// One session's group list, read in full now: groups not in it are gone from the index
    /// (with their participants).
    public func recordGroups(session: String, _ groups: [Group], at: Date) throws { fatalError() }

    /// One group's participants read in full now. Those first seen on the group's first read
    /// are the baseline; later ones are joins; those missing have left.
    @discardableResult
    public func recordParticipants(session: String, group: JID, _ people: [Participant], at: Date) throws -> ParticipantDiff { fatalError() }

    /// Follows an event: joins, leaves, role changes, a new subject; a group it does not know
    /// is added (not read yet). Returns what changed in the index.
    @discardableResult
    public func apply(_ event: FleetEvent, at: Date) throws -> ParticipantDiff { fatalError() }

    /// Keeps an event as received (after `apply`), so another process following the index
    /// (the console, while `wamod listen` receives webhooks) sees it. Returns its row id.
    @discardableResult
    public func appendEvent(_ event: FleetEvent, received: Date) throws -> Int64 { fatalError() }

    /// Events kept after row `id`, oldest first (at most `limit`).
    public func events(after id: Int64, limit: Int = 500) throws -> [StoredEvent] { fatalError() }

    /// The last event's row id (0 when none): where a follower starts.
    public func lastEventID() throws -> Int64 { fatalError() }

    /// A small key-value record beside the index: `listener` (when `wamod listen` last said it
    /// was alive, and what it receives), the sync's own notes.
    public func setMeta(_ key: String, _ value: String) throws { fatalError() }
    public func meta(_ key: String) throws -> String? { fatalError() }

    // MARK: Reads

    public func sessions() throws -> [IndexedSession] { fatalError() }
    public func groups(session: String) throws -> [IndexedGroup] { fatalError() }
    public func group(session: String, jid: JID) throws -> IndexedGroup? { fatalError() }
    public func participants(session: String, group: JID) throws -> [IndexedParticipant] { fatalError() }

    /// Every group of every session where `who` is (by phone, `@lid` or id), sorted by
    /// session label then subject.
    public func find(_ who: JID) throws -> [IndexHit] { fatalError() }

    /// Participants who joined at or after `since` (baseline never), newest first; of one
    /// session or group when given.
    public func joined(since: Date, session: String? = nil, group: JID? = nil) throws -> [IndexHit] { fatalError() }

    /// Where any active entry of the watchlist is, now.
    public func watchHits(_ entries: [WatchEntry], now: Date = Date()) throws -> [WatchHit] { fatalError() }

    /// The oldest of the groups' last full reads (the index's age), and how many groups have
    /// never been read. Nil when the index holds no group.
    public func freshness() throws -> Freshness? { fatalError() }

    /// Counts, for status lines and benchmarks.
    public func counts() throws -> (sessions: Int, groups: Int, participants: Int) { fatalError() }

    // MARK: The sync's own state (for resuming a killed sync)

    /// Starts a sync round (or returns the one a killed sync left unfinished).
    public func beginRound(at: Date) throws -> SyncRound { fatalError() }
    public func finishRound(_ round: SyncRound, at: Date) throws { fatalError() }
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
