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
}
