import Foundation
import Synchronization

/// `wawp` (docs: gateways.md §6, seed 001). Auth by `instance_id` and `access_token` query
/// parameters, both secrets: they live only in the transport's credential, so no logged path, error
/// or audit record carries them. One instance is the one session. Paths mirror WAHA's under `/v2`
/// without the session segment; reads answer as WAHA does; every change answers `{"ok":true}`,
/// with no per-participant detail, so this client sends one participant per request (as Wawp
/// advises for pacing) and an error concerns that participant alone.
///
/// The profile's token holds both secrets as `INSTANCE_ID:ACCESS_TOKEN` (see `GatewayFactory`).
///
/// The session comes from the identity read of gateways.md §10: `POST /v2/session/info`, as
/// Wawp's current page documents it (https://api.wawp.net/en/docs/v2/session/info: POST, the
/// secrets in the query, no body), answered with WAHA's session object (`name`, `status`, `me`).
/// An older page (https://docs.wawp.net/get-session-info-19594178e0) shows `GET`: a gateway that
/// answers the POST as a route it does not have (404 `Cannot POST …`, or 405) is asked with GET,
/// and whichever form answered is used for the rest of this client object's life. A failed
/// identity read does not stop the listing: the instance is then a session whose account and
/// status are unknown (our role in each group shows as unknown), and the next read tries again;
/// only what would stop every other call alike is thrown (a refused token, an unknown
/// instance, a gateway that cannot be reached).
///
/// Where gateways.md is silent, this client does what Wawp does: an add answered
/// `{"ok":true}` is checked by reading the participants back, since WhatsApp declines some numbers
/// (privacy settings, not on WhatsApp) without failing the call; a 403 naming the creator and a
/// 404 naming the participant are refusals of that participant, any other 403 means the instance
/// is not an admin.
public final class WawpGateway: Gateway {
    public let dialect = Dialect.wawp
    public let capabilities = Capabilities(batching: false, perRowResults: false, idempotentRemove: false, listsSessions: false)
    let transport: HTTPTransport
    /// The instance, once read: its account tells our role in a group.
    private let instance = Mutex<Session?>(nil)
    /// The identity read's form this gateway answered: learned once, kept for this object.
    private let infoMethod = Mutex<String?>(nil)
    /// Groups asked for per page.
    public let pageSize: Int

    public init(transport: HTTPTransport, pageSize: Int = 50) {
        self.transport = transport
        self.pageSize = max(1, pageSize)
    }

    /// The token's instance, as the one session; when its identity cannot be read, a session
    /// that says what is unknown (see `WawpDecode.unreadInstance`).
    public func sessions() async throws(GatewayError) -> [Session] {
        do throws(GatewayError) {
            let s = try await readInstance()
            instance.withLock { $0 = s }
            return [s]
        } catch {
            if WawpDecode.stopsListing(error) { throw error }
            return [WawpDecode.unreadInstance(error)]
        }
    }

    /// The identity read's method this gateway answered (`POST` or `GET`), once one did.
    public var sessionInfoMethod: String? { infoMethod.withLock { $0 } }

    /// `POST /v2/session/info` (or the form learned earlier); on a route miss, the other form.
    private func readInstance() async throws(GatewayError) -> Session {
        let known = infoMethod.withLock { $0 }
        let first = WawpAPI.sessionInfo(method: known ?? WawpAPI.documentedInfoMethod)
        let r = try await transport.send(first)
        var spec = first, answer = r
        if WawpDecode.isInfoRouteMiss(r) {
            let other = WawpAPI.sessionInfo(method: first.method == "POST" ? "GET" : "POST")
            let second = try await transport.send(other)
            guard !WawpDecode.isInfoRouteMiss(second) else {
                throw .noSuchRoute(method: first.method, path: first.redactedTarget)
            }
            spec = other; answer = second
        }
        guard (200..<300).contains(answer.status) else { throw WawpDecode.error(answer, spec) }
        let s = try WawpDecode.session(answer)
        infoMethod.withLock { $0 = spec.method }
        return s
    }

