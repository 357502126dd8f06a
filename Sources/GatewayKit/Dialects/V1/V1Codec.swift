import Foundation
import Synchronization

/// `v1`, the session gateway (docs: gateways.md §2). One member per request for remove,
/// promote and demote; 204 with no per-row detail; JIDs in paths with `@` as `%40`.
public typealias V1Gateway = HTTPGateway<V1Codec>

/// What `v1` says and reads: lists paged by cursor; an add answered 204 even when WhatsApp
/// declined some numbers, so the members are read back.
public final class V1Codec: DialectCodec {
    public static let dialect = Dialect.v1
    /// Administration as gateways.md §9 has it for v1: the invite link (read and reset), the
    /// two settings the group listing tells and `PATCH` sets, a text sent synchronously. Join
    /// requests have a route that cannot work (see `joinRequestsUnbuilt`).
    public static let capabilities = Capabilities(
        batching: false, perRowResults: false, idempotentRemove: true, listsSessions: true, readsBack: [.add],
        inviteLinks: true, readsSettings: [.announce, .locked], setsSettings: [.announce, .locked],
        joinRequests: false, sendsText: true,
        unavailable: [.approve: joinRequestsUnbuilt, .reject: joinRequestsUnbuilt])

    /// Why v1 offers no join requests although it names a route for them
    /// (https://wahost-rama.zeabur.app/docs/api/groups/ `approveGroupMembers`).
    public static let joinRequestsUnbuilt = "this gateway (v1) has a join-request route, POST …/members:approve, but it answers 501 not_implemented to every request: the gateway has not built join requests yet, so approve and reject are off"
    /// Group owners seen in group lists: the member list does not mark the creator.
    private let owners = Mutex<[String: JID]>([:])

    public init() {}

    public static func credential(token: String) -> Credential { .bearer(token) }
    public static var probeRead: HTTPRequestSpec { HTTPRequestSpec(method: "GET", path: "/api/v1/sessions") }
    public static func classify(_ status: Int, _ v: JSONValue) -> Probe.Verdict? {
        if (200..<300).contains(status), v["data"]?.array != nil { return .speaks }
        if status == 401 || status == 403, v["error"]?["code"]?.string != nil { return .refusesToken }
        return nil
    }

    public func error(_ r: HTTPResponseData, _ spec: HTTPRequestSpec) -> GatewayError { V1Decode.error(r, spec) }

    public func sessions(_ gw: HTTPGateway<V1Codec>) async throws(GatewayError) -> [Session] {
        gw.remembered(try await gw.byCursor(limit: 100_000, { V1API.sessions(cursor: $0) }, V1Decode.sessions))
    }

    public func groups(_ gw: HTTPGateway<V1Codec>, session: String) async throws(GatewayError) -> [Group] {
        var all = try await gw.byCursor(limit: 1_000_000, { V1API.groups(session: session, cursor: $0) }, V1Decode.groups)
        owners.withLock { map in
            for g in all { if let o = g.owner { map[session + " " + g.jid.string] = o } }
        }
        // The list does not carry our role; where the session's account created the group, it is known.
        if let me = await me(gw, session: session) {
            for i in all.indices where all[i].ourRole == nil {
                if let o = all[i].owner, me.isOwnAccount(o) { all[i].ourRole = .superadmin }
            }
        }
        return all
    }

    public func participants(_ gw: HTTPGateway<V1Codec>, session: String, group: JID) async throws(GatewayError) -> [Participant] {
        var owner = owners.withLock { $0[session + " " + group.string] }
        if owner == nil {
            owner = try await gw.groups(session: session).first { $0.jid == group }?.owner
        }
        return try await gw.byCursor(limit: 1_000_000, { V1API.members(session: session, group: group, cursor: $0) }) { r throws(GatewayError) in
            try V1Decode.members(r, owner: owner)
        }
    }

    public func mutation(_ action: MemberAction, session: String, group: JID, target: JID) -> HTTPRequestSpec {
        switch action {
        case .remove: V1API.remove(session: session, group: group, member: target)
        case .promote: V1API.promote(session: session, group: group, member: target)
        case .demote: V1API.demote(session: session, group: group, member: target)
        case .add: V1API.add(session: session, group: group, members: [target])
        }
    }

