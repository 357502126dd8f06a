import Foundation
import WamodModel

/// A session as the inspection API shows it.
public struct SimSession: Sendable, Hashable {
    public var id: String
    public var label: String
    /// The account's phone digits.
    public var phone: String?
    /// The account's `@lid` digits.
    public var lid: String
    public var connected: Bool
    /// The status a WAHA-style dialect reports (`WORKING`, `SCAN_QR_CODE`, …).
    public var status: String
    /// Rates the session advertises (v1's `ratePerMin` / `ratePerHour`).
    public var ratePerMinute: Int
    public var ratePerHour: Int

    public var account: JID? { phone.map { JID(kind: .user, user: $0) } }
    public var accountLID: JID { JID(kind: .lid, user: lid) }

    /// The shared model's view of this session (status in v1's words).
    public var model: Session {
        Session(id: id, label: label, account: account, accountLID: accountLID, connected: connected,
                status: connected ? "working" : "disconnected", ratePerMinute: ratePerMinute, ratePerHour: ratePerHour)
    }
}

/// A group as one session sees it.
public struct SimGroup: Sendable, Hashable {
    public var jid: JID
    public var subject: String
    public var description: String
    /// The creator (superadmin): phone JID, or `@lid` when the creator's number is hidden.
    public var creator: JID
    public var size: Int
    /// The session's own role in the group.
    public var ourRole: Role
    /// Milliseconds since 1970.
    public var createdAt: Int64
    /// Announce, locked, member-add mode and approval, every one known.
    public var settings: GroupSettings
    /// A community's parent group.
    public var isCommunity: Bool
    /// Requests to join waiting for an admin.
    public var pendingRequests: Int

    public var model: Group { Group(jid: jid, subject: subject, size: size, owner: creator, ourRole: ourRole) }
}

/// A member of a group.
public struct SimMember: Sendable, Hashable {
    public var phone: JID?
    public var lid: JID
    public var name: String
    public var role: Role

    /// The id to act on: the phone JID, else the `@lid`.
    public var id: JID { phone ?? lid }
    public func matches(_ jid: JID) -> Bool { jid == phone || jid == lid }

    public var model: Participant { Participant(phone: phone, lid: lid, name: name, role: role) }
}

/// Counters of what a session was asked to do.
public struct SimSessionStats: Sendable, Hashable {
    /// Mutating requests that reached WhatsApp's rules (not refused by the rate limiter).
    public var mutationsServed: Int
    /// Mutating requests refused with 429 by the session's rate limit.
    public var rateLimited: Int
}

extension Member {
    var snapshot: SimMember {
        SimMember(phone: person.phone.map { JID(kind: .user, user: $0) }, lid: JID(kind: .lid, user: person.lid),
                  name: person.name, role: role)
    }
}

extension Person {
    /// The phone JID when known, else the `@lid`.
    var jid: JID { phone.map { JID(kind: .user, user: $0) } ?? JID(kind: .lid, user: lid) }
}

extension SessionState {
    func snapshot() -> SimSession {
        SimSession(id: id, label: label, phone: account.phone, lid: account.lid, connected: connected,
                   status: connected ? "WORKING" : offlineStatus,
                   ratePerMinute: advertisedPerMinute, ratePerHour: advertisedPerHour)
    }
}