    /// The instance, read once; nil while its identity cannot be read (roles stay unknown).
    private func me() async -> Session? {
        if let s = instance.withLock({ $0 }) { return s }
        guard let s = (try? await sessions())?.first, s.account != nil || s.accountLID != nil else { return nil }
        return s
    }

    // The `session` arguments below are not sent: the credential's instance_id names the
    // instance, whatever id the caller holds for it.

    public func groups(session: String) async throws(GatewayError) -> [Group] {
        let me = await me()
        return try await DialectSupport.pagedGroups(pageSize: pageSize) { offset throws(GatewayError) in
            let page = try WAHADecode.groups(try await call(WawpAPI.groups(limit: pageSize, offset: offset)), me: me)
            return (page.items, page.rows, nil)
        }
    }

    public func participants(session: String, group: JID) async throws(GatewayError) -> [Participant] {
        let r = try await call(WawpAPI.participants(group))
        return try WAHADecode.participants(r)
    }

    public func apply(_ action: MemberAction, session: String, group: JID, targets: [JID]) async throws(GatewayError) -> [TargetResult] {
        await DialectSupport.perTarget(targets) { target in
            let spec = WawpAPI.mutation(action, group: group, targets: [target])
            let r: HTTPResponseData
            do throws(GatewayError) { r = try await self.transport.send(spec) } catch {
                return TargetResult(target: target, outcome: .failed(error))
            }
            guard (200..<300).contains(r.status) else {
                let outcome = WawpDecode.refusal(action, r, spec)
                return TargetResult(target: target, outcome: outcome, httpStatus: r.status, latencyMs: r.latencyMs)
            }
            switch WawpDecode.ok(r) {
            case .failure(let e):
                return TargetResult(target: target, outcome: .failed(e), httpStatus: r.status, latencyMs: r.latencyMs)
            case .success(false):
                let m = JSONValue.parse(r.body).flatMap { WawpDecode.message($0) }
                return TargetResult(target: target, outcome: .refused(m ?? "not \(action.pastTense): the gateway answered ok: false"),
                                    httpStatus: r.status, latencyMs: r.latencyMs)
            case .success(true):
                return await self.verify(action, session: session, group: group, target: target, r)
            }
        }
    }

    /// `{"ok":true}` says the call went through, not what WhatsApp did with the participant
    /// (an add declined for privacy, a creator who cannot be removed): the participants are
    /// read back and the outcome is what they show.
    private func verify(_ action: MemberAction, session: String, group: JID, target: JID, _ r: HTTPResponseData) async -> TargetResult {
        let outcome: Outcome
        if let members = try? await participants(session: session, group: group) {
            outcome = WAHADecode.verified(action, members.first(matching: target))
        } else {
            outcome = .refused("sent, but not verified: the members could not be read back; refresh to check")
        }
        return TargetResult(target: target, outcome: outcome, httpStatus: r.status, latencyMs: r.latencyMs)
    }

    public func leave(session: String, group: JID) async throws(GatewayError) -> TargetResult {
        let spec = WawpAPI.leave(group)
        let r = try await transport.send(spec)
        // Cut short or not JSON: whether it left is unknown, and settled by reading again.
        if let unknown = DialectSupport.unreadableSuccess(r, group) { return unknown }
        if (200..<300).contains(r.status), (try? WawpDecode.ok(r).get()) != false {
            return TargetResult(target: group, outcome: .done, httpStatus: r.status, latencyMs: r.latencyMs)
        }
        let e = (200..<300).contains(r.status) ? GatewayError.validation("the gateway answered ok: false") : WawpDecode.error(r, spec)
        // Not a member of this group (any more): about this group only, a refusal.
        let outcome: Outcome = switch e {
        case .notFound(let m): .refused(m)
        case .forbidden(let m): .refused(m ?? "WhatsApp refused to leave this group")
        default: .failed(e)
        }
        return TargetResult(target: group, outcome: outcome, httpStatus: r.status, latencyMs: r.latencyMs)
    }

