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
}
