import Foundation
import Synchronization

/// `waha`, the self-hosted WhatsApp HTTP API (docs: gateways.md §4). `X-Api-Key` auth, paths
/// under `/api/{session}`, participants as `{"id": …}` objects, batches with per-row results in
/// one of the engines' raw shapes, 422 while the session is not `WORKING`, and WhatsApp's own
/// refusals as 500 with `exception.message`.
public final class WAHAGateway: Gateway {
    public let dialect = Dialect.waha
    public let capabilities = Capabilities(batching: true, perRowResults: true, idempotentRemove: false, listsSessions: true)
    let transport: HTTPTransport
    /// Each session's own account, to tell our role in a group.
    private let accounts = AccountCache()
    /// Groups asked for per page.
    public let pageSize: Int

    public init(transport: HTTPTransport, pageSize: Int = 50) {
        self.transport = transport
        self.pageSize = max(1, pageSize)
    }

    public func sessions() async throws(GatewayError) -> [Session] {
        let r = try await call(WAHAAPI.sessions())
        let list = try WAHADecode.sessions(r)
        accounts.remember(list)
        return list
    }

    private func account(of session: String) async -> Session? {
        await accounts.account(of: session) { try? await sessions() }
    }

    public func groups(session: String) async throws(GatewayError) -> [Group] {
        let me = await account(of: session)
        return try await DialectSupport.pagedGroups(pageSize: pageSize) { offset throws(GatewayError) in
            let page = try WAHADecode.groups(try await call(WAHAAPI.groups(session: session, limit: pageSize, offset: offset)), me: me)
            return (page.items, page.rows, nil)
        }
    }

    public func participants(session: String, group: JID) async throws(GatewayError) -> [Participant] {
        let r = try await call(WAHAAPI.participants(session: session, group: group))
        return try WAHADecode.participants(r)
    }

    public func apply(_ action: MemberAction, session: String, group: JID, targets: [JID]) async throws(GatewayError) -> [TargetResult] {
        guard !targets.isEmpty else { return [] }
        let r: HTTPResponseData
        let spec = WAHAAPI.mutation(action, session: session, group: group, targets: targets)
        do { r = try await transport.send(spec) } catch {
            return DialectSupport.all(targets, .failed(error), nil)
        }
        guard (200..<300).contains(r.status) else {
            return DialectSupport.all(targets, .failed(WAHADecode.error(r, spec)), r)
        }
        switch WAHADecode.answer(r) {
        case .failure(let e):
            return DialectSupport.all(targets, .failed(e), r)
        case .success(.rows(let rows)):
            return WAHADecode.results(action, targets: targets, rows: rows, r)
        case .success(.whole(let status)):
            guard (200..<300).contains(status) else {
                return DialectSupport.all(targets, WAHADecode.outcome(action, code: status), r)
            }
            return await verify(action, session: session, group: group, targets: targets, r)
        }
    }

    /// An answer with one status for the whole call (`{"status":200}`, or no body) does not say
    /// who was acted on: the members are read back, as WhatsApp may decline some silently.
    private func verify(_ action: MemberAction, session: String, group: JID, targets: [JID],
                        _ r: HTTPResponseData) async -> [TargetResult] {
        guard let members = try? await participants(session: session, group: group) else {
            return DialectSupport.all(targets, .refused("sent, but not verified: the members could not be read back; refresh to check"), r)
        }
        return targets.map { t in
            TargetResult(target: t, outcome: WAHADecode.verified(action, members.first(matching: t)),
                         httpStatus: r.status, latencyMs: r.latencyMs)
        }
    }

    public func leave(session: String, group: JID) async throws(GatewayError) -> TargetResult {
        let spec = WAHAAPI.leave(session: session, group: group)
        let r = try await transport.send(spec)
        // Cut short or not JSON: whether it left is unknown, and settled by reading again.
        if let unknown = DialectSupport.unreadableSuccess(r, group) { return unknown }
        if (200..<300).contains(r.status) {
            return TargetResult(target: group, outcome: .done, httpStatus: r.status, latencyMs: r.latencyMs)
        }
        let e = WAHADecode.error(r, spec)
        // WhatsApp's refusal concerns this group only (not a member any more, or unknown to it).
        let outcome: Outcome = switch e {
        case .forbidden(let m): .refused(m ?? "WhatsApp refused to leave this group")
        case .notFound where WAHADecode.isWhatsAppRefusal(r): .refused("WhatsApp does not know this group for the session's account: not a member")
        default: .failed(e)
        }
        return TargetResult(target: group, outcome: outcome, httpStatus: r.status, latencyMs: r.latencyMs)
    }

    private func call(_ spec: HTTPRequestSpec) async throws(GatewayError) -> HTTPResponseData {
        let r = try await transport.send(spec)
        guard (200..<300).contains(r.status) else { throw WAHADecode.error(r, spec) }
        return r
    }
}

/// The requests of `waha`, as pure data.
public enum WAHAAPI {
    static func seg(_ s: String) -> String { PathEncoding.keepingAt(s) }
    static func groupPath(_ session: String, _ group: JID) -> String { "/api/\(seg(session))/groups/\(seg(group.string))" }

