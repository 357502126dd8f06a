import Foundation

/// What an operation does, as a type: the plan, the runner, the journal and the console
/// switch over it, so adding an operation is one case here (and the places the compiler then
/// names). The raw values are the strings the audit log and the journal have always held,
/// so files written before it read unchanged.
public enum OperationKind: String, Sendable, Hashable, Codable, CaseIterable {
    case remove, add, promote, demote
    case leave
    /// Resets a group's invite link (the old one stops working).
    case inviteReset = "invite-reset"
    /// Admins only: messages and info (and, where offered, adding and approval).
    case lock
    /// Puts settings back to open.
    case unlock
    /// Single settings, each step naming its own (also what undoes a lock).
    case settings
    /// Answers pending join requests.
    case approve, reject

    public init(_ action: MemberAction) {
        switch action {
        case .remove: self = .remove
        case .add: self = .add
        case .promote: self = .promote
        case .demote: self = .demote
        }
    }

    /// The participant action, for the kinds that act on participants.
    public var memberAction: MemberAction? {
        switch self {
        case .remove: .remove
        case .add: .add
        case .promote: .promote
        case .demote: .demote
        default: nil
        }
    }

    /// Each step's target is a pending requester (answered, not a member yet).
    public var targetsRequests: Bool { self == .approve || self == .reject }

    /// Each step changes the group's settings (the step names them).
    public var changesSettings: Bool { self == .lock || self == .unlock || self == .settings }

    /// Each step's target is the group itself (the session's own account acts on it), not a
    /// participant: rows are groups, a plan of several groups is still one session's.
    public var targetsGroups: Bool {
        switch self {
        case .leave, .inviteReset, .lock, .unlock, .settings: true
        case .remove, .add, .promote, .demote, .approve, .reject: false
        }
    }

    public var verb: String {
        switch self {
        case .inviteReset: "reset the invite link"
        case .settings: "change settings"
        default: memberAction?.verb ?? rawValue
        }
    }
    public var pastTense: String {
        switch self {
        case .leave: "left"
        case .inviteReset: "link reset"
        case .lock: "locked"
        case .unlock: "unlocked"
        case .settings: "settings changed"
        case .approve: "approved"
        case .reject: "rejected"
        default: memberAction?.pastTense ?? rawValue
        }
    }
    public var progressive: String {
        switch self {
        case .leave: "leaving"
        case .inviteReset: "resetting the invite link"
        case .lock: "locking"
        case .unlock: "unlocking"
        case .settings: "changing settings"
        case .approve: "approving"
        case .reject: "rejecting"
        default: memberAction?.progressive ?? rawValue
        }
    }

    /// The kind that undoes this one, or why there is none.
    public var inverse: Result<OperationKind, GatewayError> {
        switch self {
        case .remove: .success(.add)
        case .demote: .success(.promote)
        case .promote: .success(.demote)
        case .add: .failure(.notPossible("an add is not undone automatically: removing people is the riskier direction; use `wamod remove` with the targets you mean"))
        case .leave: .failure(.notPossible("a leave cannot be undone through the gateway: an admin of the group must add the account back (or the account rejoins by the invite link recorded with the leave)"))
        // Each group's settings before the change are in the audit record: the undo sets them back.
        case .lock, .unlock, .settings: .success(.settings)
        case .inviteReset: .failure(.notPossible("a reset invite link cannot be undone: the old link no longer works anywhere"))
        case .approve: .failure(.notPossible("an approval is not undone automatically: use `wamod remove` for the people you mean"))
        case .reject: .failure(.notPossible("a rejected request cannot be brought back: the person must ask to join again"))
        }
    }
}
