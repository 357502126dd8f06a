import Foundation

/// A group setting an admin can change (gateways.md §9).
public enum GroupSetting: String, Sendable, Hashable, Codable, CaseIterable {
    /// Only admins send messages (WhatsApp's "announce").
    case announce
    /// Only admins edit the group's info (WhatsApp's "locked" / "restrict").
    case locked
    /// Only admins add members (member-add mode "admin_add").
    case adminsAdd = "admins_add"
    /// New members need an admin's approval (membership approval mode).
    case approval

    /// What the setting means, in the operator's words.
    public var title: String {
        switch self {
        case .announce: "only admins send"
        case .locked: "only admins edit info"
        case .adminsAdd: "only admins add members"
        case .approval: "approval for new members"
        }
    }

    /// The key of `wamod settings … key=on`, as the command line names it.
    public var key: String { rawValue.replacingOccurrences(of: "_", with: "-") }
}

/// A group's settings: each `true`, `false`, or nil where it is not known (the dialect does
/// not read it). As a change, the settings that are not nil are the ones to set.
public struct GroupSettings: Sendable, Hashable, Codable {
    public var announce: Bool?
    public var locked: Bool?
    public var adminsAdd: Bool?
    public var approval: Bool?

    public init(announce: Bool? = nil, locked: Bool? = nil, adminsAdd: Bool? = nil, approval: Bool? = nil) {
        self.announce = announce; self.locked = locked; self.adminsAdd = adminsAdd; self.approval = approval
    }

    public subscript(_ s: GroupSetting) -> Bool? {
        get {
            switch s {
            case .announce: announce
            case .locked: locked
            case .adminsAdd: adminsAdd
            case .approval: approval
            }
        }
        set {
            switch s {
            case .announce: announce = newValue
            case .locked: locked = newValue
            case .adminsAdd: adminsAdd = newValue
            case .approval: approval = newValue
            }
        }
    }

    /// The settings that are known (or, as a change, set), in the order of `GroupSetting`.
    public var known: [(setting: GroupSetting, on: Bool)] {
        GroupSetting.allCases.compactMap { s in self[s].map { (s, $0) } }
    }

    public var isEmpty: Bool { known.isEmpty }

    /// Whether every setting of `change` already holds here.
    public func satisfies(_ change: GroupSettings) -> Bool {
        change.known.allSatisfy { self[$0.setting] == $0.on }
    }
}

/// A group's invite link. The code is a secret (whoever has it can join): it is shown masked
/// unless the operator asks for it.
public struct InviteLink: Sendable, Hashable, Codable {
    public var code: String

    public init(code: String) { self.code = code }

    /// The link's code from what a gateway answers: a bare code, or a link ending in it.
    public init?(parsing text: String) {
        var t = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if let slash = t.lastIndex(of: "/") { t = String(t[t.index(after: slash)...]) }
        if let q = t.firstIndex(of: "?") { t = String(t[..<q]) }
        guard !t.isEmpty, t.count <= 64, t.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }) else { return nil }
        code = t
    }

    public var url: String { "https://chat.whatsapp.com/\(code)" }

    /// The link with all but its first four characters hidden.
    public var masked: String { "https://chat.whatsapp.com/\(code.prefix(4))…" }
}

/// A request to join a group, waiting for an admin (WAHA's `GroupJoinRequest`).
public struct JoinRequest: Sendable, Hashable, Codable {
    /// Who asked (the id to approve or reject: `@lid` or phone JID).
    public var requester: JID
    /// Their phone JID, when the gateway tells it.
    public var phone: JID?
    /// How they asked ("invite_link", "linked_group_join", …), clamped.
    public var method: String?
    /// When they asked.
    public var at: Date?

    public init(requester: JID, phone: JID? = nil, method: String? = nil, at: Date? = nil) {
        self.requester = requester; self.phone = phone
        self.method = method.map { Limits.clamp($0, Limits.status) }; self.at = at
    }

    /// What to show for the requester's number: `+digits`, else the id.
    public var numberText: String { phone?.phoneNumber ?? requester.phoneNumber ?? requester.string }
}
