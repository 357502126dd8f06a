import Foundation

/// What an operation does, as a type: the plan, the runner, the journal and the console
/// switch over it, so adding an operation is one case here (and the places the compiler then
/// names). The raw values are the strings the audit log and the journal have always held,
/// so files written before it read unchanged.
public enum OperationKind: String, Sendable, Hashable, Codable, CaseIterable {
    case remove, add, promote, demote
    case leave

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
        case .leave: nil
        }
    }

    /// Each step's target is the group itself (the session's own account acts on it), not a
    /// participant: rows are groups, a plan of several groups is still one session's.
    public var targetsGroups: Bool {
        switch self {
        case .leave: true
        case .remove, .add, .promote, .demote: false
        }
    }

    public var verb: String { memberAction?.verb ?? rawValue }
    public var pastTense: String { memberAction?.pastTense ?? "left" }
    public var progressive: String { memberAction?.progressive ?? "leaving" }

    /// The kind that undoes this one, or why there is none.
    public var inverse: Result<OperationKind, GatewayError> {
        switch self {
        case .remove: .success(.add)
        case .demote: .success(.promote)
        case .promote: .success(.demote)
        case .add: .failure(.notPossible("an add is not undone automatically: removing people is the riskier direction; use `wamod remove` with the targets you mean"))
        case .leave: .failure(.notPossible("a leave cannot be undone through the gateway: an admin of the group must add the account back"))
        }
    }
}
