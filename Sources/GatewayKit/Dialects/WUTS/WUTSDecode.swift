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
        return Group(jid: jid, subject: row["name"]?.string ?? "", size: row["members_count"]?.int ?? people?.count,
                     owner: owner, ourRole: ourRole)
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
