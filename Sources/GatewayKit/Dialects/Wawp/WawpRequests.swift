import Foundation

/// The requests of `wawp`, as pure data. The credential adds `instance_id` and `access_token`.
public enum WawpAPI {
    static func groupPath(_ group: JID) -> String { "/v2/groups/\(PathEncoding.keepingAt(group.string))" }

    /// The method Wawp's current page documents for the identity read
    /// (https://api.wawp.net/en/docs/v2/session/info).
    public static let documentedInfoMethod = "POST"

    /// The instance's session (WAHA's session object): `POST` as documented, or `GET` as an
    /// older page shows it. No body: the credential's query carries both secrets. A read,
    /// whatever its method, so the transport may repeat it.
    public static func sessionInfo(method: String = documentedInfoMethod) -> HTTPRequestSpec {
        HTTPRequestSpec(method: method, path: "/v2/session/info", isReadOnly: true)
    }

    /// A page of groups, without their participants (as WAHA).
    public static func groups(limit: Int, offset: Int) -> HTTPRequestSpec {
        HTTPRequestSpec(method: "GET", path: "/v2/groups", query: [
            URLQueryItem(name: "limit", value: String(limit)), URLQueryItem(name: "offset", value: String(offset)),
            URLQueryItem(name: "sortBy", value: "subject"), URLQueryItem(name: "sortOrder", value: "asc"),
            URLQueryItem(name: "exclude", value: "participants"),
        ])
    }

    public static func participants(_ group: JID) -> HTTPRequestSpec {
        HTTPRequestSpec(method: "GET", path: "\(groupPath(group))/participants")
    }

    /// Remove, add, promote or demote: `{"participants":[{"id":"123@c.us"}]}`.
    public static func mutation(_ action: MemberAction, group: JID, targets: [JID]) -> HTTPRequestSpec {
        let tail = switch action {
        case .remove: "participants/remove"
        case .add: "participants/add"
        case .promote: "admin/promote"
        case .demote: "admin/demote"
        }
        let body = WAHAAPI.Participants(participants: targets.map { WAHAAPI.ParticipantID(id: $0.cUs) })
        return .json("POST", "\(groupPath(group))/\(tail)", body: body)
    }

    public static func leave(_ group: JID) -> HTTPRequestSpec {
        HTTPRequestSpec(method: "POST", path: "\(groupPath(group))/leave")
    }

    // Group administration (gateways.md §9): https://api.wawp.net/en/docs/v2/groups/{id}/invite-code,
    // …/invite-code/revoke, …/settings/security/messages-admin-only, …/settings/security/info-admin-only
    // (GET pages only), https://api.wawp.net/en/docs/v2/send/text.

    /// `GET G/invite-code` → the code as a JSON string (WAHA's answer, assumed: Wawp proxies it).
    public static func inviteCode(_ group: JID) -> HTTPRequestSpec {
        HTTPRequestSpec(method: "GET", path: "\(groupPath(group))/invite-code")
    }

    /// `POST G/invite-code/revoke` → the new code (assumed as above).
    public static func revokeInviteCode(_ group: JID) -> HTTPRequestSpec {
        HTTPRequestSpec(method: "POST", path: "\(groupPath(group))/invite-code/revoke")
    }

    /// `GET G/settings/security/messages-admin-only` (`…/info-admin-only`) → `{"adminsOnly"}`
    /// (assumed as WAHA's); nil for the settings Wawp has no page for.
    public static func security(_ setting: GroupSetting, _ group: JID) -> HTTPRequestSpec? {
        guard setting == .announce || setting == .locked else { return nil }
        return HTTPRequestSpec(method: "GET", path: "\(groupPath(group))/\(WAHAShapes.securityTail(setting))")
    }

    /// `POST /v2/send/text` with `chatId` and `message` as query parameters, as the page's
    /// example sends them (the route answers GET too, so its parameters live in the query);
    /// a person as `…@c.us`, a group by its JID.
    public static func sendText(to chat: JID, text: String) -> HTTPRequestSpec {
        HTTPRequestSpec(method: "POST", path: "/v2/send/text",
                        query: [URLQueryItem(name: "chatId", value: chat.cUs), URLQueryItem(name: "message", value: text)])
    }
}
