import Foundation
import WamodModel

/// WAHA (gateways.md §4), as its NOWEB engine answers: `X-Api-Key` auth, paths under
/// `/api/{session}`, groups as an object keyed by JID, `participants/v2` rows, mutations with
/// `{"participants":[{"id":…}]}` answered 200 with the engine's per-row results, 422 while the
/// session is not `WORKING` (reads included), WhatsApp's refusals as 500 with
/// `exception.message`, and NestJS's 404 for unknown routes.
///
/// Where gateways.md is silent, the emulator answers as WAHA does: `GET /api/sessions` without
/// `all=true` leaves out STOPPED sessions; `me` is null until the account is logged in; `limit`
/// absent lists every group; leave answers 200 with an empty body (NOWEB returns nothing), and
/// the creator may leave (WhatsApp allows it); a body without a `participants` array is
/// NestJS's 400; an id WhatsApp cannot parse is its `bad-request`; the session's own rate limit
/// answers 429 with `Retry-After` (gateways.md §8), where WhatsApp's own `rate-overlimit`
/// would come as a 500.
struct WAHARoutes: DialectRoutes {
    let token: String

    enum Route {
        case sessions
        case groups(session: String)
        case count(session: String)
        case participants(session: String, group: String)
        case mutate(MemberAction, session: String, group: String)
        case leave(session: String, group: String)
        // Group administration (gateways.md §9).
        case inviteCode(session: String, group: String, reset: Bool)
        case security(GroupSetting, session: String, group: String, set: Bool)
        case joinRequests(session: String, group: String)
        case answerJoinRequests(approve: Bool, session: String, group: String)
        case sendText
    }

    /// The settings under `…/settings/security/`, and the body field each is read and set by
    /// (https://waha.devlike.pro/docs/how-to/groups/; `waha-py` 2026.9.2's OpenAPI).
    static let securityPaths: [String: (GroupSetting, String)] = [
        "messages-admin-only": (.announce, "adminsOnly"),
        "info-admin-only": (.locked, "adminsOnly"),
        "member-add-mode": (.adminsAdd, "membersCanAddNewMember"),
        "membership-approval": (.approval, "newMembersApprovalRequired"),
    ]

    /// Matches decoded segments after `/api`.
    static func match(_ method: String, _ p: [String]) -> Route? {
        switch (method, p.count) {
        case ("GET", 1) where p[0] == "sessions": return .sessions
        case ("POST", 1) where p[0] == "sendText": return .sendText
        case ("GET", 4) where p[1] == "groups" && p[3] == "invite-code": return .inviteCode(session: p[0], group: p[2], reset: false)
        case ("POST", 5) where p[1] == "groups" && p[3] == "invite-code" && p[4] == "revoke":
            return .inviteCode(session: p[0], group: p[2], reset: true)
        case ("GET", 5) where p[1] == "groups" && p[3] == "participants" && p[4] == "join-requests":
            return .joinRequests(session: p[0], group: p[2])
        case ("POST", 6) where p[1] == "groups" && p[3] == "participants" && p[4] == "join-requests":
            switch p[5] {
            case "approve": return .answerJoinRequests(approve: true, session: p[0], group: p[2])
            case "reject": return .answerJoinRequests(approve: false, session: p[0], group: p[2])
            default: return nil
            }
        case ("GET", 6), ("PUT", 6):
            guard p[1] == "groups", p[3] == "settings", p[4] == "security", let (setting, _) = securityPaths[p[5]] else { return nil }
            return .security(setting, session: p[0], group: p[2], set: method == "PUT")
        case ("GET", 2) where p[1] == "groups": return .groups(session: p[0])
        case ("GET", 3) where p[1] == "groups" && p[2] == "count": return .count(session: p[0])
        case ("POST", 4) where p[1] == "groups" && p[3] == "leave": return .leave(session: p[0], group: p[2])
        case ("GET", 5) where p[1] == "groups" && p[3] == "participants" && p[4] == "v2":
            return .participants(session: p[0], group: p[2])
        case ("POST", 5) where p[1] == "groups" && p[3] == "participants":
            switch p[4] {
            case "add": return .mutate(.add, session: p[0], group: p[2])
            case "remove": return .mutate(.remove, session: p[0], group: p[2])
            default: return nil
            }
        case ("POST", 5) where p[1] == "groups" && p[3] == "admin":
            switch p[4] {
            case "promote": return .mutate(.promote, session: p[0], group: p[2])
            case "demote": return .mutate(.demote, session: p[0], group: p[2])
            default: return nil
            }
        default: return nil
        }
    }

    func respond(to request: SimRequest, world: World) async -> SimResponse {
        respond(to: request, key: request.header("X-Api-Key"), world: world)
    }