    private func call(_ spec: HTTPRequestSpec) async throws(GatewayError) -> HTTPResponseData {
        let r = try await transport.send(spec)
        guard (200..<300).contains(r.status) else { throw WawpDecode.error(r, spec) }
        return r
    }
}

/// The requests of `wawp`, as pure data. The credential adds `instance_id` and `access_token`.
public enum WawpAPI {
    static func groupPath(_ group: JID) -> String { "/v2/groups/\(PathEncoding.keepingAt(group.string))" }

    /// The method Wawp's current page documents for the identity read
    /// (https://api.wawp.net/en/docs/v2/session/info).
    public static let documentedInfoMethod = "POST"

    /// The instance's session (WAHA's session object): `POST` as documented, or `GET` as an
    /// older page shows it. No body: the credential's query carries both secrets. A read,
    /// whatever its method, so the transport may repeat it.
    public static func sessionInfo(method: String = documentedInfoMethod) -> HTTPRequestSpec {
        HTTPRequestSpec(method: method, path: "/v2/session/info", isReadOnly: true)
    }

    /// A page of groups, without their participants (as WAHA).
    public static func groups(limit: Int, offset: Int) -> HTTPRequestSpec {
        HTTPRequestSpec(method: "GET", path: "/v2/groups", query: [
            URLQueryItem(name: "limit", value: String(limit)), URLQueryItem(name: "offset", value: String(offset)),
            URLQueryItem(name: "sortBy", value: "subject"), URLQueryItem(name: "sortOrder", value: "asc"),
            URLQueryItem(name: "exclude", value: "participants"),
        ])
    }

    public static func participants(_ group: JID) -> HTTPRequestSpec {
        HTTPRequestSpec(method: "GET", path: "\(groupPath(group))/participants")
    }

    /// Remove, add, promote or demote: `{"participants":[{"id":"123@c.us"}]}`.
    public static func mutation(_ action: MemberAction, group: JID, targets: [JID]) -> HTTPRequestSpec {
        let tail = switch action {
        case .remove: "participants/remove"
        case .add: "participants/add"
        case .promote: "admin/promote"
        case .demote: "admin/demote"
        }
        let body = WAHAAPI.Participants(participants: targets.map { WAHAAPI.ParticipantID(id: $0.cUs) })
        return .json("POST", "\(groupPath(group))/\(tail)", body: body)
    }

    public static func leave(_ group: JID) -> HTTPRequestSpec {
        HTTPRequestSpec(method: "POST", path: "\(groupPath(group))/leave")
    }
}

/// The answers of `wawp`, decoded. Reads are WAHA's shapes (`WAHADecode`).
public enum WawpDecode {
    /// `POST` (or `GET`) `/v2/session/info`: `{"name","status","me":{"id","pushName"}}` (an array of one is read too).
    public static func session(_ r: HTTPResponseData) throws(GatewayError) -> Session {
        let v = try DialectSupport.json(r)
        let row = v.array?.first ?? v
        guard row.object != nil, let name = row["name"]?.text ?? row["session_name"]?.text else {
            throw .undecodable(status: r.status, excerpt: GatewayError.excerpt(r.body))
        }
        let status = row["status"]?.text ?? "unknown"
        let ids = [row["me"]?["id"], row["me"]?["lid"], row["me"]?["pn"]].compactMap { WAHADecode.jid($0) }
        // The session's name may be the instance id, a secret: it is neither shown nor recorded.
        // Wawp's paths carry no session, so the id is only the console's own handle.
        _ = name
        return Session(id: "instance", label: row["me"]?["pushName"]?.text ?? "Wawp instance", account: ids.first { $0.kind == .user },
                       accountLID: ids.first { $0.kind == .lid }, connected: status.uppercased() == "WORKING", status: status)
    }

    /// Whether the identity read's answer says the gateway has no such route for that
    /// method: a web server's 404 (`Cannot POST …`, or not Wawp's error shape), or a 405.
    static func isInfoRouteMiss(_ r: HTTPResponseData) -> Bool {
        r.status == 405 || DialectSupport.isRouteMiss(r, apiShape: isAPIError)
    }

