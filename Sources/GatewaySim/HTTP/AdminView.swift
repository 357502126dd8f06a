import Foundation
import WamodModel

/// The emulator's own admin view, under `/_sim/` on every dialect's server. It is NOT part of any
/// vendor's API: no real gateway has it, and the client never calls it. It exists so a rehearsal
/// or a benchmark can see what really happened in the world (the effective changes, the
/// requests that arrived, a group's members) and switch faults on and off while the server runs.
/// It asks for `Authorization: Bearer <the server's token>` whatever the dialect, and faults
/// never touch it.
///
/// - `GET /_sim/sessions`: every session with its account and groups (JID, subject, size, our
///   role, settings, community, invite code, how many join requests wait)
/// - `GET /_sim/members?session=ID&group=JID`: a group's members and their roles
/// - `GET /_sim/group?session=ID&group=JID`: a group's settings, invite code and link, the join
///   requests waiting, and the texts sent to it
/// - `GET /_sim/messages[?session=ID&chat=JID]`: the texts the sessions sent
/// - `POST /_sim/join` `{"code":"…","as":"+5511…","name":"…"}`: someone joins by an invite code
///   (or link) as WhatsApp would let them: a member, or a join request where approval is on; an
///   old code (the link was reset since) is refused with 404
/// - `GET /_sim/ledger[?since=SEQ]`: the effective changes (those after `since`)
/// - `GET /_sim/arrivals`: every request that arrived, before faults
/// - `GET /_sim/faults`: the fault shares in force
/// - `POST /_sim/faults` `{"rates":{"5xx":0.1,…},"stallMs":8000,"mutationsOnly":false}`:
///   replaces every share (those not named become 0)
/// - `POST /_sim/connected` `{"session":ID,"connected":true}`: connects or disconnects a session
///
/// Events (`Events/`): to rehearse "someone else did this", and to point the emulator's pushes
/// somewhere. Every change below, like every change a client makes, is pushed in the server's
/// dialect (WAHA's WebSocket, webhooks where the vendor documents them).
/// - `POST /_sim/participants` `{"session":ID (or the name the dialect shows),"group":JID,"add":["+155…"],"remove":[…],
///   "promote":[…],"demote":[…],"via":"invite"|"added","by":"+155…"}`: someone other than the
///   session changes the members (a join by the link with `via: invite`, another admin's add,
///   removal, promotion or demotion, `by` naming them); answers what changed and what was
///   skipped, and why
/// - `POST /_sim/group` `{"session":ID,"group":JID,"subject":"…","description":"…",
///   "announce":true,"locked":false,"adminsAdd":true,"approval":false}`: someone else changes the
///   group's subject or settings (every field optional)
/// - `GET /_sim/webhooks`: each webhook's destination (scheme, host, port), deliveries, failures,
///   drops and last error; `POST /_sim/webhooks` `{"url":"http://…","secret":"…","proof":"vendor"|"header"}`
///   adds one (signed as the vendor signs: WAHA's `X-Webhook-Hmac`, Evolution's JWT, WUTS's
///   header; `header` sends `X-Wamod-Secret` instead; Wawp signs nothing: put the secret in the
///   URL's path); `DELETE /_sim/webhooks` removes them all. 404 in a dialect without webhooks
/// - `GET /_sim/websocket`: whether WAHA's `/ws` is open and how many connections it has;
///   `POST /_sim/websocket` `{"open":false}` closes every connection and refuses new ones (the upgrade is answered 400)
///   until `{"open":true}`; `{"drop":true}` ends the connections but keeps accepting new ones
struct AdminView: Sendable {
    static let prefix = "/_sim/"
    let world: World
    let token: String
    let events: ServerEvents

    static func serves(_ path: String) -> Bool { path.hasPrefix(prefix) || path == "/_sim" }

