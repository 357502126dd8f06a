import Foundation
import Synchronization

/// `wasend` (docs: gateways.md §3). Batches participants in one request with per-row answers.
/// Sends the documented paths; when the server says the route itself does not exist, falls back
/// to the SDK's paths (`…/participants/remove`, `…/admin/promote`, `…/admin/demote`) and keeps
/// using them.
public typealias WasendGateway = HTTPGateway<WasendCodec>

extension HTTPGateway where Codec == WasendCodec {
    /// Whether this client has switched to the SDK's path forms.
    public var usesSDKPaths: Bool { codec.usesSDKPaths }
}

/// What `wasend` says and reads: groups paged by offset (with `hasMore`); a change answered
/// with lists of who was acted on and who not; two path forms for changes.
public final class WasendCodec: DialectCodec {
    public static let dialect = Dialect.wasend
    /// Administration as gateways.md §9 has it for Wasend: the invite code, the two admin-only
    /// settings (read and set one by one), a text; no join requests, no member-add or approval setter.
    public static let capabilities = Capabilities(batching: true, perRowResults: true, idempotentRemove: false, listsSessions: true,
                                                  ownerMayLeave: false, inviteLinks: true,
                                                  readsSettings: [.announce, .locked], setsSettings: [.announce, .locked],
                                                  sendsText: true)
    /// Learned from the server: it has only the SDK path forms.
    private let useSDKPaths = Mutex(false)
    /// Groups asked for per page.
    public let pageSize: Int

    public init(pageSize: Int) { self.pageSize = max(1, pageSize) }
    public convenience init() { self.init(pageSize: 50) }

    public static func credential(token: String) -> Credential { .bearer(token) }
    public static var probeRead: HTTPRequestSpec { WasendAPI.sessions() }
    public static func classify(_ status: Int, _ v: JSONValue) -> Probe.Verdict? {
        if (200..<300).contains(status), v["sessions"]?.array != nil { return .speaks }
        if status == 401, v["success"]?.bool == false, v["error"] != nil { return .refusesToken }
        return nil
    }

    /// A route the server does not have is `noSuchRoute`; anything else, Wasend's own words.
    public func error(_ r: HTTPResponseData, _ spec: HTTPRequestSpec) -> GatewayError {
        if DialectSupport.isRouteMiss(r, apiShape: WasendDecode.isAPIError) {
            return .noSuchRoute(method: spec.method, path: spec.redactedTarget)
        }
        return WasendDecode.error(r)
    }

    public func sessions(_ gw: HTTPGateway<WasendCodec>) async throws(GatewayError) -> [Session] {
        gw.remembered(try WasendDecode.sessions(try await gw.call(WasendAPI.sessions())))
    }

    public func groups(_ gw: HTTPGateway<WasendCodec>, session: String) async throws(GatewayError) -> [Group] {
        let me = await me(gw, session: session)
        return try await gw.byOffset(pageSize: pageSize) { offset throws(GatewayError) in
            let page = try WasendDecode.groups(try await gw.call(WasendAPI.groups(session: session, limit: pageSize, offset: offset)), me: me)
            return (page.items, page.rows, page.hasMore)
        }
    }

    public func participants(_ gw: HTTPGateway<WasendCodec>, session: String, group: JID) async throws(GatewayError) -> [Participant] {
        try WasendDecode.participants(try await gw.call(WasendAPI.participants(session: session, group: group)))
    }

    /// The path form learned, or the documented one.
    public func mutation(_ action: MemberAction, session: String, group: JID, target: JID) -> HTTPRequestSpec {
        WasendAPI.mutation(action, session: session, group: group, targets: [target], sdk: usesSDKPaths)
    }

    /// Whether this client has switched to the SDK's path forms.
    var usesSDKPaths: Bool { useSDKPaths.withLock { $0 } }

