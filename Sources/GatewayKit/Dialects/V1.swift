import Foundation
import Synchronization

/// `v1`, the session gateway (docs: gateways.md §2). One member per request for remove,
/// promote and demote; 204 with no per-row detail; JIDs in paths with `@` as `%40`.
public final class V1Gateway: Gateway {
    public let dialect = Dialect.v1
    public let capabilities = Capabilities(batching: false, perRowResults: false, idempotentRemove: true, listsSessions: true)
    let transport: HTTPTransport
    /// Group owners seen in group lists: the member list does not mark the creator.
    private let owners = Mutex<[String: JID]>([:])
    /// Each session's own account: a group it created is one where our role is known (owner)
    /// from the list alone.
    private let accounts = AccountCache()

    public init(transport: HTTPTransport) { self.transport = transport }

    public func sessions() async throws(GatewayError) -> [Session] {
        var all: [Session] = []
        var cursor: String?
        repeat {
            let r = try await call(V1API.sessions(cursor: cursor))
            let page = try V1Decode.sessions(r)
            all += page.items
            cursor = Self.advance(cursor, to: page.next, pageEmpty: page.items.isEmpty)
        } while cursor != nil && all.count < 100_000
        accounts.remember(all)
        return all
    }

    public func groups(session: String) async throws(GatewayError) -> [Group] {
        var all: [Group] = []
        var cursor: String?
        repeat {
            let r = try await call(V1API.groups(session: session, cursor: cursor))
            let page = try V1Decode.groups(r)
            all += page.items
            cursor = Self.advance(cursor, to: page.next, pageEmpty: page.items.isEmpty)
        } while cursor != nil && all.count < 1_000_000
        owners.withLock { map in
            for g in all { if let o = g.owner { map[session + " " + g.jid.string] = o } }
        }
        // The list does not carry our role; where the session's account created the group, it is known.
        if let me = await accounts.account(of: session, reload: { try? await sessions() }) {
            for i in all.indices where all[i].ourRole == nil {
                if let o = all[i].owner, me.isOwnAccount(o) { all[i].ourRole = .superadmin }
            }
        }
        return all
    }

    public func participants(session: String, group: JID) async throws(GatewayError) -> [Participant] {
        let key = session + " " + group.string
        var owner = owners.withLock { $0[key] }
        if owner == nil {
            owner = try await groups(session: session).first { $0.jid == group }?.owner
        }
        var all: [Participant] = []
        var cursor: String?
        repeat {
            let r = try await call(V1API.members(session: session, group: group, cursor: cursor))
            let page = try V1Decode.members(r, owner: owner)
            all += page.items
            cursor = Self.advance(cursor, to: page.next, pageEmpty: page.items.isEmpty)
        } while cursor != nil && all.count < 1_000_000
        return all
    }

    public func apply(_ action: MemberAction, session: String, group: JID, targets: [JID]) async throws(GatewayError) -> [TargetResult] {
        if action == .add { return try await add(session: session, group: group, targets: targets) }
        return await DialectSupport.perTarget(targets) { target in
            let spec: HTTPRequestSpec = switch action {
            case .remove: V1API.remove(session: session, group: group, member: target)
            case .promote: V1API.promote(session: session, group: group, member: target)
            case .demote: V1API.demote(session: session, group: group, member: target)
            case .add: V1API.add(session: session, group: group, members: [target])
            }
            do throws(GatewayError) {
                let r = try await self.transport.send(spec)
                if (200..<300).contains(r.status) {
                    if let unknown = DialectSupport.unreadableSuccess(r, target) { return unknown }
                    return TargetResult(target: target, outcome: .done, httpStatus: r.status, latencyMs: r.latencyMs)
                }
                let e = V1Decode.error(r, spec)
                // A 403 about this participant (the group's creator) is their refusal, not a
                // sign that the session lost its admin rights: the next targets still go.
                if case .forbidden(let m?) = e, ["creator", "owner"].contains(where: { m.lowercased().contains($0) }) {
                    return TargetResult(target: target, outcome: .refused("not allowed: the group's creator cannot be \(action.pastTense)"),
                                        httpStatus: r.status, latencyMs: r.latencyMs)
                }
                return TargetResult(target: target, outcome: .failed(e), httpStatus: r.status, latencyMs: r.latencyMs)
            } catch {
                return TargetResult(target: target, outcome: .failed(error))
            }
        }
    }

    /// One batch request; then the members are read back, because v1 answers 204 even when
    /// WhatsApp declined some numbers.
    private func add(session: String, group: JID, targets: [JID]) async throws(GatewayError) -> [TargetResult] {
        guard !targets.isEmpty else { return [] }
        let r: HTTPResponseData
        do { r = try await transport.send(V1API.add(session: session, group: group, members: targets)) } catch {
            return DialectSupport.all(targets, .failed(error), nil)
        }
        guard (200..<300).contains(r.status) else {
            return DialectSupport.all(targets, .failed(V1Decode.error(r)), r)
        }
        guard let members = try? await participants(session: session, group: group) else {
            return DialectSupport.all(targets, .refused("sent, but not verified: the members could not be read back; refresh to check"), r)
        }
        return targets.map { t in
            let there = members.first(matching: t) != nil
            return TargetResult(target: t, outcome: there ? .done : .refused("WhatsApp declined to add (privacy settings, or not on WhatsApp)"),
                                httpStatus: r.status, latencyMs: r.latencyMs)
        }
    }