    func respond(to request: SimRequest) -> SimResponse {
        guard Auth.bearer(request.authorization, matches: token) else {
            return Self.error(401, "missing or invalid bearer token (the emulator's admin view takes the server's token)",
                              headers: [("WWW-Authenticate", "Bearer")])
        }
        let path = request.segments.map { Array($0.dropFirst()) } ?? []
        switch (request.method, path) {
        case ("GET", ["sessions"]): return sessions()
        case ("GET", ["members"]): return members(request)
        case ("GET", ["group"]): return group(request)
        case ("GET", ["messages"]): return messages(request)
        case ("POST", ["join"]): return join(request)
        case ("GET", ["ledger"]): return ledger(request)
        case ("GET", ["arrivals"]): return arrivals()
        case ("GET", ["faults"]): return faults()
        case ("POST", ["faults"]): return setFaults(request)
        case ("POST", ["connected"]): return setConnected(request)
        case ("POST", ["participants"]): return rehearseParticipants(request)
        case ("POST", ["group"]): return rehearseGroup(request)
        case ("GET", ["webhooks"]) where events.pushes: return webhooks()
        case ("POST", ["webhooks"]) where events.pushes: return addWebhook(request)
        case ("DELETE", ["webhooks"]) where events.pushes:
            events.removeWebhooks()
            return webhooks()
        case ("GET", ["websocket"]) where events.dialect == .waha: return websocket()
        case ("POST", ["websocket"]) where events.dialect == .waha: return setWebsocket(request)
        default:
            return Self.error(404, "no admin route \(request.method) \(request.target.split(separator: "?").first ?? "")")
        }
    }

    // MARK: Reads

    private func sessions() -> SimResponse {
        let rows: [JSON] = world.sessions().map { s in
            let groups: [JSON] = (world.groups(session: s.id) ?? []).map { g in
                ["jid": .string(g.jid.string), "subject": .string(g.subject), "size": .int(g.size), "role": .string(g.ourRole.rawValue),
                 "settings": Self.settings(g.settings), "community": .bool(g.isCommunity),
                 "inviteCode": .optional(world.currentInviteCode(session: s.id, group: g.jid)),
                 "pendingRequests": .int(g.pendingRequests)]
            }
            return ["id": .string(s.id), "label": .string(s.label), "connected": .bool(s.connected),
                    "account": .optional(s.account?.string), "lid": .string(s.accountLID.string),
                    "groups": .array(groups)]
        }
        return .json(200, ["sessions": .array(rows)])
    }

    private func members(_ request: SimRequest) -> SimResponse {
        guard let session = request.query["session"], let raw = request.query["group"] else {
            return Self.error(400, "session and group are required (?session=ID&group=JID)")
        }
        guard let group = try? JID(parsing: raw), group.kind == .group else {
            return Self.error(400, "group is a group JID (…@g.us)")
        }
        guard let members = world.members(session: session, group: group) else {
            return Self.error(404, "no group \(group.string) in session \(session)")
        }
        let rows: [JSON] = members.map { m in
            ["id": .string(m.id.string), "phone": .optional(m.phone?.string), "lid": .string(m.lid.string),
             "role": .string(m.role.rawValue)]
        }
        return .json(200, ["members": .array(rows)])
    }

    private func group(_ request: SimRequest) -> SimResponse {
        guard let session = request.query["session"], let raw = request.query["group"] else {
            return Self.error(400, "session and group are required (?session=ID&group=JID)")
        }
        guard let jid = try? JID(parsing: raw), jid.kind == .group else { return Self.error(400, "group is a group JID (…@g.us)") }
        guard let g = world.group(session: session, jid: jid), let code = world.currentInviteCode(session: session, group: jid) else {
            return Self.error(404, "no group \(jid.string) in session \(session)")
        }
        let pending: [JSON] = (world.pendingRequests(session: session, group: jid) ?? []).map { r in
            ["id": .string(r.lid.string), "phone": .optional(r.phone?.string), "name": .string(r.name),
             "method": .string(r.method), "at": .int(Int(r.at))]
        }
        return .json(200, ["jid": .string(g.jid.string), "subject": .string(g.subject), "description": .string(g.description),
                           "size": .int(g.size), "role": .string(g.ourRole.rawValue), "settings": Self.settings(g.settings),
                           "community": .bool(g.isCommunity), "inviteCode": .string(code),
                           "inviteLink": .string(InviteLink(code: code).url), "pendingRequests": .array(pending),
                           "messages": .array(world.messages(session: session, chat: jid).map(Self.message))])
    }

    private func messages(_ request: SimRequest) -> SimResponse {
        var chat: JID?
        if let raw = request.query["chat"] {
            guard let jid = try? JID(parsing: raw) else { return Self.error(400, "chat is a JID (a group's or a person's)") }
            chat = jid
        }
        return .json(200, ["messages": .array(world.messages(session: request.query["session"], chat: chat).map(Self.message))])
    }

