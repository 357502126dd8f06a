import Foundation

/// Pieces the dialects share: reading common shapes, and what a failure means.
enum DialectSupport {
    /// What a failed leave means: WhatsApp's refusal concerns this group only (not a member
    /// any more, `notMember`; or refused, `forbidden`), else it is the error.
    static func leaving(_ e: GatewayError, notMember: Bool, forbidden: Bool) -> Outcome {
        switch e {
        case .notFound(let m) where notMember: .refused(m)
        case .forbidden(let m) where forbidden: .refused(m ?? "WhatsApp refused to leave this group")
        default: .failed(e)
        }
    }

    /// Parses a successful body as JSON or fails as undecodable.
    static func json(_ r: HTTPResponseData) throws(GatewayError) -> JSONValue {
        guard let v = r.json ?? JSONValue.parse(r.body) else {
            throw .undecodable(status: r.status, excerpt: GatewayError.excerpt(r.body))
        }
        return v
    }

    /// What every JSON dialect reads first in a failed answer: with the request's `spec`, a
    /// route the server does not have (`noSuchRoute`); a 429; a body that is not JSON. Else
    /// the body, for the dialect's own words.
    static func failedBody(_ r: HTTPResponseData, _ spec: HTTPRequestSpec?, apiShape: (JSONValue) -> Bool) -> Result<JSONValue, GatewayError> {
        if let spec, isRouteMiss(r, apiShape: apiShape) { return .failure(.noSuchRoute(method: spec.method, path: spec.redactedTarget)) }
        if r.status == 429 { return .failure(.rateLimited(retryAfter: r.retryAfter)) }
        guard let v = JSONValue.parse(r.body) else { return .failure(unparsed(r)) }
        return .success(v)
    }

    /// A failed answer read by its status alone, once the dialect's own words said nothing
    /// more; `notFound` names what may be missing.
    static func byStatus(_ status: Int, _ text: String?, notFound: String) -> GatewayError {
        switch status {
        case 400, 422: .validation(text ?? "invalid request")
        case 401: .unauthorized(text)
        case 403: .forbidden(text)
        case 404: .notFound(text ?? notFound)
        default: .server(status: status, message: text)
        }
    }

    /// Our role in a group from its row: ours among its participants when the row lists them
    /// (nil when we are not among them), the creator's when the session's account owns it.
    static func ourRole(people: [Participant]?, owner: JID?, me: Session?) -> Role? {
        var role: Role?
        if let people, let me { role = people.role(of: me) }
        if let me, let owner, me.isOwnAccount(owner) { role = .superadmin }
        return role
    }

    /// A failed answer whose body is not the dialect's JSON (a proxy's HTML page, a body cut
    /// short), classified by its status first: a 5xx is the gateway failing whatever its body
    /// says (and is retried like any 5xx), a 429 is a rate limit, a 401 a refused token.
    static func unparsed(_ r: HTTPResponseData) -> GatewayError {
        switch r.status {
        case 401: return .unauthorized(nil)
        case 429: return .rateLimited(retryAfter: r.retryAfter)
        case 500...599:
            let e = GatewayError.excerpt(r.body, limit: 60)
            return .server(status: r.status, message: e.isEmpty ? "no body" : "not the gateway's own answer: \"\(e)\"")
        default: return .undecodable(status: r.status, excerpt: GatewayError.excerpt(r.body))
        }
    }

    /// A successful answer whose body cannot be read, as `target`'s failure of unknown effect
    /// (the executor settles it by reading the group again); nil when the answer is readable
    /// or not a success.
    static func unreadableSuccess(_ r: HTTPResponseData, _ target: JID) -> TargetResult? {
        guard (200..<300).contains(r.status), !isReadable(r) else { return nil }
        return TargetResult(target: target, outcome: .failed(.undecodable(status: r.status, excerpt: GatewayError.excerpt(r.body))),
                            httpStatus: r.status, latencyMs: r.latencyMs)
    }

    /// Whether a successful mutation's body is absent or readable JSON. A body that is there
    /// but does not parse (cut short, a proxy's page) says nothing about what happened: the
    /// executor settles it by reading the group again.
    static func isReadable(_ r: HTTPResponseData) -> Bool {
        r.body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) || JSONValue.parse(r.body) != nil
    }

    /// Refuses a list whose rows are there but none of which could be read (wrong types, an
    /// unexpected shape): that is a broken answer, not "nothing here".
    static func requireSome<T>(_ items: [T], of rows: Int, _ r: HTTPResponseData, what: String) throws(GatewayError) {
        guard rows > 0, items.isEmpty else { return }
        throw .undecodable(status: r.status, excerpt: "\(rows) row\(rows == 1 ? "" : "s"), none of them a readable \(what): " + GatewayError.excerpt(r.body, limit: 80))
    }

    /// The items of a list answer (a bare array, or one under `key` or `data`), each row read
    /// by `read`; rows there but none readable are a broken answer (`requireSome`).
    static func list<T>(_ r: HTTPResponseData, key: String, what: String, _ read: (JSONValue) -> T?) throws(GatewayError) -> [T] {
        let v = try json(r)
        let all = try rows(v, key: key, status: r.status, body: r.body)
        let items = all.compactMap(read)
        try requireSome(items, of: all.count, r, what: what)
        return items
    }

    /// The rows of a list answer that may be a bare array or an object wrapping one under `key`.
    static func rows(_ v: JSONValue, key: String, status: Int, body: Data) throws(GatewayError) -> [JSONValue] {
        if let a = v.array { return a }
        if let a = v[key]?.array { return a }
        if let a = v["data"]?.array { return a }
        throw .undecodable(status: status, excerpt: GatewayError.excerpt(body))
    }

    /// Whether a 404 came from the web server (no such route) rather than the API
    /// (no such session, group or member): route misses name the method and path.
    static func isRouteMiss(_ r: HTTPResponseData, apiShape: (JSONValue) -> Bool) -> Bool {
        guard r.status == 404 || r.status == 405 else { return false }
        guard let v = JSONValue.parse(r.body) else { return true }
        if let m = v["message"]?.string, m.hasPrefix("Cannot ") { return true }
        return !apiShape(v)
    }

    /// A human reading of a vendor's per-row reason code.
    static func humanReason(_ code: String) -> String {
        switch code.uppercased() {
        case "ALREADY_IN_GROUP", "409": "already a member"
        case "NOT_ADMIN": "already not an admin"
        case "NOT_FOUND", "NOT_IN_GROUP", "404": "not a member of the group"
        case "PRIVACY", "FORBIDDEN", "NOT_AUTHORIZED", "403": "not allowed (privacy settings, or the group's creator)"
        case "RECENTLY_LEFT", "408": "left recently; WhatsApp will not re-add them yet"
        case "COMMUNITY", "417": "cannot add to a community"
        case "GROUP_FULL", "419": "the group is full"
        case "NOT_ON_WHATSAPP", "INVALID": "not on WhatsApp"
        default: code.lowercased().replacingOccurrences(of: "_", with: " ")
        }
    }
}
