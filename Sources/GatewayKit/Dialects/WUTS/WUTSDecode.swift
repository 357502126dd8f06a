import Foundation

/// The answers of `wuts`, decoded.
public enum WUTSDecode {
    /// `GET /status`: `{"success":true,"data":{"connected","status","device_id","jid","phone_number",…}}`.
    public static func status(_ r: HTTPResponseData) throws(GatewayError) -> Session {
        let v = try DialectSupport.json(r)
        guard let data = v["data"], data.object != nil else {
            throw .undecodable(status: r.status, excerpt: GatewayError.excerpt(r.body))
        }
        let id = data["device_id"]?.text ?? "device"
        let connected = data["connected"]?.bool ?? false
        let status = data["status"]?.text ?? (connected ? "connected" : "disconnected")
        let account = JID.lenient(data["jid"]?.string) ?? JID.lenient(data["phone_number"]?.string)
        return Session(id: id, label: id, account: account?.kind == .user ? account : nil,
                       accountLID: JID.lenient(data["lid"]?.string), connected: connected, status: status)
    }

    /// `{"success":true,"groups":[{"jid","name","topic","owner","is_announce","is_locked","members_count"}]}`.
    public static func groups(_ r: HTTPResponseData, me: Session?) throws(GatewayError) -> [Group] {
        let v = try DialectSupport.json(r)
        let rows = try DialectSupport.rows(v, key: "groups", status: r.status, body: r.body)
        return rows.compactMap { row in group(row, me: me) }
    }

    static func group(_ row: JSONValue, me: Session?) -> Group? {
        guard let jid = JID.lenient(row["jid"]?.string), jid.isGroup else { return nil }
        let people = row["participants"]?.array.map { $0.compactMap(participant) }
        let owner = JID.lenient(row["owner"]?.string)
        let ourRole = DialectSupport.ourRole(people: people, owner: owner, me: me)
        var g = Group(jid: jid, subject: row["name"]?.string ?? "", size: row["members_count"]?.int ?? people?.count,
                      owner: owner, ourRole: ourRole)
        let settings = settings(row)
        if !settings.isEmpty { g.settings = settings }
        g.community = community(row)
        return g
    }

    /// The settings a group row tells: `is_announce`, `is_locked`, `join_approval`
    /// (https://docs.wuts.com.br/groups/listGroups/, …/getGroup/), and `member_add_mode` where present.
    static func settings(_ row: JSONValue) -> GroupSettings {
        GroupSettings(announce: AdminShapes.flag(row, "is_announce"), locked: AdminShapes.flag(row, "is_locked"),
                      adminsAdd: AdminShapes.adminsAdd(mode: row["member_add_mode"]?.string),
                      approval: AdminShapes.flag(row, "join_approval"))
    }

    /// Whether a group row is a community's parent: `is_community` (WUTS's own word, as its
    /// create option `community` names it) or whatsmeow's `is_parent`; nil when the row does not say.
    static func community(_ row: JSONValue) -> Bool? {
        AdminShapes.flag(row, "is_community", "is_parent")
    }

    /// `GET /groups/{jid}`'s group object.
    static func groupObject(_ r: HTTPResponseData) -> JSONValue? {
        guard let v = JSONValue.parse(r.body) else { return nil }
        return v["group"] ?? v
    }

    /// `GET /groups/{jid}`: `{"success":true,"group":{…,"participants":[…]}}`.
    public static func participants(_ r: HTTPResponseData) throws(GatewayError) -> [Participant] {
        let v = try DialectSupport.json(r)
        guard let rows = (v["group"]?["participants"] ?? v["participants"])?.array else {
            throw .undecodable(status: r.status, excerpt: GatewayError.excerpt(r.body))
        }
        let people = rows.compactMap(participant)
        // The creator is flagged `is_super_admin`; an older row may leave that to the group's `owner`.
        if let owner = JID.lenient(v["group"]?["owner"]?.string), !people.contains(where: { $0.role == .superadmin }) {
            return people.map { p in
                var p = p
                if p.matches(owner) { p.role = .superadmin }
                return p
            }
        }
        return people
    }

