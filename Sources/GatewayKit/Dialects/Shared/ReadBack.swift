import Foundation

/// Reading the members back after a change whose answer does not say what WhatsApp did.
public enum ReadBack {
    /// The outcome the members show for `member` (nil: not among them) after `action`.
    public static func outcome(_ action: MemberAction, _ member: Participant?) -> Outcome {
        switch action {
        case .remove:
            guard let member else { return .done }
            return .refused(member.role == .superadmin ? "still in the group: the group's creator cannot be removed"
                                                       : "still in the group: WhatsApp did not remove them")
        case .add:
            return member == nil ? .refused("WhatsApp declined to add (privacy settings, or not on WhatsApp)") : .done
        case .promote:
            guard let member else { return .refused("not a member of the group") }
            return member.role.isAdmin ? .done : .refused("still not an admin: WhatsApp did not promote them")
        case .demote:
            guard let member else { return .refused("not a member of the group") }
            switch member.role {
            case .member: return .done
            case .superadmin: return .refused("the group's creator cannot be demoted")
            case .admin: return .refused("still an admin: WhatsApp did not demote them")
            }
        }
    }
}
