import Foundation

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
public typealias EvolutionGateway = HTTPGateway<EvolutionCodec>

/// What `evolution` says and reads: instances are sessions; one list of groups; every change
/// answered 201 with a status string per row.
public struct EvolutionCodec: DialectCodec {
    public static let dialect = Dialect.evolution
    /// Administration as gateways.md §9 has it for Evolution: the invite code, the two settings
    /// its group listing tells and `updateSetting` sets (one action each), a text; no join
    /// requests (the vendor has no such route).
    public static let capabilities = Capabilities(batching: true, perRowResults: true, idempotentRemove: false, listsSessions: true,
                                                  inviteLinks: true, readsSettings: [.announce, .locked], setsSettings: [.announce, .locked],
                                                  sendsText: true)

    public init() {}

    public static func credential(token: String) -> Credential { .header("apikey", token) }
    public static var probeRead: HTTPRequestSpec { EvolutionAPI.instances() }
    public static func classify(_ status: Int, _ v: JSONValue) -> Probe.Verdict? {
        if (200..<300).contains(status), let rows = v.array, rows.allSatisfy({ $0["connectionStatus"] != nil || $0["instance"] != nil }) { return .speaks }
        if status == 401, v["response"] != nil || v["error"]?.string == "Unauthorized" { return .refusesToken }
        return nil
    }

    public func error(_ r: HTTPResponseData, _ spec: HTTPRequestSpec) -> GatewayError { EvolutionDecode.error(r, spec) }

    public func sessions(_ gw: HTTPGateway<EvolutionCodec>) async throws(GatewayError) -> [Session] {
        gw.remembered(try EvolutionDecode.instances(try await gw.call(EvolutionAPI.instances())))
    }

    public func groups(_ gw: HTTPGateway<EvolutionCodec>, session: String) async throws(GatewayError) -> [Group] {
        let me = await me(gw, session: session)
        return try EvolutionDecode.groups(try await gw.call(EvolutionAPI.groups(instance: session)), me: me)
    }

    public func participants(_ gw: HTTPGateway<EvolutionCodec>, session: String, group: JID) async throws(GatewayError) -> [Participant] {
        try EvolutionDecode.participants(try await gw.call(EvolutionAPI.participants(instance: session, group: group)))
    }

    public func mutation(_ action: MemberAction, session: String, group: JID, target: JID) -> HTTPRequestSpec {
        EvolutionAPI.mutation(action, instance: session, group: group, targets: [target])
    }

    public func reading(_ action: MemberAction, target: JID, _ r: HTTPResponseData, _ spec: HTTPRequestSpec) -> MemberReading {
        MemberRows.reading(action, target: target, r, error: { EvolutionDecode.error(r, spec) }, rows: { EvolutionDecode.rows(r) })
    }

    public func leave(session: String, group: JID) -> HTTPRequestSpec { EvolutionAPI.leave(instance: session, group: group) }

    public func leaveOutcome(_ r: HTTPResponseData, _ spec: HTTPRequestSpec) -> Outcome {
        let ok = (200..<300).contains(r.status)
        if ok, JSONValue.parse(r.body)?["leave"]?.bool != false { return .done }
        let e = ok ? GatewayError.validation("the gateway answered leave: false") : EvolutionDecode.error(r, spec)
        // WhatsApp's refusal concerns this group only (not a member any more, or unknown to it).
        return DialectSupport.leaving(e, notMember: EvolutionDecode.isWhatsAppRefusal(r), forbidden: true)
    }

    // MARK: Group administration (gateways.md §9). Refusals name the operation
    // (`["No invite code", …]`, `["Revoke error", …]`, `["Error updating setting", …]`) and then
    // WhatsApp's cause, which `EvolutionDecode.error` reads (`Error: forbidden` is not an admin).

    public func inviteLinkRead(session: String, group: JID) -> HTTPRequestSpec? { EvolutionAPI.inviteCode(instance: session, group: group) }
    public func inviteLinkReset(session: String, group: JID) -> HTTPRequestSpec? { EvolutionAPI.revokeInviteCode(instance: session, group: group) }
    public func inviteLink(_ r: HTTPResponseData, _ spec: HTTPRequestSpec) throws(GatewayError) -> InviteLink { try EvolutionDecode.invite(r) }
    public func inviteResetOutcome(_ r: HTTPResponseData, _ spec: HTTPRequestSpec) -> Outcome {
        guard (200..<300).contains(r.status) else { return .failed(EvolutionDecode.error(r, spec)) }
        return AdminShapes.unreadableSecret(r) ?? EvolutionDecode.revoked(r)
    }

    /// Evolution has no read of one group's settings here: its group listing tells `announce`
    /// and `restrict` (gateways.md §7).
    public func settings(_ gw: HTTPGateway<EvolutionCodec>, session: String, group: JID) async throws(GatewayError) -> GroupSettings {
        let list = try EvolutionDecode.groups(try await gw.call(EvolutionAPI.groups(instance: session)), me: nil)
        guard let g = list.first(where: { $0.jid == group }) else { throw .notFound("the group \(group) among the instance's groups") }
        return g.settings ?? GroupSettings()
    }

    /// One `updateSetting` action per setting, announce first.
    public func settingsChanges(_ change: GroupSettings, session: String, group: JID) -> [SettingsStep] {
        change.known.compactMap { s, on in
            EvolutionAPI.updateSetting(s, on, instance: session, group: group).map { spec in
                var one = GroupSettings()
                one[s] = on
                return SettingsStep(one, spec)
            }
        }
    }

    public func textMessage(session: String, to chat: JID, text: String) -> HTTPRequestSpec? {
        EvolutionAPI.sendText(instance: session, to: chat, text: text)
    }
}