    static func settings(_ s: GroupSettings) -> JSON {
        ["announce": .bool(s.announce ?? false), "locked": .bool(s.locked ?? false),
         "adminsAdd": .bool(s.adminsAdd ?? true), "approval": .bool(s.approval ?? false)]
    }

    static func message(_ m: SimMessage) -> JSON {
        ["seq": .int(m.seq), "id": .string(m.id), "session": .string(m.session), "chat": .string(m.chat.string),
         "text": .string(m.text), "at": .number(m.at), "delivered": .bool(m.delivered), "failure": .optional(m.failure)]
    }

    private func ledger(_ request: SimRequest) -> SimResponse {
        var changes = world.ledger()
        if let raw = request.query["since"] {
            guard let since = Int(raw) else { return Self.error(400, "since is a sequence number") }
            changes = changes.filter { $0.seq > since }
        }
        let rows: [JSON] = changes.map { c in
            ["seq": .int(c.seq), "at": .number(c.at), "session": .string(c.session), "group": .string(c.group),
             "action": .string(c.action), "target": .string(c.target)]
        }
        return .json(200, ["changes": .array(rows)])
    }

    private func arrivals() -> SimResponse {
        let rows: [JSON] = world.arrivals().map { ["method": .string($0.method), "path": .string($0.path)] }
        return .json(200, ["total": .int(world.arrivalCount), "arrivals": .array(rows)])
    }

    private func faults() -> SimResponse {
        let f = world.faults
        var rates: [JSON.Field] = []
        for rate in FaultRate.allCases {
            rates.append(JSON.Field(rate.rawValue, .number(f[keyPath: rate.keyPath])))
        }
        return .json(200, ["rates": .object(rates), "stallMs": .int(f.stallMs), "mutationsOnly": .bool(f.ratesOnMutationsOnly),
                           "retryAfter": .int(f.rateLimitRetryAfter), "latencyMs": .int(f.latencyMs)])
    }

    // MARK: Control

    private func setFaults(_ request: SimRequest) -> SimResponse {
        guard let body = Self.object(request) else { return Self.error(400, "the body is a JSON object") }
        var rates: [FaultRate: Double] = [:]
        if let given = body["rates"] {
            guard let given = given as? [String: Any] else { return Self.error(400, "rates is an object of name: share") }
            for (name, value) in given {
                guard let rate = FaultRate(rawValue: name.lowercased()) else {
                    return Self.error(400, "unknown fault '\(name)' (known: \(FaultRate.names))")
                }
                guard let share = Self.number(value), (0...1).contains(share) else {
                    return Self.error(400, "the share of '\(name)' is a number from 0 to 1")
                }
                rates[rate] = share
            }
        }
        var stallMs: Int?
        if let value = body["stallMs"] {
            guard let n = Self.number(value), n >= 0, n <= 3_600_000 else { return Self.error(400, "stallMs is 0 to 3600000") }
            stallMs = Int(n)
        }
        var retryAfter: Int?
        if let value = body["retryAfter"] {
            guard let n = Self.number(value), n >= 1, n <= 3600 else { return Self.error(400, "retryAfter is 1 to 3600 seconds") }
            retryAfter = Int(n)
        }
        var mutationsOnly = false
        if let value = body["mutationsOnly"] {
            guard let b = value as? Bool else { return Self.error(400, "mutationsOnly is true or false") }
            mutationsOnly = b
        }
        world.updateFaults { f in
            FaultRate.replaceAll(in: &f, with: rates)
            f.ratesOnMutationsOnly = mutationsOnly
            if let stallMs { f.stallMs = stallMs }
            if let retryAfter { f.rateLimitRetryAfter = retryAfter }
        }
        return faults()
    }

    private func setConnected(_ request: SimRequest) -> SimResponse {
        guard let body = Self.object(request), let session = (body["session"] as? String).map(sessionID),
              let connected = body["connected"] as? Bool
        else { return Self.error(400, "the body is {\"session\": ID, \"connected\": true|false}") }
        guard world.session(session) != nil else { return Self.error(404, "no session \(session)") }
        world.setConnected(connected, session: session)
        return .json(200, ["session": .string(session), "connected": .bool(connected)])
    }

