import Foundation

/// The shapes WAHA and Wawp share (Wawp's reads answer as WAHA's do), and the participant
/// rows Evolution reads too: groups, participants, roles, JIDs and an answer's words.
public enum WAHAShapes {
    public struct GroupPage: Sendable {
        public var items: [Group]
        /// Rows the page carried, decodable or not (the offset advances by these).
        public var rows: Int
    }

    /// Groups as an array, or as an object keyed by group JID (the NOWEB engine).
    public static func groups(_ r: HTTPResponseData, me: Session?) throws(GatewayError) -> GroupPage {
        let v = try DialectSupport.json(r)
        let rows: [JSONValue]
        if let a = v.array ?? v["groups"]?.array ?? v["data"]?.array {
            rows = a
        } else if let o = v.object {
            // Keyed by JID. The parser does not keep the keys' order: sort as asked (by subject).
            let keyed = o.keys.compactMap { key -> (String, JSONValue)? in
                guard let value = o[key], var fields = value.object else { return nil }
                if fields["id"] == nil && fields["JID"] == nil { fields["id"] = .string(key) }
                return (key, .object(fields))
            }
            guard keyed.count == o.count else { throw .undecodable(status: r.status, excerpt: GatewayError.excerpt(r.body)) }
            rows = keyed.sorted { a, b in
                let sa = a.1["subject"]?.string ?? "", sb = b.1["subject"]?.string ?? ""
                return sa == sb ? a.0 < b.0 : sa < sb
            }.map(\.1)
        } else {
            throw .undecodable(status: r.status, excerpt: GatewayError.excerpt(r.body))
        }
        let items = rows.compactMap { row -> Group? in
            guard let id = jid(row["id"]) ?? jid(row["JID"]), id.isGroup else { return nil }
            let people = (row["participants"] ?? row["Participants"])?.array.map { $0.compactMap(participant) }
            let owner = jid(row["owner"]) ?? jid(row["OwnerJID"])
            let ourRole = DialectSupport.ourRole(people: people, owner: owner, me: me)
            let subject = row["subject"]?.string ?? row["name"]?.string ?? row["Name"]?.string ?? ""
            var g = Group(jid: id, subject: subject, size: row["size"]?.int ?? people?.count, owner: owner, ourRole: ourRole)
            // The engines' group metadata, where a row carries it: NOWEB's `announce` and
            // `restrict`, GOWS's `IsAnnounce` and `IsLocked`; NOWEB's (Baileys' GroupMetadata)
            // `joinApprovalMode` and `memberAddMode` (true when every member may add).
            let settings = GroupSettings(announce: AdminShapes.flag(row, "announce", "IsAnnounce"),
                                         locked: AdminShapes.flag(row, "restrict", "IsLocked"),
                                         adminsAdd: AdminShapes.flag(row, "memberAddMode").map { !$0 },
                                         approval: AdminShapes.flag(row, "joinApprovalMode", "IsJoinApprovalRequired"))
            if !settings.isEmpty { g.settings = settings }
            return g
        }
        return GroupPage(items: items, rows: rows.count)
    }

    /// `participants/v2` rows (`{id, pn, role}`); the engines' older rows are read too.
    public static func participants(_ r: HTTPResponseData) throws(GatewayError) -> [Participant] {
        try DialectSupport.list(r, key: "participants", what: "participant", participant)
    }

    static func participant(_ row: JSONValue) -> Participant? {
        let ids = ["id", "pn", "jid", "lid", "phoneNumber", "JID", "LID", "PhoneNumber"].compactMap { jid(row[$0]) }
        let phone = ids.first { $0.kind == .user }
        let lid = ids.first { $0.kind == .lid }
        guard phone != nil || lid != nil else { return nil }
        return Participant(phone: phone, lid: lid, name: row["name"]?.text ?? row["pushName"]?.text, role: role(row))
    }

    /// `role` (`participant`, `admin`, `superadmin`), NOWEB's `admin`, or the `isAdmin` flags.
    static func role(_ row: JSONValue) -> Role {
        for key in ["role", "admin"] {
            switch row[key]?.string?.lowercased() {
            case "superadmin", "owner", "creator": return .superadmin
            case "admin": return .admin
            case "participant", "member": return .member
            default: continue
            }
        }
        if row["isSuperAdmin"]?.bool == true || row["IsSuperAdmin"]?.bool == true { return .superadmin }
        if row["isAdmin"]?.bool == true || row["IsAdmin"]?.bool == true { return .admin }
        return .member
    }

    /// A JID written as a string or as `{"_serialized": …}`.
    static func jid(_ v: JSONValue?) -> JID? {
        guard let v else { return nil }
        return JID.lenient(v.string ?? v["_serialized"]?.string)
    }

    /// The answer's words: `message` (a string or NestJS's list of strings), else `error`.
    static func message(_ v: JSONValue) -> String? {
        if let list = v["message"]?.array {
            let parts = list.compactMap(\.text)
            if !parts.isEmpty { return parts.joined(separator: "; ") }
        }
        return (v["message"]?.text ?? v["error"]?.text).map { $0.replacingOccurrences(of: "\n", with: " ") }
    }
}
