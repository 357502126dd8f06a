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

    public init(batching: Bool, perRowResults: Bool, idempotentRemove: Bool, listsSessions: Bool,
                ownerMayLeave: Bool = true, readsBack: Set<MemberAction> = [],
                memberActions: Set<MemberAction> = Set(MemberAction.allCases), leaves: Bool = true) {
        self.batching = batching; self.perRowResults = perRowResults
        self.idempotentRemove = idempotentRemove; self.listsSessions = listsSessions
        self.ownerMayLeave = ownerMayLeave; self.readsBack = readsBack
        self.memberActions = memberActions; self.leaves = leaves
    }

    /// Whether the dialect has this member change.
    public func offers(_ action: MemberAction) -> Bool { memberActions.contains(action) }

    /// Whether the dialect has this operation.
    public func offers(_ kind: OperationKind) -> Bool {
        guard let action = kind.memberAction else { return leaves }
        return offers(action)
    }

    /// Why a command for `kind` is disabled on this dialect, or nil when it has it.
    public func missing(_ kind: OperationKind, dialect: Dialect) -> String? {
        offers(kind) ? nil : "this gateway's dialect (\(dialect.rawValue)) has no \(kind.verb)"
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
}
