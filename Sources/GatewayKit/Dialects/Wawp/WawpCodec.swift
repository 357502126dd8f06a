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
public typealias WawpGateway = HTTPGateway<WawpCodec>

extension HTTPGateway where Codec == WawpCodec {
    /// The identity read's method this gateway answered (`POST` or `GET`), once one did.
    public var sessionInfoMethod: String? { codec.sessionInfoMethod }
}

/// What `wawp` says and reads: the instance is the one session, read with POST or GET; reads
/// in WAHA's shapes; one participant per change, answered `{"ok":true}` and read back.
public final class WawpCodec: DialectCodec {
    public static let dialect = Dialect.wawp
    /// Administration as gateways.md §9 has it for Wawp: the invite code, two settings read
    /// and none set (only the GET pages exist), a text; no join requests.
    public static let capabilities = Capabilities(batching: false, perRowResults: false, idempotentRemove: false, listsSessions: false,
                                                  readsBack: Set(MemberAction.allCases), inviteLinks: true,
                                                  readsSettings: [.announce, .locked], sendsText: true)
    /// The identity read's form this gateway answered: learned once, kept for this object.
    private let infoMethod = Mutex<String?>(nil)
    /// Groups asked for per page.
    public let pageSize: Int

    public init(pageSize: Int) { self.pageSize = max(1, pageSize) }
    public convenience init() { self.init(pageSize: 50) }

    /// Wawp's two secrets, `instance_id` and `access_token`, travel as query parameters (masked in
    /// every log; never in a logged path, an error or the audit file). The profile's one token
    /// holds both as `INSTANCE_ID:ACCESS_TOKEN`, split at the first colon.
    public static func credential(token: String) -> Credential {
        guard let colon = token.firstIndex(of: ":") else {
            return Credential(queryItems: [URLQueryItem(name: "access_token", value: token)])
        }
        return Credential(queryItems: [URLQueryItem(name: "instance_id", value: String(token[..<colon])),
                                       URLQueryItem(name: "access_token", value: String(token[token.index(after: colon)...]))])
    }

    /// A wawp token has both parts, `INSTANCE_ID:ACCESS_TOKEN`.
    public static func checkToken(_ token: String) throws(GatewayError) {
        guard let colon = token.firstIndex(of: ":"), colon != token.startIndex, token.index(after: colon) != token.endIndex else {
            throw .configuration("a wawp token is INSTANCE_ID:ACCESS_TOKEN (the instance id and the access token joined by a colon); check the profile's token source")
        }
    }

    public static var tokenForm: String? { "INSTANCE_ID:ACCESS_TOKEN" }
    /// The instance id names the one session: `INSTANCE_ID:ACCESS_TOKEN`.
    public static func token(_ secret: String, session: String) -> String { "\(session):\(secret)" }
    public static var credentialInQuery: Bool { true }
    public static var probeRead: HTTPRequestSpec { HTTPRequestSpec(method: "GET", path: "/v2/session/info") }
    public static func classify(_ status: Int, _ v: JSONValue) -> Probe.Verdict? {
        if (200..<300).contains(status), v["status"] != nil || v["name"] != nil || v["me"] != nil { return .speaks }
        if (400...401).contains(status), v["status"] != nil, v["message"]?.string != nil, v["error"] != nil { return .refusesToken }
        return nil
    }

    public func error(_ r: HTTPResponseData, _ spec: HTTPRequestSpec) -> GatewayError { WawpDecode.error(r, spec) }

    /// The token's instance, as the one session; when its identity cannot be read, a session
    /// that says what is unknown (see `WawpDecode.unreadInstance`), not remembered.
    public func sessions(_ gw: HTTPGateway<WawpCodec>) async throws(GatewayError) -> [Session] {
        do throws(GatewayError) {
            return gw.remembered([try await readInstance(gw)])
        } catch {
            if WawpDecode.stopsListing(error) { throw error }
            return [WawpDecode.unreadInstance(error)]
        }
    }

    /// The identity read's method this gateway answered (`POST` or `GET`), once one did.
    var sessionInfoMethod: String? { infoMethod.withLock { $0 } }

