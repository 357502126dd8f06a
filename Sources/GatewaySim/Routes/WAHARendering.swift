import Foundation
import WamodModel

/// Why a WAHA request failed, rendered as WAHA answers it.
enum WAHAFailure: Error {
    /// NestJS's validation answer: 400 `{"message":[…],"error":"Bad Request","statusCode":400}`.
    case validation(String)
    /// WhatsApp refused: 500 with `exception.message` (`forbidden`, `item-not-found`, …).
    case whatsApp(WAHARender.Refusal)
    case refusal(WorldRefusal, session: String)

    static func wrap<T>(_ session: String, _ body: () throws(WorldRefusal) -> T) throws(WAHAFailure) -> T {
        do throws(WorldRefusal) { return try body() } catch { throw .refusal(error, session: session) }
    }

    func response(_ request: SimRequest) -> SimResponse {
        switch self {
        case .validation(let message):
            .json(400, ["message": [.string(message)], "error": "Bad Request", "statusCode": 400])
        case .whatsApp(let refusal): WAHARender.exception(refusal, request)
        case .refusal(let refusal, let session): Self.render(refusal, session: session, request)
        }
    }

    static func render(_ refusal: WorldRefusal, session: String, _ request: SimRequest) -> SimResponse {
        switch refusal {
        case .sessionNotFound:
            .json(404, ["statusCode": 404,
                        "message": .string("We didn't find a session with name '\(session)'.\nPlease start it first by using POST /api/sessions/\(session)/start request"),
                        "error": "Not Found"])
        case .notConnected(let status):
            .json(422, ["error": "Session status is not as expected. Try again later or restart the session",
                        "session": .string(session), "status": .string(status), "expected": ["WORKING"]])
        case .rateLimited(let seconds): WAHARoutes.tooManyRequests(retryAfter: seconds)
        // WhatsApp answers a group the account does not know, or has left, with item-not-found.
        case .groupNotFound, .notMember: WAHARender.exception(.itemNotFound, request)
        case .notAdmin, .ownerCannotLeave: WAHARender.exception(.forbidden, request)
        }
    }
}

/// WAHA's body shapes (gateways.md §4), as its NOWEB engine gives them: sessions, groups keyed
/// by JID, `participants/v2` rows, and the engine's raw per-row results for mutations.
enum WAHARender {
    /// WhatsApp's refusals, as WAHA passes them on in `exception`.
    enum Refusal {
        case forbidden, itemNotFound, badRequest

        var message: String {
            switch self {
            case .forbidden: "forbidden"
            case .itemNotFound: "item-not-found"
            case .badRequest: "bad-request"
            }
        }
        var code: Int {
            switch self {
            case .forbidden: 403
            case .itemNotFound: 404
            case .badRequest: 400
            }
        }
        var title: String {
            switch self {
            case .forbidden: "Forbidden"
            case .itemNotFound: "Not Found"
            case .badRequest: "Bad Request"
            }
        }
    }

    static let engine = "NOWEB"
    static let version: JSON = ["version": "2025.1.1", "engine": .string(engine), "tier": "CORE"]

    static func iso(_ date: Date) -> String { date.formatted(.iso8601) }

    /// What WAHA answers when the engine throws: 500, the error serialized under `exception`.
    static func exception(_ refusal: Refusal, _ request: SimRequest) -> SimResponse {
        let boom: JSON = [
            "message": .string(refusal.message),
            "name": "Error",
            "data": .int(refusal.code),
            "isBoom": true,
            "isServer": false,
            "output": [
                "statusCode": .int(refusal.code),
                "payload": ["statusCode": .int(refusal.code), "error": .string(refusal.title), "message": .string(refusal.message)],
                "headers": [:],
            ],
        ]
        return .json(500, ["statusCode": 500, "timestamp": .string(iso(Date())), "exception": boom,
                           "request": request.echo, "version": version])
    }

    static func userJID(_ phone: String) -> String { "\(phone)@s.whatsapp.net" }

    /// A session: `me` only once the account is logged in (WORKING).
    static func session(_ s: SessionState) -> JSON {
        let me: JSON = s.connected
            ? ["id": .optional(s.account.phone.map { "\($0)@c.us" }), "pushName": .string(s.account.name)]
            : nil
        return [
            // WAHA names sessions ("default", "support"): the world's label is the name.
            "name": .string(s.label),
            "status": .string(s.connected ? "WORKING" : s.offlineStatus),
            "config": ["proxy": nil, "webhooks": [], "debug": false,
                       "noweb": ["markOnline": false, "store": ["enabled": true, "fullSync": false]]],
            "me": me,
            "engine": ["engine": .string(engine)],
        ]
    }

    /// A group in NOWEB's field set; `participants` left out when the caller excludes them.
    /// NOWEB passes Baileys' `GroupMetadata` through (WhiskeySockets/Baileys,
    /// `src/Types/GroupMetadata.ts`): the settings are `restrict` (locked), `announce`,
    /// `joinApprovalMode` (approval) and `memberAddMode` (true when every member may add), and
    /// `isCommunity` marks a community's parent.
    static func group(_ g: GroupState, participants: Bool) -> JSON {
        let owner = g.creator.jid.string
        let created = Int(g.createdAt / 1000)
        var fields: [JSON.Field] = [
            .init("id", .string(g.jid.string)),
            .init("addressingMode", "pn"),
            .init("subject", .string(g.subject)),
            .init("subjectOwner", .string(owner)),
            .init("subjectTime", .int(created)),
            .init("size", .int(g.size)),
            .init("creation", .int(created)),
            .init("owner", .string(owner)),
        ]
        if !g.description.isEmpty {
            fields.append(.init("desc", .string(g.description)))
            fields.append(.init("descId", .string(String(format: "%016llX", UInt64(g.rowId) &* 2_654_435_761))))
        }
        fields += [
            .init("restrict", .bool(g.isLocked)),
            .init("announce", .bool(g.isAnnounce)),
            .init("isCommunity", .bool(g.isCommunity)),
            .init("isCommunityAnnounce", false),
            .init("joinApprovalMode", .bool(g.approval)),
            .init("memberAddMode", .bool(!g.adminsAdd)),
        ]
        if participants {
            fields.append(.init("participants", .array((g.members ?? []).map { m in
                ["id": .string(m.person.phone.map(userJID) ?? "\(m.person.lid)@lid"),
                 "admin": m.role == .member ? nil : .string(m.role.rawValue)]
            })))
        }
        return .object(fields)
    }

