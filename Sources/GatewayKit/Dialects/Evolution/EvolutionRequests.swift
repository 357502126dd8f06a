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
}
