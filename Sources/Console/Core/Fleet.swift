import FleetEvents
import FleetIndex
import Foundation
import GatewayKit

/// What the fleet index held when the console opened it: the first paint draws from it (marked
/// cached) while the live reads are under way.
public struct IndexSnapshot: Sendable {
    public var sessions: [IndexedSession]
    /// Each session's groups as last listed.
    public var groups: [String: [IndexedGroup]]
    public var status: IndexStatus
    /// The profile's watchlist (active entries).
    public var watchlist: [WatchEntry]
    /// Where a watchlisted person is, as the index last saw it.
    public var watchHits: [WatchHit]

    public init(sessions: [IndexedSession], groups: [String: [IndexedGroup]], status: IndexStatus,
                watchlist: [WatchEntry] = [], watchHits: [WatchHit] = []) {
        self.sessions = sessions; self.groups = groups; self.status = status; self.watchlist = watchlist; self.watchHits = watchHits
    }
}

/// How current the index is, read now and then for the status line.
public struct IndexStatus: Sendable, Hashable {
    public var freshness: Freshness?
    public var groups: Int
    public var participants: Int
    /// When this was read.
    public var at: Date

    public init(freshness: Freshness?, groups: Int, participants: Int, at: Date) {
        self.freshness = freshness; self.groups = groups; self.participants = participants; self.at = at
    }

    /// Groups whose participants have been read at least once.
    public var groupsRead: Int { max(0, groups - (freshness?.neverRead ?? groups)) }

    /// Whether the index can answer a find: some group has been read.
    public var usable: Bool { groupsRead > 0 }
}

/// A place a watchlisted person was seen: a group of a session, and how we learned it.
public struct WatchPlace: Sendable, Hashable {
    public var session: String
    public var group: JID
    /// As the operator knows them (the group's subject, the session's label).
    public var subject: String
    public var sessionLabel: String
    /// Who was seen (the participant's id, their number as shown).
    public var participant: JID
    public var seen: Date
    /// "event", "sync", "read" (the console opened the group), "index" (an earlier sync).
    public var via: String
    /// Our role in the group as last known (the index or the groups pane), shown while the
    /// live read before a removal is under way.
    public var ourRole: Role?
    /// Their role there as seen.
    public var theirRole: Role?

    public init(session: String, group: JID, subject: String, sessionLabel: String, participant: JID, seen: Date, via: String, ourRole: Role? = nil) {
        self.session = session; self.group = group; self.subject = subject; self.sessionLabel = sessionLabel
        self.participant = participant; self.seen = seen; self.via = via; self.ourRole = ourRole
    }
}

/// A watchlisted person seen in groups this profile administers: raised at once, standing until
/// the operator removes them (`w`) or dismisses it (`D`).
public struct WatchAlert: Sendable, Hashable {
    public var entry: WatchEntry
    public var places: [WatchPlace]

    public init(entry: WatchEntry, places: [WatchPlace]) { self.entry = entry; self.places = places }

    /// The reason a removal records: the watchlist entry's.
    public var reason: String { "watchlist: " + entry.reason }
}

/// The fleet index and live events as the console shows them. Nil-able parts stay nil where
/// the console runs without an index (no profile).
extension Array where Element == Session {
    /// The session the console opens by itself: the first connected one, else the first. The
    /// live list, the index's sessions and the index's snapshot all pick it by this.
    var openedFirst: Session? { first(where: \.connected) ?? first }
}

public struct FleetState: Sendable {
    /// The index was opened (the console has a profile and the file could be opened).
    public var available = false
    /// Why the index could not be opened, if it could not.
    public var unavailable: String?
    public var status: IndexStatus?
    /// What the follower follows by, and why (for polling).
    public var source: EventSourceKind?
    public var sourceDetail: String?
    /// Seconds between polling rounds.
    public var pollEvery: TimeInterval = 300
    /// The follower was started.
    public var following = false

    /// Rows drawn from the index, by how old they are; a live read removes the mark.
    public var cachedSessions: Date?
    public var cachedGroups: [String: Date] = [:]
    public var cachedParticipants: [GroupKey: Date] = [:]
    /// Our role in each group as last read in full: by the console (a probe, an opened group)
    /// or by the index where its read is younger than its own idea of fresh
    /// (`ReadBudget.maxAge`). The groups pane shows it at once, and the groups on screen are
    /// not read again at start only to learn it. An action is still decided on a live read
    /// (its preflight).
    public var knownRoles: [GroupKey: Role] = [:]
    /// The index is being opened (it holds the roles above): until it answers, or for
    /// `openingGrace` at most, the groups on screen are not read only to learn our role.
    public var openingSince: Date?
    public static let openingGrace: TimeInterval = 3
    /// When the console last read each group's participants live (an index row read later
    /// replaces them; one read earlier does not).
    public var readAt: [GroupKey: Date] = [:]
    /// A polling round does not read the open group live again when the console read it less
    /// than this long ago (or half the poll interval, if shorter).
    public static let pollFresh: TimeInterval = 15

