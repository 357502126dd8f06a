import Foundation

/// The dialects wamod speaks (see docs: gateways.md).
public enum Dialect: String, Sendable, Hashable, Codable, CaseIterable {
    case v1, wasend, waha, wuts, wawp, evolution
}

/// What a dialect can do, so callers can plan (batching, how results come back).
public struct Capabilities: Sendable, Hashable {
    /// Several participants in one mutating request.
    public var batching: Bool
    /// The answer says, per participant, what happened.
    public var perRowResults: Bool
    /// Removing a non-member succeeds (ends "not in the group") rather than failing.
    public var idempotentRemove: Bool
    /// The gateway lists several sessions; otherwise the token is the one session.
    public var listsSessions: Bool

    public init(batching: Bool, perRowResults: Bool, idempotentRemove: Bool, listsSessions: Bool) {
        self.batching = batching; self.perRowResults = perRowResults
        self.idempotentRemove = idempotentRemove; self.listsSessions = listsSessions
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
    /// Removes, adds, promotes or demotes `targets`; one result per target, in order.
    /// Throws only when nothing could be attempted; per-target failures are results.
    func apply(_ action: MemberAction, session: String, group: JID, targets: [JID]) async throws(GatewayError) -> [TargetResult]
    /// Leaves a group with the session's own account.
    func leave(session: String, group: JID) async throws(GatewayError) -> TargetResult
}
