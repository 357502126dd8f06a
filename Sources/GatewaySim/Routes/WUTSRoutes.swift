import Foundation
import WamodModel

/// WUTS (gateways.md §5, seed 002): `Authorization: Bearer <token>`, where the token belongs to one
/// device, the session; no path names a session. Groups at `/groups`, one group with its
/// participants at `/groups/{jid}`, every member change at `DELETE /groups/{jid}/participants`
/// with an optional `action` (default `remove`) answered with one row per participant, leave at
/// `DELETE /groups/{jid}/leave`, errors in the `error_code` envelope.
///
/// Where gateways.md is silent, the emulator answers as WUTS does: `GET /status` gives the
/// device's live state and always answers 200; the token's device is the world's first session,
/// and a `device_id` query names another of the tenant's devices (WUTS resolves the device
/// from the token when it is omitted); group calls need a connected device (WUTS reads and acts
/// through the live WhatsApp connection) and answer `DEVICE_NOT_READY` otherwise, with 503;
/// not being an admin is 403 `NOT_GROUP_ADMIN` (gateways.md §9); an unknown group is 404 `GROUP_NOT_FOUND`; the rate
/// limit is 429 `RATE_LIMITED` with `Retry-After`; a refused row carries WhatsApp's code in
/// `error`; the creator may leave (WhatsApp allows it); an unknown route is the Go router's
/// plain-text `404 page not found`.
struct WUTSRoutes: DialectRoutes {
    let token: String

    enum Route {
        case status
        case groups
        case group(String)
        case mutate(group: String)
        case leave(group: String)
        // Group administration (gateways.md §9).
        case invite(group: String, reset: Bool)
        case update(group: String)
        case sendText
        case community(group: String)
    }

    static func match(_ method: String, _ p: [String]) -> Route? {
        switch (method, p.count) {
        case ("GET", 1) where p[0] == "status": return .status
        case ("GET", 1) where p[0] == "groups": return .groups
        case ("GET", 2) where p[0] == "groups": return .group(p[1])
        case ("DELETE", 3) where p[0] == "groups" && p[2] == "participants": return .mutate(group: p[1])
        case ("DELETE", 3) where p[0] == "groups" && p[2] == "leave": return .leave(group: p[1])
        case ("GET", 3) where p[0] == "groups" && p[2] == "invite": return .invite(group: p[1], reset: false)
        case ("POST", 4) where p[0] == "groups" && p[2] == "invite" && p[3] == "reset": return .invite(group: p[1], reset: true)
        case ("PATCH", 2) where p[0] == "groups": return .update(group: p[1])
        case ("POST", 2) where p[0] == "send" && p[1] == "text": return .sendText
        case ("DELETE", 3) where p[0] == "communities" && p[2] == "participants": return .community(group: p[1])
        default: return nil
        }
    }

    func respond(to request: SimRequest, world: World) async -> SimResponse {
        guard let segments = request.segments, let route = Self.match(request.method, segments) else {
            return Self.notFoundPage()
        }
        guard Auth.bearer(request.authorization, matches: token) else {
            return WUTSRender.error(401, "UNAUTHORIZED", "Invalid token")
        }
        do throws(WUTSFailure) {
            let device = try Self.device(request, world)
            return try handle(route, device: device, request: request, world: world)
        } catch {
            return error.response
        }
    }

    /// The token's device: the world's first session, or the one `device_id` names.
    static func device(_ request: SimRequest, _ world: World) throws(WUTSFailure) -> String {
        if let id = request.query["device_id"], !id.isEmpty {
            guard world.sessionState(id) != nil else { throw .refusal(.sessionNotFound) }
            return id
        }
        guard let first = world.sessionStates().first else { throw .refusal(.sessionNotFound) }
        return first.id
    }

