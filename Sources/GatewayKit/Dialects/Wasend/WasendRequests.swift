import Foundation

/// The requests of `wasend`, as pure data.
public enum WasendAPI {
    static func seg(_ s: String) -> String { PathEncoding.keepingAt(s) }
    static func groupPath(_ session: String, _ group: JID) -> String { "/\(seg(session))/groups/\(seg(group.string))" }

    public static func sessions() -> HTTPRequestSpec { HTTPRequestSpec(method: "GET", path: "/sessions") }

    public static func groups(session: String, limit: Int, offset: Int) -> HTTPRequestSpec {
        HTTPRequestSpec(method: "GET", path: "/\(seg(session))/groups", query: [
            URLQueryItem(name: "limit", value: String(limit)), URLQueryItem(name: "offset", value: String(offset)),
            URLQueryItem(name: "sortBy", value: "subject"), URLQueryItem(name: "sortOrder", value: "asc"),
        ])
    }

    public static func groupCount(session: String) -> HTTPRequestSpec {
        HTTPRequestSpec(method: "GET", path: "/\(seg(session))/groups/count")
    }

    public static func participants(session: String, group: JID) -> HTTPRequestSpec {
        HTTPRequestSpec(method: "GET", path: "\(groupPath(session, group))/participants")
    }

    struct Participants: Encodable { let participants: [String] }
    struct AddBody: Encodable { let participants: [String]; let notify: Bool }

    /// Remove, add, promote or demote: the documented path, or the SDK's when `sdk`.
    public static func mutation(_ action: MemberAction, session: String, group: JID, targets: [JID], sdk: Bool) -> HTTPRequestSpec {
        let g = groupPath(session, group)
        let ids = targets.map(\.string)
        switch action {
        case .remove:
            return sdk ? .json("POST", "\(g)/participants/remove", body: Participants(participants: ids))
                       : .json("DELETE", "\(g)/participants", body: Participants(participants: ids))
        case .add:
            return .json("POST", "\(g)/participants/add", body: AddBody(participants: ids, notify: true))
        case .promote:
            return .json("POST", sdk ? "\(g)/admin/promote" : "\(g)/participants/promote", body: Participants(participants: ids))
        case .demote:
            return .json("POST", sdk ? "\(g)/admin/demote" : "\(g)/participants/demote", body: Participants(participants: ids))
        }
    }

    public static func leave(session: String, group: JID) -> HTTPRequestSpec {
        HTTPRequestSpec(method: "POST", path: "\(groupPath(session, group))/leave")
    }

    // Group administration (gateways.md §9): https://wasend.dev/docs/groups/get-invite-code,
    // …/revoke-invite-code, …/set-messages-admin-only, …/set-info-admin-only;
    // https://wasend.dev/docs/messages/send-text.

    /// `GET G/invite-code` → the code.
    public static func inviteCode(session: String, group: JID) -> HTTPRequestSpec {
        HTTPRequestSpec(method: "GET", path: "\(groupPath(session, group))/invite-code")
    }

    /// `POST G/invite-code/revoke` → the new code.
    public static func revokeInviteCode(session: String, group: JID) -> HTTPRequestSpec {
        HTTPRequestSpec(method: "POST", path: "\(groupPath(session, group))/invite-code/revoke")
    }

    /// The path of the admin-only setting: `messages-admin-only` (announce) or
    /// `info-admin-only` (locked); nil for the settings Wasend documents no route for.
    static func securityPath(_ setting: GroupSetting, _ session: String, _ group: JID) -> String? {
        switch setting {
        case .announce: "\(groupPath(session, group))/settings/security/messages-admin-only"
        case .locked: "\(groupPath(session, group))/settings/security/info-admin-only"
        case .adminsAdd, .approval: nil
        }
    }

    /// `GET G/settings/security/…-admin-only` → `{"enabled"}`.
    public static func adminOnly(_ setting: GroupSetting, session: String, group: JID) -> HTTPRequestSpec? {
        securityPath(setting, session, group).map { HTTPRequestSpec(method: "GET", path: $0) }
    }

    struct Enabled: Encodable { let enabled: Bool }

    /// `PUT G/settings/security/…-admin-only {"enabled"}` → `{"success","enabled","message"}`.
    /// One setting per request (rather than `PUT G/settings`, whose answer the page does not
    /// show): each answer says whether its one setting took.
    public static func setAdminOnly(_ setting: GroupSetting, _ on: Bool, session: String, group: JID) -> HTTPRequestSpec? {
        securityPath(setting, session, group).map { HTTPRequestSpec.json("PUT", $0, body: Enabled(enabled: on)) }
    }

    struct TextMessage: Encodable { let session: String; let to: String; let text: String }

    /// `POST /sendText {"session","to","text"}`: a person as `+digits` (the page's form), a
    /// group (or an `@lid`) by its JID.
    public static func sendText(session: String, to chat: JID, text: String) -> HTTPRequestSpec {
        .json("POST", "/sendText", body: TextMessage(session: session, to: chat.phoneNumber ?? chat.string, text: text))
    }
}
