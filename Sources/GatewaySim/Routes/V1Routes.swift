import WamodModel

/// The `v1` session gateway (gateways.md §2, seed 003): `Authorization: Bearer <token>`, base
/// `/api/v1`, errors `{"error":{"code":…,"message":…,"details":{}}}`, 204 for mutations.
struct V1Routes: DialectRoutes {
    let token: String

    enum Route {
        case sessions
        case groups(session: String)
        case members(session: String, group: String)
        case add(session: String, group: String)
        case remove(session: String, group: String, member: String)
        case promote(session: String, group: String, member: String)
        case demote(session: String, group: String, member: String)
        case leave(session: String, group: String)
        // Group administration (gateways.md §9).
        case invite(session: String, group: String)
        case resetInvite(session: String, group: String)
        case update(session: String, group: String)
        case approve(session: String, group: String)
        case send(session: String)
    }

    /// Matches decoded segments after `/api/v1/sessions`. `{g}:leave` is one segment, split here.
    static func match(_ method: String, _ p: [String]) -> Route? {
        switch (method, p.count) {
        case ("GET", 0): return .sessions
        case ("GET", 2) where p[1] == "groups": return .groups(session: p[0])
        case ("POST", 2) where p[1] == "messages": return .send(session: p[0])
        case ("PATCH", 3) where p[1] == "groups" && !p[2].contains(":"): return .update(session: p[0], group: p[2])
        case ("GET", 4) where p[1] == "groups" && p[3] == "invite": return .invite(session: p[0], group: p[2])
        case ("DELETE", 4) where p[1] == "groups" && p[3] == "invite": return .resetInvite(session: p[0], group: p[2])
        case ("POST", 4) where p[1] == "groups" && p[3] == "members:approve": return .approve(session: p[0], group: p[2])
        case ("POST", 3) where p[1] == "groups" && p[2].hasSuffix(":leave"):
            return .leave(session: p[0], group: String(p[2].dropLast(":leave".count)))
        case ("GET", 4) where p[1] == "groups" && p[3] == "members": return .members(session: p[0], group: p[2])
        case ("POST", 4) where p[1] == "groups" && p[3] == "members": return .add(session: p[0], group: p[2])
        case ("DELETE", 5) where p[1] == "groups" && p[3] == "members":
            return .remove(session: p[0], group: p[2], member: p[4])
        case ("POST", 6) where p[1] == "groups" && p[3] == "members" && p[5] == "promote":
            return .promote(session: p[0], group: p[2], member: p[4])
        case ("POST", 6) where p[1] == "groups" && p[3] == "members" && p[5] == "demote":
            return .demote(session: p[0], group: p[2], member: p[4])
        default: return nil
        }
    }

    func respond(to request: SimRequest, world: World) async -> SimResponse {
        guard let segments = request.segments else {
            return Self.error(400, "validation_error", "the path has a malformed percent-escape")
        }
        guard segments.count >= 3, segments[0] == "api", segments[1] == "v1", segments[2] == "sessions",
              let route = Self.match(request.method, Array(segments.dropFirst(3)))
        else {
            return Self.error(404, "not_found", "no route \(request.method) \(request.target.split(separator: "?").first ?? "")")
        }
        guard Auth.bearer(request.authorization, matches: token) else {
            return Self.error(401, "unauthorized", "missing or invalid bearer token",
                              headers: [("WWW-Authenticate", "Bearer")])
        }
        do throws(V1Failure) {
            return try handle(route, request: request, world: world)
        } catch {
            return error.response
        }
    }

