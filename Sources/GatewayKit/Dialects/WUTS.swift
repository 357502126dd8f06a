import Foundation
import Synchronization

/// `wuts` (docs: gateways.md §5). `Authorization: Bearer <token>`, where the token belongs to one
/// WUTS device: that device is the one session, and no path names a session. Every member change
/// is `DELETE /groups/{jid}/participants` with an `action`; the answer lists one row per
/// participant. Errors come in the `{"success":false,"error":…,"error_code":…}` envelope.
///
/// Where gateways.md is silent, this client does what WUTS does: the session comes from
/// `GET /status` (the device's live state: `device_id`, `jid`, `connected`), which always answers
/// 200; a refused row carries WhatsApp's code in `error` (as the engine reports it), and a row
/// without one is done.
public final class WUTSGateway: Gateway {
    public let dialect = Dialect.wuts
    public let capabilities = Capabilities(batching: true, perRowResults: true, idempotentRemove: false, listsSessions: false)
    let transport: HTTPTransport
    /// The device, once read: its account tells our role in a group.
    private let device = Mutex<Session?>(nil)

    public init(transport: HTTPTransport) { self.transport = transport }

    /// The token's device, as the one session.
    public func sessions() async throws(GatewayError) -> [Session] {
        let spec = WUTSAPI.status()
        let r = try await call(spec)
        let s = try WUTSDecode.status(r)
        device.withLock { $0 = s }
        return [s]
    }

    private func me() async -> Session? {
        if let s = device.withLock({ $0 }) { return s }
        return (try? await sessions())?.first
    }

    // The `session` arguments below are not sent: the token names the device, whatever id the
    // caller holds for it.

    public func groups(session: String) async throws(GatewayError) -> [Group] {
        let me = await me()
        let r = try await call(WUTSAPI.groups())
        return try WUTSDecode.groups(r, me: me)
    }

    public func participants(session: String, group: JID) async throws(GatewayError) -> [Participant] {
        let r = try await call(WUTSAPI.group(group))
        return try WUTSDecode.participants(r)
    }

    public func apply(_ action: MemberAction, session: String, group: JID, targets: [JID]) async throws(GatewayError) -> [TargetResult] {
        guard !targets.isEmpty else { return [] }
        let spec = WUTSAPI.mutation(action, group: group, targets: targets)
        let r: HTTPResponseData
        do { r = try await transport.send(spec) } catch {
            return DialectSupport.all(targets, .failed(error), nil)
        }
        guard (200..<300).contains(r.status) else {
            return DialectSupport.all(targets, .failed(WUTSDecode.error(r, spec)), r)
        }
        switch WUTSDecode.rows(r, action: action) {
        case .failure(let e): return DialectSupport.all(targets, .failed(e), r)
        case .success(let rows): return WAHADecode.results(action, targets: targets, rows: rows, r)
        }
    }

    public func leave(session: String, group: JID) async throws(GatewayError) -> TargetResult {
        let spec = WUTSAPI.leave(group)
        let r = try await transport.send(spec)
        // Cut short or not JSON: whether it left is unknown, and settled by reading again.
        if let unknown = DialectSupport.unreadableSuccess(r, group) { return unknown }
        if (200..<300).contains(r.status), JSONValue.parse(r.body)?["success"]?.bool != false {
            return TargetResult(target: group, outcome: .done, httpStatus: r.status, latencyMs: r.latencyMs)
        }
        let e = WUTSDecode.error(r, spec)
        // Not a member of this group (any more): about this group only, a refusal.
        let outcome: Outcome = switch e {
        case .notFound(let m): .refused(m)
        default: .failed(e)
        }
        return TargetResult(target: group, outcome: outcome, httpStatus: r.status, latencyMs: r.latencyMs)
    }

    private func call(_ spec: HTTPRequestSpec) async throws(GatewayError) -> HTTPResponseData {
        let r = try await transport.send(spec)
        guard (200..<300).contains(r.status) else { throw WUTSDecode.error(r, spec) }
        if JSONValue.parse(r.body)?["success"]?.bool == false { throw WUTSDecode.error(r, spec) }
        return r
    }
}

