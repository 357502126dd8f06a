import Foundation
import WamodModel

/// Wawp (gateways.md §6, seed 001): `instance_id` and `access_token` as query parameters (the
/// access token also as an `access-token` header), one instance per session, WAHA's paths under
/// `/v2` without the session segment, WAHA's shapes for reads, `{"ok":true}` for every change, and
/// errors `{"status":…,"message":"…","error":"…"}`.
///
/// An instance is a world session, named by its id. Where gateways.md is silent, the emulator
/// answers as Wawp does: the seed lists `instance_id` and `access_token` among the body's fields
/// too, so a POST may carry them there; `participants` may be `{"id"}` objects (the WAHA form the
/// client sends) or plain JID strings (the seed's "list of JIDs"); `POST /v2/session/info` (as
/// the current page documents it) and `GET` (as an older page shows it) give WAHA's session
/// object, unless `WorldOptions.wawpSessionInfo` narrows it to one form; group calls need a `WORKING` instance (422
/// otherwise); groups come as WAHA's array with its paging and sorting; a change that names the
/// creator (remove, demote) or the instance's own account (remove) is 403, one that names a
/// non-member (remove, promote, demote) is 404, and nothing is changed then (the seed: "will
/// return an error"); an add WhatsApp declines (privacy, not on WhatsApp) still answers
/// `{"ok":true}`; the creator may leave; the rate limit is 429 with `Retry-After`; an unknown
/// route is a 404 whose message is `Cannot <METHOD> <path>` (the query, which carries the
/// secrets, is never echoed).
struct WawpRoutes: DialectRoutes {
    let token: String

    enum Route {
        case info
        case groups
        case participants(group: String)
        case mutate(MemberAction, group: String)
        case leave(group: String)
        // Group administration (gateways.md §9): the invite code, the admin-only settings (read
        // only: Wawp documents no setter), and sending a text.
        case inviteCode(group: String, reset: Bool)
        case security(GroupSetting, group: String)
        case sendText
    }

    /// The settings Wawp reads under `…/settings/security/` (https://api.wawp.net/en/docs/v2/groups/{id}/settings/security/messages-admin-only,
    /// …/info-admin-only: GET pages only).
    static let securityPaths: [String: GroupSetting] = ["messages-admin-only": .announce, "info-admin-only": .locked]

    /// Matches decoded segments after `/v2`.
    static func match(_ method: String, _ p: [String]) -> Route? {
        switch (method, p.count) {
        case ("GET", 2), ("POST", 2):
            if p[0] == "session" && p[1] == "info" { return .info }
            // https://api.wawp.net/en/docs/v2/send/text documents both methods.
            if p[0] == "send" && p[1] == "text" { return .sendText }
            return nil
        case ("GET", 3) where p[0] == "groups" && p[2] == "invite-code": return .inviteCode(group: p[1], reset: false)
        case ("POST", 4) where p[0] == "groups" && p[2] == "invite-code" && p[3] == "revoke": return .inviteCode(group: p[1], reset: true)
        case ("GET", 5) where p[0] == "groups" && p[2] == "settings" && p[3] == "security":
            return securityPaths[p[4]].map { .security($0, group: p[1]) }
        case ("GET", 1) where p[0] == "groups": return .groups
        case ("GET", 3) where p[0] == "groups" && p[2] == "participants": return .participants(group: p[1])
        case ("POST", 3) where p[0] == "groups" && p[2] == "leave": return .leave(group: p[1])
        case ("POST", 4) where p[0] == "groups" && p[2] == "participants":
            switch p[3] {
            case "remove": return .mutate(.remove, group: p[1])
            case "add": return .mutate(.add, group: p[1])
            default: return nil
            }
        case ("POST", 4) where p[0] == "groups" && p[2] == "admin":
            switch p[3] {
            case "promote": return .mutate(.promote, group: p[1])
            case "demote": return .mutate(.demote, group: p[1])
            default: return nil
            }
        default: return nil
        }
    }

