import Foundation

/// The answers of `evolution`, decoded.
public enum EvolutionDecode {
    /// `[{"name","connectionStatus","ownerJid","profileName"}]`, or v1's `[{"instance":{…}}]`.
    public static func instances(_ r: HTTPResponseData) throws(GatewayError) -> [Session] {
        try DialectSupport.list(r, key: "instances", what: "session") { row -> Session? in
            let i = row["instance"] ?? row
            guard let name = i["name"]?.text ?? i["instanceName"]?.text else { return nil }
            let status = i["connectionStatus"]?.text ?? i["status"]?.text ?? i["state"]?.text ?? "unknown"
            let account = JID.lenient(i["ownerJid"]?.string ?? i["owner"]?.string ?? i["number"]?.string)
            return Session(id: name, label: i["profileName"]?.text ?? name, account: account?.kind == .user ? account : nil,
                           connected: Session.isConnectedStatus(status), status: status)
        }
    }

    /// `[{"id","subject","owner","size","announce","restrict"}]` (with `participants` when asked).
    public static func groups(_ r: HTTPResponseData, me: Session?) throws(GatewayError) -> [Group] {
        let v = try DialectSupport.json(r)
        let rows = try DialectSupport.rows(v, key: "groups", status: r.status, body: r.body)
        return rows.compactMap { row in
            guard let jid = JID.lenient(row["id"]?.string), jid.isGroup else { return nil }
            let people = row["participants"]?.array.map { $0.compactMap(WAHAShapes.participant) }
            let owner = JID.lenient(row["owner"]?.string)
            let ourRole = DialectSupport.ourRole(people: people, owner: owner, me: me)
            var g = Group(jid: jid, subject: row["subject"]?.string ?? "", size: row["size"]?.int ?? people?.count,
                          owner: owner, ourRole: ourRole)
            // The listing tells two settings (gateways.md §7: `announce`, `restrict`).
            let settings = GroupSettings(announce: AdminShapes.flag(row, "announce"), locked: AdminShapes.flag(row, "restrict"))
            if !settings.isEmpty { g.settings = settings }
            return g
        }
    }

    /// `{"participants":[{"id","admin"}]}`, `admin` null, `"admin"` or `"superadmin"`.
    public static func participants(_ r: HTTPResponseData) throws(GatewayError) -> [Participant] {
        try DialectSupport.list(r, key: "participants", what: "participant", WAHAShapes.participant)
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

// Group administration (gateways.md §9).
extension EvolutionDecode {
    /// `{"inviteUrl","inviteCode"}`.
    public static func invite(_ r: HTTPResponseData) throws(GatewayError) -> InviteLink {
        try AdminShapes.inviteLink(r, keys: ["inviteCode", "inviteUrl"])
    }

    /// A revoke's answer, 201 `{"revoked":true,"inviteCode"}`: `revoked: false` is a refusal.
    public static func revoked(_ r: HTTPResponseData) -> Outcome {
        if JSONValue.parse(r.body)?["revoked"]?.bool == false { return .refused("not reset: the gateway answered revoked: false") }
        return .done
    }
}
