import Foundation

/// The answers of `evolution`, decoded.
public enum EvolutionDecode {
    /// `[{"name","connectionStatus","ownerJid","profileName"}]`, or v1's `[{"instance":{…}}]`.
    public static func instances(_ r: HTTPResponseData) throws(GatewayError) -> [Session] {
        let v = try DialectSupport.json(r)
        let rows = try DialectSupport.rows(v, key: "instances", status: r.status, body: r.body)
        let sessions = rows.compactMap { row -> Session? in
            let i = row["instance"] ?? row
            guard let name = i["name"]?.text ?? i["instanceName"]?.text else { return nil }
            let status = i["connectionStatus"]?.text ?? i["status"]?.text ?? i["state"]?.text ?? "unknown"
            let account = JID.lenient(i["ownerJid"]?.string ?? i["owner"]?.string ?? i["number"]?.string)
            return Session(id: name, label: i["profileName"]?.text ?? name, account: account?.kind == .user ? account : nil,
                           connected: Session.isConnectedStatus(status), status: status)
        }
        try DialectSupport.requireSome(sessions, of: rows.count, r, what: "session")
        return sessions
    }

    /// `[{"id","subject","owner","size","announce","restrict"}]` (with `participants` when asked).
    public static func groups(_ r: HTTPResponseData, me: Session?) throws(GatewayError) -> [Group] {
        let v = try DialectSupport.json(r)
        let rows = try DialectSupport.rows(v, key: "groups", status: r.status, body: r.body)
        return rows.compactMap { row in
            guard let jid = JID.lenient(row["id"]?.string), jid.isGroup else { return nil }
            let people = row["participants"]?.array.map { $0.compactMap(WAHAShapes.participant) }
            let owner = JID.lenient(row["owner"]?.string)
            var ourRole: Role?
            if let people, let me { ourRole = people.role(of: me) ?? .none }
            if let me, let owner, me.isOwnAccount(owner) { ourRole = .superadmin }
            return Group(jid: jid, subject: row["subject"]?.string ?? "", size: row["size"]?.int ?? people?.count,
                         owner: owner, ourRole: ourRole)
        }
    }

    /// `{"participants":[{"id","admin"}]}`, `admin` null, `"admin"` or `"superadmin"`.
    public static func participants(_ r: HTTPResponseData) throws(GatewayError) -> [Participant] {
        let v = try DialectSupport.json(r)
        let rows = try DialectSupport.rows(v, key: "participants", status: r.status, body: r.body)
        let people = rows.compactMap(WAHAShapes.participant)
        try DialectSupport.requireSome(people, of: rows.count, r, what: "participant")
        return people
    }

    /// `{"updateParticipants":[{"status":"200","jid":…,"content":{…}}]}`: a status string per row.
    public static func rows(_ r: HTTPResponseData) -> Result<[MemberRows.Row], GatewayError> {
        let bad = GatewayError.undecodable(status: r.status, excerpt: GatewayError.excerpt(r.body))
        guard let v = JSONValue.parse(r.body), let list = (v["updateParticipants"] ?? v).array else { return .failure(bad) }
        var rows: [MemberRows.Row] = []
        for item in list {
            guard item.object != nil, let code = item["status"]?.int else { return .failure(bad) }
            let ids = [item["jid"], item["id"], item["lid"]].compactMap { WAHAShapes.jid($0) }
            rows.append(MemberRows.Row(ids: ids, code: code == 0 ? 200 : code))
        }
        return .success(rows)
    }
}
