import Foundation
import WamodModel

/// The emulator's own admin view, under `/_sim/` on every dialect's server. It is NOT part of any
/// vendor's API: no real gateway has it, and the client never calls it. It exists so a rehearsal
/// or a benchmark can see what really happened in the world (the effective changes, the
/// requests that arrived, a group's members) and switch faults on and off while the server runs.
/// It asks for `Authorization: Bearer <the server's token>` whatever the dialect, and faults
/// never touch it.
///
/// - `GET /_sim/sessions`: every session with its account and groups (JID, subject, size, our role)
/// - `GET /_sim/members?session=ID&group=JID`: a group's members and their roles
/// - `GET /_sim/ledger[?since=SEQ]`: the effective changes (those after `since`)
/// - `GET /_sim/arrivals`: every request that arrived, before faults
/// - `GET /_sim/faults`: the fault shares in force
/// - `POST /_sim/faults` `{"rates":{"5xx":0.1,…},"stallMs":8000,"mutationsOnly":false}`:
///   replaces every share (those not named become 0)
/// - `POST /_sim/connected` `{"session":ID,"connected":true}`: connects or disconnects a session
struct AdminView: Sendable {
    static let prefix = "/_sim/"
    let world: World
    let token: String

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
        case ("GET", ["ledger"]): return ledger(request)
        case ("GET", ["arrivals"]): return arrivals()
        case ("GET", ["faults"]): return faults()
        case ("POST", ["faults"]): return setFaults(request)
        case ("POST", ["connected"]): return setConnected(request)
        default:
            return Self.error(404, "no admin route \(request.method) \(request.target.split(separator: "?").first ?? "")")
        }
    }

    // MARK: Reads

    private func sessions() -> SimResponse {
        let rows: [JSON] = world.sessions().map { s in
            let groups: [JSON] = (world.groups(session: s.id) ?? []).map { g in
                ["jid": .string(g.jid.string), "subject": .string(g.subject), "size": .int(g.size), "role": .string(g.ourRole.rawValue)]
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
        guard let body = Self.object(request), let session = body["session"] as? String,
              let connected = body["connected"] as? Bool
        else { return Self.error(400, "the body is {\"session\": ID, \"connected\": true|false}") }
        guard world.session(session) != nil else { return Self.error(404, "no session \(session)") }
        world.setConnected(connected, session: session)
        return .json(200, ["session": .string(session), "connected": .bool(connected)])
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