    /// `POST /v2/session/info` (or the form learned earlier); on a route miss, the other form.
    private func readInstance(_ gw: HTTPGateway<WawpCodec>) async throws(GatewayError) -> Session {
        let known = infoMethod.withLock { $0 }
        let first = WawpAPI.sessionInfo(method: known ?? WawpAPI.documentedInfoMethod)
        let r = try await gw.transport.send(first)
        var spec = first, answer = r
        if WawpDecode.isInfoRouteMiss(r) {
            let other = WawpAPI.sessionInfo(method: first.method == "POST" ? "GET" : "POST")
            let second = try await gw.transport.send(other)
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
    public func me(_ gw: HTTPGateway<WawpCodec>, session: String) async -> Session? {
        await gw.account(of: session) { $0.account != nil || $0.accountLID != nil }
    }

    // The `session` arguments below are not sent: the credential's instance_id names the
    // instance, whatever id the caller holds for it.

    public func groups(_ gw: HTTPGateway<WawpCodec>, session: String) async throws(GatewayError) -> [Group] {
        let me = await me(gw, session: session)
        return try await gw.byOffset(pageSize: pageSize) { offset throws(GatewayError) in
            let page = try WAHAShapes.groups(try await gw.call(WawpAPI.groups(limit: pageSize, offset: offset)), me: me)
            return (page.items, page.rows, nil)
        }
    }

    public func participants(_ gw: HTTPGateway<WawpCodec>, session: String, group: JID) async throws(GatewayError) -> [Participant] {
        try WAHAShapes.participants(try await gw.call(WawpAPI.participants(group)))
    }

    public func mutation(_ action: MemberAction, session: String, group: JID, target: JID) -> HTTPRequestSpec {
        WawpAPI.mutation(action, group: group, targets: [target])
    }

    /// `{"ok":true}` says the call went through, not what WhatsApp did with the participant
    /// (an add declined for privacy, a creator who cannot be removed): the members are read back.
    public func reading(_ action: MemberAction, target: JID, _ r: HTTPResponseData, _ spec: HTTPRequestSpec) -> MemberReading {
        guard (200..<300).contains(r.status) else { return .outcome(WawpDecode.refusal(action, r, spec)) }
        switch WawpDecode.ok(r) {
        case .failure(let e): return .outcome(.failed(e))
        case .success(false):
            let m = JSONValue.parse(r.body).flatMap { WawpDecode.message($0) }
            return .outcome(.refused(m ?? "not \(action.pastTense): the gateway answered ok: false"))
        case .success(true): return .readBack
        }
    }

    public func leave(session: String, group: JID) -> HTTPRequestSpec { WawpAPI.leave(group) }

    public func leaveOutcome(_ r: HTTPResponseData, _ spec: HTTPRequestSpec) -> Outcome {
        let ok = (200..<300).contains(r.status)
        if ok, (try? WawpDecode.ok(r).get()) != false { return .done }
        let e = ok ? GatewayError.validation("the gateway answered ok: false") : WawpDecode.error(r, spec)
        // Not a member of this group (any more): about this group only, a refusal.
        return DialectSupport.leaving(e, notMember: true, forbidden: true)
    }

    // MARK: Group administration (gateways.md §9). Answers as WAHA's (Wawp's pages show none);
    // `{"ok":false}`, Wawp's own refusal, is read too.

    public func inviteLinkRead(session: String, group: JID) -> HTTPRequestSpec? { WawpAPI.inviteCode(group) }
    public func inviteLinkReset(session: String, group: JID) -> HTTPRequestSpec? { WawpAPI.revokeInviteCode(group) }
    public func inviteLink(_ r: HTTPResponseData, _ spec: HTTPRequestSpec) throws(GatewayError) -> InviteLink { try WAHAShapes.invite(r) }
    public func inviteResetOutcome(_ r: HTTPResponseData, _ spec: HTTPRequestSpec) -> Outcome {
        if (200..<300).contains(r.status), let refused = WawpDecode.notOK(r) { return refused }
        return WAHAShapes.resetOutcome(r) ?? .failed(WawpDecode.error(r, spec))
    }

    public func settingsReads(session: String, group: JID) -> [SettingsRead] {
        [GroupSetting.announce, .locked].compactMap { s in WawpAPI.security(s, group).map { SettingsRead([s], $0) } }
    }

    public func settingsAnswer(_ r: HTTPResponseData, _ read: SettingsRead) throws(GatewayError) -> GroupSettings {
        var told = GroupSettings()
        for s in read.settings { told[s] = try WAHAShapes.security(s, r) }
        return told
    }

    public func textMessage(session: String, to chat: JID, text: String) -> HTTPRequestSpec? { WawpAPI.sendText(to: chat, text: text) }

    public func textOutcome(_ r: HTTPResponseData, _ spec: HTTPRequestSpec) -> Outcome {
        guard (200..<300).contains(r.status) else { return .failed(WawpDecode.error(r, spec)) }
        return WawpDecode.notOK(r) ?? .done
    }
}
