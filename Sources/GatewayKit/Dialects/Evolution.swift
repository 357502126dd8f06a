import Foundation
import Synchronization

/// `evolution`, Evolution API (docs: gateways.md §7). The `apikey` header; instances are
/// sessions (`open` is connected); the instance in the path and the group in the `groupJid`
/// query; every member change is `POST /group/updateParticipant/{instance}` with an `action` and
/// participants as digits, answered 201 with WhatsApp's per-row status strings; leave is a DELETE;
/// WhatsApp's refusals come as 400 with the words in `response.message`.
///
/// Where gateways.md is silent, this client does what Evolution does: an `@lid` participant is
/// sent whole (`…@lid`), since its digits alone would name a phone number (Evolution keeps any
/// full JID as given); the group list asks `getParticipants=false`, so our role there is known
/// only for groups we created (`owner`); Evolution's v1 instance rows
/// (`{"instance":{"instanceName","owner","status"}}`) are read too.
public final class EvolutionGateway: Gateway {
    public let dialect = Dialect.evolution
    public let capabilities = Capabilities(batching: true, perRowResults: true, idempotentRemove: false, listsSessions: true)
    let transport: HTTPTransport
    /// Each instance's own account, to tell our role in a group.
    private let accounts = AccountCache()

    public init(transport: HTTPTransport) { self.transport = transport }

    public func sessions() async throws(GatewayError) -> [Session] {
        let r = try await call(EvolutionAPI.instances())
        let list = try EvolutionDecode.instances(r)
        accounts.remember(list)
        return list
    }

    private func account(of session: String) async -> Session? {
        await accounts.account(of: session) { try? await sessions() }
    }

    public func groups(session: String) async throws(GatewayError) -> [Group] {
        let me = await account(of: session)
        let r = try await call(EvolutionAPI.groups(instance: session))
        return try EvolutionDecode.groups(r, me: me)
    }

    public func participants(session: String, group: JID) async throws(GatewayError) -> [Participant] {
        let r = try await call(EvolutionAPI.participants(instance: session, group: group))
        return try EvolutionDecode.participants(r)
    }

    public func apply(_ action: MemberAction, session: String, group: JID, targets: [JID]) async throws(GatewayError) -> [TargetResult] {
        guard !targets.isEmpty else { return [] }
        let spec = EvolutionAPI.mutation(action, instance: session, group: group, targets: targets)
        let r: HTTPResponseData
        do { r = try await transport.send(spec) } catch {
            return DialectSupport.all(targets, .failed(error), nil)
        }
        guard (200..<300).contains(r.status) else {
            return DialectSupport.all(targets, .failed(EvolutionDecode.error(r, spec)), r)
        }
        switch EvolutionDecode.rows(r) {
        case .failure(let e): return DialectSupport.all(targets, .failed(e), r)
        case .success(let rows): return WAHADecode.results(action, targets: targets, rows: rows, r)
        }
    }

    public func leave(session: String, group: JID) async throws(GatewayError) -> TargetResult {
        let spec = EvolutionAPI.leave(instance: session, group: group)
        let r = try await transport.send(spec)
        // Cut short or not JSON: whether it left is unknown, and settled by reading again.
        if let unknown = DialectSupport.unreadableSuccess(r, group) { return unknown }
        if (200..<300).contains(r.status), JSONValue.parse(r.body)?["leave"]?.bool != false {
            return TargetResult(target: group, outcome: .done, httpStatus: r.status, latencyMs: r.latencyMs)
        }
        let e = (200..<300).contains(r.status) ? GatewayError.validation("the gateway answered leave: false") : EvolutionDecode.error(r, spec)
        // WhatsApp's refusal concerns this group only (not a member any more, or unknown to it).
        let outcome: Outcome = switch e {
        case .forbidden(let m): .refused(m ?? "WhatsApp refused to leave this group")
        case .notFound(let m) where EvolutionDecode.isWhatsAppRefusal(r): .refused(m)
        default: .failed(e)
        }
        return TargetResult(target: group, outcome: outcome, httpStatus: r.status, latencyMs: r.latencyMs)
    }

    private func call(_ spec: HTTPRequestSpec) async throws(GatewayError) -> HTTPResponseData {
        let r = try await transport.send(spec)
        guard (200..<300).contains(r.status) else { throw EvolutionDecode.error(r, spec) }
        return r
    }
}

/// The requests of `evolution`, as pure data.
public enum EvolutionAPI {
    static func seg(_ s: String) -> String { PathEncoding.strict(s) }
    static func groupQuery(_ group: JID) -> [URLQueryItem] { [URLQueryItem(name: "groupJid", value: group.string)] }

    public static func instances() -> HTTPRequestSpec { HTTPRequestSpec(method: "GET", path: "/instance/fetchInstances") }

    /// Every group of an instance; `getParticipants` is required.
    public static func groups(instance: String) -> HTTPRequestSpec {
        HTTPRequestSpec(method: "GET", path: "/group/fetchAllGroups/\(seg(instance))",
                        query: [URLQueryItem(name: "getParticipants", value: "false")])
    }

