import Foundation

/// How a person came into a group, where the gateway tells it.
public enum JoinVia: String, Sendable, Hashable, Codable, CaseIterable {
    /// Through the group's invite link (WhatsApp reports the join as by the link).
    case invite
    /// Added by an admin (the event names who, where it can).
    case added
    /// Their request to join was approved by an admin.
    case approved
    /// The gateway said they joined, but not how.
    case unknown
}

/// Something a gateway reported happening in a group (from its WebSocket or a webhook), in
/// the one shape every dialect's event is decoded into. An event is a hint: the index
/// follows it, and the group is read live before anything is changed because of it.
public struct FleetEvent: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// People joined or were added (`via` tells how, `by` who added them).
        case joined
        /// People left or were removed (`by` who removed them, when not themselves).
        case left
        case promoted
        case demoted
        /// The group's subject or settings changed (`subject` when told).
        case groupChanged
        /// A request to join arrived (`participants` are the requesters).
        case joinRequest
        /// Our own account was added to a group (the group is new to the index).
        case addedUs
    }

    public var kind: Kind
    /// The session (gateway id) the event came through.
    public var session: String
    public var group: JID
    /// Who it is about, with phone and `@lid` where the payload tells both.
    public var participants: [Participant]
    /// Who did it (the admin who added or removed them), where told.
    public var by: JID?
    public var via: JoinVia?
    /// The group's new subject, for `groupChanged`.
    public var subject: String?
    /// When the gateway says it happened; nil when it does not say.
    public var at: Date?
    /// The gateway's own id for the event, for telling a repeat from a new one.
    public var eventID: String?

    public init(kind: Kind, session: String, group: JID, participants: [Participant] = [], by: JID? = nil,
                via: JoinVia? = nil, subject: String? = nil, at: Date? = nil, eventID: String? = nil) {
        self.kind = kind; self.session = session; self.group = group; self.participants = participants
        self.by = by; self.via = via; self.subject = subject.map { Limits.clamp($0, Limits.subject) }
        self.at = at; self.eventID = eventID.map { Limits.clamp($0, Limits.id) }
    }
}
