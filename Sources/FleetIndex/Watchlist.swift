import Foundation
import GatewayKit

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
/// Unlike the index it is not a cache: its schema is migrated, never rebuilt.
public final class Watchlist: Sendable {
    public static func path(profile: String, paths: Paths = Paths()) -> String {
        paths.stateDirectory + "/index/" + FileName.safe(profile) + ".watchlist.sqlite"
    }

    public let path: String

    public init(path: String) throws {
        self.path = path
        fatalError("Watchlist: not built yet")
    }

    /// Adds an entry, or replaces the one for the same person (returned).
    @discardableResult
    public func add(_ entry: WatchEntry) throws -> WatchEntry? { fatalError() }
    /// Removes the entry matching `who` (by the JID given); returns it, nil when none.
    public func remove(_ who: JID) throws -> WatchEntry? { fatalError() }
    /// The entries, oldest first; expired ones only with `includeExpired`.
    public func entries(now: Date = Date(), includeExpired: Bool = false) throws -> [WatchEntry] { fatalError() }
}