    public static func participants(instance: String, group: JID) -> HTTPRequestSpec {
        HTTPRequestSpec(method: "GET", path: "/group/participants/\(seg(instance))", query: groupQuery(group))
    }

    struct Body: Encodable { let action: String; let participants: [String] }

    /// A participant as Evolution takes it: a phone's digits; an `@lid` id whole.
    static func participant(_ jid: JID) -> String { jid.kind == .user ? jid.user : jid.string }

    /// Add, remove, promote or demote: `{"action":…,"participants":["5511999999999"]}`.
    public static func mutation(_ action: MemberAction, instance: String, group: JID, targets: [JID]) -> HTTPRequestSpec {
        .json("POST", "/group/updateParticipant/\(seg(instance))", query: groupQuery(group),
              body: Body(action: action.rawValue, participants: targets.map(participant)))
    }

    public static func leave(instance: String, group: JID) -> HTTPRequestSpec {
        HTTPRequestSpec(method: "DELETE", path: "/group/leaveGroup/\(seg(instance))", query: groupQuery(group))
    }
}

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
            let people = row["participants"]?.array.map { $0.compactMap(WAHADecode.participant) }
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
        let people = rows.compactMap(WAHADecode.participant)
        try DialectSupport.requireSome(people, of: rows.count, r, what: "participant")
        return people
    }

    /// `{"updateParticipants":[{"status":"200","jid":…,"content":{…}}]}`: a status string per row.
    public static func rows(_ r: HTTPResponseData) -> Result<[WAHADecode.Row], GatewayError> {
        let bad = GatewayError.undecodable(status: r.status, excerpt: GatewayError.excerpt(r.body))
        guard let v = JSONValue.parse(r.body), let list = (v["updateParticipants"] ?? v).array else { return .failure(bad) }
        var rows: [WAHADecode.Row] = []
        for item in list {
            guard item.object != nil, let code = item["status"]?.int else { return .failure(bad) }
            let ids = [item["jid"], item["id"], item["lid"]].compactMap { WAHADecode.jid($0) }
            rows.append(WAHADecode.Row(ids: ids, code: code == 0 ? 200 : code))
        }
        return .success(rows)
    }

    /// `response.message`: a string, or a list of strings (Evolution's context, then WhatsApp's words).
    static func messages(_ v: JSONValue) -> [String] {
        let m = v["response"]?["message"] ?? v["message"]
        if let list = m?.array { return list.flatMap { $0.array?.compactMap(\.text) ?? [$0.text].compactMap { $0 } } }
        return [m?.text].compactMap { $0 }
    }

    /// Whether a body is Evolution's own answer, not a route the server does not have.
    static func isAPIError(_ v: JSONValue) -> Bool {
        guard v["response"] != nil || v["status"] != nil else { return false }
        return !(messages(v).first?.hasPrefix("Cannot ") ?? false)
    }

    /// Whether a failed answer carries WhatsApp's words (`Error: forbidden`, `Error: item-not-found`).
    static func isWhatsAppRefusal(_ r: HTTPResponseData) -> Bool {
        guard let v = JSONValue.parse(r.body) else { return false }
        return messages(v).contains { $0.hasPrefix("Error: ") }
    }

    /// Maps a failed answer to an error: `{"status":400,"error":"Bad Request","response":{"message":[…]}}`
    /// with WhatsApp's words (`forbidden`, `item-not-found`, `Connection Closed`, `rate-overlimit`),
    /// 401, 404 for an unknown instance, 429. With the request's `spec`, a route miss is `noSuchRoute`.
    public static func error(_ r: HTTPResponseData, _ spec: HTTPRequestSpec? = nil) -> GatewayError {
        if let spec, DialectSupport.isRouteMiss(r, apiShape: isAPIError) {
            return .noSuchRoute(method: spec.method, path: spec.redactedTarget)
        }
        if r.status == 429 { return .rateLimited(retryAfter: r.retryAfter) }
        guard let v = JSONValue.parse(r.body) else {
            return DialectSupport.unparsed(r)
        }
        let words = messages(v)
        let text = words.isEmpty ? v["error"]?.text : words.joined(separator: ": ")
        let lower = words.joined(separator: " ").lowercased()
        if lower.contains("connection closed") || lower.contains("not connected") || lower.contains("connection lost") {
            return .notConnected(text)
        }
        if lower.contains("rate-overlimit") { return .rateLimited(retryAfter: r.retryAfter) }
        if lower.contains("error: forbidden") || lower.contains("not-authorized") { return .forbidden(text) }
        if lower.contains("item-not-found") { return .notFound(text ?? "the group or participant") }
        switch r.status {
        case 400, 422: return .validation(text ?? "invalid request")
        case 401: return .unauthorized(text)
        case 403: return .forbidden(text)
        case 404: return .notFound(text ?? "instance, group or participant")
        default: return .server(status: r.status, message: text)
        }
    }
}
