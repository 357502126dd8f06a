import Foundation

/// `waha`, the self-hosted WhatsApp HTTP API (docs: gateways.md §4). `X-Api-Key` auth, paths
/// under `/api/{session}`, participants as `{"id": …}` objects, batches with per-row results in
/// one of the engines' raw shapes, 422 while the session is not `WORKING`, and WhatsApp's own
/// refusals as 500 with `exception.message`.
public typealias WAHAGateway = HTTPGateway<WAHACodec>

extension HTTPGateway where Codec == WAHACodec {
    public convenience init(transport: HTTPTransport, pageSize: Int) {
        self.init(codec: WAHACodec(pageSize: pageSize), transport: transport)
    }
}

/// What `waha` says and reads: groups paged by offset; a change answered per row, or with one
/// status for the whole call (then the members are read back).
public struct WAHACodec: DialectCodec {
    public static let dialect = Dialect.waha
    public static let capabilities = Capabilities(batching: true, perRowResults: true, idempotentRemove: false, listsSessions: true,
                                                  readsBack: Set(MemberAction.allCases))
    /// Groups asked for per page.
    public let pageSize: Int

    public init(pageSize: Int) { self.pageSize = max(1, pageSize) }
    public init() { self.init(pageSize: 50) }

    public static func credential(token: String) -> Credential { .header("X-Api-Key", token) }
    public static var probeRead: HTTPRequestSpec { WAHAAPI.sessions() }
    public static func classify(_ status: Int, _ v: JSONValue) -> Probe.Verdict? {
        if (200..<300).contains(status), let rows = v.array, rows.allSatisfy({ $0["name"]?.string != nil && $0["status"]?.string != nil }) { return .speaks }
        if status == 401, v["statusCode"]?.int == 401, v["message"] != nil, v["exception"] == nil { return .refusesToken }
        return nil
    }

    public func error(_ r: HTTPResponseData, _ spec: HTTPRequestSpec) -> GatewayError { WAHADecode.error(r, spec) }

    public func sessions(_ gw: HTTPGateway<WAHACodec>) async throws(GatewayError) -> [Session] {
        gw.remembered(try WAHADecode.sessions(try await gw.call(WAHAAPI.sessions())))
    }

    public func groups(_ gw: HTTPGateway<WAHACodec>, session: String) async throws(GatewayError) -> [Group] {
        let me = await me(gw, session: session)
        return try await gw.byOffset(pageSize: pageSize) { offset throws(GatewayError) in
            let page = try WAHADecode.groups(try await gw.call(WAHAAPI.groups(session: session, limit: pageSize, offset: offset)), me: me)
            return (page.items, page.rows, nil)
        }
    }

    public func participants(_ gw: HTTPGateway<WAHACodec>, session: String, group: JID) async throws(GatewayError) -> [Participant] {
        try WAHADecode.participants(try await gw.call(WAHAAPI.participants(session: session, group: group)))
    }

    public func mutation(_ action: MemberAction, session: String, group: JID, target: JID) -> HTTPRequestSpec {
        WAHAAPI.mutation(action, session: session, group: group, targets: [target])
    }

    public func reading(_ action: MemberAction, target: JID, _ r: HTTPResponseData, _ spec: HTTPRequestSpec) -> MemberReading {
        guard (200..<300).contains(r.status) else { return .outcome(.failed(WAHADecode.error(r, spec))) }
        switch WAHADecode.answer(r) {
        case .failure(let e): return .outcome(.failed(e))
        case .success(.rows(let rows)): return .outcome(MemberRows.outcome(action, target: target, rows: rows))
        // One status for the whole call does not say who was acted on: WhatsApp may decline silently.
        case .success(.whole(let status)):
            return (200..<300).contains(status) ? .readBack : .outcome(MemberRows.outcome(action, code: status))
        }
    }

    public func leave(session: String, group: JID) -> HTTPRequestSpec { WAHAAPI.leave(session: session, group: group) }

    public func leaveOutcome(_ r: HTTPResponseData, _ spec: HTTPRequestSpec) -> Outcome {
        if (200..<300).contains(r.status) { return .done }
        let e = WAHADecode.error(r, spec)
        if case .notFound = e, WAHADecode.isWhatsAppRefusal(r) {
            return .refused("WhatsApp does not know this group for the session's account: not a member")
        }
        return DialectSupport.leaving(e, notMember: false, forbidden: true)
    }
}
