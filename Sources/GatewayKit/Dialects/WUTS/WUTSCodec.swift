import Foundation

/// `wuts` (docs: gateways.md §5). `Authorization: Bearer <token>`, where the token belongs to one
/// WUTS device: that device is the one session, and no path names a session. Every member change
/// is `DELETE /groups/{jid}/participants` with an `action`; the answer lists one row per
/// participant. Errors come in the `{"success":false,"error":…,"error_code":…}` envelope.
///
/// Where gateways.md is silent, this client does what WUTS does: the session comes from
/// `GET /status` (the device's live state: `device_id`, `jid`, `connected`), which always answers
/// 200; a refused row carries WhatsApp's code in `error` (as the engine reports it), and a row
/// without one is done.
public typealias WUTSGateway = HTTPGateway<WUTSCodec>

/// What `wuts` says and reads: the token's device is the one session; one list of groups; every
/// change answered per row.
public struct WUTSCodec: DialectCodec {
    public static let dialect = Dialect.wuts
    public static let capabilities = Capabilities(batching: true, perRowResults: true, idempotentRemove: false, listsSessions: false)

    public init() {}

    public static func credential(token: String) -> Credential { .bearer(token) }
    public static var probeRead: HTTPRequestSpec { WUTSAPI.groups() }
    public static func classify(_ status: Int, _ v: JSONValue) -> Probe.Verdict? {
        if (200..<300).contains(status), v["success"]?.bool == true, v["groups"]?.array != nil { return .speaks }
        // A device that is not ready still answers in WUTS's envelope.
        if v["error_code"]?.string != nil { return status == 401 ? .refusesToken : .speaks }
        return nil
    }

    public func error(_ r: HTTPResponseData, _ spec: HTTPRequestSpec) -> GatewayError { WUTSDecode.error(r, spec) }

    /// Not 2xx, or `{"success":false}` whatever the status.
    public func failure(_ r: HTTPResponseData, _ spec: HTTPRequestSpec) -> GatewayError? {
        guard (200..<300).contains(r.status), JSONValue.parse(r.body)?["success"]?.bool != false else { return WUTSDecode.error(r, spec) }
        return nil
    }

    /// The token's device, as the one session.
    public func sessions(_ gw: HTTPGateway<WUTSCodec>) async throws(GatewayError) -> [Session] {
        gw.remembered([try WUTSDecode.status(try await gw.call(WUTSAPI.status()))])
    }

    // The `session` arguments below are not sent: the token names the device, whatever id the
    // caller holds for it.

    public func groups(_ gw: HTTPGateway<WUTSCodec>, session: String) async throws(GatewayError) -> [Group] {
        let me = await me(gw, session: session)
        return try WUTSDecode.groups(try await gw.call(WUTSAPI.groups()), me: me)
    }

    public func participants(_ gw: HTTPGateway<WUTSCodec>, session: String, group: JID) async throws(GatewayError) -> [Participant] {
        try WUTSDecode.participants(try await gw.call(WUTSAPI.group(group)))
    }

    public func mutation(_ action: MemberAction, session: String, group: JID, target: JID) -> HTTPRequestSpec {
        WUTSAPI.mutation(action, group: group, targets: [target])
    }

    public func reading(_ action: MemberAction, target: JID, _ r: HTTPResponseData, _ spec: HTTPRequestSpec) -> MemberReading {
        MemberRows.reading(action, target: target, r, error: { WUTSDecode.error(r, spec) }, rows: { WUTSDecode.rows(r, action: action) })
    }

    public func leave(session: String, group: JID) -> HTTPRequestSpec { WUTSAPI.leave(group) }

    public func leaveOutcome(_ r: HTTPResponseData, _ spec: HTTPRequestSpec) -> Outcome {
        if (200..<300).contains(r.status), JSONValue.parse(r.body)?["success"]?.bool != false { return .done }
        // Not a member of this group (any more): about this group only, a refusal.
        return DialectSupport.leaving(WUTSDecode.error(r, spec), notMember: true, forbidden: false)
    }
}
