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
    /// Administration as gateways.md §9 has it for WAHA: everything, the four security settings
    /// (read and set one request each) and join requests included; no community route.
    public static let capabilities = Capabilities(batching: true, perRowResults: true, idempotentRemove: false, listsSessions: true,
                                                  readsBack: Set(MemberAction.allCases), inviteLinks: true,
                                                  readsSettings: Set(GroupSetting.allCases), setsSettings: Set(GroupSetting.allCases),
                                                  joinRequests: true, sendsText: true)
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

    // MARK: Group administration (gateways.md §9)

    public func inviteLinkRead(session: String, group: JID) -> HTTPRequestSpec? { WAHAAPI.inviteCode(session: session, group: group) }
    public func inviteLinkReset(session: String, group: JID) -> HTTPRequestSpec? { WAHAAPI.revokeInviteCode(session: session, group: group) }
    public func inviteLink(_ r: HTTPResponseData, _ spec: HTTPRequestSpec) throws(GatewayError) -> InviteLink { try WAHAShapes.invite(r) }
    public func inviteResetOutcome(_ r: HTTPResponseData, _ spec: HTTPRequestSpec) -> Outcome {
        WAHAShapes.resetOutcome(r) ?? .failed(WAHADecode.error(r, spec))
    }

    public func settingsReads(session: String, group: JID) -> [SettingsRead] {
        GroupSetting.allCases.map { SettingsRead([$0], WAHAAPI.security($0, session: session, group: group)) }
    }

    public func settingsAnswer(_ r: HTTPResponseData, _ read: SettingsRead) throws(GatewayError) -> GroupSettings {
        var told = GroupSettings()
        for s in read.settings { told[s] = try WAHAShapes.security(s, r) }
        return told
    }

    /// One `PUT` per setting, in `GroupSetting`'s order (messages first).
    public func settingsChanges(_ change: GroupSettings, session: String, group: JID) -> [SettingsStep] {
        change.known.map { s, on in
            var one = GroupSettings()
            one[s] = on
            return SettingsStep(one, WAHAAPI.setSecurity(s, on, session: session, group: group))
        }
    }

    public func settingsStepOutcome(_ step: SettingsStep, _ r: HTTPResponseData) -> Outcome {
        guard (200..<300).contains(r.status) else { return .failed(WAHADecode.error(r, step.spec)) }
        return step.change.known.first.map { WAHAShapes.setOutcome($0.setting, r) } ?? .done
    }

    public func joinRequestsRead(session: String, group: JID) -> HTTPRequestSpec? { WAHAAPI.joinRequests(session: session, group: group) }
    public func joinRequests(_ r: HTTPResponseData) throws(GatewayError) -> [JoinRequest] { try WAHAShapes.joinRequests(r) }
    public func joinRequestAnswer(approve: Bool, session: String, group: JID, requester: JID) -> HTTPRequestSpec? {
        WAHAAPI.answerJoinRequest(approve: approve, session: session, group: group, requester: requester)
    }
    public func joinRequestOutcome(approve: Bool, requester: JID, _ r: HTTPResponseData, _ spec: HTTPRequestSpec) -> Outcome {
        guard (200..<300).contains(r.status) else { return .failed(WAHADecode.error(r, spec)) }
        return WAHAShapes.joinOutcome(approve: approve, requester: requester, r)
    }

    public func textMessage(session: String, to chat: JID, text: String) -> HTTPRequestSpec? {
        WAHAAPI.sendText(session: session, to: chat, text: text)
    }

    public func textOutcome(_ r: HTTPResponseData, _ spec: HTTPRequestSpec) -> Outcome {
        (200..<300).contains(r.status) ? .done : .failed(WAHADecode.error(r, spec))
    }
}
