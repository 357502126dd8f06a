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
public typealias WUTSGateway = HTTPGateway<WUTSCodec>

/// What `wuts` says and reads: the token's device is the one session; one list of groups; every
/// change answered per row; a community's parent has a route of its own for removals.
public final class WUTSCodec: DialectCodec {
    public static let dialect = Dialect.wuts
    /// Administration as gateways.md §9 has it for WUTS: the invite link, the four settings in
    /// one `PATCH` (three of them told by the group's info), a text, and removals from a
    /// community's parent; no join requests.
    public static let capabilities = Capabilities(batching: true, perRowResults: true, idempotentRemove: false, listsSessions: false,
                                                  inviteLinks: true, readsSettings: [.announce, .locked, .approval],
                                                  setsSettings: Set(GroupSetting.allCases), sendsText: true, communities: true)

    /// Which groups are communities' parents, as the listing and the group's info said.
    ///
    /// A removal from a community's parent goes to `DELETE /communities/{jid}/participants`
    /// (seed 002): the JID alone cannot tell a parent from a group (both are `…@g.us`), so
    /// the codec goes by what WUTS said of the group, in `GET /groups` or `GET /groups/{jid}`
    /// (its `is_community`, or whatsmeow's `is_parent`). The executor reads the group's members
    /// (`GET /groups/{jid}`) before it changes them, so the flag is fresh when a removal goes;
    /// a group WUTS never called a community is a group.
    private let communities = Mutex<[JID: Bool]>([:])

    public init() {}

    /// Whether WUTS said `group` is a community's parent.
    public func isCommunity(_ group: JID) -> Bool { communities.withLock { $0[group] ?? false } }

    func learn(_ group: JID, community: Bool?) {
        guard let community else { return }
        communities.withLock { $0[group] = community }
    }

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
        let list = try WUTSDecode.groups(try await gw.call(WUTSAPI.groups()), me: me)
        for g in list { learn(g.jid, community: g.community) }
        return list
    }

    public func participants(_ gw: HTTPGateway<WUTSCodec>, session: String, group: JID) async throws(GatewayError) -> [Participant] {
        let r = try await gw.call(WUTSAPI.group(group))
        // The group's own info, read just before a change: one that does not call it a
        // community's parent (any more) is a group, whatever an earlier read said.
        learn(group, community: WUTSDecode.groupObject(r).map { WUTSDecode.community($0) ?? false })
        return try WUTSDecode.participants(r)
    }

    /// A removal from a group WUTS called a community's parent goes to the community route.
    public func mutation(_ action: MemberAction, session: String, group: JID, target: JID) -> HTTPRequestSpec {
        if action == .remove, isCommunity(group) { return WUTSAPI.removeFromCommunity(group, targets: [target]) }
        return WUTSAPI.mutation(action, group: group, targets: [target])
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

    // MARK: Group administration (gateways.md §9). The session is not sent: the token names the device.

    public func inviteLinkRead(session: String, group: JID) -> HTTPRequestSpec? { WUTSAPI.invite(group) }
    public func inviteLinkReset(session: String, group: JID) -> HTTPRequestSpec? { WUTSAPI.resetInvite(group) }
    public func inviteLink(_ r: HTTPResponseData, _ spec: HTTPRequestSpec) throws(GatewayError) -> InviteLink { try WUTSDecode.invite(r) }
    public func inviteResetOutcome(_ r: HTTPResponseData, _ spec: HTTPRequestSpec) -> Outcome {
        AdminShapes.unreadableSecret(r) ?? WUTSDecode.succeeded(r, spec)
    }

    /// The group's info (`GET /groups/{jid}`) tells announce, locked and approval (and the
    /// member-add mode where it carries one).
    public func settingsReads(session: String, group: JID) -> [SettingsRead] {
        [SettingsRead([.announce, .locked, .adminsAdd, .approval], WUTSAPI.group(group))]
    }

    public func settingsAnswer(_ r: HTTPResponseData, _ read: SettingsRead) throws(GatewayError) -> GroupSettings {
        try WUTSDecode.groupSettings(r)
    }

    /// One `PATCH` with every setting the change names: all or nothing.
    public func settingsChanges(_ change: GroupSettings, session: String, group: JID) -> [SettingsStep] {
        [SettingsStep(change, WUTSAPI.update(group, change))]
    }

    public func settingsStepOutcome(_ step: SettingsStep, _ r: HTTPResponseData) -> Outcome {
        guard (200..<300).contains(r.status) else { return .failed(WUTSDecode.error(r, step.spec)) }
        return WUTSDecode.updated(step.change, r)
    }

    public func textMessage(session: String, to chat: JID, text: String) -> HTTPRequestSpec? { WUTSAPI.sendText(to: chat, text: text) }
    public func textOutcome(_ r: HTTPResponseData, _ spec: HTTPRequestSpec) -> Outcome { WUTSDecode.succeeded(r, spec) }
}
