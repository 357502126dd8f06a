import Foundation

/// The requests of `evolution`, as pure data.
public enum EvolutionAPI {
    static func seg(_ s: String) -> String { PathEncoding.strict(s) }
    static func groupQuery(_ group: JID) -> [URLQueryItem] { [URLQueryItem(name: "groupJid", value: group.string)] }

    public static func instances() -> HTTPRequestSpec { HTTPRequestSpec(method: "GET", path: "/instance/fetchInstances") }

    /// Every group of an instance; `getParticipants` is required.
    public static func groups(instance: String) -> HTTPRequestSpec {
        HTTPRequestSpec(method: "GET", path: "/group/fetchAllGroups/\(seg(instance))",
                        query: [URLQueryItem(name: "getParticipants", value: "false")])
    }

    public static func participants(instance: String, group: JID) -> HTTPRequestSpec {
        HTTPRequestSpec(method: "GET", path: "/group/participants/\(seg(instance))", query: groupQuery(group))
    }

    struct Body: Encodable { let action: String; let participants: [String] }

    /// A participant as Evolution takes it: a phone's digits; an `@lid` id whole.
    static func participant(_ jid: JID) -> String { jid.kind == .user ? jid.user : jid.string }

    /// Add, remove, promote or demote: `{"action":…,"participants":["5511999999999"]}`.
    public static func mutation(_ action: MemberAction, instance: String, group: JID, targets: [JID]) -> HTTPRequestSpec {
        .json("POST", "/group/updateParticipant/\(seg(instance))", query: groupQuery(group),
              body: Body(action: action.rawValue, participants: targets.map(participant)))
    }

    public static func leave(instance: String, group: JID) -> HTTPRequestSpec {
        HTTPRequestSpec(method: "DELETE", path: "/group/leaveGroup/\(seg(instance))", query: groupQuery(group))
    }

    // Group administration (gateways.md §9):
    // https://doc.evolution-api.com/v2/api-reference/group-controller/fetch-invite-code and
    // …/group-controller/revoke-invite-code; `updateSetting` and `sendText` (their bodies and
    // answers) from EvolutionAPI/evolution-api 2.3.6, src/api/routes/group.router.ts,
    // src/validate/group.schema.ts and src/api/routes/sendMessage.router.ts.

    /// `GET /group/inviteCode/{instance}?groupJid=` → `{"inviteUrl","inviteCode"}`.
    public static func inviteCode(instance: String, group: JID) -> HTTPRequestSpec {
        HTTPRequestSpec(method: "GET", path: "/group/inviteCode/\(seg(instance))", query: groupQuery(group))
    }

    /// `POST /group/revokeInviteCode/{instance}?groupJid=` → 201 `{"revoked":true,"inviteCode"}`.
    public static func revokeInviteCode(instance: String, group: JID) -> HTTPRequestSpec {
        HTTPRequestSpec(method: "POST", path: "/group/revokeInviteCode/\(seg(instance))", query: groupQuery(group))
    }

    /// The `updateSetting` action that sets `setting` to `on`; nil where Evolution has none.
    static func action(_ setting: GroupSetting, _ on: Bool) -> String? {
        switch setting {
        case .announce: on ? "announcement" : "not_announcement"
        case .locked: on ? "locked" : "unlocked"
        case .adminsAdd, .approval: nil
        }
    }

    struct SettingAction: Encodable { let action: String }

    /// `POST /group/updateSetting/{instance}?groupJid= {"action"}` → 201 `{}`: one setting per request.
    public static func updateSetting(_ setting: GroupSetting, _ on: Bool, instance: String, group: JID) -> HTTPRequestSpec? {
        action(setting, on).map {
            .json("POST", "/group/updateSetting/\(seg(instance))", query: groupQuery(group), body: SettingAction(action: $0))
        }
    }

    struct TextMessage: Encodable { let number: String; let text: String }

    /// `POST /message/sendText/{instance} {"number","text"}` → 201, the Baileys message: a
    /// person by the digits of their number (as a member change sends them), a group (or an
    /// `@lid`) by its JID.
    public static func sendText(instance: String, to chat: JID, text: String) -> HTTPRequestSpec {
        .json("POST", "/message/sendText/\(seg(instance))", body: TextMessage(number: participant(chat), text: text))
    }
}
