import Foundation

/// What can be done to participants of a group.
public enum MemberAction: String, Sendable, Hashable, Codable, CaseIterable {
    case remove, add, promote, demote

    public var verb: String { rawValue }
    public var pastTense: String {
        switch self {
        case .remove: "removed"
        case .add: "added"
        case .promote: "promoted"
        case .demote: "demoted"
        }
    }
    public var progressive: String {
        switch self {
        case .remove: "removing"
        case .add: "adding"
        case .promote: "promoting"
        case .demote: "demoting"
        }
    }
}
