import Foundation

/// The answers of `waha`, decoded.
public enum WAHADecode {
    /// A mutation's answer: per-row codes, or one status for the whole call.
    public enum Answer: Sendable, Equatable {
        case rows([Row])
        case whole(Int)
    }

    /// One participant's row (see `MemberRows`).
    public typealias Row = MemberRows.Row
    public typealias GroupPage = WAHAShapes.GroupPage

    public static func sessions(_ r: HTTPResponseData) throws(GatewayError) -> [Session] {
        try DialectSupport.list(r, key: "sessions", what: "session") { row -> Session? in
            guard let name = row["name"]?.text else { return nil }
            let status = row["status"]?.text ?? "unknown"
            let me = row["me"]
            let ids = [me?["id"], me?["lid"], me?["pn"]].compactMap { WAHAShapes.jid($0) }
            return Session(id: name, label: name, account: ids.first { $0.kind == .user },
                           accountLID: ids.first { $0.kind == .lid },
                           connected: status.uppercased() == "WORKING", status: status)
        }
    }

    public static func groups(_ r: HTTPResponseData, me: Session?) throws(GatewayError) -> GroupPage { try WAHAShapes.groups(r, me: me) }
    public static func participants(_ r: HTTPResponseData) throws(GatewayError) -> [Participant] { try WAHAShapes.participants(r) }
    public static func outcome(_ action: MemberAction, code: Int) -> Outcome { MemberRows.outcome(action, code: code) }
    static func verified(_ action: MemberAction, _ member: Participant?) -> Outcome { ReadBack.outcome(action, member) }

    /// Reads a successful mutation's body, one of the engines' raw results:
    /// `[{"status":"200","jid":…,"content":{…}}]`, `{"status":200}`,
    /// `[{"JID":…,"IsAdmin":false,"IsSuperAdmin":false,"Error":403}]` (0 = ok), or
    /// `{"<jid>":{"code":200,…}}`. An empty body is the call's own status.
    public static func answer(_ r: HTTPResponseData) -> Result<Answer, GatewayError> {
        let bad = GatewayError.undecodable(status: r.status, excerpt: GatewayError.excerpt(r.body))
        if r.body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return .success(.whole(r.status)) }
        guard let v = JSONValue.parse(r.body) else { return .failure(bad) }
        if let list = v.array {
            var rows: [Row] = []
            for item in list {
                guard item.object != nil else { return .failure(bad) }
                let ids = ["jid", "id", "JID", "LID", "PhoneNumber", "lid", "pn"].compactMap { WAHAShapes.jid(item[$0]) }
                let code: Int? = if let s = item["status"] { s.int }
                    else if let e = item["Error"] ?? item["error"] { e.isNull ? 0 : e.int }
                    else if let c = item["code"] { c.int }
                    else if item["JID"] != nil { 0 }
                    else { nil }
                guard let code else { return .failure(bad) }
                rows.append(Row(ids: ids, code: code == 0 ? 200 : code))
            }
            return .success(.rows(rows))
        }
        if let status = v["status"], v.object?.count == 1 || v["message"] != nil {
            guard let code = status.int else { return .failure(bad) }
            return .success(.whole(code))
        }
        if v.isNull || v == .bool(true) { return .success(.whole(r.status)) }
        if let o = v.object, !o.isEmpty {
            var rows: [Row] = []
            for (key, value) in o {
                guard let id = JID.lenient(key), let code = (value["code"] ?? value["status"])?.int else { return .failure(bad) }
                rows.append(Row(ids: [id], code: code == 0 ? 200 : code))
            }
            return .success(.rows(rows))
        }
        return .failure(bad)
    }
}