    private func join(_ request: SimRequest) -> SimResponse {
        guard let body = Self.object(request), let code = body["code"] as? String, let who = body["as"] as? String else {
            return Self.error(400, "the body is {\"code\": CODE or LINK, \"as\": PHONE or JID, \"name\": NAME}")
        }
        guard let person = try? JID.member(who) else { return Self.error(400, "as is a phone number, a user JID or an @lid id") }
        let outcome: JoinByCodeOutcome
        do throws(JoinByCodeRefusal) {
            outcome = try world.join(code: code, as: person, name: body["name"] as? String ?? "")
        } catch {
            switch error {
            case .invalidCode: return Self.error(404, "no group has this invite code (it never existed, or the link was reset since)")
            case .notOnWhatsApp: return Self.error(400, "\(person.string) is not on WhatsApp")
            case .groupFull: return Self.error(409, "the group is full")
            }
        }
        let (word, session, group): (String, String, JID) = switch outcome {
        case .joined(let s, let g): ("joined", s, g)
        case .pending(let s, let g): ("pending", s, g)
        case .alreadyMember(let s, let g): ("alreadyMember", s, g)
        }
        return .json(200, ["outcome": .string(word), "session": .string(session), "group": .string(group.string)])
    }

    /// A session named as the operator sees it: its id, or the name a dialect shows for it
    /// (WAHA's session name, the label), so a rehearsal can use what the console shows.
    private func sessionID(_ named: String) -> String {
        if world.session(named) != nil { return named }
        return world.session(labeled: named)?.id ?? named
    }

    // MARK: Events

    private func rehearseParticipants(_ request: SimRequest) -> SimResponse {
        guard let body = Self.object(request), let session = (body["session"] as? String).map(sessionID), let raw = body["group"] as? String else {
            return Self.error(400, "the body is {\"session\": ID, \"group\": JID, \"add\"|\"remove\"|\"promote\"|\"demote\": [PHONE or JID], \"via\": \"invite\"|\"added\", \"by\": PHONE or JID}")
        }
        guard let group = try? JID(parsing: raw), group.kind == .group else { return Self.error(400, "group is a group JID (…@g.us)") }
        func people(_ key: String) -> [JID]?? {
            guard let value = body[key] else { return .some([]) }
            guard let list = value as? [Any], list.count <= 1024 else { return .none }
            var out: [JID] = []
            for item in list {
                guard let text = item as? String, let jid = try? JID.member(text) else { return .some(nil) }
                out.append(jid)
            }
            return .some(out)
        }
        var lists: [String: [JID]] = [:]
        for key in ["add", "remove", "promote", "demote"] {
            switch people(key) {
            case .none: return Self.error(400, "\(key) is a list of at most 1024 phone numbers or JIDs")
            case .some(.none): return Self.error(400, "every entry of \(key) is a phone number, a user JID or an @lid id")
            case .some(.some(let list)): lists[key] = list
            }
        }
        guard lists.values.contains(where: { !$0.isEmpty }) else { return Self.error(400, "name someone to add, remove, promote or demote") }
        let via: JoinVia
        switch (body["via"] as? String)?.lowercased() {
        case nil, "added", "add": via = .added
        case "invite", "link": via = .invite
        default: return Self.error(400, "via is invite or added")
        }
        var by: JID?
        if let raw = body["by"] {
            guard let text = raw as? String, let jid = try? JID.member(text) else { return Self.error(400, "by is a phone number, a user JID or an @lid id") }
            by = jid
        }
        let outcome: RehearsalOutcome
        do throws(RehearsalRefusal) {
            outcome = try world.rehearse(session: session, group: group, add: lists["add"] ?? [], remove: lists["remove"] ?? [],
                                         promote: lists["promote"] ?? [], demote: lists["demote"] ?? [], via: via, by: by)
        } catch {
            return Self.error(404, error == .unknownSession ? "no session \(session)" : "no group \(group.string) in session \(session)")
        }
        let ids = { (list: [JID]) in JSON.array(list.map { .string($0.string) }) }
        let skipped: [JSON] = outcome.skipped.map { ["id": .string($0.0.string), "why": .string($0.1)] }
        return .json(200, ["added": ids(outcome.added), "removed": ids(outcome.removed), "promoted": ids(outcome.promoted),
                           "demoted": ids(outcome.demoted), "skipped": .array(skipped)])
    }

