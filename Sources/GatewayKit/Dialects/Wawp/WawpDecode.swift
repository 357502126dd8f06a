import Foundation

/// The answers of `wawp`, decoded. Reads are WAHA's shapes (`WAHADecode`).
public enum WawpDecode {
    /// `POST` (or `GET`) `/v2/session/info`: `{"name","status","me":{"id","pushName"}}` (an array of one is read too).
    public static func session(_ r: HTTPResponseData) throws(GatewayError) -> Session {
        let v = try DialectSupport.json(r)
        let row = v.array?.first ?? v
        guard row.object != nil, let name = row["name"]?.text ?? row["session_name"]?.text else {
            throw .undecodable(status: r.status, excerpt: GatewayError.excerpt(r.body))
        }
        let status = row["status"]?.text ?? "unknown"
        let ids = [row["me"]?["id"], row["me"]?["lid"], row["me"]?["pn"]].compactMap { WAHAShapes.jid($0) }
        // The session's name may be the instance id, a secret: it is neither shown nor recorded.
        // Wawp's paths carry no session, so the id is only the console's own handle.
        _ = name
        return Session(id: "instance", label: row["me"]?["pushName"]?.text ?? "Wawp instance", account: ids.first { $0.kind == .user },
                       accountLID: ids.first { $0.kind == .lid }, connected: status.uppercased() == "WORKING", status: status)
    }

    /// Whether the identity read's answer says the gateway has no such route for that
    /// method: a web server's 404 (`Cannot POST …`, or not Wawp's error shape), or a 405.
    static func isInfoRouteMiss(_ r: HTTPResponseData) -> Bool {
        r.status == 405 || DialectSupport.isRouteMiss(r, apiShape: isAPIError)
    }

    /// Whether an identity read's error would stop every other call alike (a refused access
    /// token, an unknown instance, a gateway that cannot be reached): it is reported as is.
    static func stopsListing(_ e: GatewayError) -> Bool {
        switch e {
        case .unauthorized, .notFound, .configuration, .transport: true
        default: false
        }
    }

    /// The instance when its identity read failed for another reason (a 5xx, an answer that
    /// does not decode, neither form served): its account is unknown, so our role in each
    /// group is too, and the status says why. Counted as connected: the gateway itself refuses
    /// (422) what a stopped instance cannot do, and the listing goes on.
    public static func unreadInstance(_ e: GatewayError) -> Session {
        let why: String = switch e {
        case .server(let status, _): "HTTP \(status)"
        case .noSuchRoute: "no session/info route"
        case .undecodable: "unreadable answer"
        case .rateLimited: "rate limited"
        default: "not readable"
        }
        return Session(id: "instance", label: "Wawp instance", account: nil, connected: true,
                       status: "unknown (session info: \(why))")
    }

    /// A change's answer: `{"ok":true}`; an empty body is the call's own success.
    public static func ok(_ r: HTTPResponseData) -> Result<Bool, GatewayError> {
        if r.body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return .success(true) }
        guard let v = JSONValue.parse(r.body), let ok = v["ok"]?.bool ?? v["success"]?.bool else {
            return .failure(.undecodable(status: r.status, excerpt: GatewayError.excerpt(r.body)))
        }
        return .success(ok)
    }

    /// What a failed change means for its one participant: the creator's immunity and a
    /// non-member are refusals of that participant; anything else is the error.
    public static func refusal(_ action: MemberAction, _ r: HTTPResponseData, _ spec: HTTPRequestSpec? = nil) -> Outcome {
        let e = error(r, spec)
        let words = (e.detail ?? "").lowercased()
        switch e {
        case .forbidden where words.contains("own account"):
            return .refused("not allowed: that is the session's own account (leave the group instead)")
        case .forbidden where ["creator", "owner", "superadmin"].contains { words.contains($0) }:
            return .refused("not allowed: the group's creator cannot be \(action.pastTense)")
        case .notFound where words.contains("participant") || words.contains("member"):
            return .refused(action == .add ? "not on WhatsApp" : "not a member of the group")
        default:
            return .failed(e)
        }
    }
}

extension WawpDecode {
    /// A successful status whose body says `{"ok":false}` (Wawp's refusal): refused with its
    /// words; nil for any other answer.
    static func notOK(_ r: HTTPResponseData) -> Outcome? {
        guard let v = JSONValue.parse(r.body), v["ok"]?.bool == false else { return nil }
        return .refused(message(v).map(Redaction.scrub) ?? "the gateway answered ok: false")
    }
}