    /// Every session, stopped ones included.
    public static func sessions() -> HTTPRequestSpec {
        HTTPRequestSpec(method: "GET", path: "/api/sessions", query: [URLQueryItem(name: "all", value: "true")])
    }

    /// A page of groups, without their participants (the participants come from their own call).
    public static func groups(session: String, limit: Int, offset: Int) -> HTTPRequestSpec {
        HTTPRequestSpec(method: "GET", path: "/api/\(seg(session))/groups", query: [
            URLQueryItem(name: "limit", value: String(limit)), URLQueryItem(name: "offset", value: String(offset)),
            URLQueryItem(name: "sortBy", value: "subject"), URLQueryItem(name: "sortOrder", value: "asc"),
            URLQueryItem(name: "exclude", value: "participants"),
        ])
    }

    public static func groupCount(session: String) -> HTTPRequestSpec {
        HTTPRequestSpec(method: "GET", path: "/api/\(seg(session))/groups/count")
    }

    public static func participants(session: String, group: JID) -> HTTPRequestSpec {
        HTTPRequestSpec(method: "GET", path: "\(groupPath(session, group))/participants/v2")
    }

    struct ParticipantID: Encodable { let id: String }
    struct Participants: Encodable { let participants: [ParticipantID] }

    /// Remove, add, promote or demote: `{"participants":[{"id":"123@c.us"}]}`.
    public static func mutation(_ action: MemberAction, session: String, group: JID, targets: [JID]) -> HTTPRequestSpec {
        let path = switch action {
        case .remove: "participants/remove"
        case .add: "participants/add"
        case .promote: "admin/promote"
        case .demote: "admin/demote"
        }
        let body = Participants(participants: targets.map { ParticipantID(id: $0.cUs) })
        return .json("POST", "\(groupPath(session, group))/\(path)", body: body)
    }

    public static func leave(session: String, group: JID) -> HTTPRequestSpec {
        HTTPRequestSpec(method: "POST", path: "\(groupPath(session, group))/leave")
    }
}

/// The answers of `waha`, decoded.
public enum WAHADecode {
    /// A mutation's answer: per-row codes, or one status for the whole call.
    public enum Answer: Sendable, Equatable {
        case rows([Row])
        case whole(Int)
    }

    /// One participant's row: the ids it names and its code (WhatsApp's: 200 ok, 403, 404, 409, …).
    public struct Row: Sendable, Equatable {
        public var ids: [JID]
        public var code: Int
        /// Set when the row's own content contradicts a success code (a promote whose row
        /// still says "not an admin"): the target is refused with this reason.
        public var contradiction: String? = nil
        public init(ids: [JID], code: Int, contradiction: String? = nil) { self.ids = ids; self.code = code; self.contradiction = contradiction }
    }

