import Foundation

// Shared by every fuzz target (scripts/fuzz/run.sh compiles it with the GatewayKit sources and
// one Fuzz<Target>.swift into a single module, so internal decoders can be called directly).
//
// A dialect target's input is one gateway answer: the first byte picks the HTTP status (and
// whether a Retry-After came with it), the rest is the body, exactly as a gateway could send it.

enum FuzzInput {
    /// The statuses a gateway answers with, picked by the first byte (modulo their count).
    static let statuses = [200, 201, 204, 400, 401, 403, 404, 422, 429, 500, 502]

    /// The input's bytes as text, the way a gateway's field would reach the parser.
    static func text(_ data: UnsafePointer<UInt8>, _ size: Int) -> String {
        String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    }

    /// The input as a gateway's answer. An empty input is a 200 with no body.
    static func response(_ data: UnsafePointer<UInt8>, _ size: Int) -> HTTPResponseData {
        guard size > 0 else {
            return HTTPResponseData(status: 200, body: Data(), retryAfter: nil, contentType: "application/json", latencyMs: 1)
        }
        let selector = Int(data[0])
        let status = statuses[selector % statuses.count]
        // Selectors past the first row of statuses also carry a Retry-After (some odd ones).
        let retry: Double? = switch selector / statuses.count {
        case 0: nil
        case 1: 2
        case 2: 0
        case 3: -1
        case 4: 1e12
        default: Double(selector) / 7
        }
        let body = Data(UnsafeBufferPointer(start: data + 1, count: size - 1))
        return HTTPResponseData(status: status, body: body, retryAfter: retry, contentType: "application/json", latencyMs: 1)
    }
}

/// Fixed ids the decoders are asked about, next to those the answer itself names.
enum FuzzIDs {
    static let user = JID(kind: .user, user: "5511888888888")
    static let owner = JID(kind: .user, user: "5511999999999")
    static let lid = JID(kind: .lid, user: "205227043110999")
    static let group = JID(kind: .group, user: "120363041234567890")
    static let me = Session(id: "default", label: "default", account: JID(kind: .user, user: "79111111"),
                            accountLID: JID(kind: .lid, user: "123"), connected: true, status: "WORKING")

    /// Target lists for the per-row decoders: none, one, several, plus up to three ids the
    /// answer names (so rows can match), with a duplicate to stress the matching.
    static func targetLists(extra: [JID]) -> [[JID]] {
        let named = Array(extra.prefix(3))
        return [[], [user], [user, owner, lid], named, [user] + named + [user]]
    }
}

/// Reads every part of a decoded value so nothing is optimized away, and checks the promises
/// the console relies on. A broken promise stops the fuzzer with "invariant:" in the message.
enum FuzzCheck {
    nonisolated(unsafe) static var sink = 0

    static func touch(_ s: String?) { sink &+= s?.utf8.count ?? 0 }

    static func error(_ e: GatewayError) {
        touch(e.message)
        touch(e.detail)
        touch(e.description)
        sink &+= (e.stopsOperation ? 1 : 0) + (e.isTransient ? 2 : 0) + (e.isBrokenAnswer ? 4 : 0)
            + (e.isUnreachableOrUnauthorized ? 8 : 0)
    }

    static func outcome(_ o: Outcome) {
        touch(o.kind)
        if case .failed(let e) = o { error(e) }
        touch(String(describing: o))
    }

    static func sessions(_ list: [Session]) {
        for s in list {
            touch(s.id); touch(s.label); touch(s.status)
            touch(s.account?.string); touch(s.accountLID?.string); touch(s.account?.phoneNumber)
            sink &+= (s.ratePerMinute ?? 0) &+ (s.ratePerHour ?? 0)
        }
    }

    static func groups(_ list: [Group]) {
        for g in list {
            guard g.jid.isGroup else { fatalError("invariant: a decoded group's JID is not a group: \(g.jid)") }
            touch(g.jid.string); touch(g.subject); touch(g.owner?.string); touch(g.ourRole?.rawValue)
            sink &+= g.size ?? 0
        }
    }

    static func participants(_ list: [Participant]) {
        for p in list {
            if let phone = p.phone, phone.kind != .user { fatalError("invariant: a participant's phone is not a user JID: \(phone)") }
            if let lid = p.lid, lid.kind != .lid { fatalError("invariant: a participant's lid is not an @lid id: \(lid)") }
            guard p.phone != nil || p.lid != nil else { fatalError("invariant: a participant with no id") }
            touch(p.id.string); touch(p.name); touch(p.numberText); touch(p.role.rawValue)
        }
        _ = list.role(of: FuzzIDs.me)
        _ = list.first(matching: FuzzIDs.user)
    }
}

/// What every dialect shares: the common readers of DialectSupport.
enum FuzzShared {
    static func run(_ r: HTTPResponseData) {
        let v = try? DialectSupport.json(r)
        if let v {
            for key in ["data", "sessions", "groups", "participants", "instances"] {
                _ = try? DialectSupport.rows(v, key: key, status: r.status, body: r.body)
            }
            FuzzCheck.touch(v["code"]?.string)
            FuzzCheck.touch(DialectSupport.humanReason(v["reason"]?.string ?? v["error"]?.string ?? ""))
        }
        FuzzCheck.error(DialectSupport.unparsed(r))
        FuzzCheck.sink &+= DialectSupport.isReadable(r) ? 1 : 0
        FuzzCheck.sink &+= DialectSupport.isRouteMiss(r, apiShape: { $0["success"]?.bool == false }) ? 1 : 0
        FuzzCheck.touch(GatewayError.excerpt(r.body))
        FuzzCheck.touch(GatewayError.excerpt(r.body, limit: 60))
        _ = HTTPTransport.isFaultyRead(r)
    }

    /// The ids an answer names anywhere in its first levels, to use as targets.
    static func namedIDs(_ r: HTTPResponseData) -> [JID] {
        guard let v = JSONValue.parse(r.body) else { return [] }
        var found: [JID] = []
        func visit(_ v: JSONValue, depth: Int) {
            guard depth < 4, found.count < 8 else { return }
            switch v {
            case .string(let s): if let j = JID.lenient(s) { found.append(j) }
            case .array(let a): for x in a.prefix(8) { visit(x, depth: depth + 1) }
            case .object(let o): for k in o.keys.sorted().prefix(8) { visit(o[k]!, depth: depth + 1); if let j = JID.lenient(k) { found.append(j) } }
            default: break
            }
        }
        visit(v, depth: 0)
        return found
    }
}
