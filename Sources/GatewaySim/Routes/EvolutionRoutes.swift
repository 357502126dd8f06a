import Foundation
import WamodModel

/// Evolution API (gateways.md §7): the `apikey` header, instances as sessions (named by the world
/// session's id; `open` or `close`), the instance in the path and the group in the `groupJid`
/// query, `getParticipants` required on the group list, `updateParticipant` with an `action` and
/// digits-only participants answered 201 with WhatsApp's per-row status strings, `leaveGroup` by
/// DELETE, and errors `{"status":…,"error":…,"response":{"message":[…]}}`.
///
/// Where gateways.md is silent, the emulator answers as Evolution does: an unknown instance is
/// 404 `The "x" instance does not exist`; WhatsApp's refusals and a closed connection are 400 with
/// Evolution's context and the engine's words (`Error: forbidden`, `Error: item-not-found`,
/// `Error: Connection Closed`), reads included (Evolution reads groups live); a participant may
/// also be a full JID (`…@s.whatsapp.net`, `…@lid`), kept as given; the rate limit is 429 with
/// `Retry-After`; the creator may leave; an unknown route is a 404 whose message is
/// `Cannot <METHOD> <path>`.
struct EvolutionRoutes: DialectRoutes {
    let token: String

    enum Route {
        case instances
        case groups(instance: String)
        case participants(instance: String)
        case update(instance: String)
        case leave(instance: String)
        // Group administration (gateways.md §9).
        case inviteCode(instance: String)
        case revokeInviteCode(instance: String)
        case updateSetting(instance: String)
        case sendText(instance: String)
    }

    /// `updateSetting`'s `action` enum (`src/validate/group.schema.ts`, EvolutionAPI/evolution-api 2.3.6).
    static let settingActions: [String: (GroupSetting, Bool)] = [
        "announcement": (.announce, true), "not_announcement": (.announce, false),
        "locked": (.locked, true), "unlocked": (.locked, false),
    ]

    static func match(_ method: String, _ p: [String]) -> Route? {
        switch (method, p.count) {
        case ("GET", 2) where p[0] == "instance" && p[1] == "fetchInstances": return .instances
        case ("GET", 3) where p[0] == "group" && p[1] == "fetchAllGroups": return .groups(instance: p[2])
        case ("GET", 3) where p[0] == "group" && p[1] == "participants": return .participants(instance: p[2])
        case ("POST", 3) where p[0] == "group" && p[1] == "updateParticipant": return .update(instance: p[2])
        case ("DELETE", 3) where p[0] == "group" && p[1] == "leaveGroup": return .leave(instance: p[2])
        case ("GET", 3) where p[0] == "group" && p[1] == "inviteCode": return .inviteCode(instance: p[2])
        case ("POST", 3) where p[0] == "group" && p[1] == "revokeInviteCode": return .revokeInviteCode(instance: p[2])
        case ("POST", 3) where p[0] == "group" && p[1] == "updateSetting": return .updateSetting(instance: p[2])
        case ("POST", 3) where p[0] == "message" && p[1] == "sendText": return .sendText(instance: p[2])
        default: return nil
        }
    }

    func respond(to request: SimRequest, world: World) async -> SimResponse {
        guard let segments = request.segments, let route = Self.match(request.method, segments) else {
            return EvolutionRender.routeMiss(request)
        }
        guard let key = request.header("apikey"), Auth.bearer("Bearer " + key, matches: token) else {
            return .json(401, ["status": 401, "error": "Unauthorized", "response": ["message": "Unauthorized"]])
        }
        do throws(EvolutionFailure) {
            return try handle(route, request: request, world: world)
        } catch {
            return error.response
        }
    }