    /// Sends the documented path (or the SDK's, once learned); when the server says the route
    /// itself does not exist, the other form, which is kept from then on.
    public func send(_ action: MemberAction, session: String, group: JID, target: JID,
                     _ gw: HTTPGateway<WasendCodec>) async throws(GatewayError) -> (HTTPRequestSpec, HTTPResponseData) {
        let documented = WasendAPI.mutation(action, session: session, group: group, targets: [target], sdk: false)
        let sdk = WasendAPI.mutation(action, session: session, group: group, targets: [target], sdk: true)
        if documented == sdk { return (documented, try await gw.transport.send(documented)) }
        let first = usesSDKPaths ? sdk : documented
        let r = try await gw.transport.send(first)
        guard DialectSupport.isRouteMiss(r, apiShape: WasendDecode.isAPIError) else { return (first, r) }
        let other = first == sdk ? documented : sdk
        let second = try await gw.transport.send(other)
        if !DialectSupport.isRouteMiss(second, apiShape: WasendDecode.isAPIError) {
            useSDKPaths.withLock { $0 = (other == sdk) }
            return (other, second)
        }
        throw .noSuchRoute(method: first.method, path: first.redactedTarget)
    }

    public func reading(_ action: MemberAction, target: JID, _ r: HTTPResponseData, _ spec: HTTPRequestSpec) -> MemberReading {
        .outcome(WasendDecode.outcome(action, target: target, r))
    }

    public func leave(session: String, group: JID) -> HTTPRequestSpec { WasendAPI.leave(session: session, group: group) }

    public func leaveOutcome(_ r: HTTPResponseData, _ spec: HTTPRequestSpec) -> Outcome {
        if (200..<300).contains(r.status), JSONValue.parse(r.body)?["success"]?.bool != false { return .done }
        // 403 on leave is about this group only (not a member, or its owner): a refusal.
        let e = WasendDecode.error(r)
        return r.status == 403 ? .refused(e.detail ?? "not a member, or the group's owner") : .failed(e)
    }

    // MARK: Group administration (gateways.md §9)

    public func inviteLinkRead(session: String, group: JID) -> HTTPRequestSpec? { WasendAPI.inviteCode(session: session, group: group) }
    public func inviteLinkReset(session: String, group: JID) -> HTTPRequestSpec? { WasendAPI.revokeInviteCode(session: session, group: group) }
    public func inviteLink(_ r: HTTPResponseData, _ spec: HTTPRequestSpec) throws(GatewayError) -> InviteLink { try WasendDecode.invite(r) }

    public func settingsReads(session: String, group: JID) -> [SettingsRead] {
        [GroupSetting.announce, .locked].compactMap { s in WasendAPI.adminOnly(s, session: session, group: group).map { SettingsRead([s], $0) } }
    }

    public func settingsAnswer(_ r: HTTPResponseData, _ read: SettingsRead) throws(GatewayError) -> GroupSettings {
        var told = GroupSettings()
        if let s = read.settings.first { told[s] = try WasendDecode.enabled(r) }
        return told
    }

    /// One `PUT` per setting, announce first.
    public func settingsChanges(_ change: GroupSettings, session: String, group: JID) -> [SettingsStep] {
        change.known.compactMap { s, on in
            WasendAPI.setAdminOnly(s, on, session: session, group: group).map { spec in
                var one = GroupSettings()
                one[s] = on
                return SettingsStep(one, spec)
            }
        }
    }

    public func settingsStepOutcome(_ step: SettingsStep, _ r: HTTPResponseData) -> Outcome {
        guard let (s, on) = step.change.known.first else { return .done }
        if !(200..<300).contains(r.status) { return .failed(error(r, step.spec)) }
        return WasendDecode.setOutcome(s, wanted: on, r)
    }

    public func textMessage(session: String, to chat: JID, text: String) -> HTTPRequestSpec? {
        WasendAPI.sendText(session: session, to: chat, text: text)
    }

    public func textOutcome(_ r: HTTPResponseData, _ spec: HTTPRequestSpec) -> Outcome {
        (200..<300).contains(r.status) ? WasendDecode.sent(r) : .failed(error(r, spec))
    }
}