    /// `key` is the request's `X-Api-Key`, checked against the token.
    func respond(to request: SimRequest, key: String?, world: World) -> SimResponse {
        guard var segments = request.segments, segments.first == "api" else { return Self.nestNotFound(request) }
        // A session is named by its label (WAHA's session name); its id is accepted too.
        if segments.count > 1, segments[1] != "sessions", let named = world.session(labeled: segments[1]) {
            segments[1] = named.id
        }
        guard let route = Self.match(request.method, Array(segments.dropFirst())) else { return Self.nestNotFound(request) }
        if !Self.keyMatches(key, token) {
            return .json(401, ["message": "Unauthorized", "statusCode": 401])
        }
        do throws(WAHAFailure) {
            return try handle(route, request: request, world: world)
        } catch {
            return error.response(request)
        }
    }

    /// Constant-time (for a given length) comparison of the `X-Api-Key` header with the token.
    static func keyMatches(_ given: String?, _ token: String) -> Bool {
        guard let given else { return false }
        return Auth.bearer("Bearer " + given, matches: token)
    }

    private func handle(_ route: Route, request: SimRequest, world: World) throws(WAHAFailure) -> SimResponse {
        switch route {
        case .sessions:
            let all = ["true", "1"].contains(request.query["all"]?.lowercased() ?? "")
            let rows = world.sessionStates().filter { all || $0.connected || $0.offlineStatus != "STOPPED" }
            return .json(200, .array(rows.map(WAHARender.session)))
        case .groups(let s):
            try Self.requireWorking(s, world)
            let limit = try Self.nonNegative(request.query["limit"], "limit")
            let offset = try Self.nonNegative(request.query["offset"], "offset") ?? 0
            let descending = request.query["sortOrder"]?.lowercased() == "desc"
            let sort: GroupSort = request.query["sortBy"]?.lowercased() == "subject" ? .subject(descending: descending) : .fixture
            let excluded = (request.query["exclude"] ?? "").split(separator: ",").contains { $0 == "participants" }
            let listing = try WAHAFailure.wrap(s) { () throws(WorldRefusal) in
                try world.listGroups(session: s, sort: sort, offset: offset, limit: limit, materialize: !excluded)
            }
            // The NOWEB engine answers an object keyed by group JID, in the listing's order.
            return .json(200, .object(listing.groups.map { g in
                JSON.Field(g.jid.string, WAHARender.group(g, participants: !excluded))
            }))
        case .count(let s):
            try Self.requireWorking(s, world)
            let listing = try WAHAFailure.wrap(s) { () throws(WorldRefusal) in
                try world.listGroups(session: s, offset: 0, limit: 0, materialize: false)
            }
            return .json(200, ["count": .int(listing.total)])
        case .participants(let s, let g):
            try Self.requireWorking(s, world)
            let group = try Self.group(g)
            let (_, state) = try WAHAFailure.wrap(s) { () throws(WorldRefusal) in try world.groupDetail(session: s, group: group) }
            return .json(200, .array((state.members ?? []).map(WAHARender.participantV2)))
        case .mutate(let action, let s, let g):
            try Self.requireWorking(s, world)
            let group = try Self.group(g)
            let targets = try Self.targets(request)
            let rules = try WAHAFailure.wrap(s) { () throws(WorldRefusal) in
                try world.apply(action, session: s, group: group, targets: targets)
            }
            return .json(200, WAHARender.rows(action, rules))
        case .leave(let s, let g):
            try Self.requireWorking(s, world)
            let group = try Self.group(g)
            try WAHAFailure.wrap(s) { () throws(WorldRefusal) in try world.leave(session: s, group: group, ownerMayLeave: true) }
            return SimResponse(status: 200, headers: [], body: [])
        case .inviteCode(let s, let g, let reset):
            // The code itself, raw, as `text/html` (WAHA's controller returns the string). The
            // revoke is a POST: answered 200 like the other POSTs here.
            try Self.requireWorking(s, world)
            let group = try Self.group(g)
            let code = try WAHAFailure.wrap(s) { () throws(WorldRefusal) in
                reset ? try world.resetInviteCode(session: s, group: group) : try world.inviteCode(session: s, group: group)
            }
            return SimResponse(status: 200, headers: [("Content-Type", "text/html; charset=utf-8")], body: Array(code.utf8))
        case .security(let setting, let s, let g, let set):
            try Self.requireWorking(s, world)
            let group = try Self.group(g)
            let field = Self.field(setting)
            guard set else {
                let (_, state) = try WAHAFailure.wrap(s) { () throws(WorldRefusal) in try world.groupDetail(session: s, group: group) }
                return .json(200, .object([.init(field, .bool(Self.wire(setting, state.settings[setting] ?? false)))]))
            }
            guard let value = request.jsonObject()?[field] as? Bool else {
                throw .validation("\(field) must be a boolean value")
            }
            _ = try WAHAFailure.wrap(s) { () throws(WorldRefusal) in
                try world.updateGroup([.setting(setting, Self.wire(setting, value))], session: s, group: group, allOrNothing: true)
            }
            // "Returns true if the setting was properly updated" (gateways.md §9).
            return .json(200, true)
        case .joinRequests(let s, let g):
            try Self.requireWorking(s, world)
            let group = try Self.group(g)
            let requests = try WAHAFailure.wrap(s) { () throws(WorldRefusal) in try world.joinRequests(session: s, group: group) }
            return .json(200, .array(requests.map(WAHARender.joinRequest)))
        case .answerJoinRequests(let approve, let s, let g):
            try Self.requireWorking(s, world)
            let group = try Self.group(g)
            let requesters = try Self.targets(request)
            let answers = try WAHAFailure.wrap(s) { () throws(WorldRefusal) in
                try world.answerJoinRequests(approve: approve, session: s, group: group, requesters: requesters)
            }
            return .json(200, .array(answers.map(WAHARender.joinAnswer)))
        case .sendText:
            // `POST /api/sendText {"session","chatId","text"}` (https://waha.devlike.pro/docs/how-to/send-messages):
            // the session defaults to "default", as WAHA's; named by its name or its id.
            let body = request.jsonObject() ?? [:]
            let named = body["session"] as? String ?? "default"
            let s = world.session(labeled: named)?.id ?? named
            guard let raw = body["chatId"] as? String else { throw .validation("chatId should not be empty") }
            guard let text = body["text"] as? String else { throw .validation("text must be a string") }
            try Self.requireWorking(s, world)
            guard let chat = try? JID(parsing: raw) else { throw .whatsApp(.badRequest) }
            let receipt = try WAHAFailure.wrap(named) { () throws(WorldRefusal) in try world.sendText(session: s, to: chat, text: text) }
            return .json(200, WAHARender.message(receipt.message, from: world.sessionState(s)))
        }
    }

