import Foundation

/// What a dialect can do, so callers can plan (batching, how results come back) and ask
/// instead of naming dialects.
public struct Capabilities: Sendable, Hashable {
    /// Several participants in one mutating request.
    public var batching: Bool
    /// The answer says, per participant, what happened.
    public var perRowResults: Bool
    /// Removing a non-member succeeds (ends "not in the group") rather than failing.
    public var idempotentRemove: Bool
    /// The gateway lists several sessions; otherwise the token is the one session.
    public var listsSessions: Bool
    /// The group's creator may leave it (Wasend refuses the owner's leave).
    public var ownerMayLeave: Bool
    /// The member changes whose outcome may be known only by reading the members back
    /// (the answer says the call went through, not what WhatsApp did).
    public var readsBack: Set<MemberAction>
    /// The member changes the dialect has.
    public var memberActions: Set<MemberAction>
    /// Whether the dialect can leave a group.
    public var leaves: Bool
    /// Whether the invite link can be read and reset.
    public var inviteLinks: Bool
    /// The settings the dialect reads, and those it can set.
    public var readsSettings: Set<GroupSetting>
    public var setsSettings: Set<GroupSetting>
    /// Whether pending join requests can be listed, approved and rejected.
    public var joinRequests: Bool
    /// Whether a text message can be sent (an exit notice).
    public var sendsText: Bool
    /// Whether participants of a community's parent can be removed.
    public var communities: Bool
    /// Why an operation is not offered where the plain "has no …" would mislead: the vendor
    /// names a route for it that cannot work (v1's join requests answer 501 to everyone).
    public var unavailable: [OperationKind: String]

    public init(batching: Bool, perRowResults: Bool, idempotentRemove: Bool, listsSessions: Bool,
                ownerMayLeave: Bool = true, readsBack: Set<MemberAction> = [],
                memberActions: Set<MemberAction> = Set(MemberAction.allCases), leaves: Bool = true,
                inviteLinks: Bool = false, readsSettings: Set<GroupSetting> = [], setsSettings: Set<GroupSetting> = [],
                joinRequests: Bool = false, sendsText: Bool = false, communities: Bool = false,
                unavailable: [OperationKind: String] = [:]) {
        self.batching = batching; self.perRowResults = perRowResults
        self.idempotentRemove = idempotentRemove; self.listsSessions = listsSessions
        self.ownerMayLeave = ownerMayLeave; self.readsBack = readsBack
        self.memberActions = memberActions; self.leaves = leaves
        self.inviteLinks = inviteLinks; self.readsSettings = readsSettings; self.setsSettings = setsSettings
        self.joinRequests = joinRequests; self.sendsText = sendsText; self.communities = communities
        self.unavailable = unavailable
    }

    /// Whether the dialect has this member change.
    public func offers(_ action: MemberAction) -> Bool { memberActions.contains(action) }

    /// Whether the dialect has this operation.
    public func offers(_ kind: OperationKind) -> Bool {
        if let action = kind.memberAction { return offers(action) }
        switch kind {
        case .leave: return leaves
        case .inviteReset: return inviteLinks
        case .lock: return setsSettings.contains(.announce) || setsSettings.contains(.locked)
        case .unlock, .settings: return !setsSettings.isEmpty
        case .approve, .reject: return joinRequests
        case .remove, .add, .promote, .demote: return true
        }
    }

    /// What a dialect without `kind` lacks, in the operator's words.
    static func lacking(_ kind: OperationKind) -> String {
        switch kind {
        case .approve, .reject: "join requests"
        case .inviteReset: "invite links"
        case .lock, .unlock, .settings: "setter for group settings (it may still read them: i shows them)"
        default: kind.verb
        }
    }

    /// Why a command for `kind` is disabled on this dialect, or nil when it has it.
    public func missing(_ kind: OperationKind, dialect: Dialect) -> String? {
        offers(kind) ? nil : unavailable[kind] ?? "this gateway's dialect (\(dialect.rawValue)) has no \(Self.lacking(kind))"
    }
}

/// One gateway, spoken to in its own dialect. Every operation reads or acts through HTTP.
public protocol Gateway: Sendable {
    var dialect: Dialect { get }
    var capabilities: Capabilities { get }

    /// Every session the token can see.
    func sessions() async throws(GatewayError) -> [Session]
    /// Every group of a session (all pages).
    func groups(session: String) async throws(GatewayError) -> [Group]
    /// Every participant of a group (all pages).
    func participants(session: String, group: JID) async throws(GatewayError) -> [Participant]
    /// Removes, adds, promotes or demotes one participant, in one request (the executor
    /// paces, retries and stops; several targets are several calls).
    /// Throws only when nothing could be attempted; a failure about the target is its result.
    func apply(_ action: MemberAction, session: String, group: JID, target: JID) async throws(GatewayError) -> TargetResult
    /// Leaves a group with the session's own account.
    func leave(session: String, group: JID) async throws(GatewayError) -> TargetResult

    // Group administration (gateways.md §9). A dialect without one says so in its
    // capabilities; called anyway, it throws `.notPossible` naming what it lacks.

    /// The group's invite link (needs an admin).
    func inviteLink(session: String, group: JID) async throws(GatewayError) -> InviteLink
    /// Resets the invite link: the old one stops working. Sent once; the executor settles an
    /// unknown effect by reading the link again.
    func resetInviteLink(session: String, group: JID) async throws(GatewayError) -> TargetResult
    /// The group's settings, as far as the dialect reads them.
    func settings(session: String, group: JID) async throws(GatewayError) -> GroupSettings
    /// Sets the settings `change` names (one request or several, as the dialect needs).
    func setSettings(_ change: GroupSettings, session: String, group: JID) async throws(GatewayError) -> TargetResult
    /// Requests to join waiting for an admin.
    func joinRequests(session: String, group: JID) async throws(GatewayError) -> [JoinRequest]
    /// Approves or rejects one pending request.
    func answerJoinRequest(approve: Bool, session: String, group: JID, requester: JID) async throws(GatewayError) -> TargetResult
    /// Sends a text message to a person or a group (an exit notice). Not idempotent: never
    /// sent again after an answer of unknown effect.
    func sendText(session: String, to chat: JID, text: String) async throws(GatewayError) -> TargetResult
}

extension Gateway {
    func lacking(_ what: String) -> GatewayError {
        .notPossible("this gateway's dialect (\(dialect.rawValue)) has no \(what)")
    }
    public func inviteLink(session: String, group: JID) async throws(GatewayError) -> InviteLink { throw lacking("invite links") }
    public func resetInviteLink(session: String, group: JID) async throws(GatewayError) -> TargetResult { throw lacking("invite links") }
    public func settings(session: String, group: JID) async throws(GatewayError) -> GroupSettings { throw lacking("group settings") }
    public func setSettings(_ change: GroupSettings, session: String, group: JID) async throws(GatewayError) -> TargetResult {
        throw lacking("setter for these group settings")
    }
    public func joinRequests(session: String, group: JID) async throws(GatewayError) -> [JoinRequest] { throw lacking("join requests") }
    public func answerJoinRequest(approve: Bool, session: String, group: JID, requester: JID) async throws(GatewayError) -> TargetResult {
        throw lacking("join requests")
    }
    public func sendText(session: String, to chat: JID, text: String) async throws(GatewayError) -> TargetResult { throw lacking("sending of messages") }
}