    private func handle(_ route: Route, device: String, request: SimRequest, world: World) throws(WUTSFailure) -> SimResponse {
        switch route {
        case .status:
            guard let s = world.sessionState(device) else { throw .refusal(.sessionNotFound) }
            return .json(200, ["success": true, "data": WUTSRender.status(s)])
        case .groups:
            try Self.requireConnected(device, world)
            let listing = try WUTSFailure.wrap { () throws(WorldRefusal) in
                try world.listGroups(session: device, offset: 0, limit: nil, materialize: false)
            }
            return .json(200, ["success": true, "groups": .array(listing.groups.map { WUTSRender.group($0, participants: false) })])
        case .group(let g):
            try Self.requireConnected(device, world)
            let group = try Self.group(g)
            let (_, state) = try WUTSFailure.wrap { () throws(WorldRefusal) in try world.groupDetail(session: device, group: group) }
            return .json(200, ["success": true, "group": WUTSRender.group(state, participants: true)])
        case .mutate(let g):
            try Self.requireConnected(device, world)
            let group = try Self.group(g)
            let (action, targets) = try Self.body(request)
            let rules = try WUTSFailure.wrap { () throws(WorldRefusal) in
                try world.apply(action, session: device, group: group, targets: targets)
            }
            return .json(200, ["success": true, "participants": .array(rules.map { WUTSRender.row(action, $0) })])
        case .leave(let g):
            try Self.requireConnected(device, world)
            let group = try Self.group(g)
            try WUTSFailure.wrap { () throws(WorldRefusal) in try world.leave(session: device, group: group, ownerMayLeave: true) }
            return .json(200, ["success": true])
        case .invite(let g, let reset):
            // https://docs.wuts.com.br/groups/getGroupInviteLink/, …/groups/resetGroupInviteLink/.
            try Self.requireConnected(device, world)
            let group = try Self.group(g)
            let code = try WUTSFailure.wrap { () throws(WorldRefusal) in
                reset ? try world.resetInviteCode(session: device, group: group) : try world.inviteCode(session: device, group: group)
            }
            var fields: [JSON.Field] = [.init("success", true), .init("group_jid", .string(group.string)),
                                        .init("invite_link", .string(InviteLink(code: code).url))]
            if reset { fields.append(.init("reset_at", .string(WUTSRender.timestamp()))) }
            return .json(200, .object(fields))
        case .update(let g):
            // https://docs.wuts.com.br/groups/updateGroup/: "At least one field must be supplied.
            // Returns the refreshed group info". All or nothing (gateways.md §9).
            try Self.requireConnected(device, world)
            let group = try Self.group(g)
            let changes = try Self.changes(request)
            _ = try WUTSFailure.wrap { () throws(WorldRefusal) in
                try world.updateGroup(changes, session: device, group: group, allOrNothing: true)
            }
            let (_, state) = try WUTSFailure.wrap { () throws(WorldRefusal) in try world.groupDetail(session: device, group: group) }
            return .json(200, ["success": true, "group": WUTSRender.group(state, participants: false)])
        case .sendText:
            return try sendText(device: device, request: request, world: world)
        case .community(let g):
            // https://docs.wuts.com.br/groups/removeCommunityParticipants/: "the same WhatsApp
            // participant mechanism as regular groups, applied to the community parent JID". The
            // page's answer is `{"success","jid","action","participants"}`; the rows are the group
            // route's. A JID that is not a community's parent is answered as an unknown one.
            try Self.requireConnected(device, world)
            let group = try Self.group(g)
            let (action, targets) = try Self.body(request)
            let (_, state) = try WUTSFailure.wrap { () throws(WorldRefusal) in try world.groupDetail(session: device, group: group) }
            guard state.isCommunity else { throw .notCommunity(group.string) }
            let rules = try WUTSFailure.wrap { () throws(WorldRefusal) in
                try world.apply(action, session: device, group: group, targets: targets)
            }
            return .json(200, ["success": true, "jid": .string(group.string), "action": .string(action.rawValue),
                               "participants": .array(rules.map { WUTSRender.row(action, $0) })])
        }
    }

    /// `PATCH /groups/{jid}`'s fields, in order: `name`, `topic` / `description` (both set the
    /// description), `announcement`, `locked`, `join_approval`, `member_add_mode` (`"admin"` is
    /// documented; `"all_member"`, and whatsmeow's `admin_add` / `all_member_add`, are assumed
    /// for the modes).
    static func changes(_ request: SimRequest) throws(WUTSFailure) -> [GroupChange] {
        guard let body = request.jsonObject() else {
            throw .validation(field: "body", message: "at least one field must be supplied", value: "")
        }
        var out: [GroupChange] = []
        if let value = body["name"] {
            guard let text = value as? String, !text.trimmingCharacters(in: .whitespaces).isEmpty, text.count <= 100 else {
                throw .validation(field: "name", message: "name must be a non-empty string of at most 100 characters", value: "\(value)")
            }
            out.append(.subject(text))
        }
        for key in ["topic", "description"] {
            guard let value = body[key] else { continue }
            guard let text = value as? String else { throw .validation(field: key, message: "\(key) must be a string", value: "\(value)") }
            out.append(.description(text))
        }
        for (key, setting) in [("announcement", GroupSetting.announce), ("locked", .locked), ("join_approval", .approval)] {
            guard let value = body[key] else { continue }
            guard let on = value as? Bool else { throw .validation(field: key, message: "\(key) must be true or false", value: "\(value)") }
            out.append(.setting(setting, on))
        }
        if let value = body["member_add_mode"] {
            switch (value as? String)?.lowercased() {
            case "admin", "admin_add": out.append(.setting(.adminsAdd, true))
            case "all_member", "all_member_add": out.append(.setting(.adminsAdd, false))
            default:
                throw .validation(field: "member_add_mode", message: "member_add_mode must be admin or all_member", value: "\(value)")
            }
        }
        guard !out.isEmpty else { throw .validation(field: "body", message: "at least one field must be supplied", value: "") }
        return out
    }

