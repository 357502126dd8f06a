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
    }

    static func match(_ method: String, _ p: [String]) -> (Route, Form)? {
        switch (method, p.count) {
        case ("GET", 1) where p[0] == "sessions": return (.sessions, .any)
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
        }
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
