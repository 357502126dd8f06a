import Foundation

/// The answers of `v1`, decoded.
public enum V1Decode {
    public struct Page<T: Sendable>: Sendable {
        public var items: [T]
        /// The next page's cursor; nil on the last page ("" or null in the answer).
        public var next: String?
    }

    static func page(_ r: HTTPResponseData) throws(GatewayError) -> (rows: [JSONValue], next: String?) {
        let v = try DialectSupport.json(r)
        guard let rows = v["data"]?.array else {
            throw .undecodable(status: r.status, excerpt: GatewayError.excerpt(r.body))
        }
        return (rows, v["nextCursor"]?.text)
    }

    public static func sessions(_ r: HTTPResponseData) throws(GatewayError) -> Page<Session> {
        let p = try page(r)
        let items = p.rows.compactMap { row -> Session? in
            guard let id = row["id"]?.text else { return nil }
            let status = row["status"]?.string ?? "unknown"
            let account = JID.lenient(row["waJid"]?.string) ?? JID.lenient(row["phoneNumber"]?.string)
            return Session(id: id, label: row["label"]?.text ?? id, account: account,
                           accountLID: JID.lenient(row["waLid"]?.string),
                           connected: Session.isConnectedStatus(status), status: status,
                           ratePerMinute: row["ratePerMin"]?.int, ratePerHour: row["ratePerHour"]?.int)
        }
        try DialectSupport.requireSome(items, of: p.rows.count, r, what: "session")
        return Page(items: items, next: p.next)
    }

    public static func groups(_ r: HTTPResponseData) throws(GatewayError) -> Page<Group> {
        let p = try page(r)
        let items = p.rows.compactMap { row -> Group? in
            guard let jid = JID.lenient(row["groupJid"]?.string), jid.isGroup else { return nil }
            var g = Group(jid: jid, subject: row["subject"]?.string ?? "", size: row["participantCount"]?.int,
                          owner: JID.lenient(row["ownerJid"]?.string), ourRole: nil)
            // The listing tells two settings (gateways.md §2: `isAnnounce`, `isLocked`).
            let settings = GroupSettings(announce: AdminShapes.flag(row, "isAnnounce"), locked: AdminShapes.flag(row, "isLocked"))
            if !settings.isEmpty { g.settings = settings }
            return g
        }
        try DialectSupport.requireSome(items, of: p.rows.count, r, what: "group")
        return Page(items: items, next: p.next)
    }

    public static func members(_ r: HTTPResponseData, owner: JID?) throws(GatewayError) -> Page<Participant> {
        let p = try page(r)
        let items = p.rows.compactMap { row -> Participant? in
            let phone = JID.lenient(row["jid"]?.string).flatMap { $0.kind == .user ? $0 : nil }
            let lid = JID.lenient(row["lid"]?.string).flatMap { $0.kind == .lid ? $0 : nil }
            guard phone != nil || lid != nil else { return nil }
            var role: Role = row["role"]?.string?.lowercased() == "admin" ? .admin : .member
            if row["role"]?.string?.lowercased() == "superadmin" { role = .superadmin }
            if let owner, owner == phone || owner == lid { role = .superadmin }
            var name = row["tag"]?.text
            if let n = name, n.hasPrefix("~") { name = String(n.dropFirst()).trimmedSpaces }
            return Participant(phone: phone, lid: lid, name: name?.isEmpty == true ? nil : name, role: role)
        }
        try DialectSupport.requireSome(items, of: p.rows.count, r, what: "participant")
        return Page(items: items, next: p.next)
    }

    /// `getGroupInvite`'s answer: `{"invite":"https://chat.whatsapp.com/…"}`.
    public static func invite(_ r: HTTPResponseData) throws(GatewayError) -> InviteLink {
        try AdminShapes.inviteLink(r, keys: ["invite", "inviteLink", "code"])
    }

    /// A send's answer: `{"mode":"sync","waMessageId","status","timestamp"}`, or the first
    /// result again for a key already used (`"replayed": true`): sent, once. An `async` answer
    /// (202 `{"mode":"async","outboxId"}`) is queued by the gateway, which sends it.
    public static func sent(_ r: HTTPResponseData) -> Outcome {
        guard (200..<300).contains(r.status) else { return .failed(error(r)) }
        let v = JSONValue.parse(r.body)
        if let status = v?["status"]?.string?.lowercased(), ["failed", "error"].contains(status) {
            return .refused("the gateway says the message failed: \(status)")
        }
        return .done
    }
}