    func respond(to request: SimRequest, world: World) async -> SimResponse {
        guard let segments = request.segments, segments.first == "v2",
              let route = Self.match(request.method, Array(segments.dropFirst()))
        else { return WawpRender.routeMiss(request) }
        if case .info = route, !world.options.wawpSessionInfo.serves(request.method) {
            return WawpRender.routeMiss(request)
        }
        let body = Self.bodyObject(request)
        let key = request.query["access_token"] ?? request.header("access-token") ?? body["access_token"] as? String
        guard let key, Auth.bearer("Bearer " + key, matches: token) else {
            return WawpRender.error(401, "Invalid or missing access token")
        }
        guard let instance = request.query["instance_id"] ?? body["instance_id"] as? String, !instance.isEmpty else {
            return WawpRender.error(400, "instance_id is required")
        }
        guard world.sessionState(instance) != nil else { return WawpRender.error(404, "Instance not found") }
        do throws(WawpFailure) {
            return try handle(route, instance: instance, request: request, body: body, world: world)
        } catch {
            return error.response
        }
    }

    static func bodyObject(_ request: SimRequest) -> [String: Any] {
        guard !request.body.isEmpty else { return [:] }
        return (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any] ?? [:]
    }

    private func handle(_ route: Route, instance: String, request: SimRequest, body: [String: Any],
                        world: World) throws(WawpFailure) -> SimResponse {
        switch route {
        case .info:
            guard let s = world.sessionState(instance) else { throw .refusal(.sessionNotFound) }
            return .json(200, WawpRender.session(s))
        case .groups:
            try Self.requireWorking(instance, world)
            let limit = try Self.nonNegative(request.query["limit"], "limit")
            let offset = try Self.nonNegative(request.query["offset"], "offset") ?? 0
            let descending = request.query["sortOrder"]?.lowercased() == "desc"
            let sort: GroupSort = request.query["sortBy"]?.lowercased() == "subject" ? .subject(descending: descending) : .fixture
            let excluded = (request.query["exclude"] ?? "").split(separator: ",").contains { $0 == "participants" }
            let listing = try WawpFailure.wrap { () throws(WorldRefusal) in
                try world.listGroups(session: instance, sort: sort, offset: offset, limit: limit, materialize: !excluded)
            }
            return .json(200, .array(listing.groups.map { WAHARender.group($0, participants: !excluded) }))
        case .participants(let g):
            try Self.requireWorking(instance, world)
            let group = try Self.group(g)
            let (_, state) = try WawpFailure.wrap { () throws(WorldRefusal) in try world.groupDetail(session: instance, group: group) }
            return .json(200, .array((state.members ?? []).map(WAHARender.participantV2)))
        case .mutate(let action, let g):
            try Self.requireWorking(instance, world)
            let group = try Self.group(g)
            let targets = try Self.targets(body)
            try Self.precheck(action, targets: targets, instance: instance, group: group, world: world)
            _ = try WawpFailure.wrap { () throws(WorldRefusal) in
                try world.apply(action, session: instance, group: group, targets: targets)
            }
            return .json(200, ["ok": true])
        case .leave(let g):
            try Self.requireWorking(instance, world)
            let group = try Self.group(g)
            try WawpFailure.wrap { () throws(WorldRefusal) in try world.leave(session: instance, group: group, ownerMayLeave: true) }
            return .json(200, ["ok": true])
        case .inviteCode(let g, let reset):
            // Wawp's pages (https://api.wawp.net/en/docs/v2/groups/{id}/invite-code, …/invite-code/revoke)
            // show no answer body; WAHA's is assumed (Wawp proxies WAHA's routes), as JSON (Wawp's
            // sample code parses it): the code as a JSON string (gateways.md §9).
            try Self.requireWorking(instance, world)
            let group = try Self.group(g)
            let code = try WawpFailure.wrap { () throws(WorldRefusal) in
                reset ? try world.resetInviteCode(session: instance, group: group) : try world.inviteCode(session: instance, group: group)
            }
            return .json(200, .string(code))
        case .security(let setting, let g):
            try Self.requireWorking(instance, world)
            let group = try Self.group(g)
            let (_, state) = try WawpFailure.wrap { () throws(WorldRefusal) in try world.groupDetail(session: instance, group: group) }
            return .json(200, ["adminsOnly": .bool(state.settings[setting] ?? false)])
        case .sendText:
            // `chatId` and `message`, in the query or (for POST) the body; WAHA's WAMessage is
            // answered (assumed, gateways.md §9).
            let chatText = request.query["chatId"] ?? body["chatId"] as? String
            let text = request.query["message"] ?? body["message"] as? String
            guard let chatText, !chatText.isEmpty else { throw .validation("chatId is required") }
            guard let text, !text.isEmpty else { throw .validation("message is required") }
            guard let chat = try? JID(parsing: chatText) else { throw .validation("invalid chatId: \(chatText)") }
            try Self.requireWorking(instance, world)
            let receipt = try WawpFailure.wrap { () throws(WorldRefusal) in try world.sendText(session: instance, to: chat, text: text) }
            return .json(200, WAHARender.message(receipt.message, from: world.sessionState(instance)))
        }
    }