    /// What the index knows of each participant of a group (first seen, baseline, how they
    /// joined), by participant id.
    public var meta: [GroupKey: [JID: IndexedParticipant]] = [:] { didSet { metaVersion &+= 1 } }
    /// Changes with every change of `meta`.
    public private(set) var metaVersion = 0
    /// Joins of each session's groups in the last week, by group (newest first).
    public var joins: [String: [JID: [Date]]] = [:] { didSet { joinsVersion &+= 1 } }
    /// Changes with every change of `joins`.
    public private(set) var joinsVersion = 0

    /// The participants pane shows only new members (`n`).
    public var onlyNew = false
    /// What "new" means for `n` and the counts: joined in the last hour.
    public var newWindow: TimeInterval = 3600

    /// The profile's watchlist (active entries).
    public var watchlist: [WatchEntry] = []
    /// Raised alerts, oldest first.
    public var alerts: [WatchAlert] = []
    /// Places dismissed with `D` (who|session|group): a sync that sees them there again does
    /// not raise them again; an event (they joined again) does.
    public var dismissed: Set<String> = []

    public init() {}

    /// The watchlist entry naming `p`, if any (active at `now`).
    public func entry(for p: Participant, now: Date) -> WatchEntry? {
        watchlist.first { $0.isActive(at: now) && $0.matches(p) }
    }

    public func entry(for who: JID, now: Date) -> WatchEntry? {
        watchlist.first { e in e.isActive(at: now) && (e.who == who || JIDKey.same(e.who, who)) }
    }

    /// How many of a group's members joined within the window, as the index knows.
    public func newCount(_ key: GroupKey, now: Date) -> Int {
        let since = now.addingTimeInterval(-newWindow)
        // A member is there under their id, phone and @lid: counted once.
        if let m = meta[key.members] { return Set(m.values.filter { $0.isNew(since: since) }.map(\.participant.id)).count }
        return joins[key.session]?[key.group]?.filter { $0 >= since }.count ?? 0
    }

    /// Joins of a group within `window`, from the week of joins loaded.
    public func joinCount(session: String, group: JID, within window: TimeInterval, now: Date) -> Int {
        let since = now.addingTimeInterval(-window)
        return joins[session]?[group]?.filter { $0 >= since }.count ?? 0
    }

    static func dismissKey(_ who: JID, _ session: String, _ group: JID) -> String { who.string + "|" + session + "|" + group.string }
}

/// Two ids of one person: a phone JID written as `@c.us` or `@s.whatsapp.net` is the same.
enum JIDKey {
    static func same(_ a: JID, _ b: JID) -> Bool { a.kind == b.kind && a.user == b.user }
}

/// When and how someone joined, as the participants pane says it: "joined 12m ago via invite",
/// shorter where the column is narrow ("12m ago · invite", "12m inv").
enum JoinedText {
    static func text(_ p: IndexedParticipant, now: Date, width: Int) -> String {
        let age = Age.text(since: p.joined, now: now)
        let via = p.joinedVia.flatMap { v -> String? in
            switch v {
            case .invite: "invite"
            case .added: "added"
            case .approved: "approved"
            case .unknown: nil
            }
        }
        let full = "joined \(age) ago" + (via.map { " via \($0)" } ?? "")
        if CellWidth.of(full) <= width { return full }
        let mid = "\(age) ago" + (via.map { " · \($0)" } ?? "")
        if CellWidth.of(mid) <= width { return mid }
        let short = age + (via.map { " " + String($0.prefix(3)) } ?? "")
        return CellWidth.truncate(short, to: width)
    }
}

/// The filter's `joined:<1h` term (also `joined:<30m`, `<2d`, `<1w`; `joined:1h` is the same):
/// members who joined within that long, as the index knows.
enum JoinedTerm {
    /// The window a word names, or nil when it is not a joined term.
    static func window(_ word: String) -> TimeInterval?? {
        let w = word.lowercased()
        guard w.hasPrefix("joined:") else { return nil }
        var rest = w.dropFirst("joined:".count)
        if rest.first == "<" { rest = rest.dropFirst() }
        // The command line's one duration parser: `30m`, `1h30m`, `2d`, `1w`.
        guard let seconds = Durations.seconds(String(rest)), seconds > 0 else { return .some(nil) }
        return .some(seconds)
    }
}
