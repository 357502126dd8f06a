import Foundation

/// The group administration WAHA and Wawp share (gateways.md §9; Wawp proxies WAHA's routes
/// under `/v2` and its pages show no answers, so WAHA's are read): the invite code, the
/// security settings, join requests (WAHA only) and a sent message. From
/// https://waha.devlike.pro/docs/how-to/groups/, https://waha.devlike.pro/blog/waha-2026-8/
/// and WAHA's OpenAPI as generated into PyPI `waha-py` 2026.9.2.
extension WAHAShapes {
    /// The tail of a security setting's route below the group (`settings/security/…`).
    public static func securityTail(_ s: GroupSetting) -> String {
        switch s {
        case .announce: "settings/security/messages-admin-only"
        case .locked: "settings/security/info-admin-only"
        case .adminsAdd: "settings/security/member-add-mode"
        case .approval: "settings/security/membership-approval"
        }
    }

    /// A security setting's body, read and sent: `{"adminsOnly"}` for messages and info,
    /// `{"membersCanAddNewMember"}` (true: every member may add, the opposite of "only admins
    /// add"), `{"newMembersApprovalRequired"}`.
    static func securityKey(_ s: GroupSetting) -> String {
        switch s {
        case .announce, .locked: "adminsOnly"
        case .adminsAdd: "membersCanAddNewMember"
        case .approval: "newMembersApprovalRequired"
        }
    }

    /// The JSON body that sets `s` to `on`.
    static func securityBody(_ s: GroupSetting, _ on: Bool) -> [String: Bool] {
        [securityKey(s): s == .adminsAdd ? !on : on]
    }

    /// What a security setting's read says.
    public static func security(_ s: GroupSetting, _ r: HTTPResponseData) throws(GatewayError) -> Bool {
        guard let v = AdminShapes.flag(try DialectSupport.json(r), securityKey(s)) else {
            throw .undecodable(status: r.status, excerpt: GatewayError.excerpt(r.body))
        }
        return s == .adminsAdd ? !v : v
    }

    /// A setter's answer: `true` ("Returns true if the setting was properly updated"); `false`
    /// is a refusal; another readable 2xx is taken as done.
    public static func setOutcome(_ s: GroupSetting, _ r: HTTPResponseData) -> Outcome {
        if JSONValue.parse(r.body) == .bool(false) { return .refused("not changed: the gateway answered false for \(s.title)") }
        return .done
    }

    /// The invite code: raw text (WAHA answers `text/html`), or a JSON string (Wawp's sample
    /// code parses JSON), or `{"code"}`.
    public static func invite(_ r: HTTPResponseData) throws(GatewayError) -> InviteLink {
        try AdminShapes.inviteLink(r, keys: ["code", "inviteCode", "invite"])
    }

    /// A reset's answer: the new code (raw text or JSON) is done; a 2xx that is neither is of
    /// unknown effect, its body not shown.
    public static func resetOutcome(_ r: HTTPResponseData) -> Outcome? {
        guard (200..<300).contains(r.status) else { return nil }
        if DialectSupport.isReadable(r) || (try? invite(r)) != nil { return .done }
        return .failed(AdminShapes.secretUndecodable(r))
    }

    /// `GroupJoinRequest` rows: `[{"requesterId","requesterPn","addedById","parentGroupId",
    /// "requestMethod","timestamp"}]`; rows without a readable requester are skipped, and rows
    /// there but none readable are a broken answer.
    public static func joinRequests(_ r: HTTPResponseData) throws(GatewayError) -> [JoinRequest] {
        try DialectSupport.list(r, key: "requests", what: "join request") { row -> JoinRequest? in
            guard let requester = jid(row["requesterId"]) ?? jid(row["id"]), requester.kind != .group else { return nil }
            let pn = jid(row["requesterPn"]).flatMap { $0.kind == .user ? $0 : nil }
            return JoinRequest(requester: requester, phone: pn ?? (requester.kind == .user ? requester : nil),
                               method: row["requestMethod"]?.text, at: AdminShapes.date(row["timestamp"]))
        }
    }

    /// `GroupJoinRequestResult` rows for one requester: `[{"requesterId","success","error"?}]`.
    /// The row is the requester's by id (a requester sent by phone may come back as its
    /// `@lid`, so the answer's only row naming nobody else is taken too), never by position.
    public static func joinOutcome(approve: Bool, requester: JID, _ r: HTTPResponseData) -> Outcome {
        let verb = approve ? "approved" : "rejected"
        guard let v = JSONValue.parse(r.body) else { return .failed(.undecodable(status: r.status, excerpt: GatewayError.excerpt(r.body))) }
        let rows = (v.array ?? v["results"]?.array ?? [v]).filter { $0.object != nil }
        let ids = rows.map { row in [row["requesterId"], row["id"], row["jid"]].compactMap { jid($0) } }
        let index = ids.firstIndex { $0.contains(requester) }
            ?? (rows.count == 1 && !ids[0].contains { $0.kind == requester.kind && $0 != requester } ? 0 : nil)
        guard let index else { return .refused("not \(verb): the gateway's answer has no row for this request") }
        let row = rows[index]
        if row["success"]?.bool == true { return .done }
        let e = row["error"]
        let code = e?.int ?? e?["code"]?.int ?? e?["status"]?.int
        let words = e?.string.flatMap { Int($0) == nil ? $0 : nil } ?? e?["message"]?.text ?? e?["text"]?.text
        if code == 404 || words?.lowercased().contains("not-found") == true || words?.lowercased().contains("not found") == true {
            return .refused("not \(verb): no pending request from them (answered already, or withdrawn)")
        }
        if row["success"]?.bool == false || e != nil {
            return .refused("not \(verb)\(words.map { ": \($0)" } ?? code.map { ": WhatsApp's code \($0)" } ?? "")")
        }
        return .refused("not \(verb): the gateway's row does not say it succeeded")
    }
}
