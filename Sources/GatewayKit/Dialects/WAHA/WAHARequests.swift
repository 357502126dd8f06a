import Foundation

/// The requests of `waha`, as pure data.
public enum WAHAAPI {
    static func seg(_ s: String) -> String { PathEncoding.keepingAt(s) }
    static func groupPath(_ session: String, _ group: JID) -> String { "/api/\(seg(session))/groups/\(seg(group.string))" }

    /// Every session, stopped ones included.
    public static func sessions() -> HTTPRequestSpec {
        HTTPRequestSpec(method: "GET", path: "/api/sessions", query: [URLQueryItem(name: "all", value: "true")])
    }

    /// A page of groups, without their participants (the participants come from their own call).
    public static func groups(session: String, limit: Int, offset: Int) -> HTTPRequestSpec {
        HTTPRequestSpec(method: "GET", path: "/api/\(seg(session))/groups", query: [
            URLQueryItem(name: "limit", value: String(limit)), URLQueryItem(name: "offset", value: String(offset)),
            URLQueryItem(name: "sortBy", value: "subject"), URLQueryItem(name: "sortOrder", value: "asc"),
            URLQueryItem(name: "exclude", value: "participants"),
        ])
    }

    public static func groupCount(session: String) -> HTTPRequestSpec {
        HTTPRequestSpec(method: "GET", path: "/api/\(seg(session))/groups/count")
    }

    public static func participants(session: String, group: JID) -> HTTPRequestSpec {
        HTTPRequestSpec(method: "GET", path: "\(groupPath(session, group))/participants/v2")
    }

    struct ParticipantID: Encodable { let id: String }
    struct Participants: Encodable { let participants: [ParticipantID] }

    /// Remove, add, promote or demote: `{"participants":[{"id":"123@c.us"}]}`.
    public static func mutation(_ action: MemberAction, session: String, group: JID, targets: [JID]) -> HTTPRequestSpec {
        let path = switch action {
        case .remove: "participants/remove"
        case .add: "participants/add"
        case .promote: "admin/promote"
        case .demote: "admin/demote"
        }
        let body = Participants(participants: targets.map { ParticipantID(id: $0.cUs) })
        return .json("POST", "\(groupPath(session, group))/\(path)", body: body)
    }

    public static func leave(session: String, group: JID) -> HTTPRequestSpec {
        HTTPRequestSpec(method: "POST", path: "\(groupPath(session, group))/leave")
    }

    // Group administration (gateways.md §9): https://waha.devlike.pro/docs/how-to/groups/,
    // https://waha.devlike.pro/blog/waha-2026-8/ (join requests),
    // https://waha.devlike.pro/docs/how-to/send-messages, and WAHA's OpenAPI (PyPI `waha-py` 2026.9.2).

    /// `GET G/invite-code` → the code, raw `text/html`.
    public static func inviteCode(session: String, group: JID) -> HTTPRequestSpec {
        HTTPRequestSpec(method: "GET", path: "\(groupPath(session, group))/invite-code")
    }

    /// `POST G/invite-code/revoke` → the new code, raw.
    public static func revokeInviteCode(session: String, group: JID) -> HTTPRequestSpec {
        HTTPRequestSpec(method: "POST", path: "\(groupPath(session, group))/invite-code/revoke")
    }

    /// `GET G/settings/security/…` → `{"adminsOnly"}`, `{"membersCanAddNewMember"}` or `{"newMembersApprovalRequired"}`.
    public static func security(_ setting: GroupSetting, session: String, group: JID) -> HTTPRequestSpec {
        HTTPRequestSpec(method: "GET", path: "\(groupPath(session, group))/\(WAHAShapes.securityTail(setting))")
    }

    /// `PUT G/settings/security/…` with the same body → `true`.
    public static func setSecurity(_ setting: GroupSetting, _ on: Bool, session: String, group: JID) -> HTTPRequestSpec {
        .json("PUT", "\(groupPath(session, group))/\(WAHAShapes.securityTail(setting))", body: WAHAShapes.securityBody(setting, on))
    }

    /// `GET G/participants/join-requests` → `[GroupJoinRequest]`.
    public static func joinRequests(session: String, group: JID) -> HTTPRequestSpec {
        HTTPRequestSpec(method: "GET", path: "\(groupPath(session, group))/participants/join-requests")
    }

    /// `POST G/participants/join-requests/approve` (`/reject`) `{"participants":[{"id"}]}` →
    /// `[GroupJoinRequestResult]`; the requester in `@c.us` form, or its `@lid` whole.
    public static func answerJoinRequest(approve: Bool, session: String, group: JID, requester: JID) -> HTTPRequestSpec {
        .json("POST", "\(groupPath(session, group))/participants/join-requests/\(approve ? "approve" : "reject")",
              body: Participants(participants: [ParticipantID(id: requester.cUs)]))
    }

    struct TextMessage: Encodable { let session: String; let chatId: String; let text: String }

    /// `POST /api/sendText {"session","chatId","text"}` → the message sent; a person as `…@c.us`.
    public static func sendText(session: String, to chat: JID, text: String) -> HTTPRequestSpec {
        .json("POST", "/api/sendText", body: TextMessage(session: session, chatId: chat.cUs, text: text))
    }
}