    public static func sessions(_ r: HTTPResponseData) throws(GatewayError) -> [Session] {
        let v = try DialectSupport.json(r)
        let rows = try DialectSupport.rows(v, key: "sessions", status: r.status, body: r.body)
        let sessions = rows.compactMap { row -> Session? in
            guard let name = row["name"]?.text else { return nil }
            let status = row["status"]?.text ?? "unknown"
            let me = row["me"]
            let ids = [me?["id"], me?["lid"], me?["pn"]].compactMap { jid($0) }
            return Session(id: name, label: name, account: ids.first { $0.kind == .user },
                           accountLID: ids.first { $0.kind == .lid },
                           connected: status.uppercased() == "WORKING", status: status)
        }
        try DialectSupport.requireSome(sessions, of: rows.count, r, what: "session")
        return sessions
    }

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
            var ourRole: Role?
            if let people, let me { ourRole = people.role(of: me) ?? .none }
            if let me, let owner, me.isOwnAccount(owner) { ourRole = .superadmin }
            let subject = row["subject"]?.string ?? row["name"]?.string ?? row["Name"]?.string ?? ""
            return Group(jid: id, subject: subject, size: row["size"]?.int ?? people?.count, owner: owner, ourRole: ourRole)
        }
        return GroupPage(items: items, rows: rows.count)
    }

    /// `participants/v2` rows (`{id, pn, role}`); the engines' older rows are read too.
    public static func participants(_ r: HTTPResponseData) throws(GatewayError) -> [Participant] {
        let v = try DialectSupport.json(r)
        let rows = try DialectSupport.rows(v, key: "participants", status: r.status, body: r.body)
        let people = rows.compactMap(participant)
        try DialectSupport.requireSome(people, of: rows.count, r, what: "participant")
        return people
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
                let ids = ["jid", "id", "JID", "LID", "PhoneNumber", "lid", "pn"].compactMap { jid(item[$0]) }
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

    /// One result per target from per-row codes. Rows are matched by JID (`@c.us` and
    /// `@s.whatsapp.net` alike); a single row naming no target goes to the single unmatched
    /// target (a row may name the `@lid` of a target sent by phone). With more than one of
    /// each, order is not trusted: those targets are refused as unconfirmed.
    public static func results(_ action: MemberAction, targets: [JID], rows: [Row], _ r: HTTPResponseData) -> [TargetResult] {
        var used = Set<Int>()
        var matched: [Row?] = targets.map { t in
            guard let i = rows.indices.first(where: { !used.contains($0) && rows[$0].ids.contains(t) }) else { return nil }
            used.insert(i)
            return rows[i]
        }
        let spare = rows.indices.filter { !used.contains($0) }
        let missing = matched.indices.filter { matched[$0] == nil }
        if spare.count == 1, missing.count == 1 {
            matched[missing[0]] = rows[spare[0]]
        }
        return zip(targets, matched).map { t, row in
            let o: Outcome = row.map { r in r.contradiction.map { .refused($0) } ?? outcome(action, code: r.code) }
                ?? .refused("not \(action.pastTense): the gateway's answer has no row for this participant")
            return TargetResult(target: t, outcome: o, httpStatus: r.status, latencyMs: r.latencyMs)
        }
    }

    /// What WhatsApp's per-row code means for this action.
    public static func outcome(_ action: MemberAction, code: Int) -> Outcome {
        switch code {
        case 200..<300: .done
        case 409 where action == .add: .alreadySo("already a member")
        case 403 where action == .add: .refused("not allowed: their privacy settings refuse being added to groups")
        case 403: .refused("not allowed: WhatsApp refused (the group's creator cannot be \(action.pastTense))")
        case 404 where action == .add: .refused("not on WhatsApp")
        case 404: .refused("not a member of the group")
        default: .refused(DialectSupport.humanReason(String(code)))
        }
    }

    /// The outcome read back from the members after a call that answered only `{"status":200}`.
    static func verified(_ action: MemberAction, _ member: Participant?) -> Outcome {
        switch action {
        case .remove:
            guard let member else { return .done }
            return .refused(member.role == .superadmin ? "still in the group: the group's creator cannot be removed"
                                                       : "still in the group: WhatsApp did not remove them")
        case .add:
            return member == nil ? .refused("WhatsApp declined to add (privacy settings, or not on WhatsApp)") : .done
        case .promote:
            guard let member else { return .refused("not a member of the group") }
            return member.role.isAdmin ? .done : .refused("still not an admin: WhatsApp did not promote them")
        case .demote:
            guard let member else { return .refused("not a member of the group") }
            switch member.role {
            case .member: return .done
            case .superadmin: return .refused("the group's creator cannot be demoted")
            case .admin: return .refused("still an admin: WhatsApp did not demote them")
            }
        }
    }

    /// Whether a body is one of WAHA's own answers (as opposed to a web server's 404 page).
    static func isAPIError(_ v: JSONValue) -> Bool {
        v["exception"] != nil || v["expected"] != nil || v["statusCode"] != nil
    }

    /// Whether a failed answer is WhatsApp refusing (500 with `exception`), not WAHA itself.
    static func isWhatsAppRefusal(_ r: HTTPResponseData) -> Bool {
        JSONValue.parse(r.body)?["exception"]?.object != nil
    }

    /// Maps a failed answer to an error: 401 `{"message":"Unauthorized"}`, 404 unknown session,
    /// 422 session not `WORKING`, 400 validation, 429, and 500 with WhatsApp's `exception.message`.
    /// With the request's `spec`, a web server's 404 for the route itself is `noSuchRoute`.
    public static func error(_ r: HTTPResponseData, _ spec: HTTPRequestSpec? = nil) -> GatewayError {
        if let spec, DialectSupport.isRouteMiss(r, apiShape: isAPIError) {
            return .noSuchRoute(method: spec.method, path: spec.redactedTarget)
        }
        if r.status == 429 { return .rateLimited(retryAfter: r.retryAfter) }
        guard let v = JSONValue.parse(r.body) else {
            return DialectSupport.unparsed(r)
        }
        let text = message(v)
        if let exception = v["exception"], exception.object != nil {
            let m = exception["message"]?.text ?? text
            let code = exception["data"]?.int ?? exception["output"]?["statusCode"]?.int
            switch (m?.lowercased(), code) {
            case ("not-authorized", _), ("forbidden", _), (_, 401), (_, 403):
                return .forbidden("WhatsApp: \(m ?? "forbidden")")
            case ("item-not-found", _), (_, 404):
                return .notFound("the group or participant (WhatsApp: \(m ?? "item-not-found"))")
            case ("rate-overlimit", _), (_, 429):
                return .rateLimited(retryAfter: r.retryAfter)
            case ("bad-request", _), (_, 400):
                return .validation("WhatsApp: \(m ?? "bad-request")")
            default:
                return .server(status: r.status, message: m)
            }
        }
        if r.status == 422, v["expected"] != nil || (text ?? "").lowercased().contains("status is not as expected") {
            let status = v["status"]?.text
            return .notConnected(status.map { "status \($0), expected WORKING" } ?? text)
        }
        switch r.status {
        case 400, 422: return .validation(text ?? "invalid request")
        case 401: return .unauthorized(text)
        case 403: return .forbidden(text)
        case 404: return .notFound(text ?? "session, group or participant")
        default: return .server(status: r.status, message: text)
        }
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