    /// A `participants/v2` row: `id` is the `@lid` (WhatsApp's own addressing), `pn` the phone
    /// (`@c.us`) or null when hidden, `role` `participant`, `admin` or `superadmin`.
    static func participantV2(_ m: Member) -> JSON {
        [
            "id": .string("\(m.person.lid)@lid"),
            "pn": .optional(m.person.phone.map { "\($0)@c.us" }),
            "role": .string(m.role == .member ? "participant" : m.role.rawValue),
        ]
    }

    /// WhatsApp's per-row code for one target's outcome.
    static func code(_ action: MemberAction, _ outcome: RuleOutcome) -> Int {
        switch outcome {
        case .ok: 200
        // WhatsApp answers a no-op role change as done; adding a member is a conflict.
        case .alreadySo: action == .add ? 409 : 200
        case .notMember, .notOnWhatsApp: 404
        // The creator, and the session's own account (leaving is its own call), are refused.
        case .isCreator, .isSelf, .privacyRestricted: 403
        case .groupFull: 419
        }
    }

    /// The NOWEB engine's raw result: one row per target, `status` a string, `content` the
    /// participant node WhatsApp answered (with its `error` attribute when refused).
    static func rows(_ action: MemberAction, _ rules: [TargetRule]) -> JSON {
        .array(rules.map { rule in
            let code = code(action, rule.outcome)
            let jid = rule.target.kind == .user ? userJID(rule.target.user) : rule.target.string
            var attrs: [JSON.Field] = [.init("jid", .string(jid))]
            if code != 200 { attrs.append(.init("error", .string(String(code)))) }
            var node: [JSON.Field] = [.init("tag", "participant"), .init("attrs", .object(attrs))]
            if rule.outcome == .privacyRestricted {
                // WhatsApp offers an invite instead of adding someone whose privacy refuses it.
                node.append(.init("content", [["tag": "add_request",
                                               "attrs": ["code": .string(inviteCode(rule.target)), "expiration": "1999999999"]]]))
            }
            return ["status": .string(String(code)), "jid": .string(jid), "content": .object(node)]
        })
    }

    /// A `GroupJoinRequest` (`waha-py` 2026.9.2's OpenAPI; https://waha.devlike.pro/blog/waha-2026-8/):
    /// `requesterId` the `@lid`, `requesterPn` the phone (`@c.us`, null when hidden), `addedById`
    /// null (nobody added someone who asked by the link), `parentGroupId` "" outside a community
    /// (the schema makes it a required string), `timestamp` in seconds.
    static func joinRequest(_ r: SimJoinRequest) -> JSON {
        [
            "requesterId": .string(r.lid.string),
            "requesterPn": .optional(r.phone?.cUs),
            "addedById": nil,
            "parentGroupId": "",
            "requestMethod": .string(r.method),
            "timestamp": .int(Int(r.at / 1000)),
        ]
    }

    /// A `GroupJoinRequestResult`: the id as it was asked for, `success`, and for an id that is not
    /// pending WhatsApp's `item-not-found` in `error`.
    static func joinAnswer(_ a: JoinAnswer) -> JSON {
        var fields: [JSON.Field] = [.init("requesterId", .string(a.requester.cUs)), .init("success", .bool(a.answered))]
        if !a.answered { fields.append(.init("error", "item-not-found")) }
        return .object(fields)
    }

    /// A sent text as WAHA's `WAMessage` (https://waha.devlike.pro/docs/how-to/send-messages), with
    /// the engine's message under `_data`. Wawp answers the same (gateways.md §9, assumed).
    static func message(_ m: SimMessage, from s: SessionState?) -> JSON {
        let chat = m.chat.cUs
        let seconds = Int(m.at)
        return [
            "id": .string("true_\(chat)_\(m.id)"),
            "timestamp": .int(seconds),
            "from": .optional(s?.account.phone.map { "\($0)@c.us" }),
            "fromMe": true,
            "source": "api",
            "to": .string(chat),
            "participant": nil,
            "body": .string(m.text),
            "hasMedia": false,
            "media": nil,
            "ack": 1,
            "ackName": "SERVER",
            "location": nil,
            "vCards": [],
            "_data": ["key": ["remoteJid": .string(m.chat.string), "fromMe": true, "id": .string(m.id)],
                      "message": ["conversation": .string(m.text)], "messageTimestamp": .int(seconds), "status": "PENDING"],
        ]
    }

    static func inviteCode(_ jid: JID) -> String {
        var g = SplitMix64(seed: jid.user.utf8.reduce(UInt64(0x1417)) { $0 &* 31 &+ UInt64($1) })
        return g.hex(16)
    }
}

extension SimRequest {
    /// The `request` part of WAHA's 500 body.
    var echo: JSON {
        let path = target.split(separator: "?", maxSplits: 1).first.map(String.init) ?? target
        return ["path": .string(path), "method": .string(method),
                "query": .object(query.keys.sorted().map { JSON.Field($0, .string(query[$0] ?? "")) })]
    }
}