    private func handle(_ route: Route, request: SimRequest, world: World) throws(EvolutionFailure) -> SimResponse {
        switch route {
        case .instances:
            return .json(200, .array(world.sessionStates().map(EvolutionRender.instance)))
        case .groups(let i):
            try Self.requireInstance(i, world)
            guard let raw = request.query["getParticipants"], ["true", "false"].contains(raw.lowercased()) else {
                throw .validation(["The getParticipants needs to be informed in the query"])
            }
            let withPeople = raw.lowercased() == "true"
            try Self.requireOpen(i, world, "Error fetching groups")
            let listing = try EvolutionFailure.wrap("Error fetching groups") { () throws(WorldRefusal) in
                try world.listGroups(session: i, offset: 0, limit: nil, materialize: withPeople)
            }
            return .json(200, .array(listing.groups.map { EvolutionRender.group($0, participants: withPeople) }))
        case .participants(let i):
            try Self.requireInstance(i, world)
            let group = try Self.groupJid(request)
            try Self.requireOpen(i, world, "Error fetching participants")
            let (_, state) = try EvolutionFailure.wrap("Error fetching participants") { () throws(WorldRefusal) in
                try world.groupDetail(session: i, group: group)
            }
            return .json(200, ["participants": .array((state.members ?? []).map(EvolutionRender.participant))])
        case .update(let i):
            try Self.requireInstance(i, world)
            let group = try Self.groupJid(request)
            let (action, targets) = try Self.body(request)
            try Self.requireOpen(i, world, "Error updating participants")
            let rules = try EvolutionFailure.wrap("Error updating participants") { () throws(WorldRefusal) in
                try world.apply(action, session: i, group: group, targets: targets)
            }
            return .json(201, ["updateParticipants": WAHARender.rows(action, rules)])
        case .leave(let i):
            try Self.requireInstance(i, world)
            let group = try Self.groupJid(request)
            try Self.requireOpen(i, world, "Unable to leave the group")
            try EvolutionFailure.wrap("Unable to leave the group") { () throws(WorldRefusal) in
                try world.leave(session: i, group: group, ownerMayLeave: true)
            }
            return .json(200, ["groupJid": .string(group.string), "leave": true])
        case .inviteCode(let i), .revokeInviteCode(let i):
            // https://doc.evolution-api.com/v2/api-reference/group-controller/fetch-invite-code and
            // …/revoke-invite-code; the statuses and refusals from `group.router.ts` and
            // `whatsapp.baileys.service.ts` (2.3.6): 200 and 201, a refusal 404 naming the operation.
            let reset = if case .revokeInviteCode = route { true } else { false }
            let context = reset ? "Revoke error" : "No invite code"
            try Self.requireInstance(i, world)
            let group = try Self.groupJid(request)
            do throws(EvolutionFailure) { try Self.requireOpen(i, world, context) } catch {
                if case .refusal(let refusal, _) = error { throw .notFound(refusal, context: context) }
                throw error
            }
            let code: String
            do throws(WorldRefusal) {
                code = reset ? try world.resetInviteCode(session: i, group: group) : try world.inviteCode(session: i, group: group)
            } catch { throw .notFound(error, context: context) }
            if reset { return .json(201, ["revoked": true, "inviteCode": .string(code)]) }
            return .json(200, ["inviteUrl": .string(InviteLink(code: code).url), "inviteCode": .string(code)])
        case .updateSetting(let i):
            // 201 `{}`: the router answers `{"updateSetting": <Baileys' void>}`.
            try Self.requireInstance(i, world)
            let group = try Self.groupJid(request)
            guard let raw = request.jsonObject()?["action"] as? String, let (setting, on) = Self.settingActions[raw] else {
                throw .validation(["action must be one of the following values: announcement, not_announcement, locked, unlocked"])
            }
            try Self.requireOpen(i, world, "Error updating setting")
            _ = try EvolutionFailure.wrap("Error updating setting") { () throws(WorldRefusal) in
                try world.updateGroup([.setting(setting, on)], session: i, group: group, allOrNothing: true)
            }
            return .json(201, [:])
        case .sendText(let i):
            // `POST /message/sendText/{instance} {"number","text"}` (`sendMessage.router.ts`, 2.3.6):
            // 201 with Baileys' message; digits are a phone number, a full JID is kept as given.
            try Self.requireInstance(i, world)
            let body = request.jsonObject() ?? [:]
            guard let number = body["number"] as? String, let chat = try? JID(parsing: number) else {
                throw .validation(["number is required: digits, or a user or group JID"])
            }
            guard let text = body["text"] as? String, !text.isEmpty else { throw .validation(["text is required"]) }
            guard let s = world.sessionState(i), s.connected else { throw .cause(.notConnected(status: "close")) }
            let receipt: SendReceipt
            do throws(WorldRefusal) { receipt = try world.sendText(session: i, to: chat, text: text) } catch { throw .cause(error) }
            return .json(201, EvolutionRender.message(receipt.message, instance: world.sessionState(i)))
        }
    }

    static func requireInstance(_ instance: String, _ world: World) throws(EvolutionFailure) {
        guard world.sessionState(instance) != nil else { throw .instanceNotFound(instance) }
    }

    /// Baileys fails every group call while the socket is closed: `Connection Closed`.
    static func requireOpen(_ instance: String, _ world: World, _ context: String) throws(EvolutionFailure) {
        guard let s = world.sessionState(instance) else { throw .instanceNotFound(instance) }
        if !s.connected { throw .refusal(.notConnected(status: s.offlineStatus), context: context) }
    }

    static func groupJid(_ request: SimRequest) throws(EvolutionFailure) -> JID {
        guard let raw = request.query["groupJid"], !raw.isEmpty else {
            throw .validation(["The group id needs to be informed in the query", "ex: \"groupJid=120362@g.us\""])
        }
        guard let jid = try? JID.group(raw) else { throw .validation(["Invalid group jid: \(raw)"]) }
        return jid
    }

    /// `{"action":"remove","participants":["5511999999999"]}`: digits are phone numbers; a full
    /// JID is kept as given.
    static func body(_ request: SimRequest) throws(EvolutionFailure) -> (MemberAction, [JID]) {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any] else {
            throw .validation(["action is required", "participants is required"])
        }
        guard let raw = object["action"] as? String, let action = MemberAction(rawValue: raw) else {
            throw .validation(["action must be one of the following values: add, remove, promote, demote"])
        }
        guard let list = request.participantStrings(), !list.isEmpty else {
            throw .validation(["participants must be a non-empty array of strings"])
        }
        var out: [JID] = []
        for text in list {
            guard let jid = try? JID.member(text) else {
                throw .validation(["Error updating participants", "Error: bad-request"])
            }
            out.append(jid)
        }
        return (action, out)
    }

    func serverError(status: Int) -> SimResponse {
        EvolutionRender.error(status, status == 503 ? "Service Unavailable" : "Internal Server Error",
                              [status == 503 ? "Service Unavailable" : "Internal server error"])
    }

    func rateLimited(retryAfter: Int) -> SimResponse { EvolutionRender.tooManyRequests(retryAfter: retryAfter) }
}