    /// `POST /send/text {"number","text"}` (https://docs.wuts.com.br/messages/sendText/): the
    /// number is normalised (spaces, dashes, parentheses and a leading + stripped; 10 to 15
    /// digits, https://docs.wuts.com.br/conventions/), or a group JID, a user JID or an `@lid`.
    private func sendText(device: String, request: SimRequest, world: World) throws(WUTSFailure) -> SimResponse {
        let body = request.jsonObject() ?? [:]
        guard let number = body["number"] as? String, let chat = Self.chat(number) else {
            throw .validation(field: "number", message: "number must be a phone number (10 to 15 digits) or a group JID",
                              value: body["number"].map { "\($0)" } ?? "")
        }
        guard let text = body["text"] as? String, !text.isEmpty else {
            throw .validation(field: "text", message: "text is required", value: "")
        }
        try Self.requireConnected(device, world)
        let started = Date()
        let receipt = try WUTSFailure.wrap { () throws(WorldRefusal) in try world.sendText(session: device, to: chat, text: text) }
        let m = receipt.message
        let sent = WUTSRender.timestamp(Date(timeIntervalSince1970: m.at))
        return .json(200, ["success": true, "message_id": .string(m.id), "timestamp": .string(sent), "status": "sent",
                           "chat_jid": .string(chat.string),
                           "metadata": ["device_id": .string(device), "user_id": .string(world.sessionState(device)?.userId ?? ""),
                                        "processing_time_ms": .int(max(0, Int(Date().timeIntervalSince(started) * 1000))),
                                        "presence_sent": false, "presence_duration_seconds": 0, "mentions_processed": 0,
                                        "quoted_message_found": false, "sent_at": .string(sent)]])
    }

    static func chat(_ text: String) -> JID? {
        if text.contains("@") { return try? JID(parsing: text) }
        let digits = text.filter { !" -()".contains($0) }
        let bare = digits.hasPrefix("+") ? String(digits.dropFirst()) : digits
        guard (10...15).contains(bare.count), bare.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return JID(kind: .user, user: bare)
    }

    static func requireConnected(_ device: String, _ world: World) throws(WUTSFailure) {
        guard let s = world.sessionState(device) else { throw .refusal(.sessionNotFound) }
        if !s.connected { throw .refusal(.notConnected(status: s.offlineStatus)) }
    }

    static func group(_ text: String) throws(WUTSFailure) -> JID {
        guard let jid = try? JID.group(text) else {
            throw .validation(field: "jid", message: "jid must be a group JID like 120363039000000000@g.us", value: text)
        }
        return jid
    }

    /// `{"participants":[…],"action":"remove"}`: phone numbers, user JIDs or `@lid` ids; the
    /// action defaults to `remove`.
    static func body(_ request: SimRequest) throws(WUTSFailure) -> (MemberAction, [JID]) {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any] else {
            throw .validation(field: "participants", message: "participants is required", value: "")
        }
        var action = MemberAction.remove
        if let raw = object["action"] {
            guard let text = raw as? String, let a = MemberAction(rawValue: text.lowercased()) else {
                throw .validation(field: "action", message: "action must be one of add, remove, promote, demote", value: "\(raw)")
            }
            action = a
        }
        guard let list = request.participantStrings(), !list.isEmpty else {
            throw .validation(field: "participants", message: "participants must be a non-empty array of strings", value: "")
        }
        var out: [JID] = []
        for text in list {
            guard let jid = try? JID.member(text) else {
                throw .validation(field: "participants", message: "invalid participant: a phone number, a user JID or an @lid id", value: text)
            }
            out.append(jid)
        }
        return (action, out)
    }

    /// What the Go router answers for a route it does not have.
    static func notFoundPage() -> SimResponse {
        SimResponse(status: 404, headers: [("Content-Type", "text/plain")], body: Array("404 page not found".utf8))
    }

    func serverError(status: Int) -> SimResponse {
        status == 503 ? WUTSRender.error(503, "SERVICE_UNAVAILABLE", "service unavailable")
                      : WUTSRender.error(status, "INTERNAL_ERROR", "internal server error")
    }

    func rateLimited(retryAfter: Int) -> SimResponse { WUTSRender.tooManyRequests(retryAfter: retryAfter) }
}
