import Foundation
import Synchronization

/// `wasend` (docs: gateways.md §3). Batches participants in one request with per-row answers.
/// Sends the documented paths; when the server says the route itself does not exist, falls back
/// to the SDK's paths (`…/participants/remove`, `…/admin/promote`, `…/admin/demote`) and keeps
/// using them.
public final class WasendGateway: Gateway {
    public let dialect = Dialect.wasend
    public let capabilities = Capabilities(batching: true, perRowResults: true, idempotentRemove: false, listsSessions: true)
    let transport: HTTPTransport
    /// Learned from the server: it has only the SDK path forms.
    private let useSDKPaths = Mutex(false)
    /// Each session's own account, to tell our role in a group.
    private let accounts = AccountCache()
    /// Groups asked for per page.
    public let pageSize: Int

    public init(transport: HTTPTransport, pageSize: Int = 50) {
        self.transport = transport
        self.pageSize = max(1, pageSize)
    }

    public func sessions() async throws(GatewayError) -> [Session] {
        let r = try await call(WasendAPI.sessions())
        let list = try WasendDecode.sessions(r)
        accounts.remember(list)
        return list
    }

    private func account(of session: String) async -> Session? {
        await accounts.account(of: session) { try? await sessions() }
    }

    public func groups(session: String) async throws(GatewayError) -> [Group] {
        let me = await account(of: session)
        return try await DialectSupport.pagedGroups(pageSize: pageSize) { offset throws(GatewayError) in
            let page = try WasendDecode.groups(try await call(WasendAPI.groups(session: session, limit: pageSize, offset: offset)), me: me)
            return (page.items, page.rows, page.hasMore)
        }
    }

    public func participants(session: String, group: JID) async throws(GatewayError) -> [Participant] {
        let r = try await call(WasendAPI.participants(session: session, group: group))
        return try WasendDecode.participants(r)
    }

    public func apply(_ action: MemberAction, session: String, group: JID, targets: [JID]) async throws(GatewayError) -> [TargetResult] {
        guard !targets.isEmpty else { return [] }
        let r: HTTPResponseData
        do {
            r = try await sendWithFallback(
                documented: WasendAPI.mutation(action, session: session, group: group, targets: targets, sdk: false),
                sdk: WasendAPI.mutation(action, session: session, group: group, targets: targets, sdk: true))
        } catch {
            return DialectSupport.all(targets, .failed(error), nil)
        }
        return WasendDecode.results(action, targets: targets, r)
    }

    public func leave(session: String, group: JID) async throws(GatewayError) -> TargetResult {
        let r = try await transport.send(WasendAPI.leave(session: session, group: group))
        // Cut short or not JSON: whether it left is unknown, and settled by reading again.
        if let unknown = DialectSupport.unreadableSuccess(r, group) { return unknown }
        if (200..<300).contains(r.status), JSONValue.parse(r.body)?["success"]?.bool != false {
            return TargetResult(target: group, outcome: .done, httpStatus: r.status, latencyMs: r.latencyMs)
        }
        // 403 on leave is about this group only (not a member, or its owner): a refusal.
        let e = WasendDecode.error(r)
        let outcome: Outcome = r.status == 403 ? .refused(e.detail ?? "not a member, or the group's owner") : .failed(e)
        return TargetResult(target: group, outcome: outcome, httpStatus: r.status, latencyMs: r.latencyMs)
    }

    /// Whether this client has switched to the SDK's path forms.
    public var usesSDKPaths: Bool { useSDKPaths.withLock { $0 } }

    private func sendWithFallback(documented: HTTPRequestSpec, sdk: HTTPRequestSpec) async throws(GatewayError) -> HTTPResponseData {
        if documented == sdk { return try await transport.send(documented) }
        let first = useSDKPaths.withLock { $0 } ? sdk : documented
        let r = try await transport.send(first)
        guard DialectSupport.isRouteMiss(r, apiShape: WasendDecode.isAPIError) else { return r }
        let other = first == sdk ? documented : sdk
        let second = try await transport.send(other)
        if !DialectSupport.isRouteMiss(second, apiShape: WasendDecode.isAPIError) {
            useSDKPaths.withLock { $0 = (other == sdk) }
            return second
        }
        throw .noSuchRoute(method: first.method, path: first.redactedTarget)
    }

    private func call(_ spec: HTTPRequestSpec) async throws(GatewayError) -> HTTPResponseData {
        let r = try await transport.send(spec)
        guard (200..<300).contains(r.status) else {
            if DialectSupport.isRouteMiss(r, apiShape: WasendDecode.isAPIError) {
                throw .noSuchRoute(method: spec.method, path: spec.redactedTarget)
            }
            throw WasendDecode.error(r)
        }
        return r
    }
}

/// The requests of `wasend`, as pure data.
public enum WasendAPI {
    static func seg(_ s: String) -> String { PathEncoding.keepingAt(s) }
    static func groupPath(_ session: String, _ group: JID) -> String { "/\(seg(session))/groups/\(seg(group.string))" }

    public static func sessions() -> HTTPRequestSpec { HTTPRequestSpec(method: "GET", path: "/sessions") }