    /// The body field a setting is read and set by.
    static func field(_ setting: GroupSetting) -> String {
        securityPaths.values.first { $0.0 == setting }?.1 ?? "adminsOnly"
    }

    /// A setting's value as WAHA's field says it: `membersCanAddNewMember` is the opposite of
    /// "only admins add"; the others say the setting itself (its own inverse, both ways).
    static func wire(_ setting: GroupSetting, _ on: Bool) -> Bool { setting == .adminsAdd ? !on : on }

    /// Group calls need a `WORKING` session (reads included).
    static func requireWorking(_ session: String, _ world: World) throws(WAHAFailure) {
        guard let s = world.sessionState(session) else { throw .refusal(.sessionNotFound, session: session) }
        if !s.connected { throw .refusal(.notConnected(status: s.offlineStatus), session: session) }
    }

    /// Group ids come as `…@g.us` (an `@` or `%40`); WhatsApp refuses anything else.
    static func group(_ text: String) throws(WAHAFailure) -> JID {
        guard let jid = try? JID.group(text) else { throw .whatsApp(.badRequest) }
        return jid
    }

    /// The body's `participants`: objects with a string `id`; WhatsApp refuses ids it cannot parse.
    static func targets(_ request: SimRequest) throws(WAHAFailure) -> [JID] {
        guard let list = request.participantObjects(), !list.isEmpty else {
            throw .validation("participants must be a non-empty array of objects like {\"id\": \"123@c.us\"}")
        }
        var out: [JID] = []
        for text in list {
            guard let jid = try? JID.member(text) else { throw .whatsApp(.badRequest) }
            out.append(jid)
        }
        return out
    }

    static func nonNegative(_ text: String?, _ name: String) throws(WAHAFailure) -> Int? {
        guard let text, !text.isEmpty else { return nil }
        guard let n = Int(text), n >= 0 else { throw .validation("\(name) must not be less than 0") }
        return n
    }

    /// What NestJS answers for a route it does not have.
    static func nestNotFound(_ request: SimRequest) -> SimResponse {
        .json(404, ["message": .string("Cannot \(request.method) \(request.target)"), "error": "Not Found", "statusCode": 404])
    }

    func serverError(status: Int) -> SimResponse {
        if status == 500 {
            return .json(500, ["statusCode": 500, "timestamp": .string(WAHARender.iso(.now)),
                               "exception": ["message": "internal error (injected by the emulator)", "name": "Error"],
                               "version": WAHARender.version])
        }
        return .json(status, ["statusCode": .int(status), "message": status == 503 ? "Service Unavailable" : "Server Error"])
    }

    func rateLimited(retryAfter: Int) -> SimResponse { Self.tooManyRequests(retryAfter: retryAfter) }

    static func tooManyRequests(retryAfter: Int) -> SimResponse {
        .json(429, ["statusCode": 429, "message": .string("Too Many Requests: retry in \(retryAfter) s")],
              headers: [("Retry-After", String(retryAfter))])
    }
}

extension SimRequest {
    /// The body's `participants` as `[{"id": "…"}]`: the ids, or nil when the shape is not that.
    func participantObjects() -> [String]? {
        guard !body.isEmpty,
              let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
              let list = object["participants"] as? [Any]
        else { return nil }
        let ids = list.compactMap { ($0 as? [String: Any])?["id"] as? String }
        return ids.count == list.count ? ids : nil
    }
}
