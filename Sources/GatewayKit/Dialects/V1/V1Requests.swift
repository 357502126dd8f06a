import Foundation

/// The requests of `v1`, as pure data.
public enum V1API {
    static let base = "/api/v1"
    static func seg(_ s: String) -> String { PathEncoding.strict(s) }

    public static func sessions(cursor: String? = nil) -> HTTPRequestSpec {
        HTTPRequestSpec(method: "GET", path: "\(base)/sessions", query: cursorQuery(cursor))
    }
    public static func groups(session: String, cursor: String? = nil) -> HTTPRequestSpec {
        HTTPRequestSpec(method: "GET", path: "\(base)/sessions/\(seg(session))/groups", query: cursorQuery(cursor))
    }
    public static func members(session: String, group: JID, cursor: String? = nil) -> HTTPRequestSpec {
        HTTPRequestSpec(method: "GET", path: "\(groupPath(session, group))/members", query: cursorQuery(cursor))
    }
    public static func remove(session: String, group: JID, member: JID) -> HTTPRequestSpec {
        HTTPRequestSpec(method: "DELETE", path: "\(groupPath(session, group))/members/\(seg(member.string))")
    }
    public static func add(session: String, group: JID, members: [JID]) -> HTTPRequestSpec {
        .json("POST", "\(groupPath(session, group))/members", body: ["participants": members.map(\.string)])
    }
    public static func promote(session: String, group: JID, member: JID) -> HTTPRequestSpec {
        HTTPRequestSpec(method: "POST", path: "\(groupPath(session, group))/members/\(seg(member.string))/promote")
    }
    public static func demote(session: String, group: JID, member: JID) -> HTTPRequestSpec {
        HTTPRequestSpec(method: "POST", path: "\(groupPath(session, group))/members/\(seg(member.string))/demote")
    }
    public static func leave(session: String, group: JID) -> HTTPRequestSpec {
        HTTPRequestSpec(method: "POST", path: "\(groupPath(session, group)):leave")
    }

    static func groupPath(_ session: String, _ group: JID) -> String {
        "\(base)/sessions/\(seg(session))/groups/\(seg(group.string))"
    }
    static func cursorQuery(_ cursor: String?) -> [URLQueryItem] {
        guard let cursor, !cursor.isEmpty else { return [] }
        return [URLQueryItem(name: "cursor", value: cursor)]
    }
}
