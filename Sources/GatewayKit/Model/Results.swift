import Foundation

/// How one target of an operation ended.
public enum Outcome: Sendable, Hashable {
    /// The gateway did it.
    case done
    /// Nothing to do: already so (already a member, already not an admin, not in the group).
    case alreadySo(String)
    /// The gateway or WhatsApp declined this target (owner, privacy, not on WhatsApp, …).
    case refused(String)
    /// The request for this target failed.
    case failed(GatewayError)
    /// Not sent: the operation stopped (cancelled, or a whole-call failure) before this target.
    case notAttempted(String)

    public var kind: String {
        switch self {
        case .done: "done"
        case .alreadySo: "already"
        case .refused: "refused"
        case .failed: "failed"
        case .notAttempted: "not-attempted"
        }
    }

    /// Whether the target ended in the wanted state.
    public var isSuccess: Bool {
        switch self {
        case .done, .alreadySo: true
        default: false
        }
    }

    /// A word or two for a narrow column: "done", "refused", "forbidden", "500", "not sent".
    public var shortLabel: String {
        switch self {
        case .done: "done"
        case .alreadySo: "already"
        case .refused: "refused"
        case .notAttempted: "not sent"
        case .failed(let e):
            switch e {
            case .unauthorized: "401"
            case .forbidden: "forbidden"
            case .notFound: "not found"
            case .notConnected: "offline"
            case .rateLimited: "429"
            case .validation: "invalid"
            case .server(let status, _): String(status)
            case .transport: "no answer"
            case .undecodable: "bad answer"
            case .noSuchRoute: "no route"
            case .tooLarge: "too large"
            case .configuration: "config"
            case .storage: "record"
            case .notPossible: "not possible"
            }
        }
    }

    public var reason: String? {
        switch self {
        case .done: nil
        case .alreadySo(let r), .refused(let r), .notAttempted(let r): r
        case .failed(let e): e.message
        }
    }
}

/// One target's result: what happened, with the HTTP status and latency of its request.
public struct TargetResult: Sendable, Hashable {
    public var target: JID
    public var outcome: Outcome
    public var httpStatus: Int?
    /// Milliseconds spent on the request that decided this target.
    public var latencyMs: Int?
    /// Not final: the target was not sent, or its effect is unknown, for a reason that can
    /// pass (the session went offline, the gateway failed or did not answer). It stays in the
    /// operation's journal, and `wamod resume` reads the group again and finishes it.
    public var resumable: Bool
    /// For a settings change: the settings it names as they were just before (what an undo
    /// puts back); nil where they could not be read.
    public var before: GroupSettings?
    /// For a leave: the group's invite link read just before (a way back, by rejoining);
    /// for a reset: nothing (the old link is dead, and the new one is read from the gateway).
    public var inviteLink: String?
    /// For a removal with an exit notice: what became of the notice ("sent", or why not).
    public var notice: String?
    /// What the audit should say about a target that ended done (an invite reset's "the old
    /// link no longer works").
    public var note: String?

    public init(target: JID, outcome: Outcome, httpStatus: Int? = nil, latencyMs: Int? = nil, resumable: Bool = false) {
        self.target = target; self.outcome = outcome; self.httpStatus = httpStatus; self.latencyMs = latencyMs
        self.resumable = resumable
    }
}
