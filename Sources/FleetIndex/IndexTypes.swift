import Foundation
import GatewayKit

/// A session as the index last saw it.
public struct IndexedSession: Sendable, Hashable {
    public var session: Session
    public var firstSeen: Date
    public var lastSeen: Date
    /// When its group list was last read in full.
    public var groupsListed: Date?

    public init(session: Session, firstSeen: Date, lastSeen: Date, groupsListed: Date?) {
        self.session = session; self.firstSeen = firstSeen; self.lastSeen = lastSeen; self.groupsListed = groupsListed
    }
}

/// A group as the index last saw it.
public struct IndexedGroup: Sendable, Hashable {
    public var session: String
    public var group: Group
    public var firstSeen: Date
    public var lastSeen: Date
    /// When its participants were last read in full; nil while never read.
    public var lastFullRead: Date?

    public init(session: String, group: Group, firstSeen: Date, lastSeen: Date, lastFullRead: Date?) {
        self.session = session; self.group = group; self.firstSeen = firstSeen; self.lastSeen = lastSeen; self.lastFullRead = lastFullRead
    }
}

/// A participant of one group as the index last saw them.
public struct IndexedParticipant: Sendable, Hashable {
    public var session: String
    public var group: JID
    public var participant: Participant
    /// When the index first saw them in this group.
    public var firstSeen: Date
    /// When a read or an event last showed them there.
    public var lastSeen: Date
    /// Seen on the group's first read: they were there before the index was, so not "new".
    public var baseline: Bool
    /// When they joined, where an event told it (else nil: `firstSeen` is the best bound).
    public var joinedAt: Date?
    public var joinedVia: JoinVia?
    /// Who added them, where an event told it.
    public var addedBy: JID?

    public init(session: String, group: JID, participant: Participant, firstSeen: Date, lastSeen: Date,
                baseline: Bool, joinedAt: Date? = nil, joinedVia: JoinVia? = nil, addedBy: JID? = nil) {
        self.session = session; self.group = group; self.participant = participant; self.firstSeen = firstSeen
        self.lastSeen = lastSeen; self.baseline = baseline; self.joinedAt = joinedAt; self.joinedVia = joinedVia; self.addedBy = addedBy
    }

    /// When they came in, as well as the index knows: the event's time, else first seen.
    public var joined: Date { joinedAt ?? firstSeen }

    /// Joined at or after `since` (never for those there before the index first read the group).
    public func isNew(since: Date) -> Bool { !baseline && joined >= since }
}

/// A person found in the index: where, and how old that knowledge is.
public struct IndexHit: Sendable, Hashable {
    public var session: IndexedSession
    public var group: IndexedGroup
    public var participant: IndexedParticipant

    public init(session: IndexedSession, group: IndexedGroup, participant: IndexedParticipant) {
        self.session = session; self.group = group; self.participant = participant
    }

    /// When this was last known true: the later of the group's last full read and the last
    /// event that showed them there.
    public var asOf: Date { max(group.lastFullRead ?? participant.lastSeen, participant.lastSeen) }
}

/// What a read of one group's participants changed in the index.
public struct ParticipantDiff: Sendable, Hashable {
    /// Not there at the last read (never on a group's first read: those are the baseline).
    public var joined: [Participant] = []
    /// There at the last read, gone now.
    public var left: [Participant] = []
    /// Their role changed (as they are now).
    public var roleChanged: [Participant] = []
    /// The group's first read: everyone in it is the baseline.
    public var firstRead = false

    public init(joined: [Participant] = [], left: [Participant] = [], roleChanged: [Participant] = [], firstRead: Bool = false) {
        self.joined = joined; self.left = left; self.roleChanged = roleChanged; self.firstRead = firstRead
    }

    public var isEmpty: Bool { joined.isEmpty && left.isEmpty && roleChanged.isEmpty }
}

/// A short age for an operator: "12s", "4m", "3h", "2d".
public enum Age {
    public static func text(_ seconds: TimeInterval) -> String {
        let s = max(0, Int(seconds))
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m" }
        if s < 86_400 { return "\(s / 3600)h" }
        return "\(s / 86_400)d"
    }

    public static func text(since date: Date, now: Date = Date()) -> String { text(now.timeIntervalSince(date)) }
}
