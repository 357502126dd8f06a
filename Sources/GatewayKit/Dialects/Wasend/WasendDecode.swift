import Foundation

/// The answers of `wasend`, decoded.
public enum WasendDecode {
    public static func sessions(_ r: HTTPResponseData) throws(GatewayError) -> [Session] {
        try DialectSupport.list(r, key: "sessions", what: "session") { row -> Session? in
            let s = row["session"] ?? row
            guard let id = s["uniqueSessionId"]?.text ?? s["id"]?.text else { return nil }
            let status = row["downstream"]?["status"]?.text ?? s["status"]?.text ?? "unknown"
            let account = JID.lenient(s["phoneNumber"]?.string) ?? JID.lenient(row["downstream"]?["me"]?["id"]?.string)
            return Session(id: id, label: s["sessionName"]?.text ?? id, account: account,
                           connected: Session.isConnectedStatus(status), status: status)
        }
    }

    public struct GroupPage: Sendable {
        public var items: [Group]
        public var hasMore: Bool?
        /// Rows the page carried, decodable or not (the offset advances by these).
        public var rows: Int
    }

    public static func groups(_ r: HTTPResponseData, me: Session?) throws(GatewayError) -> GroupPage {
        let v = try DialectSupport.json(r)
        let rows = try DialectSupport.rows(v, key: "groups", status: r.status, body: r.body)
        let items = rows.compactMap { row -> Group? in
            guard let jid = JID.lenient(row["jid"]?.string ?? row["id"]?.string), jid.isGroup else { return nil }
            let people = row["participants"]?.array.map { $0.compactMap(participant) }
            let owner = JID.lenient(row["ownerJid"]?.string) ?? JID.lenient(row["ownerPn"]?.string)
            let ourRole = DialectSupport.ourRole(people: people, owner: owner, me: me)
            var g = Group(jid: jid, subject: row["name"]?.string ?? row["subject"]?.string ?? "",
                          size: people?.count ?? row["size"]?.int, owner: owner, ourRole: ourRole)
            // whatsmeow's field set (gateways.md §3) tells the four settings and a community's parent.
            let settings = GroupSettings(announce: AdminShapes.flag(row, "isAnnounce"), locked: AdminShapes.flag(row, "isLocked"),
                                         adminsAdd: AdminShapes.adminsAdd(mode: row["memberAddMode"]?.string),
                                         approval: AdminShapes.flag(row, "isJoinApprovalRequired"))
            if !settings.isEmpty { g.settings = settings }
            g.community = AdminShapes.flag(row, "isParent")
            return g
        }
        return GroupPage(items: items, hasMore: v["pagination"]?["hasMore"]?.bool, rows: rows.count)
    }

    public static func participants(_ r: HTTPResponseData) throws(GatewayError) -> [Participant] {
        try DialectSupport.list(r, key: "participants", what: "participant", participant)
    }

    static func participant(_ row: JSONValue) -> Participant? {
        let jid = JID.lenient(row["jid"]?.string ?? row["id"]?.string)
        let phone = jid?.kind == .user ? jid : JID.lenient(row["phoneNumber"]?.string)
        let lidField = JID.lenient(row["lid"]?.string)
        let lid = jid?.kind == .lid ? jid : (lidField?.kind == .lid ? lidField : nil)
        guard phone != nil || lid != nil else { return nil }
        let role: Role = row["isSuperAdmin"]?.bool == true ? .superadmin : (row["isAdmin"]?.bool == true ? .admin : .member)
        return Participant(phone: phone?.kind == .user ? phone : nil, lid: lid, name: row["displayName"]?.text, role: role)
    }

    /// What a change's answer says about its one target (the executor sends one request per
    /// participant). The answer's lists (`removed`, `added`, `failed`, …) are read by id: the
    /// target is done, already so or refused only where an entry names it (`@c.us`, `+digits`
    /// and `@s.whatsapp.net` alike), never by an entry's position.
    public static func outcome(_ action: MemberAction, target: JID, _ r: HTTPResponseData) -> Outcome {
        guard (200..<300).contains(r.status) else {
            let e = error(r)
            // 422 names targets that cannot be acted on (non-members, the owner): a refusal, not a failure.
            if r.status == 422, case .validation = e { return .refused(e.detail ?? "not a member, or the group's owner") }
            return .failed(e)
        }
        guard let v = JSONValue.parse(r.body) else {
            return .failed(.undecodable(status: r.status, excerpt: GatewayError.excerpt(r.body)))
        }
        if v["success"]?.bool == false { return .failed(error(r)) }
        func entries(_ list: JSONValue?) -> [(JID, String?)] {
            (list?.array ?? []).compactMap { row in
                guard let j = JID.lenient(row["id"]?.string ?? row["jid"]?.string ?? row.string) else { return nil }
                return (j, row["reason"]?.text)
            }
        }
        let data = v["data"] ?? v
        let okKey: String = switch action {
        case .remove: "removed"
        case .add: "added"
        case .promote: "promoted"
        case .demote: "demoted"
        }
        if (entries(v[okKey]) + entries(data[okKey])).contains(where: { $0.0 == target }) { return .done }
        let failed = entries(data["failed"]) + (v["data"] == nil ? [] : entries(v["failed"]))
        if let (_, reason) = failed.first(where: { $0.0 == target }) {
            let code = reason ?? "FAILED"
            switch code.uppercased() {
            case "ALREADY_IN_GROUP" where action == .add, "NOT_ADMIN" where action == .demote:
                return .alreadySo(DialectSupport.humanReason(code))
            default:
                return .refused(DialectSupport.humanReason(code))
            }
        }
        return .refused("not \(action.pastTense) by the gateway\(v["message"]?.text.map { ": \($0)" } ?? "")")
    }
}

// Group administration (gateways.md §9).
extension WasendDecode {
    /// The invite code: a bare JSON string (what `@wasend/core` 1.3.3 reads), or the docs
    /// page's `{"success":true,"inviteCode":"…"}`.
    public static func invite(_ r: HTTPResponseData) throws(GatewayError) -> InviteLink {
        try AdminShapes.inviteLink(r, keys: ["inviteCode", "code", "inviteLink"])
    }

    /// An admin-only setting's read: `{"enabled"}`.
    public static func enabled(_ r: HTTPResponseData) throws(GatewayError) -> Bool {
        guard let on = AdminShapes.flag(try DialectSupport.json(r), "enabled") else {
            throw .undecodable(status: r.status, excerpt: GatewayError.excerpt(r.body))
        }
        return on
    }

    /// A setter's answer `{"success","enabled","message"}`: done when it took, refused when
    /// the answer says the setting is still otherwise.
    public static func setOutcome(_ setting: GroupSetting, wanted: Bool, _ r: HTTPResponseData) -> Outcome {
        guard (200..<300).contains(r.status) else { return .failed(error(r)) }
        let v = JSONValue.parse(r.body)
        if v?["success"]?.bool == false { return .failed(error(r)) }
        if let now = AdminShapes.flag(v, "enabled"), now != wanted {
            return .refused("not changed: the gateway's answer says \(setting.title) is still \(now ? "on" : "off")")
        }
        return .done
    }

    /// A send's answer: the message (`{"id","to","content","status",…}`); `{"success":false}` fails.
    public static func sent(_ r: HTTPResponseData) -> Outcome {
        guard (200..<300).contains(r.status), JSONValue.parse(r.body)?["success"]?.bool != false else { return .failed(error(r)) }
        return .done
    }
}
