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

    // Group administration (gateways.md §9), from the same gateway's pages at
    // https://wahost-rama.zeabur.app/docs/api/groups/ and …/docs/api/messages/sendMessage.

    /// `getGroupInvite`: `GET G/invite` → `{"invite":"https://chat.whatsapp.com/…"}` (a live lookup).
    public static func invite(session: String, group: JID) -> HTTPRequestSpec {
        HTTPRequestSpec(method: "GET", path: "\(groupPath(session, group))/invite")
    }

    /// `revokeGroupInvite`: `DELETE G/invite` → 200 `{"invite"}`, the new link.
    public static func revokeInvite(session: String, group: JID) -> HTTPRequestSpec {
        HTTPRequestSpec(method: "DELETE", path: "\(groupPath(session, group))/invite")
    }

    /// The fields of `updateGroup` this client sets; a field left nil is not sent.
    struct GroupUpdate: Encodable { let announce: Bool?; let locked: Bool? }

    /// `updateGroup`: `PATCH G` with the settings to change (`announce`, `locked`) → 204. The
    /// gateway applies its fields in order (subject, description, announce, locked), each its
    /// own WhatsApp change.
    public static func update(session: String, group: JID, announce: Bool?, locked: Bool?) -> HTTPRequestSpec {
        .json("PATCH", groupPath(session, group), body: GroupUpdate(announce: announce, locked: locked))
    }

    /// `approveGroupMembers`: `POST G/members:approve`. The gateway answers 501
    /// `not_implemented` to every request, before it looks at the session, so this client
    /// never sends it (`V1Codec.joinRequestsUnbuilt`); it is here for the error it answers.
    public static func approveMembers(session: String, group: JID, members: [JID]) -> HTTPRequestSpec {
        .json("POST", "\(groupPath(session, group))/members:approve", body: ["participants": members.map(\.string)])
    }

    struct TextMessage: Encodable { let type: String; let to: String; let text: String }

    /// `sendMessage`: `POST /api/v1/sessions/{s}/messages` `{"type":"text","to","text"}`, sent
    /// synchronously (no `?async`: the answer says whether WhatsApp took it, not that a queue
    /// did) → 200 `{"mode":"sync","waMessageId","status","timestamp"}`.
    ///
    /// Every send carries an `Idempotency-Key` derived from what it says (the session, the
    /// chat and the text): a resend of the same notice (the operation resumed after an answer
    /// that never came, the same decision replayed) carries the same key, and the gateway
    /// answers it with the first result (`"replayed": true`) instead of sending it again. The
    /// same text to the same chat from the same session is the same notice for as long as the
    /// gateway keeps its keys; a notice that differs in a single character is another one.
    public static func sendText(session: String, to chat: JID, text: String) -> HTTPRequestSpec {
        var spec = HTTPRequestSpec.json("POST", "\(base)/sessions/\(seg(session))/messages",
                                        body: TextMessage(type: "text", to: chat.string, text: text))
        spec.headers["Idempotency-Key"] = idempotencyKey(session: session, to: chat, text: text)
        return spec
    }

    /// `wamod-` and 32 hex digits of the SHA-256 of the session, the chat and the text. It
    /// names the notice without showing it (a key may be logged by the gateway).
    static func idempotencyKey(session: String, to chat: JID, text: String) -> String {
        "wamod-" + Digest.sha256Hex("wamod text\u{0}\(session)\u{0}\(chat.string)\u{0}\(text)").prefix(32)
    }

    static func groupPath(_ session: String, _ group: JID) -> String {
        "\(base)/sessions/\(seg(session))/groups/\(seg(group.string))"
    }
    static func cursorQuery(_ cursor: String?) -> [URLQueryItem] {
        guard let cursor, !cursor.isEmpty else { return [] }
        return [URLQueryItem(name: "cursor", value: cursor)]
    }
}