    /// `{"jid","phone_number","is_admin","is_super_admin"}`; `phone_number` may be digits or a JID.
    static func participant(_ row: JSONValue) -> Participant? {
        let ids = [row["jid"], row["phone_number"], row["lid"]].compactMap { JID.lenient($0?.string) }
        let phone = ids.first { $0.kind == .user }
        let lid = ids.first { $0.kind == .lid }
        guard phone != nil || lid != nil else { return nil }
        let role: Role = row["is_super_admin"]?.bool == true ? .superadmin : (row["is_admin"]?.bool == true ? .admin : .member)
        return Participant(phone: phone, lid: lid, name: (row["display_name"] ?? row["name"])?.text, role: role)
    }

    /// A mutation's rows: `{"success":true,"participants":[{"jid",…,"error"?}]}`, each row's code
    /// being its `error` (WhatsApp's: 403, 404, 409, …), 200 when absent or 0.
    public static func rows(_ r: HTTPResponseData, action: MemberAction? = nil) -> Result<[MemberRows.Row], GatewayError> {
        let bad = GatewayError.undecodable(status: r.status, excerpt: GatewayError.excerpt(r.body))
        guard let v = JSONValue.parse(r.body), let list = v["participants"]?.array else { return .failure(bad) }
        var rows: [MemberRows.Row] = []
        for item in list {
            guard item.object != nil else { return .failure(bad) }
            let ids = [item["jid"], item["phone_number"], item["lid"]].compactMap { JID.lenient($0?.string) }
            let code: Int
            if let e = item["error"] ?? item["error_code"], !e.isNull {
                guard let n = e.int else { return .failure(bad) }
                code = n == 0 ? 200 : n
            } else {
                code = 200
            }
            // The row is the participant's state after the change: a promote that left them a
            // member (or a demote that left them an admin) did not happen, whatever the code.
            var contradiction: String?
            if (200..<300).contains(code), let isAdmin = item["is_admin"]?.bool {
                if action == .promote && !isAdmin { contradiction = "not promoted: the gateway's row still shows them as a member" }
                if action == .demote && isAdmin && item["is_super_admin"]?.bool != true { contradiction = "not demoted: the gateway's row still shows them as an admin" }
            }
            rows.append(MemberRows.Row(ids: ids, code: code, contradiction: contradiction))
        }
        return .success(rows)
    }
}

// Group administration (gateways.md §9).
extension WUTSDecode {
    /// `{"success","group_jid","invite_link"}` (the reset's answer adds `reset_at`).
    public static func invite(_ r: HTTPResponseData) throws(GatewayError) -> InviteLink {
        try AdminShapes.inviteLink(r, keys: ["invite_link", "invite_code", "link", "code"])
    }

    /// The settings `GET /groups/{jid}` tells.
    public static func groupSettings(_ r: HTTPResponseData) throws(GatewayError) -> GroupSettings {
        guard let g = groupObject(r), g.object != nil else { throw .undecodable(status: r.status, excerpt: GatewayError.excerpt(r.body)) }
        return settings(g)
    }

    /// `PATCH`'s answer `{"success","group"}`, the group as it now is: done when every
    /// setting asked for shows as asked where the group tells it (all or nothing: a setting
    /// still otherwise means none took).
    public static func updated(_ change: GroupSettings, _ r: HTTPResponseData) -> Outcome {
        let v = JSONValue.parse(r.body)
        if v?["success"]?.bool == false { return .failed(error(r)) }
        guard let g = v?["group"], g.object != nil else { return .done }
        let now = settings(g)
        let off = change.known.filter { s, on in now[s].map { $0 != on } ?? false }
        guard off.isEmpty else {
            return .refused("not changed: the gateway's answer shows " + off.map { "\($0.setting.title) still \($0.on ? "off" : "on")" }.joined(separator: ", "))
        }
        return .done
    }

    /// A reset's or a send's answer: `{"success":true,…}`; `{"success":false}` fails.
    public static func succeeded(_ r: HTTPResponseData, _ spec: HTTPRequestSpec) -> Outcome {
        guard (200..<300).contains(r.status), JSONValue.parse(r.body)?["success"]?.bool != false else { return .failed(error(r, spec)) }
        return .done
    }
}