    public func reading(_ action: MemberAction, target: JID, _ r: HTTPResponseData, _ spec: HTTPRequestSpec) -> MemberReading {
        let ok = (200..<300).contains(r.status)
        // v1 answers an add 204 even when WhatsApp declined the number: the members are read back.
        if action == .add { return ok ? .readBack : .outcome(.failed(V1Decode.error(r))) }
        if ok { return .outcome(DialectSupport.unreadableSuccess(r, target)?.outcome ?? .done) }
        let e = V1Decode.error(r, spec)
        // A 403 about this participant (the group's creator) is their refusal, not a sign that
        // the session lost its admin rights: the next targets still go.
        if case .forbidden(let m?) = e, ["creator", "owner"].contains(where: { m.lowercased().contains($0) }) {
            return .outcome(.refused("not allowed: the group's creator cannot be \(action.pastTense)"))
        }
        return .outcome(.failed(e))
    }

    public func leave(session: String, group: JID) -> HTTPRequestSpec { V1API.leave(session: session, group: group) }

    public func leaveOutcome(_ r: HTTPResponseData, _ spec: HTTPRequestSpec) -> Outcome {
        (200..<300).contains(r.status) ? .done : .failed(V1Decode.error(r))
    }

    // MARK: Group administration (gateways.md §9)

    public func inviteLinkRead(session: String, group: JID) -> HTTPRequestSpec? { V1API.invite(session: session, group: group) }
    public func inviteLinkReset(session: String, group: JID) -> HTTPRequestSpec? { V1API.revokeInvite(session: session, group: group) }
    public func inviteLink(_ r: HTTPResponseData, _ spec: HTTPRequestSpec) throws(GatewayError) -> InviteLink { try V1Decode.invite(r) }

    /// v1 has no read of one group's settings: the group listing tells `isAnnounce` and
    /// `isLocked` (served from the gateway's stored data, as every list is). Read page by page
    /// until the group is found.
    public func settings(_ gw: HTTPGateway<V1Codec>, session: String, group: JID) async throws(GatewayError) -> GroupSettings {
        var cursor: String?
        for _ in 0..<100_000 {
            let page = try V1Decode.groups(try await gw.call(V1API.groups(session: session, cursor: cursor)))
            if let g = page.items.first(where: { $0.jid == group }) { return g.settings ?? GroupSettings() }
            cursor = HTTPGateway<V1Codec>.advance(cursor, to: page.next, pageEmpty: page.items.isEmpty)
            if cursor == nil { break }
        }
        throw .notFound("the group \(group) among the session's groups")
    }

    /// One `PATCH G` with every setting the change names.
    public func settingsChanges(_ change: GroupSettings, session: String, group: JID) -> [SettingsStep] {
        let step = GroupSettings(announce: change.announce, locked: change.locked)
        guard !step.isEmpty else { return [] }
        return [SettingsStep(step, V1API.update(session: session, group: group, announce: step.announce, locked: step.locked))]
    }

    /// 204 is done. A refusal of a PATCH that named both settings may come after the first was
    /// applied (the gateway applies them in order, each its own WhatsApp change): it says so.
    public func settingsStepOutcome(_ step: SettingsStep, _ r: HTTPResponseData) -> Outcome {
        if (200..<300).contains(r.status) { return .done }
        let e = V1Decode.error(r, step.spec)
        guard step.change.known.count > 1 else { return .failed(e) }
        return .failed(AdminShapes.noting(e, "the gateway applies \(step.change.known.map { $0.setting.title }.joined(separator: ", then ")) in that order: the first may have been applied before this"))
    }

    public func textMessage(session: String, to chat: JID, text: String) -> HTTPRequestSpec? {
        V1API.sendText(session: session, to: chat, text: text)
    }

    public func textOutcome(_ r: HTTPResponseData, _ spec: HTTPRequestSpec) -> Outcome {
        (200..<300).contains(r.status) ? V1Decode.sent(r) : .failed(V1Decode.error(r, spec))
    }
}
