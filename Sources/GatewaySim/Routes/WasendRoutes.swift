import WamodModel

/// Wasend (gateways.md §3, seeds 000 and 004): `Authorization: Bearer <apiKey>`, paths at the
/// root, bare arrays for groups and participants, per-row result bodies, errors
/// `{"success":false,"error":…,"message":…}`, and NestJS's 404 for unknown routes.
///
/// Both path forms are served (the documented `DELETE …/participants`,
/// `…/participants/promote|demote`, and the SDK's `POST …/participants/remove`,
/// `…/admin/promote|demote`) unless `WorldOptions.wasendPathForms` narrows it to one.
///
/// A session that is not `WORKING` gets 422 on group calls (lists included), as WAHA, which
/// Wasend runs on, answers; 422 is among Wasend's documented statuses.
struct WasendRoutes: DialectRoutes {
    let token: String

    enum Form { case any, documented, sdk }

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
        case settings(session: String, group: String, set: Bool)
        case sendText
    }

    /// The settings Wasend names under `…/settings/security/`.
    static let securityPaths: [String: GroupSetting] = ["messages-admin-only": .announce, "info-admin-only": .locked]

    static func match(_ method: String, _ p: [String]) -> (Route, Form)? {
        switch (method, p.count) {
        case ("GET", 1) where p[0] == "sessions": return (.sessions, .any)
        case ("POST", 1) where p[0] == "sendText" || p[0] == "send": return (.sendText, .any)
        case ("GET", 4) where p[1] == "groups" && p[3] == "invite-code":
            return (.inviteCode(session: p[0], group: p[2], reset: false), .any)
        case ("POST", 5) where p[1] == "groups" && p[3] == "invite-code" && p[4] == "revoke":
            return (.inviteCode(session: p[0], group: p[2], reset: true), .any)
        case ("GET", 4) where p[1] == "groups" && p[3] == "settings": return (.settings(session: p[0], group: p[2], set: false), .any)
        case ("PUT", 4) where p[1] == "groups" && p[3] == "settings": return (.settings(session: p[0], group: p[2], set: true), .any)
        case ("GET", 6), ("PUT", 6):
            guard p[1] == "groups", p[3] == "settings", p[4] == "security", let setting = securityPaths[p[5]] else { return nil }
            return (.security(setting, session: p[0], group: p[2], set: method == "PUT"), .any)
        case ("GET", 2) where p[1] == "groups": return (.groups(session: p[0]), .any)
        case ("GET", 3) where p[1] == "groups" && p[2] == "count": return (.count(session: p[0]), .any)
        case ("POST", 4) where p[1] == "groups" && p[3] == "leave": return (.leave(session: p[0], group: p[2]), .any)
        case ("GET", 4) where p[1] == "groups" && p[3] == "participants":
            return (.participants(session: p[0], group: p[2]), .any)
        case ("DELETE", 4) where p[1] == "groups" && p[3] == "participants":
            return (.mutate(.remove, session: p[0], group: p[2]), .documented)
        case ("POST", 5) where p[1] == "groups" && p[3] == "participants":
            switch p[4] {
            case "add": return (.mutate(.add, session: p[0], group: p[2]), .any)
            case "remove": return (.mutate(.remove, session: p[0], group: p[2]), .sdk)
            case "promote": return (.mutate(.promote, session: p[0], group: p[2]), .documented)
            case "demote": return (.mutate(.demote, session: p[0], group: p[2]), .documented)
            default: return nil
            }
        case ("POST", 5) where p[1] == "groups" && p[3] == "admin":
            switch p[4] {
            case "promote": return (.mutate(.promote, session: p[0], group: p[2]), .sdk)
            case "demote": return (.mutate(.demote, session: p[0], group: p[2]), .sdk)
            default: return nil
            }
        default: return nil
        }
    }

    func respond(to request: SimRequest, world: World) async -> SimResponse {
        guard let segments = request.segments, let (route, form) = Self.match(request.method, segments),
              Self.serves(form, world.options.wasendPathForms)
        else { return Self.nestNotFound(request) }
        guard Auth.bearer(request.authorization, matches: token) else {
            return Self.error(401, "Unauthorized", "Invalid API key")
        }
        do throws(WasendFailure) {
            return try handle(route, request: request, world: world)
        } catch {
            return error.response
        }
    }

    static func serves(_ form: Form, _ forms: WasendPathForms) -> Bool {
        switch (form, forms) {
        case (.any, _), (_, .both), (.documented, .documented), (.sdk, .sdk): true
        default: false
        }
    }

    private func handle(_ route: Route, request: SimRequest, world: World) throws(WasendFailure) -> SimResponse {
        switch route {
        case .sessions:
            return .json(200, ["sessions": .array(world.sessionStates().map(WasendRender.session))])
        case .groups(let s):
            // `limit` absent: every group (as WAHA does); `sortBy=subject` (or `name`) sorts by name.
            try Self.requireWorking(s, world)
            let limit = try Self.nonNegative(request.query["limit"], "limit")
            let offset = try Self.nonNegative(request.query["offset"], "offset") ?? 0
            let descending = request.query["sortOrder"]?.lowercased() == "desc"
            let sortBy = request.query["sortBy"]?.lowercased()
            let sort: GroupSort = sortBy == "subject" || sortBy == "name" ? .subject(descending: descending) : .fixture
            let listing = try WasendFailure.wrap { () throws(WorldRefusal) in
                try world.listGroups(session: s, sort: sort, offset: offset, limit: limit, materialize: true)
            }
            return .json(200, .array(listing.groups.map { WasendRender.group($0) }))
        case .count(let s):
            try Self.requireWorking(s, world)
            let listing = try WasendFailure.wrap { () throws(WorldRefusal) in
                try world.listGroups(session: s, offset: 0, limit: 0, materialize: false)
            }
            return .json(200, ["total": .int(listing.total)])
        case .participants(let s, let g):
            try Self.requireWorking(s, world)
            let group = try Self.group(g)
            let (_, state) = try WasendFailure.wrap { () throws(WorldRefusal) in try world.groupDetail(session: s, group: group) }
            return .json(200, .array((state.members ?? []).map(WasendRender.participant)))
        case .mutate(let action, let s, let g):
            let group = try Self.group(g)
            guard let raw = request.participantStrings(), !raw.isEmpty else {
                throw .status(400, "Bad Request", "participants is required: a non-empty array of participant ids")
            }
            var targets: [JID] = []
            for text in raw {
                guard let jid = try? JID.member(text) else {
                    throw .status(400, "Bad Request", "Invalid participant id: \(text)")
                }
                targets.append(jid)
            }
            let rules = try WasendFailure.wrap { () throws(WorldRefusal) in
                try world.apply(action, session: s, group: group, targets: targets)
            }
            return try WasendRender.result(action, rules)
        case .leave(let s, let g):
            let group = try Self.group(g)
            try WasendFailure.wrap { () throws(WorldRefusal) in try world.leave(session: s, group: group, ownerMayLeave: false) }
            return .json(200, ["success": true, "message": "Successfully left the group."])
        case .inviteCode(let s, let g, let reset):
            // https://wasend.dev/docs/groups/get-invite-code and …/revoke-invite-code show
            // `{"success","inviteCode"}`, but `@wasend/core` 1.3.3 types both answers as a bare
            // string and refuses the object: the SDK's form is answered (gateways.md §9).
            try Self.requireWorking(s, world)
            let group = try Self.group(g)
            let code = try WasendFailure.wrap { () throws(WorldRefusal) in
                reset ? try world.resetInviteCode(session: s, group: group) : try world.inviteCode(session: s, group: group)
            }
            return .json(200, .string(code))
        case .security(let setting, let s, let g, let set):
            // https://wasend.dev/docs/groups/set-messages-admin-only, …/set-info-admin-only.
            try Self.requireWorking(s, world)
            let group = try Self.group(g)
            guard set else {
                let (_, state) = try WasendFailure.wrap { () throws(WorldRefusal) in try world.groupDetail(session: s, group: group) }
                return .json(200, ["enabled": .bool(state.settings[setting] ?? false)])
            }
            guard let enabled = request.jsonObject()?["enabled"] as? Bool else {
                throw .status(400, "Bad Request", "enabled is required: true or false")
            }
            let now = try WasendFailure.wrap { () throws(WorldRefusal) in
                try world.updateGroup([.setting(setting, enabled)], session: s, group: group, allOrNothing: true)
            }
            let name = setting == .announce ? "Group messages setting 'messagesAdminOnly'" : "Group info setting 'infoAdminOnly'"
            return .json(200, ["success": true, "enabled": .bool(now[setting] ?? enabled), "message": .string("\(name) updated successfully.")])
        case .settings(let s, let g, let set):
            // https://wasend.dev/docs/groups/set-settings (both fields required) and …/get-settings.
            try Self.requireWorking(s, world)
            let group = try Self.group(g)
            guard set else {
                let (_, state) = try WasendFailure.wrap { () throws(WorldRefusal) in try world.groupDetail(session: s, group: group) }
                return .json(200, ["success": true,
                                   "settings": ["infoAdminOnly": .bool(state.isLocked), "messagesAdminOnly": .bool(state.isAnnounce),
                                                "ephemeralDuration": 0, "noFrequentlyForwarded": false],
                                   "error": nil])
            }
            let body = request.jsonObject()
            guard let info = body?["infoAdminOnly"] as? Bool, let messages = body?["messagesAdminOnly"] as? Bool else {
                throw .status(400, "Bad Request", "infoAdminOnly and messagesAdminOnly are required: true or false")
            }
            let now = try WasendFailure.wrap { () throws(WorldRefusal) in
                try world.updateGroup([.setting(.locked, info), .setting(.announce, messages)], session: s, group: group,
                                      allOrNothing: true)
            }
            return .json(200, ["success": true,
                               "settings": ["infoAdminOnly": .bool(now.locked ?? info), "messagesAdminOnly": .bool(now.announce ?? messages)],
                               "message": "Group settings updated successfully."])
        case .sendText:
            return try sendText(request, world: world)
        }
    }

    /// `POST /sendText` and `POST /send` `{"session","to","text"}`
    /// (https://wasend.dev/docs/messages/send-text, …/messages/send): only a text is modelled. The
    /// SDK's `sendText` sends no `session`; without one the documented request is incomplete: 400.
    private func sendText(_ request: SimRequest, world: World) throws(WasendFailure) -> SimResponse {
        guard let body = request.jsonObject() else { throw .status(400, "Bad Request", "the body must be a JSON object") }
        guard let s = body["session"] as? String, !s.isEmpty else {
            throw .status(400, "Bad Request", "session is required: the session ID to send from")
        }
        guard let to = body["to"] as? String, let chat = try? JID(parsing: to) else {
            throw .status(400, "Bad Request", "to is required: a phone number in international format or a group JID")
        }
        guard let text = body["text"] as? String, !text.isEmpty else {
            throw .status(400, "Bad Request", "text is required: only text messages are sent here")
        }
        try Self.requireWorking(s, world)
        let receipt = try WasendFailure.wrap { () throws(WorldRefusal) in try world.sendText(session: s, to: chat, text: text) }
        let sender = world.sessionState(s)?.account.phone.map { "+" + $0 } ?? ""
        let m = receipt.message
        return .json(200, ["id": .string(m.id), "to": .string(to), "content": .string(m.text), "type": "text",
                           "timestamp": .string(WasendRender.iso(Int64(m.at * 1000))), "status": "sent", "fromMe": true,
                           "sender": .string(sender), "recipient": .string(chat.cUs)])
    }

    /// Group calls need a `WORKING` session (reads included, as on WAHA).
    static func requireWorking(_ session: String, _ world: World) throws(WasendFailure) {
        guard let s = world.sessionState(session) else { throw .refusal(.sessionNotFound) }
        if !s.connected { throw .refusal(.notConnected(status: s.offlineStatus)) }
    }

    /// Group ids come as `…@g.us` (an `@` or `%40`) or as bare digits.
    static func group(_ text: String) throws(WasendFailure) -> JID {
        let full = text.contains("@") ? text : text + "@g.us"
        guard let jid = try? JID.group(full) else { throw .status(400, "Bad Request", "Invalid groupId: \(text)") }
        return jid
    }

    static func nonNegative(_ text: String?, _ name: String) throws(WasendFailure) -> Int? {
        guard let text else { return nil }
        guard let n = Int(text), n >= 0 else { throw .status(400, "Bad Request", "\(name) must be a non-negative integer") }
        return n
    }

    static func error(_ status: Int, _ error: String, _ message: String, headers: [(String, String)] = []) -> SimResponse {
        .json(status, ["success": false, "error": .string(error), "message": .string(message)], headers: headers)
    }

    /// What NestJS answers for a route it does not have. gateways.md §3's `{"success":false,…}`
    /// is the shape of the API's own errors; a path the server does not route never reaches
    /// the API, and this is how the client tells the two apart (the SDK-path fallback).
    static func nestNotFound(_ request: SimRequest) -> SimResponse {
        .json(404, ["message": .string("Cannot \(request.method) \(request.target)"), "error": "Not Found", "statusCode": 404])
    }

    func serverError(status: Int) -> SimResponse {
        Self.error(status, status == 503 ? "Service Unavailable" : "Internal Server Error",
                   "The server encountered an error (injected by the emulator).")
    }

    func rateLimited(retryAfter: Int) -> SimResponse { Self.tooManyRequests(retryAfter: retryAfter) }

    static func tooManyRequests(retryAfter: Int) -> SimResponse {
        error(429, "Too Many Requests", "Rate limit exceeded: retry in \(retryAfter) seconds.",
              headers: [("Retry-After", String(retryAfter))])
    }
}