    private func rehearseGroup(_ request: SimRequest) -> SimResponse {
        guard let body = Self.object(request), let session = (body["session"] as? String).map(sessionID), let raw = body["group"] as? String else {
            return Self.error(400, "the body is {\"session\": ID, \"group\": JID, \"subject\": TEXT, \"description\": TEXT, \"announce\"|\"locked\"|\"adminsAdd\"|\"approval\": true|false}")
        }
        guard let group = try? JID(parsing: raw), group.kind == .group else { return Self.error(400, "group is a group JID (…@g.us)") }
        var changes: [GroupChange] = []
        if let value = body["subject"] {
            guard let text = value as? String, !text.isEmpty, text.count <= 100 else { return Self.error(400, "subject is 1 to 100 characters") }
            changes.append(.subject(text))
        }
        if let value = body["description"] {
            guard let text = value as? String, text.count <= 2048 else { return Self.error(400, "description is at most 2048 characters") }
            changes.append(.description(text))
        }
        // The names `GET /_sim/group` shows the settings by.
        for (name, setting) in [("announce", GroupSetting.announce), ("locked", .locked), ("adminsAdd", .adminsAdd), ("approval", .approval)] {
            guard let value = body[name] else { continue }
            guard let on = value as? Bool else { return Self.error(400, "\(name) is true or false") }
            changes.append(.setting(setting, on))
        }
        guard !changes.isEmpty else { return Self.error(400, "name a subject, a description or a setting to change") }
        let settings: GroupSettings
        do throws(RehearsalRefusal) { settings = try world.rehearse(session: session, group: group, changes: changes) } catch {
            return Self.error(404, error == .unknownSession ? "no session \(session)" : "no group \(group.string) in session \(session)")
        }
        return .json(200, ["group": .string(group.string), "subject": .optional(world.group(session: session, jid: group)?.subject),
                           "settings": Self.settings(settings)])
    }

    private func webhooks() -> SimResponse {
        let rows: [JSON] = events.webhookStatus().map { w in
            ["destination": .string(w.destination), "delivered": .int(w.delivered), "failed": .int(w.failed),
             "dropped": .int(w.dropped), "lastError": .optional(w.lastError)]
        }
        return .json(200, ["dialect": .string(events.dialect.rawValue), "webhooks": .array(rows)])
    }

    private func addWebhook(_ request: SimRequest) -> SimResponse {
        guard let body = Self.object(request), let raw = body["url"] as? String, raw.utf8.count <= 2048,
              let url = URL(string: raw), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme), url.host != nil
        else { return Self.error(400, "the body is {\"url\": \"http(s)://…\", \"secret\": \"…\", \"proof\": \"vendor\"|\"header\"}") }
        var secret: String?
        if let value = body["secret"] {
            guard let text = value as? String, text.utf8.count <= 1024 else { return Self.error(400, "secret is a string of at most 1024 bytes") }
            secret = text.isEmpty ? nil : text
        }
        var proof = SimWebhook.Proof.vendor
        if let value = body["proof"] {
            guard let text = value as? String, let p = SimWebhook.Proof(rawValue: text) else { return Self.error(400, "proof is vendor or header") }
            proof = p
        }
        events.addWebhook(SimWebhook(url: url, secret: secret, proof: proof))
        return webhooks()
    }

    private func websocket() -> SimResponse {
        .json(200, ["open": .bool(events.socketsOpen), "connections": .int(events.openSockets)])
    }

    private func setWebsocket(_ request: SimRequest) -> SimResponse {
        guard let body = Self.object(request) else { return Self.error(400, "the body is {\"open\": true|false} or {\"drop\": true}") }
        if let open = body["open"] {
            guard let open = open as? Bool else { return Self.error(400, "open is true or false") }
            events.setSocketsOpen(open)
        }
        if let drop = body["drop"] {
            guard let drop = drop as? Bool else { return Self.error(400, "drop is true or false") }
            if drop { events.closeSockets() }
        }
        return websocket()
    }

    // MARK: Helpers

    private static func object(_ request: SimRequest) -> [String: Any]? {
        guard !request.body.isEmpty else { return nil }
        return (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any]
    }

    /// A JSON number.
    private static func number(_ value: Any) -> Double? {
        if let d = value as? Double { return d.isFinite ? d : nil }
        if let n = value as? NSNumber { return n.doubleValue }
        return nil
    }

    static func error(_ status: Int, _ message: String, headers: [(String, String)] = []) -> SimResponse {
        .json(status, ["error": .string(message)], headers: headers)
    }
}
