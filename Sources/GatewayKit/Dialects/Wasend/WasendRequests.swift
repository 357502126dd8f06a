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
}
