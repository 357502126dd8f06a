import Foundation

/// The requests of `wuts`, as pure data.
public enum WUTSAPI {
    static func groupPath(_ group: JID) -> String { "/groups/\(PathEncoding.keepingAt(group.string))" }

    /// The device's live state (the session).
    public static func status() -> HTTPRequestSpec { HTTPRequestSpec(method: "GET", path: "/status") }

    public static func groups() -> HTTPRequestSpec { HTTPRequestSpec(method: "GET", path: "/groups") }

    /// One group, with its participants.
    public static func group(_ group: JID) -> HTTPRequestSpec { HTTPRequestSpec(method: "GET", path: groupPath(group)) }

    struct Body: Encodable { let participants: [String]; let action: String }

    /// Every member change: `DELETE /groups/{jid}/participants` with `participants` (user JIDs or
    /// `@lid` ids) and the `action`, sent even for the default `remove`.
    public static func mutation(_ action: MemberAction, group: JID, targets: [JID]) -> HTTPRequestSpec {
        .json("DELETE", "\(groupPath(group))/participants", body: Body(participants: targets.map(\.string), action: action.rawValue))
    }

    public static func leave(_ group: JID) -> HTTPRequestSpec {
        HTTPRequestSpec(method: "DELETE", path: "\(groupPath(group))/leave")
    }

    /// Removes from a community's parent group: `DELETE /communities/{jid}/participants`
    /// `{"participants":[…]}` (seed 002, https://docs.wuts.com.br/groups/removeCommunityParticipants/),
    /// "the same WhatsApp participant mechanism as regular groups, applied to the community
    /// parent JID". The route removes, so no `action` is sent.
    public static func removeFromCommunity(_ community: JID, targets: [JID]) -> HTTPRequestSpec {
        .json("DELETE", "/communities/\(PathEncoding.keepingAt(community.string))/participants",
              body: ["participants": targets.map(\.string)])
    }

    // Group administration (gateways.md §9): https://docs.wuts.com.br/groups/getGroupInviteLink/,
    // …/groups/resetGroupInviteLink/, …/groups/updateGroup/, https://docs.wuts.com.br/messages/sendText/.

    /// `GET /groups/{jid}/invite` → `{"success","group_jid","invite_link"}`.
    public static func invite(_ group: JID) -> HTTPRequestSpec {
        HTTPRequestSpec(method: "GET", path: "\(groupPath(group))/invite")
    }

    /// `POST /groups/{jid}/invite/reset` → `{…,"reset_at"}`.
    public static func resetInvite(_ group: JID) -> HTTPRequestSpec {
        HTTPRequestSpec(method: "POST", path: "\(groupPath(group))/invite/reset")
    }

    /// The settings of `updateGroup` this client sets; a field left nil is not sent.
    struct GroupUpdate: Encodable {
        let announcement: Bool?
        let locked: Bool?
        let member_add_mode: String?
        let join_approval: Bool?
    }

    /// `PATCH /groups/{jid}` with the settings to change → `{"success","group"}`, all or nothing.
    /// `member_add_mode` `"admin"` is the page's; `"all_member"` is assumed for the other mode.
    public static func update(_ group: JID, _ change: GroupSettings) -> HTTPRequestSpec {
        .json("PATCH", groupPath(group), body: GroupUpdate(announcement: change.announce, locked: change.locked,
                                                           member_add_mode: change.adminsAdd.map { $0 ? "admin" : "all_member" },
                                                           join_approval: change.approval))
    }

    struct TextMessage: Encodable { let number: String; let text: String }

    /// `POST /send/text {"number","text"}`: a person by the digits of their number (WUTS's
    /// `number`), a group (or an `@lid`) by its JID (https://docs.wuts.com.br/conventions/).
    public static func sendText(to chat: JID, text: String) -> HTTPRequestSpec {
        .json("POST", "/send/text", body: TextMessage(number: chat.kind == .user ? chat.user : chat.string, text: text))
    }
}