    /// Whether an identity read's error would stop every other call alike (a refused access
    /// token, an unknown instance, a gateway that cannot be reached): it is reported as is.
    static func stopsListing(_ e: GatewayError) -> Bool {
        switch e {
        case .unauthorized, .notFound, .configuration, .transport: true
        default: false
        }
    }

    /// The instance when its identity read failed for another reason (a 5xx, an answer that
    /// does not decode, neither form served): its account is unknown, so our role in each
    /// group is too, and the status says why. Counted as connected: the gateway itself refuses
    /// (422) what a stopped instance cannot do, and the listing goes on.
    public static func unreadInstance(_ e: GatewayError) -> Session {
        let why: String = switch e {
        case .server(let status, _): "HTTP \(status)"
        case .noSuchRoute: "no session/info route"
        case .undecodable: "unreadable answer"
        case .rateLimited: "rate limited"
        default: "not readable"
        }
        return Session(id: "instance", label: "Wawp instance", account: nil, connected: true,
                       status: "unknown (session info: \(why))")
    }

    /// A change's answer: `{"ok":true}`; an empty body is the call's own success.
    public static func ok(_ r: HTTPResponseData) -> Result<Bool, GatewayError> {
        if r.body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return .success(true) }
        guard let v = JSONValue.parse(r.body), let ok = v["ok"]?.bool ?? v["success"]?.bool else {
            return .failure(.undecodable(status: r.status, excerpt: GatewayError.excerpt(r.body)))
        }
        return .success(ok)
    }

    /// What a failed change means for its one participant: the creator's immunity and a
    /// non-member are refusals of that participant; anything else is the error.
    public static func refusal(_ action: MemberAction, _ r: HTTPResponseData, _ spec: HTTPRequestSpec? = nil) -> Outcome {
        let e = error(r, spec)
        let words = (e.detail ?? "").lowercased()
        switch e {
        case .forbidden where words.contains("own account"):
            return .refused("not allowed: that is the session's own account (leave the group instead)")
        case .forbidden where ["creator", "owner", "superadmin"].contains { words.contains($0) }:
            return .refused("not allowed: the group's creator cannot be \(action.pastTense)")
        case .notFound where words.contains("participant") || words.contains("member"):
            return .refused(action == .add ? "not on WhatsApp" : "not a member of the group")
        default:
            return .failed(e)
        }
    }

    /// Whether a body is Wawp's own error (as opposed to a web server's 404 page).
    static func isAPIError(_ v: JSONValue) -> Bool { v["status"] != nil || v["error"] != nil }

    /// The answer's words: `message` (a string or a list), else `error`.
    static func message(_ v: JSONValue) -> String? { WAHADecode.message(v) }

    /// Maps a failed answer to an error: `{"status":…,"message":"…","error":"…"}`; 401 bad
    /// credentials, 403 not an admin, 404 unknown instance, group or participant, 422 the
    /// instance not `WORKING`, 429. With the request's `spec`, a route miss is `noSuchRoute`.
    public static func error(_ r: HTTPResponseData, _ spec: HTTPRequestSpec? = nil) -> GatewayError {
        if let spec, DialectSupport.isRouteMiss(r, apiShape: isAPIError) {
            return .noSuchRoute(method: spec.method, path: spec.redactedTarget)
        }
        if r.status == 429 { return .rateLimited(retryAfter: r.retryAfter) }
        guard let v = JSONValue.parse(r.body) else {
            return DialectSupport.unparsed(r)
        }
        // The gateway's words could echo the request's query: keep secrets out of them.
        let text = message(v).map(Redaction.scrub)
        let lower = (text ?? "").lowercased()
        if r.status == 422 || r.status == 409,
           lower.contains("status") || lower.contains("working") || lower.contains("not connected") {
            return .notConnected(text)
        }
        switch r.status {
        case 400, 422: return .validation(text ?? "invalid request")
        case 401: return .unauthorized(text)
        case 403: return .forbidden(text)
        case 404: return .notFound(text ?? "instance, group or participant")
        default: return .server(status: r.status, message: text)
        }
    }
}