    private func handle(_ route: Route, request: SimRequest, world: World) throws(V1Failure) -> SimResponse {
        let pageSizes = world.options
        switch route {
        case .sessions:
            return .json(200, ["data": .array(world.sessionStates().map(V1Render.session)), "nextCursor": nil])
        case .groups(let s):
            let offset = try Self.offset(request)
            let listing = try V1Failure.wrap { () throws(WorldRefusal) in
                try world.listGroups(session: s, offset: offset, limit: pageSizes.groupsPageSize, materialize: false)
            }
            let next = offset + listing.groups.count < listing.total ? Cursor.make(offset + listing.groups.count) : ""
            return .json(200, ["data": .array(listing.groups.map { V1Render.group($0) }), "nextCursor": .string(next)])
        case .members(let s, let g):
            let group = try Self.group(g)
            let offset = try Self.offset(request)
            let (session, state) = try V1Failure.wrap { () throws(WorldRefusal) in try world.groupDetail(session: s, group: group) }
            let all = state.members ?? []
            let start = min(offset, all.count)
            let end = min(all.count, start + pageSizes.membersPageSize)
            let rows = all[start..<end].map { V1Render.member($0, group: state, session: session) }
            return .json(200, ["data": .array(rows), "nextCursor": .string(end < all.count ? Cursor.make(end) : "")])
        case .add(let s, let g):
            let group = try Self.group(g)
            guard let raw = request.participantStrings(), !raw.isEmpty else {
                throw .validation("participants must be a non-empty array of user JIDs")
            }
            var targets: [JID] = []
            for text in raw {
                guard let jid = try? JID.member(text) else { throw .validation("'\(text)' is not a user JID") }
                targets.append(jid)
            }
            // WhatsApp may decline some numbers without failing the call: still 204.
            _ = try V1Failure.wrap { () throws(WorldRefusal) in try world.apply(.add, session: s, group: group, targets: targets) }
            return .noContent()
        case .remove(let s, let g, let m), .promote(let s, let g, let m), .demote(let s, let g, let m):
            let group = try Self.group(g)
            guard let target = try? JID.member(m) else { throw .validation("'\(m)' is not a user JID or @lid id") }
            let action: MemberAction = switch route {
            case .remove: .remove
            case .promote: .promote
            default: .demote
            }
            let rules = try V1Failure.wrap { () throws(WorldRefusal) in
                try world.apply(action, session: s, group: group, targets: [target])
            }
            return try Self.render(action, rules.first?.outcome ?? .ok)
        case .leave(let s, let g):
            let group = try Self.group(g)
            try V1Failure.wrap { () throws(WorldRefusal) in try world.leave(session: s, group: group) }
            return .noContent()
        case .invite(let s, let g), .resetInvite(let s, let g):
            let group = try Self.group(g)
            let reset = if case .resetInvite = route { true } else { false }
            let code = try V1Failure.wrap { () throws(WorldRefusal) in
                reset ? try world.resetInviteCode(session: s, group: group) : try world.inviteCode(session: s, group: group)
            }
            return .json(200, ["invite": .string(InviteLink(code: code).url)])
        case .update(let s, let g):
            let group = try Self.group(g)
            let changes = try Self.changes(request)
            _ = try V1Failure.wrap { () throws(WorldRefusal) in
                try world.updateGroup(changes, session: s, group: group, allOrNothing: false)
            }
            return .noContent()
        case .approve:
            // https://wahost-rama.zeabur.app/docs/api/groups/approveGroupMembers: "always responds
            // 501 `not_implemented` regardless of the request body", before the session is looked at.
            throw .status(501, "not_implemented", "approving pending join requests is not implemented in v2")
        case .send(let s):
            return try send(session: s, request: request, world: world)
        }
    }

    /// `PATCH G`'s fields, in the order the gateway applies them: subject, description, announce,
    /// locked (https://wahost-rama.zeabur.app/docs/api/groups/updateGroup: "Each field maps to a
    /// separate WhatsApp operation, applied in order"). Omitted fields are left as they are.
    static func changes(_ request: SimRequest) throws(V1Failure) -> [GroupChange] {
        guard let body = request.jsonObject() else { throw .validation("the body must be a JSON object") }
        var out: [GroupChange] = []
        if let value = body["subject"] {
            guard let text = value as? String, !text.trimmingCharacters(in: .whitespaces).isEmpty, text.count <= 100 else {
                throw .validation("subject must be a non-empty string of at most 100 characters")
            }
            out.append(.subject(text))
        }
        if let value = body["description"] {
            guard let text = value as? String, text.count <= 2048 else {
                throw .validation("description must be a string of at most 2048 characters")
            }
            out.append(.description(text))
        }
        for (key, setting) in [("announce", GroupSetting.announce), ("locked", .locked)] {
            guard let value = body[key] else { continue }
            guard let on = value as? Bool else { throw .validation("\(key) must be true or false") }
            out.append(.setting(setting, on))
        }
        return out
    }