    public func leave(session: String, group: JID) async throws(GatewayError) -> TargetResult {
        let r = try await transport.send(V1API.leave(session: session, group: group))
        if (200..<300).contains(r.status) {
            if let unknown = DialectSupport.unreadableSuccess(r, group) { return unknown }
            return TargetResult(target: group, outcome: .done, httpStatus: r.status, latencyMs: r.latencyMs)
        }
        return TargetResult(target: group, outcome: .failed(V1Decode.error(r)), httpStatus: r.status, latencyMs: r.latencyMs)
    }

    /// The next cursor, or nil to stop: an empty page or a cursor that does not move ends the
    /// paging, so a misbehaving gateway cannot keep it going forever.
    static func advance(_ current: String?, to next: String?, pageEmpty: Bool) -> String? {
        guard let next, !pageEmpty, next != current else { return nil }
        return next
    }

    private func call(_ spec: HTTPRequestSpec) async throws(GatewayError) -> HTTPResponseData {
        let r = try await transport.send(spec)
        guard (200..<300).contains(r.status) else { throw V1Decode.error(r, spec) }
        return r
    }
}

/// The requests of `v1`, as pure data.
public enum V1API {
    static let base = "/api/v1"
    static func seg(_ s: String) -> String { PathEncoding.strict(s) }

    public static func sessions(cursor: String? = nil) -> HTTPRequestSpec {
        HTTPRequestSpec(method: "GET", path: "\(base)/sessions", query: cursorQuery(cursor))
    }
    public static func groups(session: String, cursor: String? = nil) -> HTTPRequestSpec {
        HTTPRequestSpec(method: "GET", path: "\(base)/sessions/\(seg(session))/groups", query: cursorQuery(cursor))
    }
    public static func members(session: String, group: JID, cursor: String? = nil) -> HTTPRequestSpec {
        HTTPRequestSpec(method: "GET", path: "\(groupPath(session, group))/members", query: cursorQuery(cursor))
    }
    public static func remove(session: String, group: JID, member: JID) -> HTTPRequestSpec {
        HTTPRequestSpec(method: "DELETE", path: "\(groupPath(session, group))/members/\(seg(member.string))")
    }
    public static func add(session: String, group: JID, members: [JID]) -> HTTPRequestSpec {
        .json("POST", "\(groupPath(session, group))/members", body: ["participants": members.map(\.string)])
    }
    public static func promote(session: String, group: JID, member: JID) -> HTTPRequestSpec {
        HTTPRequestSpec(method: "POST", path: "\(groupPath(session, group))/members/\(seg(member.string))/promote")
    }
    public static func demote(session: String, group: JID, member: JID) -> HTTPRequestSpec {
        HTTPRequestSpec(method: "POST", path: "\(groupPath(session, group))/members/\(seg(member.string))/demote")
    }
    public static func leave(session: String, group: JID) -> HTTPRequestSpec {
        HTTPRequestSpec(method: "POST", path: "\(groupPath(session, group)):leave")
    }

    static func groupPath(_ session: String, _ group: JID) -> String {
        "\(base)/sessions/\(seg(session))/groups/\(seg(group.string))"
    }
    static func cursorQuery(_ cursor: String?) -> [URLQueryItem] {
        guard let cursor, !cursor.isEmpty else { return [] }
        return [URLQueryItem(name: "cursor", value: cursor)]
    }
}

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
            return Group(jid: jid, subject: row["subject"]?.string ?? "", size: row["participantCount"]?.int,
                         owner: JID.lenient(row["ownerJid"]?.string), ourRole: nil)
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
            if let n = name, n.hasPrefix("~") { name = String(n.dropFirst()).trimmingCharacters(in: .whitespaces) }
            return Participant(phone: phone, lid: lid, name: name?.isEmpty == true ? nil : name, role: role)
        }
        try DialectSupport.requireSome(items, of: p.rows.count, r, what: "participant")
        return Page(items: items, next: p.next)
    }

    /// Maps a failed answer to an error: `{"error":{"code","message"}}`.
    public static func error(_ r: HTTPResponseData, _ spec: HTTPRequestSpec? = nil) -> GatewayError {
        let v = JSONValue.parse(r.body)
        let code = v?["error"]?["code"]?.string
        let message = v?["error"]?["message"]?.text
        if r.status == 429 || code == "rate_limited" { return .rateLimited(retryAfter: r.retryAfter) }
        guard v != nil, code != nil else {
            if r.status == 404, let spec { return .noSuchRoute(method: spec.method, path: spec.redactedTarget) }
            if v != nil, r.status >= 500 { return .server(status: r.status, message: message) }
            return DialectSupport.unparsed(r)
        }
        switch (code ?? "", r.status) {
        case ("unauthorized", _), (_, 401): return .unauthorized(message)
        case ("forbidden", _), (_, 403): return .forbidden(message)
        case ("not_found", _), (_, 404): return .notFound(message ?? "session, group or member")
        case ("not_implemented", _), (_, 501): return .notConnected(message)
        case ("validation_error", _), (_, 400), (_, 422): return .validation(message ?? "invalid request")
        default: return .server(status: r.status, message: message)
        }
    }
}
