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
            return Group(jid: jid, subject: row["name"]?.string ?? row["subject"]?.string ?? "",
                         size: people?.count ?? row["size"]?.int, owner: owner, ourRole: ourRole)
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

    /// Per-target results from a mutation's answer.
    public static func results(_ action: MemberAction, targets: [JID], _ r: HTTPResponseData) -> [TargetResult] {
        guard (200..<300).contains(r.status) else {
            let e = error(r)
            // 422 names targets that cannot be acted on (non-members, the owner): a refusal, not a failure.
            if r.status == 422, case .validation = e {
                return DialectSupport.all(targets, .refused(e.detail ?? "not a member, or the group's owner"), r)
            }
            return DialectSupport.all(targets, .failed(e), r)
        }
        guard let v = JSONValue.parse(r.body) else {
            return DialectSupport.all(targets, .failed(.undecodable(status: r.status, excerpt: GatewayError.excerpt(r.body))), r)
        }
        if v["success"]?.bool == false {
            return DialectSupport.all(targets, .failed(error(r)), r)
        }
        let message = v["message"]?.text
        var outcomes: [JID: Outcome] = [:]
        func ids(_ list: JSONValue?) -> [(JID, String?)] {
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
        for (j, _) in ids(v[okKey]) + ids(data[okKey]) { outcomes[j] = .done }
        for (j, reason) in ids(data["failed"]) + (v["data"] == nil ? [] : ids(v["failed"])) {
            let code = reason ?? "FAILED"
            let human = DialectSupport.humanReason(code)
            switch code.uppercased() {
            case "ALREADY_IN_GROUP" where action == .add, "NOT_ADMIN" where action == .demote:
                outcomes[j] = .alreadySo(human)
            default:
                outcomes[j] = .refused(human)
            }
        }
        return targets.map { t in
            let o = outcomes[t] ?? .refused("not \(action.pastTense) by the gateway\(message.map { ": \($0)" } ?? "")")
            return TargetResult(target: t, outcome: o, httpStatus: r.status, latencyMs: r.latencyMs)
        }
    }
}