    /// `POST /api/v1/sessions/{s}/messages` (https://wahost-rama.zeabur.app/docs/api/messages/sendMessage):
    /// only `type: "text"` is modelled; `poll`, `location` and `contact` answer 400, the media
    /// types 501 as documented. `?async` answers 202 with an outbox id and is not rate-limited (the
    /// send waits in the gateway's queue); an `Idempotency-Key` already seen replays the first
    /// answer with `"replayed": true` and sends nothing.
    private func send(session s: String, request: SimRequest, world: World) throws(V1Failure) -> SimResponse {
        guard world.sessionState(s) != nil else { throw .refusal(.sessionNotFound) }
        guard let body = request.jsonObject() else { throw .validation("the body must be a JSON object") }
        guard let type = body["type"] as? String else { throw .validation("type is required") }
        switch type {
        case "text": break
        case "image", "video", "audio", "document", "sticker":
            throw .status(501, "not_implemented", "sending \(type) messages is not implemented yet")
        default: throw .validation("type '\(type)' is not supported here: send type \"text\"")
        }
        guard let to = body["to"] as? String, let chat = try? JID(parsing: to) else {
            throw .validation("to must be a phone number, a user JID, an @lid id or a group JID")
        }
        guard let text = body["text"] as? String, !text.isEmpty else { throw .validation("text must be a non-empty string") }
        let asyncValue = request.query["async"]?.lowercased()
        let queued = asyncValue != nil && asyncValue != "false" && asyncValue != "0"
        let key = request.header("Idempotency-Key").flatMap { $0.isEmpty ? nil : $0 }
        let receipt = try V1Failure.wrap { () throws(WorldRefusal) in
            try world.sendText(session: s, to: chat, text: text, queued: queued, key: key)
        }
        var fields: [JSON.Field]
        if receipt.queued {
            fields = [.init("mode", "async"), .init("outboxId", .string(receipt.outboxId)), .init("status", "queued")]
        } else {
            fields = [.init("mode", "sync"), .init("waMessageId", .string(receipt.message.id)), .init("status", "sent"),
                      .init("timestamp", .int(Int(receipt.message.at * 1000)))]
        }
        if receipt.replayed { fields.append(.init("replayed", true)) }
        return .json(receipt.queued ? 202 : 200, .object(fields))
    }

    /// One target's outcome as v1 answers it: 204, or the call's error.
    static func render(_ action: MemberAction, _ outcome: RuleOutcome) throws(V1Failure) -> SimResponse {
        switch outcome {
        case .ok, .alreadySo: return .noContent()
        case .notMember:
            // Remove is idempotent: a non-member ends not in the group.
            if action == .remove { return .noContent() }
            throw .status(404, "not_found", "member not found in this group")
        case .isCreator:
            throw .status(403, "forbidden", "the group's creator cannot be \(action.pastTense)")
        case .isSelf:
            throw .validation("that is the session's own account: use POST …/groups/{g}:leave to leave")
        case .notOnWhatsApp, .privacyRestricted, .groupFull: return .noContent()
        }
    }

    static func group(_ text: String) throws(V1Failure) -> JID {
        guard let jid = try? JID.group(text) else { throw .validation("'\(text)' is not a group JID (…@g.us)") }
        return jid
    }

    static func offset(_ request: SimRequest) throws(V1Failure) -> Int {
        guard let offset = Cursor.offset(request.query["cursor"]) else { throw .validation("invalid cursor") }
        return offset
    }

    static func error(_ status: Int, _ code: String, _ message: String, details: JSON = [:],
                      headers: [(String, String)] = []) -> SimResponse {
        .json(status, ["error": ["code": .string(code), "message": .string(message), "details": details]], headers: headers)
    }

    func serverError(status: Int) -> SimResponse {
        Self.error(status, "internal", "internal error (injected by the emulator)")
    }

    func rateLimited(retryAfter: Int) -> SimResponse { Self.tooManyRequests(retryAfter: retryAfter) }

    static func tooManyRequests(retryAfter: Int) -> SimResponse {
        error(429, "rate_limited", "too many requests: retry in \(retryAfter) s",
                   details: ["retryAfter": .int(retryAfter)], headers: [("Retry-After", String(retryAfter))])
    }
}