    public static func groups(session: String, limit: Int, offset: Int) -> HTTPRequestSpec {
        HTTPRequestSpec(method: "GET", path: "/\(seg(session))/groups", query: [
            URLQueryItem(name: "limit", value: String(limit)), URLQueryItem(name: "offset", value: String(offset)),
            URLQueryItem(name: "sortBy", value: "subject"), URLQueryItem(name: "sortOrder", value: "asc"),
        ])
    }

    public static func groupCount(session: String) -> HTTPRequestSpec {
        HTTPRequestSpec(method: "GET", path: "/\(seg(session))/groups/count")
    }

    public static func participants(session: String, group: JID) -> HTTPRequestSpec {
        HTTPRequestSpec(method: "GET", path: "\(groupPath(session, group))/participants")
    }

    struct Participants: Encodable { let participants: [String] }
    struct AddBody: Encodable { let participants: [String]; let notify: Bool }

    /// Remove, add, promote or demote: the documented path, or the SDK's when `sdk`.
    public static func mutation(_ action: MemberAction, session: String, group: JID, targets: [JID], sdk: Bool) -> HTTPRequestSpec {
        let g = groupPath(session, group)
        let ids = targets.map(\.string)
        switch action {
        case .remove:
            return sdk ? .json("POST", "\(g)/participants/remove", body: Participants(participants: ids))
                       : .json("DELETE", "\(g)/participants", body: Participants(participants: ids))
        case .add:
            return .json("POST", "\(g)/participants/add", body: AddBody(participants: ids, notify: true))
        case .promote:
            return .json("POST", sdk ? "\(g)/admin/promote" : "\(g)/participants/promote", body: Participants(participants: ids))
        case .demote:
            return .json("POST", sdk ? "\(g)/admin/demote" : "\(g)/participants/demote", body: Participants(participants: ids))
        }
    }

    public static func leave(session: String, group: JID) -> HTTPRequestSpec {
        HTTPRequestSpec(method: "POST", path: "\(groupPath(session, group))/leave")
    }
}

/// The answers of `wasend`, decoded.
public enum WasendDecode {
    public static func sessions(_ r: HTTPResponseData) throws(GatewayError) -> [Session] {
        let v = try DialectSupport.json(r)
        let rows = try DialectSupport.rows(v, key: "sessions", status: r.status, body: r.body)
        let sessions = rows.compactMap { row -> Session? in
            let s = row["session"] ?? row
            guard let id = s["uniqueSessionId"]?.text ?? s["id"]?.text else { return nil }
            let status = row["downstream"]?["status"]?.text ?? s["status"]?.text ?? "unknown"
            let account = JID.lenient(s["phoneNumber"]?.string) ?? JID.lenient(row["downstream"]?["me"]?["id"]?.string)
            return Session(id: id, label: s["sessionName"]?.text ?? id, account: account,
                           connected: Session.isConnectedStatus(status), status: status)
        }
        try DialectSupport.requireSome(sessions, of: rows.count, r, what: "session")
        return sessions
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
            var ourRole: Role?
            if let people, let me { ourRole = people.role(of: me) ?? .none }
            let owner = JID.lenient(row["ownerJid"]?.string) ?? JID.lenient(row["ownerPn"]?.string)
            if let me, let owner, me.isOwnAccount(owner) { ourRole = .superadmin }
            return Group(jid: jid, subject: row["name"]?.string ?? row["subject"]?.string ?? "",
                         size: people?.count ?? row["size"]?.int, owner: owner, ourRole: ourRole)
        }
        return GroupPage(items: items, hasMore: v["pagination"]?["hasMore"]?.bool, rows: rows.count)
    }

    public static func participants(_ r: HTTPResponseData) throws(GatewayError) -> [Participant] {
        let v = try DialectSupport.json(r)
        let rows = try DialectSupport.rows(v, key: "participants", status: r.status, body: r.body)
        let people = rows.compactMap(participant)
        try DialectSupport.requireSome(people, of: rows.count, r, what: "participant")
        return people
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

    /// Whether a body is Wasend's own error envelope (as opposed to a web server's 404 page).
    static func isAPIError(_ v: JSONValue) -> Bool { v["success"]?.bool == false }

    /// Maps a failed answer to an error: `{"success":false,"error":"…","message":"…"}`.
    public static func error(_ r: HTTPResponseData) -> GatewayError {
        let v = JSONValue.parse(r.body)
        let text = v?["message"]?.text ?? v?["error"]?.text
        if r.status == 429 { return .rateLimited(retryAfter: r.retryAfter) }
        guard v != nil else {
            return DialectSupport.unparsed(r)
        }
        let lower = (text ?? "").lowercased()
        if lower.contains("not working") || lower.contains("not connected") || lower.contains("session status") {
            return .notConnected(text)
        }
        switch r.status {
        case 400, 422: return .validation(text ?? "invalid request")
        case 401: return .unauthorized(text)
        case 403: return .forbidden(text)
        case 404: return .notFound(text ?? "session, group or participant")
        default: return .server(status: r.status, message: text)
        }
    }
}

extension GatewayError {
    /// The gateway's own words, where the error carries them.
    public var detail: String? {
        switch self {
        case .unauthorized(let m), .forbidden(let m), .notConnected(let m): m
        case .notFound(let m), .validation(let m), .transport(let m), .configuration(let m), .storage(let m), .notPossible(let m): m
        case .server(_, let m): m
        case .rateLimited, .undecodable, .noSuchRoute, .tooLarge: nil
        }
    }
}