    /// With no rows to report refusals in, a change that cannot apply to every participant is
    /// refused whole, before anything changes: not an admin (403), the creator (403), the
    /// instance's own account on remove (403), a non-member (404).
    static func precheck(_ action: MemberAction, targets: [JID], instance: String, group: JID,
                         world: World) throws(WawpFailure) {
        let (me, state) = try WawpFailure.wrap { () throws(WorldRefusal) in try world.groupDetail(session: instance, group: group) }
        guard let ours = me.ourRole(in: state), ours.isAdmin else { throw .refusal(.notAdmin) }
        guard action != .add else { return }
        let members = state.members ?? []
        for target in targets {
            if action == .remove, me.isOwnAccount(target) {
                throw .forbidden("the instance's own account cannot be removed: leave the group instead")
            }
            guard let m = members.first(where: { $0.person.matches(target) }) else {
                throw .notFound("\(target.cUs) is not a participant of this group")
            }
            if m.role == .superadmin, action == .remove || action == .demote {
                throw .forbidden("the group creator (superadmin) cannot be \(action.pastTense)")
            }
        }
    }

    static func requireWorking(_ instance: String, _ world: World) throws(WawpFailure) {
        guard let s = world.sessionState(instance) else { throw .refusal(.sessionNotFound) }
        if !s.connected { throw .refusal(.notConnected(status: s.offlineStatus)) }
    }

    static func group(_ text: String) throws(WawpFailure) -> JID {
        guard let jid = try? JID.group(text) else { throw .validation("invalid group id: a group JID ends in @g.us") }
        return jid
    }

    /// `participants`: `{"id"}` objects or JID strings.
    static func targets(_ body: [String: Any]) throws(WawpFailure) -> [JID] {
        guard let list = body["participants"] as? [Any], !list.isEmpty else {
            throw .validation("participants must be a non-empty array")
        }
        var out: [JID] = []
        for item in list {
            let text = item as? String ?? (item as? [String: Any])?["id"] as? String
            guard let text, let jid = try? JID.member(text) else {
                throw .validation("invalid participant id: \(text ?? "not a string")")
            }
            out.append(jid)
        }
        return out
    }

    static func nonNegative(_ text: String?, _ name: String) throws(WawpFailure) -> Int? {
        guard let text, !text.isEmpty else { return nil }
        guard let n = Int(text), n >= 0 else { throw .validation("\(name) must not be less than 0") }
        return n
    }

    func serverError(status: Int) -> SimResponse {
        WawpRender.error(status, status == 503 ? "Service temporarily unavailable" : "Internal server error")
    }

    func rateLimited(retryAfter: Int) -> SimResponse { WawpRender.tooManyRequests(retryAfter: retryAfter) }
}