/// The requests of `wuts`, as pure data.
public enum WUTSAPI {
    static func groupPath(_ group: JID) -> String { "/groups/\(PathEncoding.keepingAt(group.string))" }

    /// The device's live state (the session).
    public static func status() -> HTTPRequestSpec { HTTPRequestSpec(method: "GET", path: "/status") }

    public static func groups() -> HTTPRequestSpec { HTTPRequestSpec(method: "GET", path: "/groups") }

    /// One group, with its participants.
    public static func group(_ group: JID) -> HTTPRequestSpec { HTTPRequestSpec(method: "GET", path: groupPath(group)) }

    struct Body: Encodable { let participants: [String]; let action: String }

    /// Every member change: `DELETE /groups/{jid}/participants` with `participants` (user JIDs or
    /// `@lid` ids) and the `action`, sent even for the default `remove`.
    public static func mutation(_ action: MemberAction, group: JID, targets: [JID]) -> HTTPRequestSpec {
        .json("DELETE", "\(groupPath(group))/participants", body: Body(participants: targets.map(\.string), action: action.rawValue))
    }

    public static func leave(_ group: JID) -> HTTPRequestSpec {
        HTTPRequestSpec(method: "DELETE", path: "\(groupPath(group))/leave")
    }
}

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
        var ourRole: Role?
        if let people, let me { ourRole = people.role(of: me) ?? .none }
        if let me, let owner, me.isOwnAccount(owner) { ourRole = .superadmin }
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
    public static func rows(_ r: HTTPResponseData, action: MemberAction? = nil) -> Result<[WAHADecode.Row], GatewayError> {
        let bad = GatewayError.undecodable(status: r.status, excerpt: GatewayError.excerpt(r.body))
        guard let v = JSONValue.parse(r.body), let list = v["participants"]?.array else { return .failure(bad) }
        var rows: [WAHADecode.Row] = []
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
            rows.append(WAHADecode.Row(ids: ids, code: code, contradiction: contradiction))
        }
        return .success(rows)
    }

    /// Whether a body is WUTS's own error envelope (as opposed to a web server's 404 page).
    static func isAPIError(_ v: JSONValue) -> Bool { v["success"]?.bool == false }

    /// Maps a failed answer to an error, by `error_code` first, then by status. With the
    /// request's `spec`, a web server's 404 for the route itself is `noSuchRoute`.
    public static func error(_ r: HTTPResponseData, _ spec: HTTPRequestSpec? = nil) -> GatewayError {
        if let spec, DialectSupport.isRouteMiss(r, apiShape: isAPIError) {
            return .noSuchRoute(method: spec.method, path: spec.redactedTarget)
        }
        if r.status == 429 { return .rateLimited(retryAfter: r.retryAfter) }
        guard let v = JSONValue.parse(r.body) else {
            return DialectSupport.unparsed(r)
        }
        let text = (v["error"]?.text ?? v["message"]?.text).map { $0.replacingOccurrences(of: "\n", with: " ") }
        switch v["error_code"]?.text?.uppercased() {
        case "UNAUTHORIZED", "INVALID_TOKEN": return .unauthorized(text)
        case "FORBIDDEN", "NOT_ADMIN", "NOT_GROUP_ADMIN": return .forbidden(text)
        case "DEVICE_NOT_READY", "DEVICE_NOT_CONNECTED", "NOT_CONNECTED", "DEVICE_DISCONNECTED": return .notConnected(text)
        case "RATE_LIMITED", "RATE_LIMIT_EXCEEDED": return .rateLimited(retryAfter: r.retryAfter)
        case "VALIDATION_ERROR", "BAD_REQUEST", "INVALID_JID": return .validation(text ?? "invalid request")
        case "NOT_FOUND", "GROUP_NOT_FOUND", "DEVICE_NOT_FOUND", "NOT_IN_GROUP":
            return .notFound(text ?? "device, group or participant")
        default: break
        }
        switch r.status {
        case 400, 422: return .validation(text ?? "invalid request")
        case 401: return .unauthorized(text)
        case 403: return .forbidden(text)
        case 404: return .notFound(text ?? "device, group or participant")
        default: return .server(status: r.status, message: text)
        }
    }
}
